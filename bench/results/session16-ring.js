#!/usr/bin/env node
'use strict';
// A ring of k live results, the oldest disposed (no collector involved): the cold-block cost of
// the no-dispose 1e6 rows, deterministically (k = 1 is the disposed loop; the 32 MiB pace keeps
// about 8-9 blocks of 4 MB in turn).
//   node bench/results/session16-ring.js OP N K [samples] [iters]
// OP: exp, log, tanh, sigmoid, abs (a.OP()), relu (nd.relu(a)), add, mul (a.OP(b)), chain (t = a.add(b); t.mul(2)).
// Prints one JSON line: median wall and process CPU per call (us) over the samples (batches of
// `iters` calls), and the median of single calls.
// NDGRAD_PACKAGE=dir loads another build.
const path = require('path');
const { nd } = require(process.env.NDGRAD_PACKAGE || path.join(__dirname, '..', '..'));

const [op, nText, kText, samplesText, itersText] = process.argv.slice(2);
const n = Number(nText);
const k = Number(kText);
const samples = Number(samplesText || 15);
const iters = Number(itersText || 100);
const a = nd.random.uniform({ low: 0.5, high: 1.5, shape: [n] });
const b = nd.random.uniform({ low: 0.5, high: 1.5, shape: [n] });
const call = {
  exp: () => a.exp(),
  log: () => a.log(),
  tanh: () => a.tanh(),
  sigmoid: () => a.sigmoid(),
  relu: () => nd.relu(a),
  abs: () => a.abs(),
  add: () => a.add(b),
  mul: () => a.mul(b),
  chain: () => { const t = a.add(b); const d = t.mul(2); t.dispose(); return d; },
}[op];
const ring = [];
let last;
// k = 0: results rebound and left to the collector (the long mode's no-dispose loop).
const step = k === 0 ? () => { last = call(); } : () => {
  ring.push(call());
  if (ring.length > k) ring.shift().dispose();
};
for (let i = 0; i < 200; i++) step();
const us = () => Number(process.hrtime.bigint()) / 1e3;
const wall = [];
const cpu = [];
const single = new Float64Array(samples * iters); // each call alone: its median leaves out the calls with a scavenge
for (let s = 0; s < samples; s++) {
  const c0 = process.cpuUsage();
  const t0 = us();
  for (let i = 0; i < iters; i++) {
    const c = process.hrtime.bigint();
    step();
    single[s * iters + i] = Number(process.hrtime.bigint() - c) / 1e3;
  }
  wall.push((us() - t0) / iters);
  const c = process.cpuUsage(c0);
  cpu.push((c.user + c.system) / iters);
}
const median = (v) => v.slice().sort((p, q) => p - q)[v.length >> 1];
single.sort();
console.log(JSON.stringify({ op, n, k, wall_us: +median(wall).toFixed(1), cpu_us: +median(cpu).toFixed(1), call_median_us: +single[single.length >> 1].toFixed(1) }));

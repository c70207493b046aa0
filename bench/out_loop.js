#!/usr/bin/env node
'use strict';
// out= in a loop against rebinding, in one long process (results never disposed):
//   node --expose-gc bench/out_loop.js [--json] [--rounds=3]
// Rows: `c = nd.add(a, b)` (a new result each call, left to the collector) and
// `nd.add(a, b, { out: c })` (written into c), for 2x2, 1e5 and 1e6 float32, and the same for
// `nd.dot(m, m)` 256x256. The two forms of a row are measured alternately, `rounds` times each;
// reported: the median of their medians and the best sample (the figure least moved by other
// processes on a shared machine), with the ratios out / rebinding (below 1: out is faster). Each row also counts the storage blocks allocated per call (the pool's count).
const path = require('path');
const { measure, median } = require('./harness');

const root = process.env.NDGRAD_PACKAGE || path.join(__dirname, '..');
const { nd } = require(root);
const { native } = require(path.join(root, 'dist', 'core', 'native'));

const rounds = Number((process.argv.find((a) => a.startsWith('--rounds=')) || '--rounds=3').slice(9));
let sink;

function addRow(name, shape) {
  const a = nd.random.uniform({ low: 0.5, high: 1.5, shape });
  const b = nd.random.uniform({ low: 0.5, high: 1.5, shape });
  const c = nd.zeros(shape);
  return {
    name,
    small: shape.length === 2 && shape[0] * shape[1] <= 16,
    rebind: (n) => { for (let i = 0; i < n; i++) sink = nd.add(a, b); },
    out: (n) => { for (let i = 0; i < n; i++) nd.add(a, b, { out: c }); },
  };
}

function dotRow(name, k) {
  const m = nd.random.uniform({ low: 0.5, high: 1.5, shape: [k, k] });
  const c = nd.zeros([k, k]);
  return {
    name,
    small: false,
    rebind: (n) => { for (let i = 0; i < n; i++) sink = nd.dot(m, m); },
    out: (n) => { for (let i = 0; i < n; i++) nd.dot(m, m, { out: c }); },
  };
}

function blocksPerCall(fn) {
  const before = native.allocations();
  fn(100);
  return (native.allocations() - before) / 100;
}

const rows = [addRow('add 2x2', [2, 2]), addRow('add 1e5', [100000]), addRow('add 1e6', [1000000]), dotRow('dot 256', 256)];
const results = [];
for (const row of rows) {
  const times = { rebind: [], out: [] };
  const best = { rebind: Infinity, out: Infinity };
  for (let r = 0; r < rounds; r++) {
    for (const form of ['rebind', 'out']) {
      if (global.gc) global.gc();
      const m = measure(row[form], { small: row.small });
      times[form].push(m.median_ns);
      best[form] = Math.min(best[form], m.min_ns);
    }
  }
  const rebind = median(times.rebind);
  const out = median(times.out);
  results.push({
    name: row.name,
    rebind_ns: rebind,
    out_ns: out,
    ratio: out / rebind,
    rebind_min_ns: best.rebind,
    out_min_ns: best.out,
    min_ratio: best.out / best.rebind,
    blocks_rebind: blocksPerCall(row.rebind),
    blocks_out: blocksPerCall(row.out),
  });
}
void sink;

if (process.argv.includes('--json')) {
  console.log(JSON.stringify(results, null, 2));
} else {
  const fmt = (ns) => (ns < 1e4 ? `${(ns / 1e3).toFixed(2)} µs` : `${(ns / 1e6).toFixed(3)} ms`);
  console.log(`out= vs rebinding, median of ${rounds} alternating rounds (node ${process.version})`);
  console.log('| row | `c = nd.op(...)` median (best) | `nd.op(..., { out: c })` median (best) | out / rebind: medians (best) | blocks per call (rebind, out) |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const r of results) {
    console.log(
      `| ${r.name} | ${fmt(r.rebind_ns)} (${fmt(r.rebind_min_ns)}) | ${fmt(r.out_ns)} (${fmt(r.out_min_ns)}) | ` +
        `${r.ratio.toFixed(2)} (${r.min_ratio.toFixed(2)}) | ${r.blocks_rebind}, ${r.blocks_out} |`,
    );
  }
}

#!/usr/bin/env node
'use strict';
// One workload of issue 10's table in one long process, results disposed or left to the
// collector, for counting page faults and collections around it:
//   /usr/bin/time -v node --trace-gc bench/loop.js add 1e6 3000 [dispose]
//   /usr/bin/time -v node --trace-gc bench/loop.js dot 256 3000 [dispose|out]
//   node bench/loop.js chain 1e6 3000 [dispose]
// add: c = a.add(b) on two float32 arrays of n elements; dot: c = nd.dot(m, m), m n x n; with
// `out`, the result is written into one array instead (nd.add(a, b, { out: c })); chain: c =
// a.add(b) read at once by the next op, d = c.mul(2) (what a result streamed out of the cache
// costs its reader; dispose frees both).
// Prints the per-call median and mean wall time of the timed calls (after 50 untimed ones); the
// mean includes every collection, so it is the figure a user's loop sees. The CPU time per call
// (the whole process's, collector threads included) is the steadier figure on a busy machine.
const path = require('path');
const { nd } = require(process.env.NDGRAD_PACKAGE || path.join(__dirname, '..'));

const [kind, nText, itersText, mode] = process.argv.slice(2);
const n = Number(nText);
const iters = Number(itersText);
const dispose = mode === 'dispose';
const intoOut = mode === 'out';
const chain = kind === 'chain';
if (!['add', 'dot', 'chain'].includes(kind) || !(n > 0) || !(iters > 0) || (chain && intoOut)) {
  process.stderr.write('usage: node bench/loop.js add|dot|chain <n> <iterations> [dispose|out]\n');
  process.exit(2);
}
const flat = kind !== 'dot';
const a = nd.random.uniform({ low: 0.5, high: 1.5, shape: flat ? [n] : [n, n] });
const b = flat ? nd.random.uniform({ low: 0.5, high: 1.5, shape: [n] }) : a;
let c = intoOut ? nd.zeros(flat ? [n] : [n, n]) : undefined;
const target = c;
const call = intoOut
  ? kind === 'add' ? () => nd.add(a, b, { out: target }) : () => nd.dot(a, b, { out: target })
  : kind === 'add' ? () => a.add(b) : kind === 'dot' ? () => nd.dot(a, b) : chainCall;

function chainCall() {
  const t = a.add(b);
  const d = t.mul(2);
  if (dispose) t.dispose();
  return d;
}

for (let i = 0; i < 50; i++) {
  c = call();
  if (dispose) c.dispose();
}
const times = new Float64Array(iters);
const cpu0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
for (let i = 0; i < iters; i++) {
  const s = process.hrtime.bigint();
  c = call();
  if (dispose) c.dispose();
  times[i] = Number(process.hrtime.bigint() - s);
}
const mean = Number(process.hrtime.bigint() - t0) / iters;
const cpu = process.cpuUsage(cpu0);
const cpuPerCall = ((cpu.user + cpu.system) * 1e3) / iters;
times.sort();
const us = (ns) => (ns / 1e3).toFixed(1);
console.log(`${kind} ${n} ${dispose ? 'dispose' : intoOut ? 'out' : 'no dispose'}: median ${us(times[iters >> 1])} us, mean ${us(mean)} us, CPU ${us(cpuPerCall)} us per call`);

#!/usr/bin/env node
'use strict';
// Per-call CPU time of one float32 unary op on 1e6 elements (the bench rows' input: uniform
// [0.5, 1.5]), written into one preallocated array, in one process:
//   NDGRAD_NUM_THREADS=1 node session15-transc15-ab.js <ndgrad checkout> log|tanh [calls]
// Prints the best and median process CPU time per element over the timed calls (after 20
// untimed ones). Run it for two checkouts alternately; session15-transc15-numpy.py is the NumPy
// counterpart (thread CPU time, same input, out=).
const path = require('path');
const [root, op, callsText] = process.argv.slice(2);
const { nd } = require(path.resolve(root));
const n = 1e6;
const calls = Number(callsText || 200);
const a = nd.random.uniform({ low: 0.5, high: 1.5, shape: [n] });
const out = nd.zeros([n]);
const times = [];
for (let i = 0; i < calls + 20; i++) {
  const t0 = process.cpuUsage();
  nd[op](a, { out });
  const t = process.cpuUsage(t0);
  if (i >= 20) times.push(((t.user + t.system) * 1e3) / n);
}
times.sort((x, y) => x - y);
const median = times[times.length >> 1];
console.log(`${op} ${path.basename(path.resolve(root))} best ${times[0].toFixed(3)} median ${median.toFixed(3)} ns/elem`);

#!/usr/bin/env node
'use strict';
// A 2x2 per-call workload in one process, for whole-process A/B runs of two builds (time each
// with /usr/bin/time -v, in turn; NDGRAD_PACKAGE=<other checkout> selects the other build):
//   node bench/loop_2x2.js add 1000000      1e6 calls of a.add(b), results rebound
//   node bench/loop_2x2.js record 1000000   1e6 ops recorded, in chains of 100 mul/add and a sum
//   node bench/loop_2x2.js grad 400000      4e5 ops recorded and backpropagated, chains of 50
const path = require('path');
const { autograd, nd } = require(process.env.NDGRAD_PACKAGE || path.join(__dirname, '..'));

const [kind, nText] = process.argv.slice(2);
const n = Number(nText);
if (!['add', 'record', 'grad'].includes(kind) || !(n > 0)) {
  process.stderr.write('usage: node bench/loop_2x2.js add|record|grad <ops>\n');
  process.exit(2);
}
const a = nd.random.uniform({ shape: [2, 2] });
const b = nd.random.uniform({ shape: [2, 2] });
let sink;
if (kind === 'add') {
  for (let i = 0; i < n; i++) sink = a.add(b);
} else {
  a.attachGrad();
  const length = kind === 'record' ? 100 : 50;
  for (let i = 0; i < n / length; i++) {
    let y = a;
    autograd.record(() => {
      for (let k = 0; k < length / 2; k++) y = y.mul(b).add(0.5);
      y = y.sum();
    });
    if (kind === 'grad') y.backward();
    sink = y;
  }
}
void sink;

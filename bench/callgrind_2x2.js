#!/usr/bin/env node
'use strict';
// A 2x2 per-call loop for instruction counts under valgrind:
//   valgrind --tool=callgrind node bench/callgrind_2x2.js add|mul|tanh|adds|sum <calls>
// Per call: the difference of two runs (say 300000 and 100000 calls) over the difference in calls.
// The loop is a function called in chunks of 1,000, so that V8 optimises it as it does a user's
// function: under valgrind a top-level loop (bench/loop_2x2.js) stays mostly in the interpreter,
// whose construct and property-load stubs then dominate the JS side of the count.
// NDGRAD_PACKAGE=<other checkout> selects another build.
const path = require('path');
const { nd } = require(process.env.NDGRAD_PACKAGE || path.join(__dirname, '..'));

const [kind, nText] = process.argv.slice(2);
const n = Number(nText);
const a = nd.random.uniform({ shape: [2, 2] });
const b = nd.random.uniform({ shape: [2, 2] });
const ops = {
  add: () => a.add(b),
  mul: () => a.mul(b),
  tanh: () => a.tanh(),
  adds: () => a.add(2),
  sum: () => a.sum(),
};
const op = ops[kind];
if (!op || !(n > 0)) {
  process.stderr.write(`usage: node bench/callgrind_2x2.js ${Object.keys(ops).join('|')} <calls>\n`);
  process.exit(2);
}
let sink;
function chunk() {
  for (let i = 0; i < 1000; i++) sink = op();
}
for (let i = 0; i < n / 1000; i++) chunk();
void sink;

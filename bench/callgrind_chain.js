#!/usr/bin/env node
'use strict';
// The 2x2 chain of bench/recording.js (100 ops per chain) for instruction counts under valgrind:
//   valgrind --tool=callgrind node bench/callgrind_chain.js plain|record|paused <chains>
// What recording adds per op: the difference of two runs (say 3000 and 1000 chains) over the
// difference in ops (200,000), recorded minus plain. `paused` runs the unrecorded chain inside
// autograd.pause, the same callback structure as autograd.record, which separates what V8 makes
// of the callback from what recording itself costs. Chunks of 100 chains, as in callgrind_2x2.js.
// NDGRAD_PACKAGE=<other checkout> selects another build.
const path = require('path');
const pkg = process.env.NDGRAD_PACKAGE || path.join(__dirname, '..');
const { nd, autograd } = require(pkg);
const { ndgradChain } = require(path.join(pkg, 'bench', 'rows.js'));

const [mode, nText] = process.argv.slice(2);
const n = Number(nText);
if (!['plain', 'record', 'paused'].includes(mode) || !(n > 0)) {
  process.stderr.write('usage: node bench/callgrind_chain.js plain|record|paused <chains>\n');
  process.exit(2);
}
const x = nd.array([[0.5, 0.7], [0.9, 1.1]]);
if (mode === 'record') x.attachGrad();
const chain = () => ndgradChain(x);
let sink = null;
function chunk() {
  if (mode === 'record') for (let i = 0; i < 100; i++) sink = autograd.record(chain);
  else if (mode === 'paused') for (let i = 0; i < 100; i++) sink = autograd.pause(chain);
  else for (let i = 0; i < 100; i++) sink = chain();
}
for (let i = 0; i < n / 100; i++) chunk();
void sink;

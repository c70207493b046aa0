#!/usr/bin/env node
'use strict';
// Whole-process A/B for the tanh kernel: `node session11-tanh-loop.js <ndgrad checkout> <calls>`
// loads ndgrad from the given checkout and calls a.tanh() on the bench's 1e6 float32 input
// (uniform [0.5, 1.5]); run it under NDGRAD_NUM_THREADS=1, once per checkout, interleaved.
const path = require('path');
const [root, callsText] = process.argv.slice(2);
const { nd } = require(path.resolve(root));
const a = nd.random.uniform({ low: 0.5, high: 1.5, shape: [1e6] });
let sink;
for (let i = 0; i < Number(callsText); i++) sink = a.tanh();
if (sink.shape[0] !== 1e6) process.exit(1);

#!/usr/bin/env node
'use strict';
// What a requested scavenge costs the no-dispose call that makes it, and the call after it:
//   node bench/results/session18-after-request.js exp|log|add [calls]
// Times each of `calls` no-dispose calls on 1e6 float32 (after 100 untimed), takes the calls
// more than 70 us above the median as those that made a request (about one in eight at the
// 32 MiB pace), and prints one JSON line: the median of all calls, of the request calls, of the
// call right after each and of the one after that, and of the others. With two threads the call
// after a request found the pool's worker asleep (a request outlasts its 50 us poll).
// NDGRAD_PACKAGE=dir loads another build.
const path = require('path');
const { nd } = require(process.env.NDGRAD_PACKAGE || path.join(__dirname, '..', '..'));
const { median } = require('../common');

const op = process.argv[2] || 'exp';
const iters = Number(process.argv[3] || 3000);
if (!['exp', 'log', 'add'].includes(op) || !(iters > 10)) {
  process.stderr.write('usage: node bench/results/session18-after-request.js exp|log|add [calls]\n');
  process.exit(2);
}
const a = nd.random.uniform({ low: 0.5, high: 1.5, shape: [1e6] });
const b = nd.random.uniform({ low: 0.5, high: 1.5, shape: [1e6] });
const call = op === 'add' ? () => a.add(b) : op === 'log' ? () => a.log() : () => a.exp();
let c;
for (let i = 0; i < 100; i++) c = call();
const t = new Float64Array(iters);
for (let i = 0; i < iters; i++) {
  const s = process.hrtime.bigint();
  c = call();
  t[i] = Number(process.hrtime.bigint() - s) / 1000;
}
void c;
const all = median(t);
const request = [], after = [], after2 = [], other = [];
for (let i = 1; i + 2 < iters; i++) {
  if (t[i] > all + 70) {
    request.push(t[i]);
    after.push(t[i + 1]);
    after2.push(t[i + 2]);
    i += 2;
  } else {
    other.push(t[i]);
  }
}
const us = (x) => Number(x.toFixed(1));
console.log(JSON.stringify({ op, median: us(all), requests: request.length, requestCall: us(median(request)),
  after: us(median(after)), after2: us(median(after2)), other: us(median(other)) }));

// The two kept-results loops of test/memory.test.ts under a request schedule that reads no clock
// (young_collections.h: Schedule). Session 14, memtest:
//   node --trace-gc --no-incremental-marking bench/results/session14-kept.js small pace | grep -c Mark-Compact
// args: `kept` (800 kept 1e5 results, then 8,000 kept 16-element ones) or `small` (800
// kept 1e5 results among 16,000 dying 4 KiB ones); schedule `clock`, `pace`, `wait` or `none`.
'use strict';
const path = require('path');
const root = path.join(__dirname, '..', '..');
const { nd } = require(root);
const [which = 'small', schedule = 'clock'] = process.argv.slice(2);
require(path.join(root, 'dist/core/native')).native.setPacing(schedule);
const a = nd.ones([100000]);
const kept = [];
if (which === 'kept') {
  for (let i = 0; i < 800; i++) kept.push(a.add(i));
  for (let i = 0; i < 8000; i++) kept.push(nd.ones([16]).add(i));
} else {
  const s = nd.ones([1024]);
  let t;
  for (let i = 0; i < 800; i++) {
    kept.push(a.add(i));
    for (let j = 0; j < 20; j++) t = s.add(j);
  }
}
console.log(kept.length);

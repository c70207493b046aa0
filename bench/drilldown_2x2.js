#!/usr/bin/env node
'use strict';
// Where the time of a 2x2 `a.add(b)` goes: peels the call path layer by layer.
//   node --expose-gc bench/drilldown_2x2.js [--json]
// Every line is a median of 15 samples of >= 50 ms each (bench/harness.js), so GC is amortised.
// Layers:
//   napi-noop          native.isa(): a bare Node-API call returning a cached string
//   native.binary      the raw binding: OP lookup + Node-API + invoke() + napi External, no NDArray
//                      object; the handle is dropped, so its finalizer runs in GC
//   native.binary+owner  the same with an owner object: a slot handle (native/binding/handles.h)
//                      in a page (result_pages.h) whose token the owner keeps, the path a.add(b) takes
//   a.add(b)           the public API (NDArray wrapper + binaryOp dispatch + native.binary)
//   a.add(b).dispose() same, freed explicitly (no GC finalizer, no deferred free)
//   a.add(b) keep-64   results kept alive in a ring of 64 (finalizers run later, in batches)
//   new NDArray(h)     cost of the JS wrapper alone (wrapping an existing handle)
//   a.addInPlace(b)    no allocation at all: in-place op, same kernel
// Compare with NumPy's `a + b` on 2x2 float32 (bench/numpy_bench.py row "add 2x2").
const path = require('path');
const { measure } = require('./harness');

const root = path.join(__dirname, '..');
const { nd, NDArray } = require(root);
const { native } = require(path.join(root, 'dist', 'core', 'native'));
const { OP } = require(path.join(root, 'dist', 'core', 'ops'));

const a = nd.random.uniform({ shape: [2, 2] });
const b = nd.random.uniform({ shape: [2, 2] });
const c = nd.zeros([2, 2]);
const addId = OP.add;
let sink;

const cases = [
  ['napi-noop (native.isa())', (n) => { for (let i = 0; i < n; i++) sink = native.isa(); }],
  ['native.binary(add) raw handle', (n) => { for (let i = 0; i < n; i++) sink = native.binary(addId, a._h, b._h); }],
  ['native.binary(add) + owner object', (n) => { for (let i = 0; i < n; i++) { const o = { _p: undefined }; o._p = native.binary(addId, a._h, b._h, o); sink = o; } }],
  ['a.add(b)', (n) => { for (let i = 0; i < n; i++) sink = a.add(b); }],
  ['a.add(b).dispose()', (n) => { for (let i = 0; i < n; i++) a.add(b).dispose(); }],
  ['a.add(b) keep-64 ring', (() => { const ring = new Array(64); let k = 0; return (n) => { for (let i = 0; i < n; i++) ring[k++ & 63] = a.add(b); }; })()],
  ['new NDArray(existing handle)', (n) => { const h = a._h; for (let i = 0; i < n; i++) sink = new NDArray(h); }],
  ['c.addInPlace(b) (no allocation)', (n) => { for (let i = 0; i < n; i++) c.addInPlace(b); }],
];

const out = [];
for (const [name, fn] of cases) {
  if (global.gc) global.gc();
  const m = measure(fn, { small: true });
  out.push({ name, median_ns: m.median_ns, min_ns: m.min_ns, max_ns: m.max_ns });
}
if (process.argv.includes('--json')) {
  console.log(JSON.stringify({ threads: native.numThreads(), isa: native.isa(), cases: out }, null, 2));
} else {
  console.log(`ndgrad 2x2 add drill-down (isa ${native.isa()}, threads ${native.numThreads()}, node ${process.version})`);
  for (const r of out) console.log(`${r.name.padEnd(34)} median ${(r.median_ns / 1e3).toFixed(2).padStart(7)} µs   min ${(r.min_ns / 1e3).toFixed(2).padStart(7)} µs`);
}
void sink;

#!/usr/bin/env node
'use strict';
// A hash of elementwise results (unary and binary, float32 and float64, sizes on both sides of
// the binary ops' prefetch threshold), to compare builds and instruction sets bit for bit:
//   NDGRAD_ISA=avx512|avx2|scalar [NDGRAD_PACKAGE=dir] node bench/results/session16-bits.js
const path = require('path');
const crypto = require('crypto');
const { nd } = require(process.env.NDGRAD_PACKAGE || path.join(__dirname, '..', '..'));

const h = crypto.createHash('sha256');
for (const n of [65536 + 3, 1e6 + 7, 300001]) {
  for (const dtype of ['float32', 'float64']) {
    const xa = nd.array(Float64Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * 3)).astype(dtype);
    const xb = nd.array(Float64Array.from({ length: n }, (_, i) => 1 + Math.cos(i * 0.11) * 0.4)).astype(dtype);
    for (const r of [xa.exp(), xa.log(), xa.tanh(), xa.sigmoid(), xa.abs(), xa.add(xb), xa.mul(xb), xa.mul(2),
      xa.sub(xb), xa.div(xb), xa.maximum(xb)]) {
      const d = r.toTypedArray();
      h.update(Buffer.from(d.buffer, d.byteOffset, d.byteLength));
    }
  }
}
console.log(h.digest('hex'));

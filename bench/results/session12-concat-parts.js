#!/usr/bin/env node
'use strict';
// concat of P arrays [rows, cols] along dim (disposed), CPU per call (session 12, pace):
//   NDGRAD_PACKAGE=/work/main node bench/results/session12-concat-parts.js 64 4000 4 1
const { nd } = require(process.env.NDGRAD_PACKAGE || require('path').join(__dirname, '..', '..'));
const [P, rows, cols, dim] = process.argv.slice(2).map(Number);
const parts = [];
for (let i = 0; i < P; i++) parts.push(nd.random.uniform({ low: 0, high: 1, shape: [rows, cols] }));
for (let i = 0; i < 20; i++) nd.concat(...parts, { dim }).dispose();
const N = 200; const c0 = process.cpuUsage(); const t0 = process.hrtime.bigint();
for (let i = 0; i < N; i++) nd.concat(...parts, { dim }).dispose();
const w = Number(process.hrtime.bigint() - t0) / 1e3 / N; const c = process.cpuUsage(c0);
console.log(`P=${P} ${rows}x${cols} dim${dim}: wall ${w.toFixed(1)} us cpu ${((c.user + c.system) / N).toFixed(1)} us`);

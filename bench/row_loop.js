#!/usr/bin/env node
'use strict';
// One row of the bench table (bench/rows.js) in one process, results disposed or left to the
// collector, for A/B runs of the long-process mode on a busy machine, where the CPU time per
// call is steadier than the wall time:
//   NDGRAD_NUM_THREADS=1 node --trace-gc bench/row_loop.js "dot 64" gc|dispose [samples] [ms]
// Runs the row for 400 ms untimed, then `samples` samples of about `ms` each (ITERS=n fixes the
// calls per sample). Prints one JSON line: median wall and process CPU time per call (all
// threads), minor page faults per timed call, timed calls. NDGRAD_PACKAGE=dir loads another
// build (the package root, with its bench/engines/ndgrad.js).
const path = require('path');

const [name, mode, samplesText, msText] = process.argv.slice(2);
const root = process.env.NDGRAD_PACKAGE || path.join(__dirname, '..');
const { selectRows } = require(path.join(root, 'bench', 'rows'));
const engine = require(path.join(root, 'bench', 'engines', 'ndgrad'));
const row = selectRows(null).find((r) => r.name === name);
if (!row || !['gc', 'dispose'].includes(mode)) {
  process.stderr.write('usage: node bench/row_loop.js "<row name>" gc|dispose [samples] [ms]\n');
  process.exit(2);
}
const samples = Number(samplesText || 15);
const ms = Number(msText || 40);
const fn = engine.prepare(row, { dispose: mode === 'dispose' });
const us = () => Number(process.hrtime.bigint()) / 1e3;
for (const w0 = us(); us() - w0 < 400;) fn(1);
const a0 = us();
fn(20);
const iters = process.env.ITERS ? Number(process.env.ITERS) : Math.max(1, Math.round((ms * 1000) / ((us() - a0) / 20)));
const wall = [];
const cpu = [];
const f0 = process.resourceUsage().minorPageFault;
for (let s = 0; s < samples; s++) {
  const c0 = process.cpuUsage();
  const t0 = us();
  fn(iters);
  const t1 = us();
  const c = process.cpuUsage(c0);
  wall.push((t1 - t0) / iters);
  cpu.push((c.user + c.system) / iters);
}
const faults = (process.resourceUsage().minorPageFault - f0) / (samples * iters);
const median = (v) => v.slice().sort((p, q) => p - q)[v.length >> 1];
console.log(JSON.stringify({ name, mode, wall_us: +median(wall).toFixed(2), cpu_us: +median(cpu).toFixed(2), faults: +faults.toFixed(2), calls: samples * iters }));

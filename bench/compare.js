#!/usr/bin/env node
'use strict';
// Stability check across saved runs: node bench/compare.js bench/results/run1.json run2.json ...
// Prints, per row, ndgrad/NumPy and ndgrad-1T/NumPy-1T in every run (wall-time medians and
// CPU-time medians) and each run's mean background load, as a markdown table.
const fs = require('fs');

const files = process.argv.slice(2);
if (!files.length) {
  console.error('usage: node bench/compare.js RUN.json [RUN.json ...]');
  process.exit(2);
}
const runs = files.map((f) => JSON.parse(fs.readFileSync(f, 'utf8')));

function get(run, engine, row, stat) {
  const r = run.engines[engine] && run.engines[engine].results[row.name];
  return r && typeof r[stat] === 'number' ? r[stat] : null;
}
function ratio(run, row, stat, oneThread) {
  const nd = get(run, oneThread ? 'ndgrad-1t' : 'ndgrad', row, stat);
  const np = get(run, oneThread && row.blas ? 'numpy-1t' : 'numpy', row, stat);
  return nd !== null && np !== null ? nd / np : null;
}
const f = (x) => (x === null ? '—' : x.toFixed(2));

const rows = runs[0].rows;
const head = ['row', 'target'];
for (let i = 0; i < runs.length; i++) head.push(`run${i + 1} nd/NumPy`, `run${i + 1} 1T/1T`, `run${i + 1} cpu nd/NumPy`);
const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? ':---' : '---:')).join('|')}|`];
for (const row of rows) {
  const cells = [row.name, row.target == null ? '' : `≤ ${row.target}`];
  for (const run of runs) {
    cells.push(f(ratio(run, row, 'median_ns', false)), f(ratio(run, row, 'median_ns', true)), f(ratio(run, row, 'cpu_median_ns', false)));
  }
  lines.push(`| ${cells.join(' | ')} |`);
}
console.log(lines.join('\n'));
console.log();
runs.forEach((run, i) => {
  const bg = [];
  for (const [name, en] of Object.entries(run.engines)) {
    const rs = Object.values(en.results || {}).filter((r) => typeof r.background_cores === 'number');
    if (rs.length) bg.push(`${name} ${(rs.reduce((n, r) => n + r.background_cores, 0) / rs.length).toFixed(2)}`);
  }
  console.log(`run${i + 1} (${run.machine.date}, ${run.machine.durationSec}s): loadavg ${run.machine.loadavgStart} -> ${run.machine.loadavgEnd}; background cores: ${bg.join(', ')}`);
});

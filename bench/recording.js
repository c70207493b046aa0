#!/usr/bin/env node
'use strict';
// The cost of recording, timed as whole processes: the 2x2 chain of bench/rows.js (100 ops:
// 25 x mul, add, tanh, sub) run `--chains` times unrecorded, then the same inside
// autograd.record, each in a fresh node process, alternating, `--pairs` times. Everything a run
// does counts: JIT warm-up, every garbage collection, the release of every dropped graph. A run
// with no chains is subtracted as start-up. Prints per-op times and the recorded/unrecorded ratio
// of each pair, and their medians.
//
//   node bench/recording.js [--pairs=11] [--chains=30000]
const { spawnSync } = require('child_process');
const path = require('path');
const { CHAIN_OPS, ndgradChain } = require('./rows');

function child(mode, chains) {
  const { nd, autograd } = require(path.join(__dirname, '..'));
  const x = nd.array([[0.5, 0.7], [0.9, 1.1]]);
  if (mode === 'record') x.attachGrad();
  const chain = () => ndgradChain(x);
  let sink = null;
  if (mode === 'record') for (let i = 0; i < chains; i++) sink = autograd.record(chain);
  else for (let i = 0; i < chains; i++) sink = chain();
  if (chains > 0 && !sink) throw new Error('no result');
}

function timeRun(mode, chains) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [__filename, '--child', mode, String(chains)], { stdio: 'inherit' });
  const t = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`child ${mode} failed (${r.status ?? r.signal})`);
  return t;
}

const median = (xs) => {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function main() {
  const arg = (name, def) => {
    const a = process.argv.find((s) => s.startsWith(`--${name}=`));
    return a ? Number(a.split('=')[1]) : def;
  };
  const pairs = arg('pairs', 11);
  const chains = arg('chains', 30000);
  const ops = chains * CHAIN_OPS;
  timeRun('plain', 0); // warm the file cache
  const startup = median([0, 1, 2].map(() => timeRun('plain', 0)));
  const plain = [];
  const record = [];
  const ratios = [];
  for (let i = 0; i < pairs; i++) {
    const p = timeRun('plain', chains) - startup;
    const r = timeRun('record', chains) - startup;
    plain.push(p);
    record.push(r);
    ratios.push(r / p);
    console.log(`pair ${i + 1}: unrecorded ${((p / ops) * 1e9).toFixed(0)} ns/op, recorded ${((r / ops) * 1e9).toFixed(0)} ns/op, ratio ${(r / p).toFixed(3)}`);
  }
  console.log(`start-up ${(startup * 1e3).toFixed(0)} ms (subtracted); ${pairs} pairs of ${chains} chains (${ops} ops each)`);
  console.log(`median: unrecorded ${((median(plain) / ops) * 1e9).toFixed(0)} ns/op, recorded ${((median(record) / ops) * 1e9).toFixed(0)} ns/op, ratio ${median(ratios).toFixed(3)} (min ${Math.min(...ratios).toFixed(3)}, max ${Math.max(...ratios).toFixed(3)})`);
}

if (process.argv[2] === '--child') child(process.argv[3], Number(process.argv[4]));
else main();

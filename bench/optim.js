'use strict';
// Fused optimizer updates on a 1e6 float32 weight: ndgrad's fused op vs the same update written
// with separate nd ops vs PyTorch's torch.optim step on one tensor (/usr/bin/python3, 2 threads),
// interleaved round by round, medians. GB/s counts the bytes the update must move (sgdMomUpdate:
// read w, g, mom, write w, mom = 20 B/element; adamUpdate: read w, g, mean, var, write w, mean,
// var = 28 B/element), against the bandwidth of an in-place add (read 2, write 1: 12 B/element)
// measured in the same run.
//
//   node bench/optim.js [--rounds=5]      (the addon built and dist/ compiled: npm run build)
const path = require('path');
const { spawnSync } = require('child_process');
const { measure, median } = require('./harness');
const { nd } = require(path.join(__dirname, '..', 'dist'));

const N = 1e6;
const ROUNDS = Number((process.argv.find((a) => a.startsWith('--rounds=')) || '--rounds=5').split('=')[1]);
const LR = 0.01;
const WD = 1e-4;

const w = nd.random.uniform({ shape: [N] });
const g = nd.random.normal({ shape: [N] });
const mom = nd.zeros([N]);
const mean = nd.zeros([N]);
const variance = nd.zeros([N]);
const other = nd.random.uniform({ shape: [N] });

const rows = {
  'sgdMomUpdate fused': () => nd.sgdMomUpdate(w, g, mom, { lr: LR, wd: WD, momentum: 0.9 }),
  'sgdMomUpdate nd ops': () =>
    nd.tidy(() => {
      mom.mulInPlace(0.9);
      mom.subInPlace(w.mul(LR * WD));
      mom.subInPlace(g.mul(LR));
      w.addInPlace(mom);
    }),
  'adamUpdate fused': () => nd.adamUpdate(w, g, mean, variance, { lr: LR, wd: WD }),
  'adamUpdate nd ops': () =>
    nd.tidy(() => {
      const r = g.add(w.mul(WD));
      mean.mulInPlace(0.9);
      mean.addInPlace(r.mul(0.1));
      variance.mulInPlace(0.999);
      variance.addInPlace(r.square().mul(0.001));
      w.subInPlace(mean.div(variance.sqrt().add(1e-8)).mul(LR));
    }),
  'add in place (bandwidth)': () => w.addInPlace(other),
};
const BYTES = { sgdMomUpdate: 20 * N, adamUpdate: 28 * N, 'add in place (bandwidth)': 12 * N };

// torch.set_num_threads(2) as the other rows' pool, and 1: on a machine shared with other jobs,
// two OpenMP threads on two busy cores can wait far longer at their barriers than they compute.
const TORCH = `
import json, sys, time, torch
torch.set_num_threads(int(sys.argv[1]))
N = ${N}
p = torch.nn.Parameter(torch.rand(N))
p.grad = torch.randn(N)
opts = {'sgd': torch.optim.SGD([p], lr=${LR}, momentum=0.9, weight_decay=${WD}),
        'adam': torch.optim.Adam([p], lr=${LR}, weight_decay=${WD})}
out = {}
for name, opt in opts.items():
    for _ in range(20): opt.step()
    samples = []
    for _ in range(15):
        t = time.perf_counter(); [opt.step() for _ in range(10)]; samples.append((time.perf_counter() - t) / 10)
    samples.sort(); out[name] = samples[len(samples) // 2] * 1e9
print(json.dumps(out))
`;

const times = {};
const push = (k, v) => (times[k] = times[k] || []).push(v);
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, fn] of Object.entries(rows)) {
    push(name, measure((iters) => {
      for (let i = 0; i < iters; i++) fn();
    }).median_ns);
  }
  for (const threads of [2, 1]) {
    const torch = spawnSync('/usr/bin/python3', ['-c', TORCH, String(threads)], { encoding: 'utf8' });
    if (torch.status !== 0) throw new Error(torch.stderr);
    const t = JSON.parse(torch.stdout);
    push(`sgdMomUpdate torch.optim.SGD(momentum, weight_decay).step, ${threads} thread(s)`, t.sgd);
    push(`adamUpdate torch.optim.Adam(weight_decay).step, ${threads} thread(s)`, t.adam);
  }
  process.stderr.write(`round ${r + 1}/${ROUNDS}\n`);
}

const bw = BYTES['add in place (bandwidth)'] / median(times['add in place (bandwidth)']);
console.log(`| row (1e6 float32, ${ROUNDS} rounds, median) | time (us) | GB/s moved | of add-in-place bandwidth (${bw.toFixed(1)} GB/s) |`);
console.log('|:---|---:|---:|---:|');
for (const [name, ts] of Object.entries(times)) {
  const ns = median(ts);
  const bytes = BYTES[name.split(' ')[0]] ?? BYTES[name];
  const gbs = bytes / ns;
  console.log(`| ${name} | ${(ns / 1e3).toFixed(0)} | ${gbs.toFixed(1)} | ${((100 * gbs) / bw).toFixed(0)}% |`);
}

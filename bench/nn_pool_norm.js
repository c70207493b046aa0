'use strict';
// Pooling and normalization against PyTorch (bench/nn_pool_norm_torch.py, 2 threads, a server
// process started once) and TensorFlow.js (tfjs-core, cpu backend; wasm where it has the op),
// in one run, rows interleaved round by round; medians. GB/s counts the bytes a minimal
// implementation moves (listed per row), against this machine's copy bandwidth measured here.
//
//   node bench/nn_pool_norm.js [--rounds=5] [--reps=7] [--no-tfjs]
const { spawn } = require('child_process');
const path = require('path');
const readline = require('readline');

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')).map(([k, v]) => [k, v ?? true]));
const ROUNDS = Number(args.rounds ?? 5);
const REPS = Number(args.reps ?? 7);
const PYTHON = process.env.TORCH_PYTHON || '/usr/bin/python3';

const { nd, autograd } = require(path.join(__dirname, '..', 'dist'));

const N = 16 * 64 * 56 * 56;
const MB = (n) => n * 4;
// Bytes of a minimal implementation: forward normalization = read (statistics) + read + write;
// its backward = read dy and x (sums) + read dy and x + write dx.
const ROWS = [
  { name: 'maxpool', label: 'max pool 2x2 s2, (16,64,56,56) fwd', bytes: MB(N + N / 4) },
  { name: 'maxpool_train', label: 'max pool 2x2 s2 fwd+bwd', bytes: MB(N + N / 4) + MB(N + N / 4 + N) },
  { name: 'gap', label: 'global avg pool (16,64,56,56) fwd', bytes: MB(N) },
  { name: 'bn_train', label: 'batchNorm train fwd+bwd (16,64,56,56)', bytes: MB(3 * N) + MB(5 * N) },
  { name: 'ln_train', label: 'layerNorm fwd+bwd (4096,784) last axis', bytes: MB(3 * 4096 * 784) + MB(5 * 4096 * 784) },
];

function median(a) {
  const s = [...a].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)];
}

function timeIt(f, reps) {
  f();
  const t = [];
  for (let i = 0; i < reps; i++) {
    const t0 = process.hrtime.bigint();
    f();
    t.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return median(t);
}

function copyBandwidth() {
  const a = new Float32Array(64 << 20);
  const b = new Float32Array(64 << 20);
  a.fill(1);
  const s = timeIt(() => b.set(a), 5);
  return (2 * a.byteLength) / s / 1e9;
}

function rand(shape) {
  return nd.random.uniform(-2, 2, shape);
}

function ndgradRows() {
  const x = rand([16, 64, 56, 56]);
  const dy = rand([16, 64, 56, 56]);
  const gamma = rand([64]);
  const beta = rand([64]);
  const mm = nd.zeros([64]);
  const mv = nd.ones([64]);
  const ln = rand([4096, 784]);
  const lg = rand([784]);
  const lb = rand([784]);
  const ldy = rand([4096, 784]);
  for (const v of [x, gamma, beta, ln, lg, lb]) v.attachGrad();
  return {
    maxpool: () => nd.pooling(x, { kernel: [2, 2], stride: [2, 2] }).dispose(),
    maxpool_train: () => {
      const y = autograd.record(() => nd.pooling(x, { kernel: [2, 2], stride: [2, 2] }));
      y.backward();
      y.dispose();
    },
    gap: () => nd.pooling(x, { globalPool: true, poolType: 'avg' }).dispose(),
    bn_train: () => {
      const y = autograd.record(() => autograd.trainMode(() => nd.batchNorm(x, gamma, beta, mm, mv, { fixGamma: false })));
      y.backward(dy);
      y.dispose();
    },
    ln_train: () => {
      const y = autograd.record(() => nd.layerNorm(ln, lg, lb));
      y.backward(ldy);
      y.dispose();
    },
  };
}

async function tfjsRows(backendName) {
  const log = console.log;
  const warn = console.warn;
  console.log = () => {};
  console.warn = () => {};
  const tf = require('@tensorflow/tfjs-core');
  if (backendName === 'cpu') require('@tensorflow/tfjs-backend-cpu');
  else require('@tensorflow/tfjs-backend-wasm');
  tf.enableProdMode();
  await tf.setBackend(backendName);
  await tf.ready();
  console.log = log;
  console.warn = warn;
  // tfjs is channels-last: the same data as (16, 56, 56, 64).
  const x = tf.randomUniform([16, 56, 56, 64], -2, 2);
  const pdy = tf.randomUniform([16, 28, 28, 64], -2, 2);
  // tfjs-core's CommonJS bundle registers no gradients (bench/engines/tfjs.js), so the max-pool
  // backward is its MaxPoolGrad kernel called directly; it has no batch- or layer-norm backward.
  return {
    maxpool: () => tf.maxPool(x, 2, 2, 'valid').dispose(),
    maxpool_train: () => {
      const y = tf.maxPool(x, 2, 2, 'valid');
      tf.engine().runKernel('MaxPoolGrad', { dy: pdy, input: x, output: y }, { filterSize: 2, strides: 2, pad: 'valid' }).dispose();
      y.dispose();
    },
    gap: () => tf.mean(x, [1, 2]).dispose(),
  };
}

async function main() {
  const bw = copyBandwidth();
  const ours = ndgradRows();
  const engines = { ndgrad: ours };
  if (!args['no-tfjs']) {
    engines['tfjs-cpu'] = await tfjsRows('cpu');
  }
  const py = spawn(PYTHON, [path.join(__dirname, 'nn_pool_norm_torch.py')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: py.stdout })[Symbol.asyncIterator]();
  const next = async () => JSON.parse((await lines.next()).value);
  const torchVersion = (await next()).ready;
  const times = {};
  for (let r = 0; r < ROUNDS; r++) {
    for (const row of ROWS) {
      for (const [name, rows] of Object.entries(engines)) {
        if (!rows[row.name]) continue;
        const k = `${row.name}/${name}`;
        (times[k] ??= []).push(timeIt(rows[row.name], REPS));
      }
      py.stdin.write(`${row.name} ${REPS}\n`);
      (times[`${row.name}/torch`] ??= []).push((await next()).median);
    }
  }
  py.stdin.end();
  const ms = (s) => (s * 1e3).toFixed(2);
  console.log(`copy bandwidth ${bw.toFixed(1)} GB/s (read + write of 256 MiB); PyTorch ${torchVersion}, 2 threads; ${ROUNDS} rounds x ${REPS} reps, medians`);
  console.log('| row | ndgrad ms | PyTorch ms | ndgrad/PyTorch | tfjs-cpu ms | ndgrad GB/s | of copy bw |');
  console.log('|---|---|---|---|---|---|---|');
  for (const row of ROWS) {
    const a = median(times[`${row.name}/ndgrad`]);
    const t = median(times[`${row.name}/torch`]);
    const tf = times[`${row.name}/tfjs-cpu`] ? ms(median(times[`${row.name}/tfjs-cpu`])) : '-';
    const gbs = row.bytes / a / 1e9;
    console.log(`| ${row.label} | ${ms(a)} | ${ms(t)} | ${(a / t).toFixed(2)} | ${tf} | ${gbs.toFixed(1)} | ${((100 * gbs) / bw).toFixed(0)}% |`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

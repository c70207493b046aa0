'use strict';
// Pooling and normalization against PyTorch (bench/nn_pool_norm_torch.py: one server process with
// 2 threads, the reference column, and one with 1 thread) and TensorFlow.js (tfjs-core, cpu
// backend, where it has the op), in one run, rows interleaved round by round; medians. GB/s
// counts the bytes a minimal implementation moves (listed per row), against the copy bandwidth
// of a 256 MiB tensor measured by PyTorch (2 threads) in the same run.
//
//   node bench/nn_pool_norm.js [--rounds=5] [--reps=7] [--no-tfjs]
const { spawn } = require('child_process');
const path = require('path');
const readline = require('readline');
const { median, medianTime } = require('./common');

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
  const ours = ndgradRows();
  const engines = { ndgrad: ours };
  if (!args['no-tfjs']) {
    engines['tfjs-cpu'] = await tfjsRows('cpu');
  }
  const server = (threads) => {
    const proc = spawn(PYTHON, [path.join(__dirname, 'nn_pool_norm_torch.py'), String(threads)], { stdio: ['pipe', 'pipe', 'inherit'] });
    const lines = readline.createInterface({ input: proc.stdout })[Symbol.asyncIterator]();
    const ask = async (line) => {
      proc.stdin.write(`${line}\n`);
      return JSON.parse((await lines.next()).value);
    };
    return { proc, lines, ask };
  };
  const torch2 = server(2);
  const torch1 = server(1);
  const torchVersion = JSON.parse((await torch2.lines.next()).value).ready;
  await torch1.lines.next();
  const times = {};
  const bws = [];
  for (let r = 0; r < ROUNDS; r++) {
    bws.push((await torch2.ask('bandwidth 5')).gbs);
    for (const row of ROWS) {
      for (const [name, rows] of Object.entries(engines)) {
        if (!rows[row.name]) continue;
        const k = `${row.name}/${name}`;
        (times[k] ??= []).push(medianTime(rows[row.name], REPS));
      }
      (times[`${row.name}/torch`] ??= []).push((await torch2.ask(`${row.name} ${REPS}`)).median);
      (times[`${row.name}/torch1`] ??= []).push((await torch1.ask(`${row.name} ${REPS}`)).median);
    }
  }
  torch2.proc.stdin.end();
  torch1.proc.stdin.end();
  const bw = median(bws);
  const ms = (s) => (s * 1e3).toFixed(2);
  console.log(`copy bandwidth ${bw.toFixed(1)} GB/s (PyTorch copy_ of 256 MiB, read + write); PyTorch ${torchVersion}; ${ROUNDS} rounds x ${REPS} reps, medians`);
  console.log('| row | ndgrad ms | PyTorch 2T ms | ndgrad/PyTorch 2T | PyTorch 1T ms | tfjs-cpu ms | ndgrad GB/s | of copy bw |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const row of ROWS) {
    const a = median(times[`${row.name}/ndgrad`]);
    const t = median(times[`${row.name}/torch`]);
    const t1 = median(times[`${row.name}/torch1`]);
    const tf = times[`${row.name}/tfjs-cpu`] ? ms(median(times[`${row.name}/tfjs-cpu`])) : '-';
    const gbs = row.bytes / a / 1e9;
    console.log(`| ${row.label} | ${ms(a)} | ${ms(t)} | ${(a / t).toFixed(2)} | ${ms(t1)} | ${tf} | ${gbs.toFixed(1)} | ${((100 * gbs) / bw).toFixed(0)}% |`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

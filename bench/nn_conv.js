'use strict';
// Convolution rows (issue 11): ndgrad against PyTorch (bench/nn_conv_torch.py, a child process
// answering over a pipe, torch.set_num_threads(2)) and TensorFlow.js wasm, interleaved in one
// run: every round runs each row once per engine in turn, and the table shows the median per-call
// time over the rounds and ndgrad/PyTorch. GFLOP/s counts 2 flops per multiply-add of the
// convolution (forward+backward: three times the forward's). Usage:
//   node bench/nn_conv.js [--rounds=7] [--reps=3] [--md] [--engines=ndgrad,pytorch,tfjs-wasm] [filter]
// One thread each: NDGRAD_NUM_THREADS=1 BENCH_TORCH_THREADS=1 node bench/nn_conv.js
const { nd, autograd } = require('../dist');
const { torchServer, tfjsInit, median, timeCalls, option, printTable, run } = require('./common');

const args = process.argv.slice(2);
const opt = (name, def) => option(args, name, def);
const ROUNDS = Number(opt('rounds', 7));
const REPS = Number(opt('reps', 3));
const ENGINES = opt('engines', 'ndgrad,pytorch,tfjs-wasm').split(',');
const FILTER = args.filter((s) => !s.startsWith('--'));
const MD = args.includes('--md');
// float32 FMA peak of this machine's 2 cores (docs/dev/gemm-sort-tuning.md: 215 GFLOP/s per core).
const PEAK = 430;

// [name, label, forward multiply-adds, passes (1 forward, 3 forward+backward)]
const ROWS = [
  ['conv3x3 fwd', 'conv 3x3 64->64 56x56 batch 16 forward', 16 * 64 * 56 * 56 * 64 * 9, 1],
  ['conv3x3 fwd+bwd', 'conv 3x3 64->64 56x56 batch 16 forward+backward', 16 * 64 * 56 * 56 * 64 * 9, 3],
  ['lenet fwd+bwd', 'LeNet convs (1->6 5x5, 6->16 3x3, 28x28, batch 256) forward+backward',
    256 * (6 * 24 * 24 * 25 + 16 * 22 * 22 * 54), 3],
  ['depthwise fwd', 'depthwise 3x3 128ch 28x28 batch 16 forward', 16 * 128 * 28 * 28 * 9, 1],
  ['depthwise fwd+bwd', 'depthwise 3x3 128ch 28x28 batch 16 forward+backward', 16 * 128 * 28 * 28 * 9, 3],
  ['1x1 fwd', '1x1 conv 256->64 28x28 batch 16 forward', 16 * 256 * 28 * 28 * 64, 1],
].filter(([name, label]) => FILTER.length === 0 || FILTER.some((f) => name.includes(f) || label.includes(f)));

function rnd(shape) {
  return nd.random.uniform(-0.5, 0.5, shape);
}

function ndgradRow(row) {
  // The gradients land in the buffers attachGrad made (written, not accumulated, each step).
  const grad = (f) => () => nd.tidy(() => autograd.record(() => f().sum()).backward());
  switch (row) {
    case 'conv3x3 fwd': {
      const x = rnd([16, 64, 56, 56]), w = rnd([64, 64, 3, 3]);
      return () => nd.convolution(x, w, { kernel: 3, numFilter: 64, pad: 1 }).dispose();
    }
    case 'conv3x3 fwd+bwd': {
      const x = rnd([16, 64, 56, 56]), w = rnd([64, 64, 3, 3]);
      x.attachGrad();
      w.attachGrad();
      return grad(() => nd.convolution(x, w, { kernel: 3, numFilter: 64, pad: 1 }));
    }
    case 'lenet fwd+bwd': {
      const x = rnd([256, 1, 28, 28]), w1 = rnd([6, 1, 5, 5]), w2 = rnd([16, 6, 3, 3]);
      w1.attachGrad();
      w2.attachGrad();
      return grad(() =>
        nd.convolution(nd.convolution(x, w1, { kernel: 5, numFilter: 6 }), w2, { kernel: 3, numFilter: 16 }));
    }
    case 'depthwise fwd': {
      const x = rnd([16, 128, 28, 28]), w = rnd([128, 1, 3, 3]);
      return () => nd.convolution(x, w, { kernel: 3, numFilter: 128, pad: 1, numGroup: 128 }).dispose();
    }
    case 'depthwise fwd+bwd': {
      const x = rnd([16, 128, 28, 28]), w = rnd([128, 1, 3, 3]);
      x.attachGrad();
      w.attachGrad();
      return grad(() => nd.convolution(x, w, { kernel: 3, numFilter: 128, pad: 1, numGroup: 128 }));
    }
    case '1x1 fwd': {
      const x = rnd([16, 256, 28, 28]), w = rnd([64, 256, 1, 1]);
      return () => nd.convolution(x, w, { kernel: 1, numFilter: 64 }).dispose();
    }
  }
  throw new Error(row);
}

let tf;
// NHWC, as tfjs computes; a backward the wasm backend lacks makes the row n/a.
function tfjsRow(row) {
  const r = (shape) => tf.randomUniform(shape, -0.5, 0.5);
  const conv3 = (x, w) => tf.conv2d(x, w, 1, 'same');
  const fwd = (f, ...xs) => () => tf.tidy(() => f(...xs).dispose());
  const bwd = (f, ...xs) => () => tf.tidy(() => tf.grads((...a) => tf.sum(f(...a)))(xs).forEach((g) => g.dispose()));
  switch (row) {
    case 'conv3x3 fwd': return fwd(conv3, r([16, 56, 56, 64]), r([3, 3, 64, 64]));
    case 'conv3x3 fwd+bwd': return bwd(conv3, r([16, 56, 56, 64]), r([3, 3, 64, 64]));
    case 'lenet fwd+bwd': {
      const x = r([256, 28, 28, 1]);
      return bwd((w1, w2) => tf.conv2d(tf.conv2d(x, w1, 1, 'valid'), w2, 1, 'valid'), r([5, 5, 1, 6]), r([3, 3, 6, 16]));
    }
    case 'depthwise fwd': return fwd((x, w) => tf.depthwiseConv2d(x, w, 1, 'same'), r([16, 28, 28, 128]), r([3, 3, 128, 1]));
    case 'depthwise fwd+bwd': return bwd((x, w) => tf.depthwiseConv2d(x, w, 1, 'same'), r([16, 28, 28, 128]), r([3, 3, 128, 1]));
    case '1x1 fwd': return fwd((x, w) => tf.conv2d(x, w, 1, 'valid'), r([16, 28, 28, 256]), r([1, 1, 256, 64]));
  }
  throw new Error(row);
}

async function main() {
  const torch = ENGINES.includes('pytorch') ? torchServer('nn_conv_torch.py') : null;
  if (ENGINES.includes('tfjs-wasm')) tf = await tfjsInit();
  const infos = { ndgrad: { threads: require('../dist/core/native').native.numThreads() } };
  if (torch) infos.pytorch = await torch.info;
  if (tf) infos['tfjs-wasm'] = { version: tf.version_core, threads: 1 };
  process.stderr.write(`engines: ${JSON.stringify(infos)}\n`);
  const results = [];
  for (const [name, label, macs, passes] of ROWS) {
    const fns = {};
    if (ENGINES.includes('ndgrad')) fns.ndgrad = ndgradRow(name);
    if (tf) {
      try {
        fns['tfjs-wasm'] = tfjsRow(name);
        fns['tfjs-wasm']();
      } catch (e) {
        process.stderr.write(`tfjs-wasm ${name}: ${e.message.split('\n')[0]}\n`);
        delete fns['tfjs-wasm'];
      }
    }
    const per = {};
    for (const e of ENGINES) per[e] = [];
    // warm-up round, not counted
    for (const e of Object.keys(fns)) timeCalls(fns[e], 1);
    if (torch) await torch.run(name, 1);
    for (let r = 0; r < ROUNDS; r++) {
      if (fns.ndgrad) per.ndgrad.push(median(timeCalls(fns.ndgrad, REPS)));
      if (torch) per.pytorch.push(median((await torch.run(name, REPS)).times));
      if (fns['tfjs-wasm']) per['tfjs-wasm'].push(median(timeCalls(fns['tfjs-wasm'], REPS)));
    }
    const med = Object.fromEntries(Object.entries(per).filter(([, v]) => v.length).map(([e, v]) => [e, median(v)]));
    const row = { name, label, gflop: (2 * macs * passes) / 1e9, ms: Object.fromEntries(Object.entries(med).map(([e, s]) => [e, s * 1e3])) };
    results.push(row);
    process.stderr.write(`${label}: ${JSON.stringify(row.ms)}\n`);
  }
  if (torch) torch.close();
  const f = (v, d = 1) => (v === undefined ? 'n/a' : v.toFixed(d));
  const header = ['row', 'ndgrad ms', 'PyTorch ms', 'tfjs-wasm ms', 'ndgrad / PyTorch', 'ndgrad GFLOP/s', '% of FMA peak', 'PyTorch GFLOP/s'];
  const lines = results.map((r) => [
    r.label, f(r.ms.ndgrad), f(r.ms.pytorch), f(r.ms['tfjs-wasm']),
    r.ms.ndgrad && r.ms.pytorch ? f(r.ms.ndgrad / r.ms.pytorch, 2) : 'n/a',
    r.ms.ndgrad ? f(r.gflop / (r.ms.ndgrad / 1e3)) : 'n/a',
    r.ms.ndgrad ? f((100 * r.gflop) / (r.ms.ndgrad / 1e3) / PEAK, 0) : 'n/a',
    r.ms.pytorch ? f(r.gflop / (r.ms.pytorch / 1e3)) : 'n/a',
  ]);
  printTable(header, lines, MD);
}

run(main);

'use strict';
// Training-step rows (issue 12): an MLP 784-256-10 (batch 64) and the crash-course LeNet
// (batch 256, 1x28x28) train step written with gluon (net.forward, SoftmaxCrossEntropyLoss,
// backward, trainer.step with SGD), against the same step written with raw nd ops (the gluon
// net's parameters copied, nd.sgdUpdate), PyTorch (bench/train_torch.py, two child processes
// answering over pipes, torch.set_num_threads(2) and (1); the faster is the comparison, since
// on a shared, loaded machine two OpenMP threads can wait on each other) and TensorFlow.js
// (tfjs-core, cpu and wasm backends, tf.train.sgd minimize). Every round runs each engine in
// turn (one untimed step first); the table shows the median over the rounds of the per-round
// median step time.
// The gluon step also runs at one thread, in a child process of this script started with
// NDGRAD_NUM_THREADS=1 (`--serve`), so each engine has a 1-thread and a 2-thread column. The
// machine's load average is printed with the table: on a loaded 2-core machine 2-thread runs
// wait for a descheduled thread, PyTorch's spinning OpenMP threads most of all.
//   node bench/train_step.js [--rounds=7] [--reps=5] [--md] [filter: mlp | lenet]
const os = require('os');
const path = require('path');
const readline = require('readline');
const { torchServer, nodeServer, tfjsInit, median, timeCalls, option, printTable, run, lenet } = require('./common');
const { autograd, gluon, init, nd, random } = require(process.env.NDGRAD_PACKAGE || path.join(__dirname, '..'));

const args = process.argv.slice(2);
const opt = (name, def) => option(args, name, def);
const ROUNDS = Number(opt('rounds', 7));
const REPS = Number(opt('reps', 5));
const MD = args.includes('--md');
const FILTER = args.filter((s) => !s.startsWith('--'));
const LR = 0.1;
// float32 FMA peak of this machine's 2 cores (docs/dev/gemm-sort-tuning.md: 215 GFLOP/s per core).
const PEAK = 430;
const { nn } = gluon;

// [name, label, batch, forward multiply-adds per step (conv and dense layers)]
const ROWS = [
  ['mlp', 'MLP 784-256-10, batch 64', 64, 64 * (784 * 256 + 256 * 10)],
  ['lenet', 'crash-course LeNet, batch 256', 256, 256 * (24 * 24 * 6 * 25 + 10 * 10 * 16 * 54 + 400 * 120 + 120 * 84 + 84 * 10)],
].filter(([name]) => FILTER.length === 0 || FILTER.includes(name));

function gluonNet(name) {
  if (name === 'mlp') return new nn.Sequential().add(new nn.Dense(256, { activation: 'relu' }), new nn.Dense(10));
  return lenet(gluon);
}

// The raw forward on [w, b] pairs in the gluon net's parameter order.
function rawForward(name, x, p) {
  const dense = (h, i) => nd.fullyConnected(h, p[i], p[i + 1]);
  if (name === 'mlp') return dense(dense(x, 0).relu(), 2);
  const pool = (h) => nd.pooling(h, { kernel: [2, 2], stride: [2, 2], poolType: 'max' });
  let h = pool(nd.convolution(x, p[0], p[1], { kernel: 5, numFilter: 6 }).relu());
  h = pool(nd.convolution(h, p[2], p[3], { kernel: 3, numFilter: 16 }).relu());
  return dense(dense(dense(h, 4).relu(), 6).relu(), 8);
}

function ndgradSteps(name, batch) {
  const shape = name === 'mlp' ? [batch, 784] : [batch, 1, 28, 28];
  const x = nd.random.uniform({ shape });
  const y = nd.random.randint({ low: 0, high: 10, shape: [batch], dtype: 'float32' });
  const net = gluonNet(name);
  net.initialize(new init.Xavier());
  net.forward(x).dispose();
  const lossFn = new gluon.loss.SoftmaxCrossEntropyLoss();
  const trainer = new gluon.Trainer(net.collectParams(), 'sgd', { learningRate: LR });
  const gluonStep = () => nd.tidy(() => {
    autograd.record(() => lossFn.forward(net.forward(x), y)).backward();
    trainer.step(batch);
  });
  const raw = net.collectParams().values().map((p) => p.data().copy());
  raw.forEach((a) => a.attachGrad());
  const rawStep = () => nd.tidy(() => {
    autograd.record(() => rawForward(name, x, raw).logSoftmax({ axis: -1 }).pick(y, { axis: -1, keepdims: true }).neg()).backward();
    for (const a of raw) nd.sgdUpdate(a, a.grad, { lr: LR, rescaleGrad: 1 / batch });
  });
  return { gluon: gluonStep, 'raw nd': rawStep };
}

// NHWC, as tfjs computes; one variable set per backend, made while that backend is active.
function tfjsStep(tf, name, batch) {
  const v = (shape) => tf.variable(tf.randomUniform(shape, -0.1, 0.1));
  const x = tf.randomUniform(name === 'mlp' ? [batch, 784] : [batch, 28, 28, 1]);
  const y = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32'), 10);
  const dense = (h, w, b) => tf.add(tf.matMul(h, w), b);
  let vars, forward;
  if (name === 'mlp') {
    vars = [v([784, 256]), v([256]), v([256, 10]), v([10])];
    forward = () => dense(tf.relu(dense(x, vars[0], vars[1])), vars[2], vars[3]);
  } else {
    vars = [v([5, 5, 1, 6]), v([6]), v([3, 3, 6, 16]), v([16]), v([400, 120]), v([120]), v([120, 84]), v([84]), v([84, 10]), v([10])];
    const conv = (h, i) => tf.maxPool(tf.relu(tf.add(tf.conv2d(h, vars[i], 1, 'valid'), vars[i + 1])), 2, 2, 'valid');
    forward = () => {
      const h = tf.reshape(conv(conv(x, 0), 2), [batch, 400]);
      return dense(tf.relu(dense(tf.relu(dense(h, vars[4], vars[5])), vars[6], vars[7])), vars[8], vars[9]);
    };
  }
  const sgd = tf.train.sgd(LR);
  return () => sgd.minimize(() => tf.losses.softmaxCrossEntropy(y, forward()), false, vars);
}

// --serve: the gluon step of each requested row, timed as train_torch.py times PyTorch's.
function serve() {
  random.seed(0);
  const made = {};
  console.log(JSON.stringify({ threads: require('../dist/core/native').native.numThreads() }));
  readline.createInterface({ input: process.stdin }).on('line', (line) => {
    const { row, reps } = JSON.parse(line);
    const [, , batch] = ROWS.find(([name]) => name === row);
    made[row] ??= ndgradSteps(row, batch).gluon;
    console.log(JSON.stringify({ times: timeCalls(made[row], reps) }));
  });
}

async function main() {
  const torch = { 2: torchServer('train_torch.py', 2), 1: torchServer('train_torch.py', 1) };
  const gluon1 = nodeServer('train_step.js', ['--serve'], { NDGRAD_NUM_THREADS: '1' });
  const tf = await tfjsInit();
  const infos = {
    ndgrad: { threads: require('../dist/core/native').native.numThreads() },
    'ndgrad child': await gluon1.info,
    pytorch: await torch[2].info,
    tfjs: tf.version_core,
  };
  process.stderr.write(`engines: ${JSON.stringify(infos)}\n`);
  const loads = [os.loadavg()[0]];
  random.seed(0);
  const out = [];
  for (const [name, label, batch, macs] of ROWS) {
    const fns = ndgradSteps(name, batch);
    for (const backend of ['cpu', 'wasm']) {
      await tf.setBackend(backend);
      try {
        const f = tfjsStep(tf, name, batch);
        f();
        fns[`tfjs-${backend}`] = () => {
          tf.setBackend(backend);
          f();
        };
      } catch (e) {
        fns[`tfjs-${backend}`] = null;
        process.stderr.write(`tfjs-${backend} ${name}: ${e.message.split('\n')[0]}\n`);
      }
    }
    const per = {};
    const engines = [...Object.keys(fns), 'gluon-1', 'pytorch-2', 'pytorch-1'];
    for (const e of engines) per[e] = [];
    for (const f of Object.values(fns)) if (f) timeCalls(f, 2);
    const children = [['gluon-1', gluon1], ['pytorch-2', torch[2]], ['pytorch-1', torch[1]]];
    for (const [, child] of children) await child.run(name, 2);
    for (let r = 0; r < ROUNDS; r++) {
      // odd rounds reverse the order, so no engine always runs first after a child's pause
      const order = Object.entries(fns);
      const kids = [...children];
      if (r % 2) {
        order.reverse();
        kids.reverse();
      }
      // Each burst starts with one untimed step: the first memory-touching work after the
      // engine sat idle (while the others ran) is several times slower on this VM, for every
      // engine alike (bench/results/session9-idle-burst.js).
      for (const [e, f] of order) if (f) per[e].push(median(timeCalls(f, REPS + 1).slice(1)));
      for (const [e, child] of kids) per[e].push(median((await child.run(name, REPS + 1)).times.slice(1)));
      loads.push(os.loadavg()[0]);
    }
    const ms = Object.fromEntries(engines.map((e) => [e, per[e].length ? median(per[e]) * 1e3 : undefined]));
    ms.pytorch = Math.min(ms['pytorch-2'], ms['pytorch-1']);
    process.stderr.write(`${label}: ${JSON.stringify(ms)}\n`);
    out.push({ label, gflop: (2 * macs * 3) / 1e9, ms });
  }
  for (const t of [2, 1]) torch[t].close();
  gluon1.close();
  const f = (v, d = 2) => (v === undefined ? 'n/a: no gradients in tfjs-core under Node' : v.toFixed(d));
  const header = ['row', 'gluon 2T ms', 'gluon 1T ms', 'raw nd ms', 'gluon / raw', 'PyTorch 2T ms', 'PyTorch 1T ms',
    'gluon / PyTorch 2T', 'gluon / PyTorch 1T', 'best gluon / best PyTorch', 'tfjs-cpu ms', 'tfjs-wasm ms', 'gluon GFLOP/s', '% of FMA peak'];
  const lines = out.map(({ label, gflop, ms }) => [label, f(ms.gluon), f(ms['gluon-1']), f(ms['raw nd']), f(ms.gluon / ms['raw nd']),
    f(ms['pytorch-2']), f(ms['pytorch-1']), f(ms.gluon / ms['pytorch-2']), f(ms['gluon-1'] / ms['pytorch-1']),
    f(Math.min(ms.gluon, ms['gluon-1']) / ms.pytorch), f(ms['tfjs-cpu']), f(ms['tfjs-wasm']),
    f(gflop / (ms.gluon / 1e3), 1), f((100 * gflop) / (ms.gluon / 1e3) / PEAK, 0)]);
  printTable(header, lines, MD);
  const load = (v) => v.toFixed(1);
  console.log(`\nload average (1 min) over the run: ${load(Math.min(...loads))} - ${load(Math.max(...loads))}, median ${load(median(loads))} (${os.cpus().length} CPUs)`);
}

if (process.argv.includes('--serve')) serve();
else run(main);

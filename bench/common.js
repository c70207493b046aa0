'use strict';
// Shared by the interleaved benches (nn_conv.js, train_step.js, train_epoch.js): a PyTorch
// server child process, tfjs set-up, timing, options.
const { spawn } = require('child_process');
const path = require('path');
const readline = require('readline');

/**
 * A child process answering one JSON line per JSON request line, after a first line of
 * information (`info`); run() resolves to its answer.
 */
function childServer(command, args, env) {
  const py = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'], env });
  const lines = readline.createInterface({ input: py.stdout });
  const queue = [];
  lines.on('line', (l) => queue.shift()(JSON.parse(l)));
  const next = () => new Promise((resolve) => queue.push(resolve));
  const info = next();
  return {
    info,
    pid: py.pid,
    // Torch's OpenMP threads spin for a while after each call (GNU OpenMP's default wait
    // policy); the pause keeps that spinning out of the next engine's timed region.
    run: async (row, reps) => {
      const p = next();
      py.stdin.write(JSON.stringify({ row, reps }) + '\n');
      const answer = await p;
      await new Promise((resolve) => setTimeout(resolve, 500));
      return answer;
    },
    close: () => py.stdin.end(),
  };
}

/** bench/<script> under PyTorch's Python (BENCH_TORCH_THREADS=threads when given). */
function torchServer(script, threads) {
  const env = threads === undefined ? process.env : { ...process.env, BENCH_TORCH_THREADS: String(threads) };
  return childServer(process.env.TORCH_PYTHON || '/usr/bin/python3', [path.join(__dirname, script)], env);
}

/** A node script of bench/ (with args) as a child server, with extra environment variables. */
function nodeServer(script, args, extraEnv) {
  return childServer(process.execPath, [path.join(__dirname, script), ...args], { ...process.env, ...extraEnv });
}

/** tfjs-core with the cpu and wasm backends registered (their start-up banners silenced). */
async function tfjsInit() {
  const log = console.log, warn = console.warn;
  console.log = () => {};
  console.warn = () => {};
  try {
    const tf = require('@tensorflow/tfjs-core');
    require('@tensorflow/tfjs-backend-cpu');
    require('@tensorflow/tfjs-backend-wasm');
    tf.enableProdMode();
    await tf.setBackend('wasm');
    await tf.ready();
    return tf;
  } finally {
    console.log = log;
    console.warn = warn;
  }
}

const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function timeCalls(fn, reps) {
  const t = [];
  for (let i = 0; i < reps; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    t.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return t;
}

/** The median of `reps` timed calls of fn after one warm-up call, in seconds. */
function medianTime(fn, reps) {
  fn();
  return median(timeCalls(fn, reps));
}

/** The value of --name=value in args, or def. */
function option(args, name, def) {
  const a = args.find((x) => x.startsWith(`--${name}=`));
  return a ? a.slice(name.length + 3) : def;
}

/** Prints a table as markdown (md) or tab-separated. */
function printTable(header, lines, md) {
  if (md) {
    console.log(`| ${header.join(' | ')} |\n| ${header.map(() => '---').join(' | ')} |`);
    for (const l of lines) console.log(`| ${l.join(' | ')} |`);
  } else {
    for (const l of [header, ...lines]) console.log(l.join('\t'));
  }
}

/** Runs an async main, exiting with status 1 on failure. */
function run(main) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}

/** The Gluon crash course's LeNet (bench/train_torch.py builds the same model), uninitialized. */
function lenet(gluon) {
  const { nn } = gluon;
  return new nn.Sequential().add(
    new nn.Conv2D(6, 5, { activation: 'relu' }), new nn.MaxPool2D(2, 2),
    new nn.Conv2D(16, 3, { activation: 'relu' }), new nn.MaxPool2D(2, 2),
    new nn.Flatten(), new nn.Dense(120, { activation: 'relu' }),
    new nn.Dense(84, { activation: 'relu' }), new nn.Dense(10),
  );
}

/**
 * One gluon training step (forward, softmax cross-entropy, backward, SGD inside nd.tidy) of the
 * bench's MLP (batch 64) or LeNet (batch 256) on fixed random data, for the drivers in results/.
 */
function gluonTrainStep({ autograd, gluon, init, nd, random }, name) {
  random.seed(0);
  const mlp = name === 'mlp';
  const batch = mlp ? 64 : 256;
  const x = nd.random.uniform({ shape: mlp ? [batch, 784] : [batch, 1, 28, 28] });
  const y = nd.random.randint({ low: 0, high: 10, shape: [batch], dtype: 'float32' });
  const { nn } = gluon;
  const net = mlp ? new nn.Sequential().add(new nn.Dense(256, { activation: 'relu' }), new nn.Dense(10)) : lenet(gluon);
  net.initialize(new init.Xavier());
  net.forward(x).dispose();
  const lossFn = new gluon.loss.SoftmaxCrossEntropyLoss();
  const trainer = new gluon.Trainer(net.collectParams(), 'sgd', { learningRate: 0.1 });
  return () => nd.tidy(() => {
    autograd.record(() => lossFn.forward(net.forward(x), y)).backward();
    trainer.step(batch);
  });
}

module.exports = { torchServer, nodeServer, tfjsInit, median, timeCalls, medianTime, option, printTable, run, lenet, gluonTrainStep };

'use strict';
// TensorFlow.js side: @tensorflow/tfjs-core with the 'cpu' (plain JS) or 'wasm' (XNNPACK,
// SIMD) backend. Both backends run kernels synchronously inside the op call (nothing is deferred
// as on WebGL), so the timed region is op + dispose(): the result is allocated and freed but not
// copied back to a JS array (dataSync() on wasm copies out of the wasm heap, which ndgrad's and
// NumPy's timings do not include). Pass --tfjs-sync to put dataSync() in the timed region anyway.
// Threads: tfjs-backend-wasm 4.22 hard-codes WASM_HAS_MULTITHREAD_SUPPORT=false under Node
// (tfjs issue #3830); forcing the flag fails (its pthread workers are blob: URLs, which Node's
// worker_threads reject), so wasm runs 1 thread with SIMD. The cpu backend is 1 JS thread.
const { CHAIN_PATTERN, CHAIN_OPS } = require('../rows');

let tf;
let backend;
let sync = false;

async function init(name, opts = {}) {
  backend = name;
  sync = !!opts.sync;
  // keep tfjs's "install tfjs-node" banner off stdout
  const log = console.log;
  const warn = console.warn;
  console.log = () => {};
  console.warn = () => {};
  try {
    tf = require('@tensorflow/tfjs-core');
    if (name === 'cpu') {
      require('@tensorflow/tfjs-backend-cpu');
    } else {
      const wasm = require('@tensorflow/tfjs-backend-wasm');
      try { wasm.setThreadsCount(2); } catch (_) { /* ignored: no threads under Node */ }
    }
    registerChainGradients();
    tf.enableProdMode();
    const ok = await tf.setBackend(name);
    if (!ok) throw new Error(`tfjs backend ${name} failed to initialise`);
    await tf.ready();
  } finally {
    console.log = log;
    console.warn = warn;
  }
}

async function info() {
  const out = {
    engine: `tfjs-${backend}`,
    version: tf.version_core,
    backend: tf.getBackend(),
    threads: 1,
    node: process.version,
  };
  if (backend === 'wasm') {
    const wasm = require('@tensorflow/tfjs-backend-wasm');
    out.simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    out.multithread_support = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    out.threads = wasm.getThreadsCount();
  }
  out.dataSyncInTimedRegion = sync;
  return out;
}

// tfjs-core's CommonJS bundle (dist/tf-core.node.js) does not register gradients: the union
// package @tensorflow/tfjs does that via the ESM-only dist/register_all_gradients.js. Register the
// four the chain needs, written like tfjs's own gradients/{Add,Sub,Mul,Tanh}_grad.ts (same-shape
// inputs here, so no broadcast reduction is needed).
function registerChainGradients() {
  const have = (k) => tf.getGradient && tf.getGradient(k) != null;
  const reg = (cfg) => { if (!have(cfg.kernelName)) tf.registerGradient(cfg); };
  reg({ kernelName: 'Add', inputsToSave: [], gradFunc: (dy) => ({ a: () => dy, b: () => dy }) });
  reg({ kernelName: 'Sub', inputsToSave: [], gradFunc: (dy) => ({ a: () => dy, b: () => tf.neg(dy) }) });
  reg({
    kernelName: 'Multiply',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved) => ({ a: () => tf.mul(dy, tf.cast(saved[1], 'float32')), b: () => tf.mul(dy, tf.cast(saved[0], 'float32')) }),
  });
  reg({
    kernelName: 'Tanh',
    outputsToSave: [true],
    gradFunc: (dy, saved) => ({ x: () => tf.mul(tf.sub(tf.scalar(1), tf.square(saved[0])), dy) }),
  });
}

let live = []; // this row's inputs, disposed by release() (tfjs tensors are not GC'd)

function rand(shape) {
  const x = tf.randomUniform(shape, 0.5, 1.5, 'float32');
  live.push(x);
  return x;
}

function release() {
  for (const x of live) x.dispose();
  live = [];
}

function chain(x) {
  let y = x;
  for (let i = 0; i < CHAIN_OPS; i++) {
    switch (CHAIN_PATTERN[i % CHAIN_PATTERN.length]) {
      case 'mul_x': y = tf.mul(y, x); break;
      case 'add_x': y = tf.add(y, x); break;
      case 'tanh': y = tf.tanh(y); break;
      case 'sub_x': y = tf.sub(y, x); break;
    }
  }
  return y;
}

function done(r) {
  if (sync) r.dataSync();
  r.dispose();
}

function prepare(row) {
  const a = rand(row.shape);
  const b = ['binary', 'dot', 'batchdot', 'concat'].includes(row.kind) ? rand(row.shapeB || row.shape) : null;
  switch (row.kind) {
    case 'binary': {
      const f = { add: tf.add, mul: tf.mul }[row.op];
      if (!f) return null;
      return (n) => { for (let i = 0; i < n; i++) done(f(a, b)); };
    }
    case 'unary': {
      const f = { exp: tf.exp, log: tf.log, tanh: tf.tanh, sigmoid: tf.sigmoid }[row.op];
      if (!f) return null;
      return (n) => { for (let i = 0; i < n; i++) done(f(a)); };
    }
    case 'reduce': {
      const ax = row.axis === null || row.axis === undefined ? null : row.axis;
      let f;
      if (row.op === 'sum') f = () => tf.sum(a, ax);
      else if (row.op === 'max') f = () => tf.max(a, ax);
      else if (row.op === 'norm' && ax === null) f = () => tf.norm(a);
      else return null;
      return (n) => { for (let i = 0; i < n; i++) done(f()); };
    }
    case 'dot': {
      const ta = !!row.transposeA, tb = !!row.transposeB;
      return (n) => { for (let i = 0; i < n; i++) done(tf.matMul(a, b, ta, tb)); };
    }
    case 'batchdot':
      return (n) => { for (let i = 0; i < n; i++) done(tf.matMul(a, b)); };
    case 'softmax':
      return (n) => { for (let i = 0; i < n; i++) done(tf.softmax(a)); };
    case 'concat':
      return (n) => { for (let i = 0; i < n; i++) done(tf.concat([a, b], 1)); };
    case 'take': {
      const idx = tf.randomUniform([row.shape[0]], 0, row.shape[0], 'int32');
      live.push(idx);
      return (n) => { for (let i = 0; i < n; i++) done(tf.gather(a, idx)); };
    }
    case 'chain':
      return (n) => { for (let i = 0; i < n; i++) tf.tidy(() => { const y = chain(a); if (sync) y.dataSync(); }); };
    case 'grad': {
      const g = tf.grad((x) => chain(x));
      return (n) => { for (let i = 0; i < n; i++) tf.tidy(() => { const d = g(a); if (sync) d.dataSync(); }); };
    }
    default:
      return null;
  }
}

module.exports = { init, info, prepare, release };

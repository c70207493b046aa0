'use strict';
// ndgrad side. Each timed call allocates its result (as NumPy does) and never converts it back
// to JS. Large-op results are dispose()d right away (NumPy frees by refcount when the name is
// rebound); small-op rows (2x2 add, chains) leave results to the GC, amortised over many calls.
const path = require('path');
const { ndgradChain: chain } = require('../rows');

const mx = require(path.join(__dirname, '..', '..'));
const { nd, autograd } = mx;
const { native } = require(path.join(__dirname, '..', '..', 'dist', 'core', 'native'));

function info() {
  return {
    engine: 'ndgrad',
    isa: mx.isa(),
    threads: native.numThreads(),
    NDGRAD_NUM_THREADS: process.env.NDGRAD_NUM_THREADS ?? null,
    node: process.version,
    version: require(path.join(__dirname, '..', '..', 'package.json')).version,
  };
}

let live = []; // this row's inputs, disposed by release() (dropped in the long-process mode)
let disposeInputs = true;

function rand(shape) {
  const x = nd.random.uniform({ low: 0.5, high: 1.5, shape });
  live.push(x);
  return x;
}

function release() {
  if (disposeInputs) for (const x of live) if (!x.isDisposed) x.dispose();
  live = [];
}

/**
 * Returns fn(iters) for the row, or null when the op does not exist. `dispose: false` is the
 * long-process mode (bench/run.js --long): results are rebound, never disposed, as users write,
 * so the collector frees them; inputs are left to it too (release() only drops them).
 */
function prepare(row, { dispose = true } = {}) {
  disposeInputs = dispose;
  const a = rand(row.shape);
  const b = ['binary', 'dot', 'batchdot', 'concat'].includes(row.kind) ? rand(row.shapeB || row.shape) : null;
  let sink = null; // keeps the last result alive so nothing is optimised away
  // One timed loop of a large-op row: dispose each result, or rebind it. Rebound, the last
  // result dies with the batch, as NumPy's `r = a + b` does in bench/numpy_bench.py: kept in
  // `sink` until the next batch ended, it lived through that batch's collections, went to the old
  // generation and waited for a mark-compact, which a loop as users write it never meets.
  const loop = dispose
    ? (call) => (n) => { for (let i = 0; i < n; i++) call().dispose(); }
    : (call) => (n) => { let r; for (let i = 0; i < n; i++) r = call(); return r; };
  switch (row.kind) {
    case 'binary': {
      if (typeof a[row.op] !== 'function') return null;
      if (row.small) {
        // the full JS -> native -> JS path, exactly what a user writes; GC amortised
        return (n) => { let r; for (let i = 0; i < n; i++) r = a.add(b); sink = r; };
      }
      const op = row.op;
      if (!dispose) return loop(() => a[op](b));
      return (n) => { for (let i = 0; i < n; i++) a[op](b).dispose(); };
    }
    case 'unary': {
      if (typeof a[row.op] !== 'function') return null;
      const op = row.op;
      return loop(() => a[op]());
    }
    case 'reduce': {
      if (typeof a[row.op] !== 'function') return null;
      const op = row.op;
      if (row.axis === null || row.axis === undefined) return loop(() => a[op]());
      const opts = { axis: row.axis };
      return loop(() => a[op](opts));
    }
    case 'dot': {
      const opts = { transposeA: !!row.transposeA, transposeB: !!row.transposeB };
      return loop(() => nd.dot(a, b, opts));
    }
    case 'sort':
      return loop(() => nd.sort(a));
    case 'softmax':
      return loop(() => nd.softmax(a));
    case 'batchdot':
      return loop(() => nd.batchDot(a, b));
    case 'concat':
      return loop(() => nd.concat(a, b, { dim: 1 }));
    case 'take': {
      if (typeof nd.take !== 'function') return null;
      const idx = nd.random.randint({ low: 0, high: row.shape[0], shape: [row.shape[0]] });
      live.push(idx);
      return loop(() => nd.take(a, idx));
    }
    case 'chain':
      return (n) => { for (let i = 0; i < n; i++) sink = chain(a); };
    case 'record': {
      a.attachGrad();
      return (n) => { for (let i = 0; i < n; i++) sink = autograd.record(() => chain(a)); };
    }
    case 'grad': {
      a.attachGrad();
      return (n) => {
        for (let i = 0; i < n; i++) {
          const y = autograd.record(() => chain(a));
          y.backward();
        }
        sink = a.grad;
      };
    }
    case 'mlp':
      return mlpStep(row.mode, dispose);
    default:
      return null;
  }
}

// One step of a 784-256-10 MLP on a batch of 64, as a Node training loop would write it: in
// nd.tidy, or (long-process mode) leaving the step's temporaries to the collector.
function mlpStep(mode, dispose) {
  const x = nd.random.normal({ shape: [64, 784] });
  const labels = nd.array(Array.from({ length: 64 }, (_, i) => i % 10));
  const w1 = nd.random.normal({ scale: 0.05, shape: [256, 784] });
  const b1 = nd.zeros([256]);
  const w2 = nd.random.normal({ scale: 0.05, shape: [10, 256] });
  const b2 = nd.zeros([10]);
  const params = [w1, b1, w2, b2];
  const scope = dispose ? (f) => nd.tidy(f) : (f) => f();
  const loss = () => nd.softmaxCrossEntropy(nd.fullyConnected(nd.fullyConnected(x, w1, b1).relu(), w2, b2), labels);
  if (mode === 'forward') return (n) => { for (let i = 0; i < n; i++) scope(loss); };
  params.forEach((p) => p.attachGrad());
  return (n) => {
    for (let i = 0; i < n; i++) {
      scope(() => {
        autograd.record(loss).backward();
        for (const p of params) p.subInPlace(p.grad.mul(0.01));
      });
    }
  };
}

module.exports = { info, prepare, release, async init() {} };

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

let live = []; // this row's inputs, disposed by release()

function rand(shape) {
  const x = nd.random.uniform({ low: 0.5, high: 1.5, shape });
  live.push(x);
  return x;
}

function release() {
  for (const x of live) if (!x.isDisposed) x.dispose();
  live = [];
}

/** Returns fn(iters) for the row, or null when the op does not exist. */
function prepare(row) {
  const a = rand(row.shape);
  const b = ['binary', 'dot', 'batchdot', 'concat'].includes(row.kind) ? rand(row.shape) : null;
  let sink = null; // keeps the last result alive so nothing is optimised away
  switch (row.kind) {
    case 'binary': {
      if (typeof a[row.op] !== 'function') return null;
      if (row.small) {
        // the full JS -> native -> JS path, exactly what a user writes; GC amortised
        return (n) => { let r; for (let i = 0; i < n; i++) r = a.add(b); sink = r; };
      }
      const op = row.op;
      return (n) => { for (let i = 0; i < n; i++) a[op](b).dispose(); };
    }
    case 'unary': {
      if (typeof a[row.op] !== 'function') return null;
      const op = row.op;
      return (n) => { for (let i = 0; i < n; i++) a[op]().dispose(); };
    }
    case 'reduce': {
      if (typeof a[row.op] !== 'function') return null;
      const op = row.op;
      if (row.axis === null || row.axis === undefined) {
        return (n) => { for (let i = 0; i < n; i++) a[op]().dispose(); };
      }
      const opts = { axis: row.axis };
      return (n) => { for (let i = 0; i < n; i++) a[op](opts).dispose(); };
    }
    case 'dot':
      return (n) => { for (let i = 0; i < n; i++) nd.dot(a, b).dispose(); };
    case 'sort':
      return (n) => { for (let i = 0; i < n; i++) nd.sort(a).dispose(); };
    case 'softmax':
      return (n) => { for (let i = 0; i < n; i++) nd.softmax(a).dispose(); };
    case 'batchdot':
      return (n) => { for (let i = 0; i < n; i++) nd.batchDot(a, b).dispose(); };
    case 'concat':
      return (n) => { for (let i = 0; i < n; i++) nd.concat(a, b, { dim: 1 }).dispose(); };
    case 'take': {
      if (typeof nd.take !== 'function') return null;
      const idx = nd.random.randint({ low: 0, high: row.shape[0], shape: [row.shape[0]] });
      live.push(idx);
      return (n) => { for (let i = 0; i < n; i++) nd.take(a, idx).dispose(); };
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
      return mlpStep(row.mode);
    default:
      return null;
  }
}

// One step of a 784-256-10 MLP on a batch of 64, as a Node training loop would write it.
function mlpStep(mode) {
  const x = nd.random.normal({ shape: [64, 784] });
  const labels = nd.array(Array.from({ length: 64 }, (_, i) => i % 10));
  const w1 = nd.random.normal({ scale: 0.05, shape: [256, 784] });
  const b1 = nd.zeros([256]);
  const w2 = nd.random.normal({ scale: 0.05, shape: [10, 256] });
  const b2 = nd.zeros([10]);
  const params = [w1, b1, w2, b2];
  const loss = () => nd.softmaxCrossEntropy(nd.fullyConnected(nd.fullyConnected(x, w1, b1).relu(), w2, b2), labels);
  if (mode === 'forward') return (n) => { for (let i = 0; i < n; i++) nd.tidy(loss); };
  params.forEach((p) => p.attachGrad());
  return (n) => {
    for (let i = 0; i < n; i++) {
      nd.tidy(() => {
        autograd.record(loss).backward();
        for (const p of params) p.subInPlace(p.grad.mul(0.01));
      });
    }
  };
}

module.exports = { info, prepare, release, async init() {} };

'use strict';
// The benchmark rows: the single source of truth shared by every engine (ndgrad, tfjs and
// bench/numpy_bench.py, which receives this list as JSON on stdin).
//
//   kind      what one timed call does
//   binary    r = a <op> b            (two float32 arrays of `shape`, inputs in [0.5, 1.5))
//   unary     r = op(a)
//   reduce    r = op(a, axis?)        (axis null = all elements; norm = L2 over all elements)
//   dot       r = a . b               (float32: square `shape`, or a of `shape` and b of `shapeB`,
//                                      either stored transposed when transposeA / transposeB)
//   softmax   r = softmax(a) along the last axis (NumPy: exp(a - max) / sum, as users write it)
//   batchdot  r = batchDot(a, b)      (two float32 arrays of `shape` (B, n, n); NumPy: a @ b)
//   concat    r = concat(a, b, dim 1) (two float32 arrays of `shape`; NumPy: np.concatenate)
//   take      r = take(a, idx)        (a float32 of `shape`, idx as many random row indices:
//                                      int32 for ndgrad and tfjs (tf.gather), int64 for NumPy)
//   sort      r = sort(a) along the last axis, ascending (NumPy: np.sort; tfjs has no sort)
//   chain     100 elementwise ops on 2x2 arrays, unrecorded forward (per-op time reported)
//   record    the same chain recorded, no backward (the cost of recording itself)
//   grad      the same chain recorded + backward (per-op time reported)
//   mlp       one step of a 784-256-10 MLP on a batch of 64 (fullyConnected, relu,
//             softmaxCrossEntropy): `mode` 'forward' (unrecorded) or 'train' (recorded forward,
//             backward, SGD update); ndgrad only
//
// `target` is the acceptance target for ratio ndgrad/NumPy (null = informational).
// `blas` marks rows where NumPy calls OpenBLAS (np.linalg.norm of a 1-D float32 array is
// sqrt(sdot(x, x))), the only rows where NumPy's thread count matters.
// `perOp` divides the measured time by that many ops (chain rows).

const CHAIN_OPS = 100;

const ROWS = [
  { name: 'add 1e6', kind: 'binary', op: 'add', shape: [1e6], target: 1.0, required: true },
  { name: 'add 1e7', kind: 'binary', op: 'add', shape: [1e7], target: 1.0, required: true },
  { name: 'mul 1e6', kind: 'binary', op: 'mul', shape: [1e6], target: 1.0, required: true },
  { name: 'mul 1e7', kind: 'binary', op: 'mul', shape: [1e7], target: 1.0, required: true },
  { name: 'exp 1e6', kind: 'unary', op: 'exp', shape: [1e6], target: 1.0, required: true },
  { name: 'log 1e6', kind: 'unary', op: 'log', shape: [1e6], target: 1.0 },
  { name: 'tanh 1e6', kind: 'unary', op: 'tanh', shape: [1e6], target: 1.0 },
  { name: 'sigmoid 1e6', kind: 'unary', op: 'sigmoid', shape: [1e6], target: 1.0 },
  { name: 'sum 1e7', kind: 'reduce', op: 'sum', shape: [1e7], axis: null, target: 1.0, required: true },
  { name: 'norm 1e7', kind: 'reduce', op: 'norm', shape: [1e7], axis: null, target: 1.0, required: true, blas: true },
  { name: 'sum 1000x1000 axis0', kind: 'reduce', op: 'sum', shape: [1000, 1000], axis: 0, target: 1.0 },
  { name: 'sum 1000x1000 axis1', kind: 'reduce', op: 'sum', shape: [1000, 1000], axis: 1, target: 1.0 },
  { name: 'max 1000x1000 axis0', kind: 'reduce', op: 'max', shape: [1000, 1000], axis: 0, target: 1.0 },
  { name: 'max 1000x1000 axis1', kind: 'reduce', op: 'max', shape: [1000, 1000], axis: 1, target: 1.0 },
  { name: 'softmax 1000x1000', kind: 'softmax', shape: [1000, 1000], target: 1.0 },
  { name: 'batchDot 64x128x128', kind: 'batchdot', shape: [64, 128, 128], target: 1.0, blas: true },
  { name: 'concat 2x1000x500 dim1', kind: 'concat', shape: [1000, 500], target: 1.0 },
  { name: 'take 1e6', kind: 'take', op: 'take', shape: [1e6], target: 1.0 },
  { name: 'sort 1000x1000 axis1', kind: 'sort', shape: [1000, 1000], target: null },
  { name: 'sort 1e6', kind: 'sort', shape: [1e6], target: null },
  { name: 'dot 64', kind: 'dot', shape: [64, 64], target: 1.0, blas: true },
  { name: 'dot 128', kind: 'dot', shape: [128, 128], target: 1.0, blas: true },
  { name: 'dot 256', kind: 'dot', shape: [256, 256], target: null, required: true, blas: true },
  { name: 'dot 512', kind: 'dot', shape: [512, 512], target: 1.0, blas: true },
  { name: 'dot 1024', kind: 'dot', shape: [1024, 1024], target: 1.5, required: true, blas: true },
  // The MLP's layer (64x784 . 784x256) and the two products of its backward pass, with the
  // transposes nd.dot's gradient uses (dW = x^T g, dx = g W^T).
  { name: 'dot 64x784 . 784x256', kind: 'dot', shape: [64, 784], shapeB: [784, 256], target: 1.0, blas: true },
  { name: 'dot 784x64 . 64x256 (transposeA)', kind: 'dot', shape: [64, 784], shapeB: [64, 256], transposeA: true, target: 1.0, blas: true },
  { name: 'dot 64x256 . 256x784 (transposeB)', kind: 'dot', shape: [64, 256], shapeB: [784, 256], transposeB: true, target: 1.0, blas: true },
  { name: 'add 2x2 (per call)', kind: 'binary', op: 'add', shape: [2, 2], small: true, target: 2.0, required: true },
  { name: 'chain 2x2 fwd (per op)', kind: 'chain', shape: [2, 2], small: true, perOp: CHAIN_OPS, target: null },
  { name: 'chain 2x2 recorded fwd (per op)', kind: 'record', shape: [2, 2], small: true, perOp: CHAIN_OPS, target: null },
  { name: 'chain 2x2 rec+bwd (per op)', kind: 'grad', shape: [2, 2], small: true, perOp: CHAIN_OPS, target: null },
  { name: 'mlp 784-256-10 b64 forward', kind: 'mlp', mode: 'forward', shape: [64, 784], target: null },
  { name: 'mlp 784-256-10 b64 train step', kind: 'mlp', mode: 'train', shape: [64, 784], target: null },
];

// The chain: 25 x (y*x, y+x, tanh(y), y-x) = 100 ops; values stay bounded; every op depends on
// the previous one, and x feeds every other op, so the backward pass touches all of them.
const CHAIN_PATTERN = ['mul_x', 'add_x', 'tanh', 'sub_x'];

/** The chain on an NDArray x (ndgrad's methods): every op depends on the previous one. */
function ndgradChain(x) {
  let y = x;
  for (let i = 0; i < CHAIN_OPS; i++) {
    switch (CHAIN_PATTERN[i % CHAIN_PATTERN.length]) {
      case 'mul_x': y = y.mul(x); break;
      case 'add_x': y = y.add(x); break;
      case 'tanh': y = y.tanh(); break;
      case 'sub_x': y = y.sub(x); break;
    }
  }
  return y;
}

function selectRows(filter) {
  if (!filter) return ROWS.slice();
  const f = filter.toLowerCase();
  return ROWS.filter((r) => r.name.toLowerCase().includes(f) || r.kind === f || r.op === f);
}

module.exports = { ROWS, CHAIN_OPS, CHAIN_PATTERN, ndgradChain, selectRows };

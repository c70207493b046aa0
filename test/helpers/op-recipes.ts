// Recipes that call every registry op through the public API on float64 inputs drawn from the
// op's input domain. Shared by the gradient checks (first and second order).
import { autograd, nd, NDArray } from '../../lib';
import { invoke, invokeMulti } from '../../lib/core/dispatch';
import { native } from '../../lib/core/native';
import { numericRecipes } from './numeric-recipes';

export const FLAG_CREATION = 16;
export const FLAG_MUTATES = 32;
export const enum Domain {
  Any = 0,
  Positive = 1,
  Unit = 2,
  NonZero = 3,
  AwayFromInt = 4,
}

let lcg = 12345;
function rand(): number {
  lcg = (Math.imul(lcg, 1664525) + 1013904223) >>> 0;
  return lcg / 4294967296;
}

function sample(domain: Domain): number {
  const u = rand();
  switch (domain) {
    case Domain.Positive:
      return 0.3 + 1.7 * u;
    case Domain.Unit:
      return -0.8 + 1.6 * u;
    case Domain.NonZero:
      return (rand() < 0.5 ? -1 : 1) * (0.3 + 1.7 * u);
    case Domain.AwayFromInt:
      return Math.floor(-3 + 6 * rand()) + 0.2 + 0.6 * u;
    default:
      return -2 + 4 * u;
  }
}

function input(shape: number[], domain: Domain = Domain.Any): NDArray {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float64Array(n).map(() => sample(domain));
  return nd.array(data, { dtype: 'float64' }).reshape(shape);
}

function f64(data: number[] | number[][]): NDArray {
  return nd.array(data, { dtype: 'float64' });
}

export interface Case {
  label: string;
  inputs: NDArray[];
  fn: (...xs: NDArray[]) => NDArray | NDArray[];
}
export type Recipe = (domain: Domain) => Case[];

const unaryMethod: Record<string, keyof NDArray> = { negative: 'neg' };

function unaryRecipe(name: string): Recipe {
  const method = (unaryMethod[name] ?? name) as keyof NDArray;
  return (d) => [
    { label: '(2,3)', inputs: [input([2, 3], d)], fn: (x) => (x[method] as () => NDArray).call(x) },
    { label: 'nd form (7,)', inputs: [input([7], d)], fn: (x) => (nd as unknown as Record<string, (x: NDArray) => NDArray>)[name](x) },
  ];
}

const binaryFn: Record<string, (a: NDArray | number, b: NDArray | number) => NDArray> = {
  add: nd.add,
  subtract: nd.subtract,
  multiply: nd.multiply,
  divide: nd.divide,
  power: nd.power,
  mod: nd.mod,
  maximum: nd.maximum,
  minimum: nd.minimum,
  equal: nd.equal,
  not_equal: nd.notEqual,
  greater: nd.greater,
  greater_equal: nd.greaterEqual,
  lesser: nd.lesser,
  lesser_equal: nd.lesserEqual,
};

function binaryRecipe(name: string): Recipe {
  const f = binaryFn[name];
  return (d) => [
    { label: 'same shape', inputs: [input([2, 3], d), input([2, 3], d)], fn: (a, b) => f(a, b) },
    { label: 'broadcast (2,3)x(3,)', inputs: [input([2, 3], d), input([3], d)], fn: (a, b) => f(a, b) },
    { label: 'broadcast (2,1)x(1,3)', inputs: [input([2, 1], d), input([1, 3], d)], fn: (a, b) => f(a, b) },
  ];
}

// number-operand forms: [registry name, base op, number, number on the left?]
const scalarForms: [string, string, number, boolean][] = [
  ['add_scalar', 'add', 1.5, false],
  ['subtract_scalar', 'subtract', 1.5, false],
  ['rsubtract_scalar', 'subtract', 1.5, true],
  ['multiply_scalar', 'multiply', -1.5, false],
  ['divide_scalar', 'divide', 1.5, false],
  ['rdivide_scalar', 'divide', 1.5, true],
  ['power_scalar', 'power', 2.5, false],
  ['rpower_scalar', 'power', 1.7, true],
  ['mod_scalar', 'mod', 0.7, false],
  ['rmod_scalar', 'mod', 2.9, true],
  ['maximum_scalar', 'maximum', 0.1, false],
  ['minimum_scalar', 'minimum', 0.1, false],
  ['equal_scalar', 'equal', 0.1, false],
  ['not_equal_scalar', 'not_equal', 0.1, false],
  ['greater_scalar', 'greater', 0.1, false],
  ['greater_equal_scalar', 'greater_equal', 0.1, false],
  ['lesser_scalar', 'lesser', 0.1, false],
  ['lesser_equal_scalar', 'lesser_equal', 0.1, false],
];

function scalarRecipe(base: string, s: number, left: boolean): Recipe {
  const f = binaryFn[base];
  return (d) => [
    { label: left ? `${s} op x` : `x op ${s}`, inputs: [input([2, 3], d)], fn: (x) => (left ? f(s, x) : f(x, s)) },
  ];
}

function reduceRecipe(name: 'sum' | 'mean' | 'prod' | 'max' | 'min'): Recipe {
  return (d) => [
    { label: 'all', inputs: [input([2, 3], d)], fn: (x) => x[name]() },
    { label: 'axis 1', inputs: [input([2, 3, 2], d)], fn: (x) => x[name](1) },
    { label: 'axes [0,2] keepdims', inputs: [input([2, 3, 2], d)], fn: (x) => x[name]({ axis: [0, 2], keepdims: true }) },
    { label: 'axis -1', inputs: [input([3, 4], d)], fn: (x) => x[name]({ axis: -1 }) },
  ];
}

// Kinks (relu at 0, smooth_l1 at +-1/scalar^2) are kept away from by the inputs.
const ACTS = ['relu', 'sigmoid', 'tanh', 'softrelu', 'softsign'] as const;
const PAD_WIDTH = [0, 0, 0, 0, 1, 2, 2, 1];
const nnactRecipes: Record<string, Recipe> = {
  activation: () =>
    ACTS.map((act) => ({ label: act, inputs: [input([2, 3], Domain.NonZero)], fn: (x: NDArray) => nd.activation(x, { actType: act }) })),
  leaky_relu: () => [
    { label: 'leaky', inputs: [input([2, 3], Domain.NonZero)], fn: (x) => nd.leakyRelu(x, { slope: 0.1 }).square() },
    { label: 'elu', inputs: [input([2, 3], Domain.NonZero)], fn: (x) => nd.leakyRelu(x, { actType: 'elu', slope: 0.7 }) },
    { label: 'selu', inputs: [input([2, 3], Domain.NonZero)], fn: (x) => nd.leakyRelu(x, { actType: 'selu' }) },
    { label: 'gelu', inputs: [input([2, 3])], fn: (x) => nd.leakyRelu(x, { actType: 'gelu' }) },
    {
      label: 'prelu, a slope per channel (gradient to gamma)',
      inputs: [input([2, 3, 2], Domain.NonZero), input([3], Domain.Positive)],
      fn: (x, g) => nd.leakyRelu(x, g, { actType: 'prelu' }).square(),
    },
    { label: 'prelu, one shared slope', inputs: [input([4], Domain.NonZero), input([1], Domain.Positive)], fn: (x, g) => nd.leakyRelu(x, g, { actType: 'prelu' }) },
    {
      // Reseeding inside fn gives every evaluation the same slopes, so the check is deterministic.
      label: 'rrelu training',
      inputs: [input([3, 4], Domain.NonZero)],
      fn: (x) => {
        nd.random.seed(3);
        return autograd.trainMode(() => nd.leakyRelu(x, { actType: 'rrelu' }));
      },
    },
    {
      label: 'rrelu predicting (mean slope)',
      inputs: [input([2, 3], Domain.NonZero)],
      fn: (x) => autograd.predictMode(() => nd.leakyRelu(x, { actType: 'rrelu' }).square()),
    },
  ],
  smooth_l1: () => [
    { label: 'scalar 1', inputs: [f64([[-1.7, -0.6, 0.2], [0.9, 1.4, -0.05]])], fn: (x) => nd.smoothL1(x) },
    { label: 'scalar 2', inputs: [f64([[-1.7, -0.1, 0.2], [0.6, 0.05, -0.4]])], fn: (x) => nd.smoothL1(x, { scalar: 2 }).square() },
  ],
  add_n: () => [
    { label: 'three arrays', inputs: [input([2, 3]), input([2, 3]), input([2, 3])], fn: (a, b, c) => nd.addN(a, b, c).square() },
    { label: 'one array, list form', inputs: [input([3])], fn: (a) => nd.addN([a]) },
  ],
  polygamma: (d) => [0, 1, 2].map((n) => ({ label: `n ${n}`, inputs: [input([2, 3], d)], fn: (x: NDArray) => invoke('polygamma', [x], { n }) })),
  embedding: () => [
    {
      label: 'repeated and clipped indices',
      inputs: [f64([[0.5, 2.5], [2.5, 7.5]]), input([4, 3])],
      fn: (i, w) => nd.embedding(i, w, { inputDim: 4, outputDim: 3 }).square(),
    },
  ],
  embedding_grad: () => [
    {
      label: 'scatter-add rows',
      inputs: [input([2, 2, 3]), f64([[0.5, 2.5], [2.5, -1.5]])],
      fn: (g, i) => invoke('embedding_grad', [g, i], { inputDim: 4, outputDim: 3 }),
    },
  ],
  sequence_mask: () => [
    {
      label: 'axis 0',
      // lengths away from integers, which truncate (a step across one would change the mask)
      inputs: [input([4, 3, 2]), f64([2.5, 4.5, 0.5])],
      fn: (x, l) => nd.sequenceMask(x, l, { useSequenceLength: true, value: -1 }).square(),
    },
    { label: 'axis 1', inputs: [input([3, 4]), f64([1.5, 3.5, 4.5])], fn: (x, l) => nd.sequenceMask(x, l, { useSequenceLength: true, axis: 1 }) },
    { label: 'no lengths (identity)', inputs: [input([2, 3])], fn: (x) => nd.sequenceMask(x).square() },
  ],
  pad: () =>
    (['constant', 'edge', 'reflect'] as const).map((mode) => ({
      label: mode,
      inputs: [input([1, 2, 3, 4])],
      fn: (x: NDArray) => nd.pad(x, { mode, padWidth: PAD_WIDTH, constantValue: 0.5 }).square(),
    })),
  pad_grad: () =>
    (['constant', 'edge', 'reflect'] as const).map((mode) => ({
      label: mode,
      inputs: [input([1, 2, 6, 7])],
      fn: (g: NDArray) => invoke('pad_grad', [g], { mode, padWidth: PAD_WIDTH }),
    })),
  up_sampling: () => [
    { label: 'scale 2', inputs: [input([1, 2, 2, 3])], fn: (x) => nd.upSampling(x, { scale: 2 }).square() },
    { label: 'scale 3', inputs: [input([2, 1, 1, 2])], fn: (x) => nd.upSampling(x, { scale: 3, sampleType: 'nearest' }) },
  ],
};

export const recipes: Record<string, Recipe> = {
  sum: reduceRecipe('sum'),
  mean: reduceRecipe('mean'),
  prod: reduceRecipe('prod'),
  max: reduceRecipe('max'),
  min: reduceRecipe('min'),
  norm: () => [
    { label: 'ord 2 all', inputs: [input([2, 3])], fn: (x) => x.norm() },
    { label: 'ord 2 axis 1', inputs: [input([2, 3])], fn: (x) => x.norm({ axis: 1 }) },
    { label: 'frobenius', inputs: [input([2, 3, 2])], fn: (x) => x.norm({ axis: [0, 2], keepdims: true }) },
    { label: 'ord 1', inputs: [input([2, 3], Domain.NonZero)], fn: (x) => x.norm({ ord: 1, axis: 0 }) },
  ],
  argmax: () => [{ label: 'axis 1', inputs: [input([2, 3])], fn: (x) => x.argmax(1) }],
  cumsum: () => [
    { label: 'flattened', inputs: [input([2, 3])], fn: (x) => x.cumsum() },
    { label: 'axis 1', inputs: [input([2, 3, 2])], fn: (x) => x.cumsum(1) },
    { label: 'axis -3', inputs: [input([3, 2, 2])], fn: (x) => nd.cumsum(x, { axis: -3 }) },
  ],
  argmin: () => [{ label: 'all', inputs: [input([2, 3])], fn: (x) => x.argmin() }],
  dot: () => [
    { label: '2-D.2-D', inputs: [input([2, 3]), input([3, 4])], fn: (a, b) => nd.dot(a, b) },
    { label: 'transposeA', inputs: [input([3, 2]), input([3, 4])], fn: (a, b) => nd.dot(a, b, { transposeA: true }) },
    { label: 'transposeB', inputs: [input([2, 3]), input([4, 3])], fn: (a, b) => nd.dot(a, b, { transposeB: true }) },
    { label: 'both', inputs: [input([3, 2]), input([4, 3])], fn: (a, b) => nd.dot(a, b, { transposeA: true, transposeB: true }) },
    { label: '1-D.1-D', inputs: [input([5]), input([5])], fn: (a, b) => nd.dot(a, b) },
    { label: 'N-D', inputs: [input([2, 2, 3]), input([3, 2])], fn: (a, b) => nd.dot(a, b) },
    { label: '2-D.1-D', inputs: [input([2, 3]), input([3])], fn: (a, b) => nd.dot(a, b) },
  ],
  transpose: () => [
    { label: 'reverse', inputs: [input([2, 3])], fn: (x) => x.T },
    { label: 'axes', inputs: [input([2, 3, 4])], fn: (x) => x.transpose([1, 2, 0]) },
  ],
  reshape: () => [
    { label: '-1', inputs: [input([2, 3])], fn: (x) => x.reshape([3, -1]) },
    { label: 'codes', inputs: [input([2, 3, 4])], fn: (x) => x.reshape([0, -1]).mul(x.reshape([2, 12])) },
  ],
  slice_rows: () => [
    { label: 'slice', inputs: [input([4, 3])], fn: (x) => x.slice(1, 3).square() },
    { label: 'at', inputs: [input([4, 3])], fn: (x) => x.at(2).exp() },
    { label: 'at 1-D', inputs: [input([5])], fn: (x) => x.at(-1).mul(x.at(0)) },
  ],
  slice_rows_grad: () => [
    { label: 'scatter rows', inputs: [input([2, 3])], fn: (g) => invoke('slice_rows_grad', [g], { shape: [4, 3], begin: 1, end: 3 }) },
  ],
  broadcast_to: () => [
    { label: '(3,1)->(2,3,4)', inputs: [input([3, 1])], fn: (x) => invoke('broadcast_to', [x], { shape: [2, 3, 4] }) },
  ],
  sum_to: () => [{ label: '(2,3,4)->(3,1)', inputs: [input([2, 3, 4])], fn: (x) => invoke('sum_to', [x], { shape: [3, 1] }) }],
  astype: () => [{ label: 'float64->float64', inputs: [input([2, 3])], fn: (x) => x.astype('float64').square() }],
  copy: () => [{ label: 'copy', inputs: [input([2, 3])], fn: (x) => x.copy().mul(x) }],
  one_hot: () => [
    {
      label: 'depth 4 (zero gradient)',
      inputs: [nd.array([0.5, 3.2, 1.7, 5.5], { dtype: 'float64' })],
      fn: (i) => nd.oneHot(i, 4, { dtype: 'float64' }),
    },
  ],
  pick: () => [
    { label: 'axis -1', inputs: [input([2, 3]), nd.array([2.5, 0.5], { dtype: 'float64' })], fn: (x, i) => x.pick(i) },
    {
      label: 'axis 0 keepdims, clipped',
      inputs: [input([3, 2, 2]), nd.array([[7.5, 1.5], [-2.5, 2.5]], { dtype: 'float64' })],
      fn: (x, i) => nd.pick(x, i, { axis: 0, keepdims: true }).square(),
    },
  ],
  dropout: () => [
    {
      // Reseeding inside fn gives every evaluation the same mask, so the check is deterministic.
      label: 'training, p 0.4',
      inputs: [input([3, 4])],
      fn: (x) => {
        nd.random.seed(11);
        return autograd.trainMode(() => nd.dropout(x, { p: 0.4 }));
      },
    },
    {
      label: 'not training (identity)',
      inputs: [input([2, 3])],
      fn: (x) => autograd.predictMode(() => nd.dropout(x, { p: 0.4 }).square()),
    },
  ],
  where: () => [
    {
      label: 'same-shape condition',
      inputs: [nd.array([[1, 0, 2], [0, 0, 1]], { dtype: 'float64' }), input([2, 3]), input([2, 3])],
      fn: (c, x, y) => nd.where(c, x, y).square(),
    },
    {
      label: 'row condition',
      inputs: [nd.array([0, 3], { dtype: 'float64' }), input([2, 3]), input([2, 3])],
      fn: (c, x, y) => nd.where(c, x.exp(), y),
    },
  ],
  concat: () => [
    { label: 'dim 1 (default)', inputs: [input([2, 3]), input([2, 2])], fn: (a, b) => nd.concat(a, b) },
    { label: 'dim 0, three inputs', inputs: [input([1, 3]), input([2, 3]), input([1, 3])], fn: (a, b, c) => nd.concat(a, b, c, { dim: 0 }).square() },
    { label: 'dim -1, empty input', inputs: [nd.zeros([2, 0], { dtype: 'float64' }), input([2, 3])], fn: (a, b) => nd.concat(a, b, { dim: -1 }) },
  ],
  stack: () => [
    { label: 'axis 0', inputs: [input([2, 3]), input([2, 3])], fn: (a, b) => nd.stack([a, b]) },
    { label: 'axis -1', inputs: [input([3]), input([3]), input([3])], fn: (a, b, c) => nd.stack([a, b, c], { axis: -1 }).square() },
  ],
  split: () => [
    { label: 'axis 1 (default), all outputs', inputs: [input([2, 6])], fn: (x) => nd.split(x, 3) },
    { label: 'squeezeAxis, one output used', inputs: [input([3, 2])], fn: (x) => nd.split(x, 3, { axis: 0, squeezeAxis: true })[1].square() },
    { label: 'through a view', inputs: [input([4, 4])], fn: (x) => nd.split(x.slice(1, 3), 2, { axis: 1 }) },
  ],
  tile: () => [
    { label: 'reps (2, 3)', inputs: [input([2, 3])], fn: (x) => x.tile([2, 3]) },
    { label: 'reps longer than shape', inputs: [input([3])], fn: (x) => x.tile([2, 1, 2]).square() },
    { label: 'reps shorter than shape', inputs: [input([2, 1, 3])], fn: (x) => x.tile(2) },
  ],
  repeat: () => [
    { label: 'flattened', inputs: [input([2, 3])], fn: (x) => x.repeat(2) },
    { label: 'axis 1', inputs: [input([2, 3, 2])], fn: (x) => x.repeat(3, 1).square() },
    { label: 'axis -1', inputs: [input([3, 2])], fn: (x) => nd.repeat(x, 2, -1) },
  ],
  slice: () => [
    { label: 'steps and null', inputs: [input([5, 6])], fn: (x) => nd.slice(x, { begin: [1, null], end: [4, null], step: [2, -2] }) },
    { label: 'negative bounds', inputs: [input([3, 4, 5])], fn: (x) => nd.slice(x, { begin: [-2, 1], end: [null, -1] }).square() },
  ],
  slice_axis: () => [
    { label: 'axis 1', inputs: [input([3, 5])], fn: (x) => x.sliceAxis(1, 1, 4) },
    { label: 'negative, end null', inputs: [input([4, 3])], fn: (x) => nd.sliceAxis(x, 0, -3, null).exp() },
  ],
  slice_grad: () => [
    {
      label: 'scatter with steps',
      inputs: [input([2, 3])],
      fn: (g) => invoke('slice_grad', [g], { shape: [5, 6], begin: [1, null], end: [4, null], step: [2, -2] }),
    },
  ],
  batch_dot: () => [
    { label: 'plain', inputs: [input([2, 3, 4]), input([2, 4, 2])], fn: (a, b) => nd.batchDot(a, b) },
    { label: 'transposeA', inputs: [input([2, 4, 3]), input([2, 4, 2])], fn: (a, b) => nd.batchDot(a, b, { transposeA: true }) },
    { label: 'transposeB', inputs: [input([2, 3, 4]), input([2, 2, 4])], fn: (a, b) => nd.batchDot(a, b, { transposeB: true }) },
    { label: 'both, 4-D', inputs: [input([2, 1, 4, 3]), input([2, 1, 2, 4])], fn: (a, b) => nd.batchDot(a, b, { transposeA: true, transposeB: true }) },
  ],
  take: () => [
    {
      label: 'clip, repeated indices',
      inputs: [input([4, 3]), f64([0.5, 2.5, 2.5, -1.5, 7.5])],
      fn: (x, i) => x.take(i).square(),
    },
    { label: 'axis 1, 2-D indices', inputs: [input([2, 4, 3]), f64([[1.5, 0.5], [3.5, 3.5]])], fn: (x, i) => nd.take(x, i, { axis: 1 }) },
    { label: 'wrap, axis -1', inputs: [input([3, 4]), f64([-1.5, 5.5, 1.5])], fn: (x, i) => nd.take(x, i, { axis: -1, mode: 'wrap' }).exp() },
    { label: 'raise (in range)', inputs: [input([5]), f64([4.5, 0.5, 4.5])], fn: (x, i) => nd.take(x, i, { mode: 'raise' }).square() },
  ],
  take_grad: () => [
    {
      label: 'scatter-add rows',
      inputs: [input([5, 3]), f64([0.5, 2.5, 2.5, -1.5, 7.5])],
      fn: (g, i) => invoke('take_grad', [g, i], { shape: [4, 3], axis: 0, mode: 'clip' }),
    },
  ],
  take_along_axis: () => [
    {
      label: 'axis -1',
      inputs: [input([3, 4]), f64([[0.5, 3.5], [2.5, 2.5], [-1.5, 1.5]])],
      fn: (x, i) => invoke('take_along_axis', [x, i], { axis: -1 }).square(),
    },
  ],
  take_along_axis_grad: () => [
    {
      label: 'axis 0',
      inputs: [input([3, 2]), f64([[0.5, 3.5], [2.5, 2.5], [1.5, 1.5]])],
      fn: (g, i) => invoke('take_along_axis_grad', [g, i], { shape: [4, 2], axis: 0 }),
    },
  ],
  // Inputs drawn at random have no ties, so a small step never changes the order.
  topk: () => [
    { label: 'value, k 2', inputs: [input([3, 5])], fn: (x) => x.topk({ k: 2, retTyp: 'value' }).square() },
    {
      label: 'both (values and float64 indices), axis 0, ascending',
      inputs: [input([4, 3])],
      fn: (x) => nd.topk(x, { axis: 0, k: 3, retTyp: 'both', isAscend: true, dtype: 'float64' }),
    },
    { label: 'value, flattened', inputs: [input([2, 3, 2])], fn: (x) => nd.topk(x, { axis: null, k: 4, retTyp: 'value' }).exp() },
    { label: 'indices (no gradient)', inputs: [input([2, 5])], fn: (x) => x.topk({ k: 3, dtype: 'float64' }) },
    { label: 'mask (no gradient)', inputs: [input([2, 5])], fn: (x) => x.topk({ k: 2, retTyp: 'mask' }) },
  ],
  sort: () => [
    { label: 'axis -1', inputs: [input([3, 4])], fn: (x) => x.sort().square() },
    { label: 'axis 0, descending', inputs: [input([4, 2, 3])], fn: (x) => nd.sort(x, { axis: 0, isAscend: false }) },
    { label: 'flattened', inputs: [input([2, 3])], fn: (x) => nd.sort(x, { axis: null }).exp() },
  ],
  argsort: () => [{ label: 'axis -1 (no gradient)', inputs: [input([3, 4])], fn: (x) => x.argsort({ dtype: 'float64' }) }],
  random_shuffle: () => [
    {
      // Reseeding inside fn gives every evaluation the same order, so the check is deterministic.
      label: 'rows of (5,3)',
      inputs: [input([5, 3])],
      fn: (x) => {
        nd.random.seed(5);
        return nd.random.shuffle(x).square();
      },
    },
  ],
  // Pooling inputs drawn at random have no ties, so a small step never moves a window's maximum.
  pooling: () => [
    { label: 'max 2x2 stride 2', inputs: [input([2, 2, 4, 4])], fn: (x) => nd.pooling(x, { kernel: [2, 2], stride: [2, 2] }) },
    {
      label: 'max 3x3 stride 2 pad 1, full',
      inputs: [input([1, 2, 6, 5])],
      fn: (x) => nd.pooling(x, { kernel: [3, 3], stride: [2, 2], pad: [1, 1], poolingConvention: 'full' }),
    },
    {
      label: 'avg 3x3 pad 1, count_include_pad false',
      inputs: [input([1, 2, 5, 4])],
      fn: (x) => nd.Pooling(x, { kernel: [3, 3], pool_type: 'avg', pad: [1, 1], count_include_pad: false }),
    },
    { label: 'sum 1-D', inputs: [input([2, 2, 7])], fn: (x) => nd.pooling(x, { kernel: 3, stride: 2, poolType: 'sum' }) },
    { label: 'lp p 2', inputs: [input([1, 2, 4, 4])], fn: (x) => nd.pooling(x, { kernel: [2, 2], poolType: 'lp', pValue: 2 }) },
    { label: 'lp p 3', inputs: [input([1, 1, 4, 4])], fn: (x) => nd.pooling(x, { kernel: [2, 2], stride: [2, 2], poolType: 'lp', pValue: 3 }) },
    { label: 'lp p 1', inputs: [input([1, 1, 3, 4])], fn: (x) => nd.pooling(x, { kernel: [2, 2], poolType: 'lp', pValue: 1 }) },
    { label: 'max 3-D', inputs: [input([1, 2, 4, 4, 4])], fn: (x) => nd.pooling(x, { kernel: [2, 2, 2], stride: [2, 2, 2] }) },
    { label: 'global avg', inputs: [input([2, 3, 3, 3])], fn: (x) => nd.pooling(x, { globalPool: true, poolType: 'avg' }) },
    { label: 'global max', inputs: [input([2, 2, 3, 4])], fn: (x) => nd.pooling(x, { globalPool: true }) },
  ],
  relu_grad: (d) => [
    {
      // y away from zero (the domain), where sign(y) is locally constant: the gradient to y is 0
      label: '(3,4)',
      inputs: [input([3, 4]), input([3, 4], d)],
      fn: (g, y) => invoke('relu_grad', [g, y]),
    },
  ],
  pooling_grad: () => [
    {
      label: 'max 2x2',
      inputs: [input([1, 2, 2, 2]), input([1, 2, 4, 4])],
      fn: (g, x) => invoke('pooling_grad', [g, x], { kernel: [2, 2], stride: [2, 2] }),
    },
    {
      label: 'avg 3x3 pad 1',
      inputs: [input([1, 2, 3, 3]), input([1, 2, 3, 3])],
      fn: (g, x) => invoke('pooling_grad', [g, x], { kernel: [3, 3], pad: [1, 1], poolType: 'avg' }),
    },
    {
      // the index recorded by max pooling: dy scattered to it, x gives only the shape
      label: 'max 3x3 stride 2 pad 1, with the index',
      inputs: [input([1, 2, 3, 3]), input([1, 2, 5, 5])],
      fn: (g, x) => {
        const opts = { kernel: [3, 3], stride: [2, 2], pad: [1, 1] };
        const index = autograd.record(() => invokeMulti('pooling', [x.detach()], opts))[1];
        return invoke('pooling_grad', [g, x, index], opts);
      },
    },
  ],
  pooling_select: () => [
    {
      label: 'max 2x2',
      inputs: [input([1, 2, 4, 4]), input([1, 2, 4, 4])],
      fn: (x, v) => invoke('pooling_select', [x, v], { kernel: [2, 2], stride: [2, 2] }),
    },
  ],
  batch_norm: () => {
    const stats = (): [NDArray, NDArray] => [nd.array([0.1, -0.2, 0.3], { dtype: 'float64' }), nd.array([1.5, 0.7, 1.1], { dtype: 'float64' })];
    return [
      {
        label: 'training, fixGamma false',
        inputs: [input([4, 3, 2]), input([3]), input([3])],
        fn: (x, g, b) => autograd.trainMode(() => nd.batchNorm(x, g, b, ...stats(), { fixGamma: false }) as NDArray),
      },
      {
        label: 'training, outputMeanVar, axis -1',
        inputs: [input([5, 3]), input([3]), input([3])],
        fn: (x, g, b) => autograd.trainMode(() => nd.batchNorm(x, g, b, ...stats(), { fixGamma: false, outputMeanVar: true, axis: -1 })),
      },
      {
        label: 'training, fixGamma (default)',
        inputs: [input([2, 3, 3]), input([3]), input([3])],
        fn: (x, g, b) => autograd.trainMode(() => nd.BatchNorm(x, g, b, ...stats()) as NDArray),
      },
      {
        label: 'inference (moving statistics)',
        inputs: [input([2, 3, 2, 2]), input([3]), input([3])],
        fn: (x, g, b) => autograd.predictMode(() => nd.batchNorm(x, g, b, ...stats(), { fix_gamma: false }) as NDArray),
      },
    ];
  },
  layer_norm: () => [
    {
      label: 'last axis, outputMeanVar',
      inputs: [input([3, 5]), input([5]), input([5])],
      fn: (x, g, b) => nd.layerNorm(x, g, b, { outputMeanVar: true }),
    },
    { label: 'axis 1 of 3', inputs: [input([2, 3, 4]), input([3]), input([3])], fn: (x, g, b) => nd.LayerNorm(x, g, b, { axis: 1 }) as NDArray },
  ],
  instance_norm: () => [
    { label: '(2,3,4)', inputs: [input([2, 3, 4]), input([3]), input([3])], fn: (x, g, b) => nd.instanceNorm(x, g, b) },
  ],
  group_norm: () => [
    {
      label: '2 groups, outputMeanVar',
      inputs: [input([2, 4, 3]), input([2]), input([2])],
      fn: (x, g, b) => nd.groupNorm(x, g, b, { numGroups: 2, outputMeanVar: true }),
    },
  ],
  l2_normalization: () => [
    { label: 'instance', inputs: [input([3, 4])], fn: (x) => nd.l2Normalization(x) },
    { label: 'channel', inputs: [input([2, 3, 4])], fn: (x) => nd.l2Normalization(x, { mode: 'channel' }) },
    { label: 'spatial', inputs: [input([2, 3, 2, 2])], fn: (x) => nd.L2Normalization(x, { mode: 'spatial' }) },
  ],
  // norm_grad computes these first derivatives whenever the backward pass is not recorded (the
  // gradient check); recorded (second derivatives) they come from the registry-op form.
  norm_grad: () => [
    {
      label: 'batchNorm training (channel statistics)',
      inputs: [input([3, 2, 4]), input([2]), input([2])],
      fn: (x, g, b) => {
        const [mm, mv] = [nd.zeros([2], { dtype: 'float64' }), nd.ones([2], { dtype: 'float64' })];
        return autograd.trainMode(() => nd.batchNorm(x, g, b, mm, mv, { fixGamma: false, outputMeanVar: true }));
      },
    },
    { label: 'layerNorm last axis (gamma per column)', inputs: [input([4, 5]), input([5]), input([5])], fn: (x, g, b) => nd.layerNorm(x, g, b, { outputMeanVar: true }) },
    {
      label: 'groupNorm (row statistics)',
      inputs: [input([2, 4, 3]), input([2]), input([2])],
      fn: (x, g, b) => nd.groupNorm(x, g, b, { numGroups: 2, outputMeanVar: true }),
    },
  ],
  moving_average_update: () => [
    {
      // Never recorded: the statistic it reads keeps exactly its own gradient.
      label: 'the statistic keeps its own gradient',
      inputs: [input([3])],
      fn: (s) => {
        const m = nd.ones([3], { dtype: 'float64' });
        invokeMulti('moving_average_update', [m, s], { momentum: 0.9 });
        return s.square();
      },
    },
  ],
  convolution: () => [
    {
      label: '2-D, bias, stride 2, pad 1',
      inputs: [input([2, 2, 5, 4]), input([3, 2, 3, 3]), input([3])],
      fn: (x, w, b) => nd.convolution(x, w, b, { kernel: 3, numFilter: 3, stride: 2, pad: 1 }),
    },
    {
      label: '2-D groups 2, dilate 2',
      inputs: [input([1, 4, 6, 5]), input([2, 2, 2, 2])],
      fn: (x, w) => nd.convolution(x, w, { kernel: 2, numFilter: 2, dilate: 2, numGroup: 2 }).square(),
    },
    {
      label: '2-D depthwise',
      inputs: [input([2, 3, 4, 4]), input([3, 1, 3, 3]), input([3])],
      fn: (x, w, b) => nd.convolution(x, w, b, { kernel: 3, numFilter: 3, pad: 1, numGroup: 3 }).square(),
    },
    { label: '2-D 1x1', inputs: [input([2, 3, 2, 3]), input([2, 3, 1, 1])], fn: (x, w) => nd.convolution(x, w, { kernel: 1, numFilter: 2 }).square() },
    {
      label: '1-D stride 2',
      inputs: [input([2, 2, 7]), input([2, 2, 3]), input([2])],
      fn: (x, w, b) => nd.convolution(x, w, b, { kernel: 3, numFilter: 2, stride: 2, pad: 1 }).square(),
    },
    {
      label: '3-D',
      inputs: [input([1, 2, 3, 4, 3]), input([2, 2, 2, 2, 2])],
      fn: (x, w) => nd.convolution(x, w, { kernel: 2, numFilter: 2, pad: [0, 1, 0] }).square(),
    },
  ],
  deconvolution: () => [
    {
      label: '2-D, bias, stride 2, pad 1, adj 1',
      inputs: [input([2, 2, 3, 3]), input([2, 3, 3, 3]), input([3])],
      fn: (x, w, b) => nd.deconvolution(x, w, b, { kernel: 3, numFilter: 3, stride: 2, pad: 1, adj: 1 }),
    },
    {
      label: '2-D groups 2, targetShape',
      inputs: [input([1, 4, 3, 3]), input([4, 1, 3, 3])],
      fn: (x, w) => nd.deconvolution(x, w, { kernel: 3, numFilter: 2, stride: 2, numGroup: 2, targetShape: [6, 6] }).square(),
    },
    {
      label: '1-D dilate 2',
      inputs: [input([2, 2, 4]), input([2, 2, 3])],
      fn: (x, w) => nd.deconvolution(x, w, { kernel: 3, numFilter: 2, dilate: 2 }).square(),
    },
    {
      label: '3-D depthwise',
      inputs: [input([1, 2, 2, 3, 2]), input([2, 1, 2, 2, 2])],
      fn: (x, w) => nd.deconvolution(x, w, { kernel: 2, numFilter: 2, numGroup: 2, stride: 2 }).square(),
    },
  ],
  convolution_relu: () => [
    {
      label: '2-D, bias, stride 2, pad 1',
      inputs: [input([2, 2, 5, 4]), input([3, 2, 3, 3]), input([3])],
      fn: (x, w, b) => invoke('convolution_relu', [x, w, b], { kernel: 3, numFilter: 3, stride: 2, pad: 1 }),
    },
    {
      label: '2-D depthwise, no bias',
      inputs: [input([2, 3, 4, 4]), input([3, 1, 3, 3])],
      fn: (x, w) => invoke('convolution_relu', [x, w], { kernel: 3, numFilter: 3, pad: 1, numGroup: 3, noBias: true }).square(),
    },
  ],
  conv_weight_grad: () => [
    {
      label: '2-D stride 2 pad 1',
      inputs: [input([2, 2, 5, 4]), input([2, 3, 3, 2])],
      fn: (x, g) => invoke('conv_weight_grad', [x, g], { kernel: 3, stride: 2, pad: 1 }).square(),
    },
    {
      label: '1-D depthwise',
      inputs: [input([2, 2, 6]), input([2, 2, 4])],
      fn: (x, g) => invoke('conv_weight_grad', [x, g], { kernel: 3, numGroup: 2 }).square(),
    },
  ],
  softmax: () => [
    { label: 'last axis', inputs: [input([2, 4])], fn: (x) => x.softmax() },
    { label: 'axis 0, temperature 2', inputs: [input([3, 2, 2])], fn: (x) => nd.softmax(x, { axis: 0, temperature: 2 }) },
  ],
  log_softmax: () => [
    { label: 'last axis', inputs: [input([2, 4])], fn: (x) => x.logSoftmax() },
    { label: 'axis 1, temperature 0.5', inputs: [input([2, 3, 2])], fn: (x) => nd.logSoftmax(x, { axis: 1, temperature: 0.5 }) },
  ],
  fully_connected: () => [
    { label: 'bias', inputs: [input([3, 4]), input([2, 4]), input([2])], fn: (x, w, b) => invoke('fully_connected', [x, w, b]).square() },
    { label: 'no bias', inputs: [input([2, 3]), input([4, 3])], fn: (x, w) => invoke('fully_connected', [x, w]) },
  ],
  softmax_ce_loss: () => [
    {
      label: 'rows of 4, labels truncated and clipped',
      inputs: [input([3, 4]), f64([2.5, 7.5, -1.5])],
      fn: (p, l) => invoke('softmax_ce_loss', [p, l]).square(),
    },
  ],
  softmax_ce_grad: () => [
    {
      label: 'rows of 3',
      inputs: [input([2, 3]), f64([1.5, 0.5]), input([2, 1])],
      fn: (p, l, g) => invoke('softmax_ce_grad', [p, l, g]).square(),
    },
  ],
  ...nnactRecipes,
};

Object.assign(recipes, numericRecipes(input, f64));

export const ops = native.opInfo();
for (const o of ops) {
  if (recipes[o.name]) continue;
  if (o.name in binaryFn) recipes[o.name] = binaryRecipe(o.name);
  else if (scalarForms.some(([n]) => n === o.name)) {
    const [, base, s, left] = scalarForms.find(([n]) => n === o.name)!;
    recipes[o.name] = scalarRecipe(base, s, left);
  } else if (o.numInputs === 1 && typeof (NDArray.prototype as unknown as Record<string, unknown>)[unaryMethod[o.name] ?? o.name] === 'function' && o.name in nd) {
    recipes[o.name] = unaryRecipe(o.name);
  }
}


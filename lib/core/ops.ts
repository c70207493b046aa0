// The registry's op names as a type, and the table of the ops whose JS surface is regular: from
// it lib/ndarray.ts generates the NDArray methods and lib/nd/math.ts the nd functions, with
// their types. Ops with unusual call forms are written by hand.
import type { OutOption } from './dispatch';
import type { DType } from './dtype';
import { native } from './native';

/** Every registry op (native/core/ops/op_list.h), in registry order; checked against the addon at load. */
export const OP_NAMES = [
  'negative', 'abs', 'sign', 'square', 'sqrt', 'rsqrt', 'reciprocal', 'exp', 'expm1', 'log', 'log1p', 'log2',
  'log10', 'sin', 'cos', 'tan', 'arcsin', 'arccos', 'arctan', 'sinh', 'cosh', 'tanh', 'sigmoid', 'relu', 'softsign',
  'floor', 'ceil', 'round', 'trunc', 'erf',
  'add', 'subtract', 'multiply', 'divide', 'power', 'mod', 'maximum', 'minimum', 'equal', 'not_equal', 'greater',
  'greater_equal', 'lesser', 'lesser_equal',
  'add_scalar', 'subtract_scalar', 'rsubtract_scalar', 'multiply_scalar', 'divide_scalar', 'rdivide_scalar',
  'power_scalar', 'rpower_scalar', 'mod_scalar', 'rmod_scalar', 'maximum_scalar', 'minimum_scalar', 'equal_scalar',
  'not_equal_scalar', 'greater_scalar', 'greater_equal_scalar', 'lesser_scalar', 'lesser_equal_scalar',
  'zeros', 'ones', 'full', 'arange', 'linspace', 'random_uniform', 'random_normal', 'random_randint',
  'sum', 'mean', 'prod', 'max', 'min', 'norm', 'argmax', 'argmin', 'cumsum',
  'dot', 'transpose', 'reshape', 'slice_rows', 'slice_rows_grad', 'broadcast_to', 'sum_to', 'astype', 'copy',
  'softmax', 'log_softmax', 'one_hot', 'pick', 'where', 'dropout',
  'concat', 'stack', 'split', 'tile', 'repeat', 'slice', 'slice_axis', 'slice_grad', 'batch_dot',
  'take', 'take_grad', 'take_along_axis', 'take_along_axis_grad', 'topk', 'sort', 'argsort', 'random_shuffle',
  'sgd_update', 'sgd_mom_update', 'nag_mom_update', 'adam_update', 'adamw_update', 'rmsprop_update',
  'rmspropalex_update', 'adagrad_update', 'signsgd_update', 'signum_update', 'lamb_update_phase1',
  'lamb_update_phase2', 'ftrl_update', 'multi_sgd_update', 'multi_sgd_mom_update', 'multi_adamw_update',
  'pooling', 'pooling_grad', 'pooling_select', 'batch_norm', 'layer_norm', 'instance_norm', 'group_norm', 'l2_normalization',
  'norm_grad', 'moving_average_update',
  'erfinv', 'gamma', 'gammaln', 'softrelu', 'polygamma', 'smooth_l1', 'add_n', 'activation', 'leaky_relu', 'embedding',
  'embedding_grad', 'sequence_mask', 'pad', 'pad_grad', 'up_sampling',
  'moments', 'std', 'var', 'cumprod', 'diag', 'diag_grad', 'gather_nd', 'scatter_nd', 'reverse',
  'linalg_gemm', 'linalg_gemm2', 'linalg_syrk', 'linalg_trmm', 'linalg_trsm', 'linalg_potrf', 'linalg_potri',
  'linalg_sumlogdiag', 'linalg_extractdiag', 'linalg_makediag', 'linalg_copytri', 'linalg_inverse', 'linalg_det',
  'linalg_slogdet', 'linalg_gelqf', 'linalg_syevd',
  'convolution', 'deconvolution', 'conv_weight_grad', 'convolution_relu',
  'relu_grad',
  'fully_connected', 'softmax_ce_loss', 'softmax_ce_grad',
] as const;

export type OpName = (typeof OP_NAMES)[number];

/** Op ids by registry name. */
export const OP = Object.freeze(
  Object.fromEntries(
    native.opInfo().map((o, i) => {
      if (OP_NAMES[i] !== o.name) {
        throw new Error(`ndgrad: lib/core/ops.ts lists op ${i} as '${OP_NAMES[i]}' but the addon has '${o.name}'`);
      }
      return [o.name, i];
    }),
  ),
) as Readonly<Record<OpName, number>>;
if (OP_NAMES.length !== native.opInfo().length) throw new Error('ndgrad: lib/core/ops.ts and the addon list different ops');

/** NDArray method -> unary registry op; the nd function is the op's name. */
export const UNARY = {
  neg: 'negative',
  abs: 'abs',
  sign: 'sign',
  sqrt: 'sqrt',
  rsqrt: 'rsqrt',
  square: 'square',
  reciprocal: 'reciprocal',
  exp: 'exp',
  expm1: 'expm1',
  log: 'log',
  log1p: 'log1p',
  log2: 'log2',
  log10: 'log10',
  sin: 'sin',
  cos: 'cos',
  tan: 'tan',
  arcsin: 'arcsin',
  arccos: 'arccos',
  arctan: 'arctan',
  sinh: 'sinh',
  cosh: 'cosh',
  tanh: 'tanh',
  sigmoid: 'sigmoid',
  relu: 'relu',
  softsign: 'softsign',
  floor: 'floor',
  ceil: 'ceil',
  /** Rounds half away from zero (MXNet). */
  round: 'round',
  trunc: 'trunc',
  /** The error function, 2/sqrt(pi) times the integral of exp(-t^2) from 0 to x. */
  erf: 'erf',
  /** The inverse of erf on (-1, 1); +-Infinity at +-1, NaN outside. */
  erfinv: 'erfinv',
  /** The gamma function (tgamma). */
  gamma: 'gamma',
  /** log |gamma(x)|. */
  gammaln: 'gammaln',
  /** log(1 + exp(x)) (softplus); x itself above 20 (MXNet). */
  softrelu: 'softrelu',
} as const satisfies Record<string, OpName>;

/**
 * NDArray method -> binary registry op (NumPy broadcasting; either side may be a number, MXNet's
 * scalar ops). The nd function is the op's name in camelCase (`nd.notEqual`).
 */
export const BINARY = {
  add: 'add',
  sub: 'subtract',
  mul: 'multiply',
  div: 'divide',
  pow: 'power',
  mod: 'mod',
  maximum: 'maximum',
  minimum: 'minimum',
  equal: 'equal',
  notEqual: 'not_equal',
  greater: 'greater',
  greaterEqual: 'greater_equal',
  lesser: 'lesser',
  lesserEqual: 'lesser_equal',
} as const satisfies Record<string, OpName>;

/** NDArray method -> binary op with the number on the left: x.rsub(s) is s - x. */
export const REVERSED = { rsub: 'subtract', rdiv: 'divide', rpow: 'power' } as const satisfies Record<string, OpName>;

/** NDArray method -> binary op written into the array itself (the method returns the array). */
export const IN_PLACE = {
  addInPlace: 'add',
  subInPlace: 'subtract',
  mulInPlace: 'multiply',
  divInPlace: 'divide',
} as const satisfies Record<string, OpName>;

/** The value type of each option an AXIS_OPS op may take, by field name. */
export interface AxisOptionValues {
  axis: number | number[] | null;
  keepdims: boolean;
  dtype: DType | null;
  ddof: number;
}

/**
 * The ops whose first option is an axis (`x.sum(0)`, `x.sum([0, 1])`, `x.sum({ axis, keepdims })`),
 * each with the names in its field table (test/axis-options.test.ts checks them against
 * native.opSchema()). Its method's and nd function's option types follow from them, so
 * `x.cumsum({ keepdims: true })` does not type-check.
 */
export const AXIS_OPTIONS = {
  sum: ['axis', 'keepdims'],
  mean: ['axis', 'keepdims'],
  prod: ['axis', 'keepdims'],
  max: ['axis', 'keepdims'],
  min: ['axis', 'keepdims'],
  argmax: ['axis', 'keepdims'],
  argmin: ['axis', 'keepdims'],
  /** Running sums along `axis`, or of the flattened array (no axis; NumPy's default); `dtype` optional. */
  cumsum: ['axis', 'dtype'],
  /** Running products along `axis`, or of the flattened array (no axis); `dtype` optional. */
  cumprod: ['axis', 'dtype'],
  /** Standard deviation over `axis` (all when none), divisor N - `ddof` (default 0, NumPy). */
  std: ['axis', 'keepdims', 'ddof'],
  /** Variance over `axis` (all when none), divisor N - `ddof` (default 0, NumPy). */
  var: ['axis', 'keepdims', 'ddof'],
  /** The elements in reverse order along `axis` (one axis or a list; MXNet reverse, alias flip). */
  reverse: ['axis'],
} as const satisfies { [Op in OpName]?: readonly (keyof AxisOptionValues)[] };

/** NDArray method -> AXIS_OPTIONS op: the method, and the nd function, have the op's name. */
export const AXIS_OPS = Object.fromEntries(Object.keys(AXIS_OPTIONS).map((op) => [op, op])) as {
  readonly [Op in keyof typeof AXIS_OPTIONS]: Op;
};

/** The options object of an AXIS_OPS op. */
export type AxisOptionsOf<Op extends keyof typeof AXIS_OPTIONS> = {
  [F in (typeof AXIS_OPTIONS)[Op][number]]?: AxisOptionValues[F];
};
/** What an AXIS_OPS method takes: an axis, axes, its options object (with `out`), or nothing. */
export type AxisArg<Op extends keyof typeof AXIS_OPTIONS> = number | number[] | (AxisOptionsOf<Op> & OutOption) | null | undefined;

/** The nd function name of a registry op: snake_case to camelCase. */
export type Camel<S extends string> = S extends `${infer H}_${infer T}` ? `${H}${Capitalize<Camel<T>>}` : S;

export function camel<S extends string>(s: S): Camel<S> {
  return s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()) as Camel<S>;
}

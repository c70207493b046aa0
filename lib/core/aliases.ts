// MXNet spellings: one table per namespace, applied to the objects at load and turned into
// declarations by the mapped type below, so no alias is written twice.

/** NDArray methods and properties: MXNet name -> ndgrad name. */
export const NDARRAY_ALIASES = {
  attach_grad: 'attachGrad',
  asscalar: 'asScalar',
  wait_to_read: 'waitToRead',
  copyto: 'copyTo',
  as_in_context: 'asInContext',
  tolist: 'toArray',
  // MXNet reads data with asnumpy(); here it gives the nested arrays (there is no NumPy).
  asnumpy: 'toArray',
  negative: 'neg',
  subtract: 'sub',
  multiply: 'mul',
  divide: 'div',
  power: 'pow',
  not_equal: 'notEqual',
  greater_equal: 'greaterEqual',
  lesser_equal: 'lesserEqual',
  broadcast_to: 'broadcastTo',
  expand_dims: 'expandDims',
  Flatten: 'flatten',
  log_softmax: 'logSoftmax',
  slice_axis: 'sliceAxis',
  flip: 'reverse',
} as const;

/** nd functions. */
export const ND_ALIASES = {
  plus: 'add',
  sub: 'subtract',
  mul: 'multiply',
  div: 'divide',
  pow: 'power',
  neg: 'negative',
  zeros_like: 'zerosLike',
  ones_like: 'onesLike',
  full_like: 'fullLike',
  broadcast_to: 'broadcastTo',
  expand_dims: 'expandDims',
  Flatten: 'flatten',
  log_softmax: 'logSoftmax',
  one_hot: 'oneHot',
  FullyConnected: 'fullyConnected',
  Convolution: 'convolution',
  Deconvolution: 'deconvolution',
  Dropout: 'dropout',
  Pooling: 'pooling',
  BatchNorm: 'batchNorm',
  LayerNorm: 'layerNorm',
  InstanceNorm: 'instanceNorm',
  GroupNorm: 'groupNorm',
  L2Normalization: 'l2Normalization',
  softmax_cross_entropy: 'softmaxCrossEntropy',
  not_equal: 'notEqual',
  greater_equal: 'greaterEqual',
  lesser_equal: 'lesserEqual',
  asscalar: 'asScalar',
  slice_axis: 'sliceAxis',
  batch_dot: 'batchDot',
  gather_nd: 'gatherNd',
  scatter_nd: 'scatterNd',
  flip: 'reverse',
  SliceChannel: 'split',
  copyto: 'copyTo',
  Reshape: 'reshape',
  Concat: 'concat',
  SwapAxis: 'swapaxes',
  Cast: 'astype',
  // MXNet's flat spellings of nd.linalg.
  linalg_gemm: 'linalg.gemm',
  linalg_gemm2: 'linalg.gemm2',
  linalg_syrk: 'linalg.syrk',
  linalg_trmm: 'linalg.trmm',
  linalg_trsm: 'linalg.trsm',
  linalg_potrf: 'linalg.potrf',
  linalg_potri: 'linalg.potri',
  linalg_sumlogdiag: 'linalg.sumlogdiag',
  linalg_extractdiag: 'linalg.extractdiag',
  linalg_makediag: 'linalg.makediag',
  linalg_inverse: 'linalg.inverse',
  linalg_det: 'linalg.det',
  linalg_slogdet: 'linalg.slogdet',
  linalg_gelqf: 'linalg.gelqf',
  linalg_syevd: 'linalg.syevd',
  // MXNet 1.x's flat spellings of the random draws: mx.nd.random_uniform(low, high, shape).
  random_uniform: 'random.uniform',
  random_normal: 'random.normal',
  random_randint: 'random.randint',
  // MXNet's same-shape spellings; they broadcast here like every binary op.
  elemwise_add: 'add',
  elemwise_sub: 'subtract',
  elemwise_mul: 'multiply',
  elemwise_div: 'divide',
  // MXNet's explicit broadcasting spellings of the binary ops (which always broadcast here).
  broadcast_add: 'add',
  broadcast_sub: 'subtract',
  broadcast_mul: 'multiply',
  broadcast_div: 'divide',
  broadcast_power: 'power',
  broadcast_mod: 'mod',
  broadcast_maximum: 'maximum',
  broadcast_minimum: 'minimum',
  broadcast_equal: 'equal',
  broadcast_not_equal: 'notEqual',
  broadcast_greater: 'greater',
  broadcast_greater_equal: 'greaterEqual',
  broadcast_lesser: 'lesser',
  broadcast_lesser_equal: 'lesserEqual',
  // The fused optimizer updates under MXNet's op names.
  sgd_update: 'sgdUpdate',
  sgd_mom_update: 'sgdMomUpdate',
  nag_mom_update: 'nagMomUpdate',
  adam_update: 'adamUpdate',
  adamw_update: 'adamwUpdate',
  rmsprop_update: 'rmspropUpdate',
  rmspropalex_update: 'rmspropalexUpdate',
  adagrad_update: 'adagradUpdate',
  signsgd_update: 'signsgdUpdate',
  signum_update: 'signumUpdate',
  lamb_update_phase1: 'lambUpdatePhase1',
  lamb_update_phase2: 'lambUpdatePhase2',
  ftrl_update: 'ftrlUpdate',
  multi_sgd_update: 'multiSgdUpdate',
  multi_sgd_mom_update: 'multiSgdMomUpdate',
  multi_adamw_update: 'multiAdamwUpdate',
  Activation: 'activation',
  LeakyReLU: 'leakyRelu',
  smooth_l1: 'smoothL1',
  add_n: 'addN',
  ElementWiseSum: 'addN',
  Embedding: 'embedding',
  SequenceMask: 'sequenceMask',
  Pad: 'pad',
  UpSampling: 'upSampling',
} as const;

/** autograd functions. */
export const AUTOGRAD_ALIASES = {
  is_recording: 'isRecording',
  is_training: 'isTraining',
  set_recording: 'setRecording',
  set_training: 'setTraining',
  train_mode: 'trainMode',
  predict_mode: 'predictMode',
  mark_variables: 'markVariables',
} as const;

/** The type of member `P` of T, where P may name a member of a member (`'random.uniform'`). */
type MemberAt<T, P> = P extends keyof T
  ? T[P]
  : P extends `${infer Head}.${infer Rest}`
    ? Head extends keyof T
      ? MemberAt<T[Head], Rest>
      : never
    : never;

export type Aliased<T, A extends Record<string, string>> = {
  readonly [K in keyof A]: MemberAt<T, A[K]>;
};

function memberAt(target: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((o, key) => (o !== null && typeof o === 'object' && key in o ? (o as Record<string, unknown>)[key] : undefined), target);
}

/** Defines each alias on target as a non-enumerable getter to the canonical member. */
export function applyAliases(target: object, table: Record<string, string>): void {
  for (const [alias, name] of Object.entries(table)) {
    if (!(name in target)) throw new Error(`ndgrad: alias ${alias} points at missing member ${name}`);
    Object.defineProperty(target, alias, {
      configurable: true,
      enumerable: false,
      get(this: Record<string, unknown>) {
        return this[name];
      },
    });
  }
}

/** A namespace object with the aliases added as plain properties. */
export function withAliases<T extends object, A extends Record<string, string>>(ns: T, table: A): T & Aliased<T, A> {
  const out: Record<string, unknown> = { ...(ns as Record<string, unknown>) };
  for (const [alias, name] of Object.entries(table)) {
    const member = memberAt(out, name);
    if (member === undefined) throw new Error(`ndgrad: alias ${alias} points at missing member ${name}`);
    out[alias] = member;
  }
  return out as T & Aliased<T, A>;
}

// gluon.nn normalization layers (MXNet 1.9's basic_layers.py): BatchNorm, LayerNorm,
// InstanceNorm, GroupNorm, each one nd call with its gamma and beta parameters.
import { readOptions } from '../../core/options';
import type { InitLike } from '../../init/initializer';
import { batchNorm, groupNorm, instanceNorm, layerNorm } from '../../nd/poolnorm';
import type { NDArray } from '../../ndarray';
import { BLOCK_OPTIONS, type BlockOptions, HybridBlock } from '../block';
import type { Parameter } from '../parameter';

export interface NormOptions extends BlockOptions {
  epsilon?: number;
  /** Add beta (else beta stays 0 and is not trained). */
  center?: boolean;
  /** Multiply by gamma (else gamma stays 1 and is not trained). */
  scale?: boolean;
  betaInitializer?: InitLike;
  gammaInitializer?: InitLike;
  /** 0: taken from the first input (deferred initialization). */
  inChannels?: number;
}

export interface BatchNormOptions extends NormOptions {
  axis?: number;
  momentum?: number;
  useGlobalStats?: boolean;
  runningMeanInitializer?: InitLike;
  runningVarianceInitializer?: InitLike;
}

const NORM_OPTIONS = {
  ...BLOCK_OPTIONS,
  epsilon: [],
  center: [],
  scale: [],
  betaInitializer: ['beta_initializer'],
  gammaInitializer: ['gamma_initializer'],
  inChannels: ['in_channels'],
};

const BATCH_NORM_OPTIONS = {
  ...NORM_OPTIONS,
  axis: [],
  momentum: [],
  useGlobalStats: ['use_global_stats'],
  runningMeanInitializer: ['running_mean_initializer'],
  runningVarianceInitializer: ['running_variance_initializer'],
};

/** gamma and beta of shape (n,), trained when scale / center. */
abstract class AffineNorm extends HybridBlock {
  gamma: Parameter;
  beta: Parameter;

  protected constructor(o: NormOptions, n: number, scaleDefault: boolean) {
    super({ prefix: o.prefix, params: o.params });
    const scale = o.scale ?? scaleDefault;
    const center = o.center ?? true;
    this.gamma = this.params.get('gamma', { shape: [n], init: o.gammaInitializer ?? 'ones', gradReq: scale ? 'write' : 'null', allowDeferredInit: true });
    this.beta = this.params.get('beta', { shape: [n], init: o.betaInitializer ?? 'zeros', gradReq: center ? 'write' : 'null', allowDeferredInit: true });
  }

  /** Fills the channel count from the input the first time (deferred initialization). */
  protected infer(n: number, ...params: Parameter[]): void {
    for (const p of [this.gamma, this.beta, ...params]) p.inferShape([n]);
  }
}

function axisOf(x: NDArray, axis: number, cls: string): number {
  const a = axis < 0 ? axis + x.ndim : axis;
  if (!Number.isInteger(a) || a < 0 || a >= x.ndim) throw new RangeError(`${cls}: axis ${axis} is out of range for an input with ${x.ndim} dimensions`);
  return a;
}

function inChannels(o: NormOptions, cls: string): number {
  const n = o.inChannels ?? 0;
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${cls}: inChannels must be a non-negative integer, got ${n}`);
  return n;
}

/**
 * Batch normalization over every axis but `axis`: batch statistics while autograd.isTraining()
 * (updating running_mean / running_var in place), the running ones otherwise.
 */
export class BatchNorm extends AffineNorm {
  runningMean: Parameter;
  runningVar: Parameter;
  private readonly kwargs: { axis: number; eps: number; momentum: number; fixGamma: boolean; useGlobalStats: boolean };

  constructor(opts: BatchNormOptions = {}) {
    const o = readOptions('BatchNorm', opts, BATCH_NORM_OPTIONS) as BatchNormOptions;
    const n = inChannels(o, 'BatchNorm');
    super(o, n, true);
    this.kwargs = { axis: o.axis ?? 1, eps: o.epsilon ?? 1e-5, momentum: o.momentum ?? 0.9, fixGamma: !(o.scale ?? true), useGlobalStats: o.useGlobalStats ?? false };
    const stat = { shape: [n], gradReq: 'null' as const, differentiable: false, allowDeferredInit: true };
    this.runningMean = this.params.get('running_mean', { ...stat, init: o.runningMeanInitializer ?? 'zeros' });
    this.runningVar = this.params.get('running_var', { ...stat, init: o.runningVarianceInitializer ?? 'ones' });
  }

  forward(x: NDArray): NDArray {
    this.infer(x.shape[axisOf(x, this.kwargs.axis, 'BatchNorm')], this.runningMean, this.runningVar);
    return batchNorm(x, this.gamma.data(), this.beta.data(), this.runningMean.data(), this.runningVar.data(), this.kwargs) as NDArray;
  }

  toString(): string {
    const k = this.kwargs;
    return `BatchNorm(axis=${k.axis}, eps=${k.eps}, momentum=${k.momentum}, fix_gamma=${k.fixGamma ? 'True' : 'False'}, use_global_stats=${k.useGlobalStats ? 'True' : 'False'}, in_channels=${this.gamma.shape?.[0] || 'None'})`;
  }
}

/** Normalizes each sample over `axis` (default the last), then gamma * x + beta. */
export class LayerNorm extends AffineNorm {
  private readonly axis: number;
  private readonly eps: number;

  constructor(opts: NormOptions & { axis?: number } = {}) {
    const o = readOptions('LayerNorm', opts, { ...NORM_OPTIONS, axis: [] }) as NormOptions & { axis?: number };
    super(o, inChannels(o, 'LayerNorm'), true);
    this.axis = o.axis ?? -1;
    this.eps = o.epsilon ?? 1e-5;
  }

  forward(x: NDArray): NDArray {
    this.infer(x.shape[axisOf(x, this.axis, 'LayerNorm')]);
    return layerNorm(x, this.gamma.data(), this.beta.data(), { axis: this.axis, eps: this.eps }) as NDArray;
  }
}

/** Normalizes each sample's channels separately over their spatial axes; scale defaults to false (MXNet). */
export class InstanceNorm extends AffineNorm {
  private readonly axis: number;
  private readonly eps: number;

  constructor(opts: NormOptions & { axis?: number } = {}) {
    const o = readOptions('InstanceNorm', opts, { ...NORM_OPTIONS, axis: [] }) as NormOptions & { axis?: number };
    super(o, inChannels(o, 'InstanceNorm'), false);
    this.axis = o.axis ?? 1;
    this.eps = o.epsilon ?? 1e-5;
  }

  forward(x: NDArray): NDArray {
    const axis = axisOf(x, this.axis, 'InstanceNorm');
    this.infer(x.shape[axis]);
    if (axis === 1) return instanceNorm(x, this.gamma.data(), this.beta.data(), { eps: this.eps });
    return instanceNorm(x.swapaxes(1, axis), this.gamma.data(), this.beta.data(), { eps: this.eps }).swapaxes(1, axis);
  }
}

/** Normalizes each sample over groups of channels; gamma and beta have one value per group (MXNet 1.9). */
export class GroupNorm extends AffineNorm {
  private readonly numGroups: number;
  private readonly eps: number;

  constructor(opts: NormOptions & { numGroups?: number } = {}) {
    const o = readOptions('GroupNorm', opts, { ...NORM_OPTIONS, numGroups: ['num_groups'] }) as NormOptions & { numGroups?: number };
    const groups = o.numGroups ?? 1;
    if (!Number.isInteger(groups) || groups <= 0) throw new RangeError(`GroupNorm: numGroups must be a positive integer, got ${groups}`);
    super(o, groups, true);
    this.numGroups = groups;
    this.eps = o.epsilon ?? 1e-5;
  }

  forward(x: NDArray): NDArray {
    return groupNorm(x, this.gamma.data(), this.beta.data(), { numGroups: this.numGroups, eps: this.eps }) as NDArray;
  }
}

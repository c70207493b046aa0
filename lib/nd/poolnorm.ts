// Pooling and the normalizations as nd functions (MXNet's Pooling, BatchNorm, LayerNorm,
// InstanceNorm, GroupNorm, L2Normalization). Options go to the ops' field tables as given
// (camelCase or MXNet's snake_case); only the flags that choose what comes back are read here.
import { isRecording, isTraining } from '../autograd';
import { describe, invoke, invokeMulti, requireArray } from '../core/dispatch';
import type { NDArray } from '../ndarray';

type Options = Record<string, unknown>;

export interface PoolingOptions {
  kernel?: number | number[];
  poolType?: 'max' | 'avg' | 'sum' | 'lp';
  globalPool?: boolean;
  poolingConvention?: 'valid' | 'full';
  stride?: number | number[];
  pad?: number | number[];
  pValue?: number;
  countIncludePad?: boolean;
}

export interface BatchNormOptions {
  eps?: number;
  momentum?: number;
  fixGamma?: boolean;
  useGlobalStats?: boolean;
  outputMeanVar?: boolean;
  axis?: number;
}

export interface LayerNormOptions {
  axis?: number;
  eps?: number;
  outputMeanVar?: boolean;
}

export interface GroupNormOptions {
  numGroups?: number;
  eps?: number;
  outputMeanVar?: boolean;
}

export interface L2NormalizationOptions {
  eps?: number;
  mode?: 'instance' | 'channel' | 'spatial';
}

function optionsObject(fn: string, opts: unknown): Options {
  if (opts === undefined || opts === null) return {};
  if (typeof opts !== 'object' || Array.isArray(opts)) throw new TypeError(`${fn}: options must be an object, got ${describe(opts)}`);
  return opts as Options;
}

/** A boolean option under either spelling (the op's field table has checked its type). */
function flag(opts: Options, camel: string, snake: string): boolean {
  return (opts[camel] ?? opts[snake]) === true;
}

/** Pools each (N, C) plane over its 1 to 3 spatial axes. */
export function pooling(x: NDArray, opts?: PoolingOptions): NDArray {
  requireArray(x, 'pooling', 'data');
  const o = optionsObject('pooling', opts);
  if (isRecording() && o.out !== undefined && o.out !== null) {
    // Recording, max pooling has a second result (its index, docs/operators.md), which `out`
    // cannot take: pool, then copy into out (recorded, so the gradient flows).
    const { out, ...rest } = o;
    return invoke('copy', [invokeMulti('pooling', [x], rest)[0]], { out });
  }
  return invokeMulti('pooling', [x], o)[0];
}

/**
 * Normalizes over every axis but `axis` with the batch's statistics while autograd.isTraining()
 * (and not useGlobalStats), updating movingMean and movingVar in place; otherwise with the moving
 * statistics. outputMeanVar: returns [y, mean, var].
 */
export function batchNorm(
  x: NDArray,
  gamma: NDArray,
  beta: NDArray,
  movingMean: NDArray,
  movingVar: NDArray,
  opts?: BatchNormOptions,
): NDArray | NDArray[] {
  const o = optionsObject('batchNorm', opts);
  requireArray(x, 'batchNorm', 'data');
  requireArray(gamma, 'batchNorm', 'gamma');
  requireArray(beta, 'batchNorm', 'beta');
  requireArray(movingMean, 'batchNorm', 'movingMean');
  requireArray(movingVar, 'batchNorm', 'movingVar');
  const batchStats = isTraining() && !flag(o, 'useGlobalStats', 'use_global_stats');
  const { use_global_stats: _snake, ...rest } = o;
  // With batch statistics the op does not read the moving ones; it gets copies (C elements) so
  // that the update below does not touch arrays its recorded node saved.
  const moving = batchStats ? [movingMean.copy(), movingVar.copy()] : [movingMean, movingVar];
  const outs = invokeMulti('batch_norm', [x, gamma, beta, ...moving], { ...rest, useGlobalStats: !batchStats });
  if (batchStats) {
    const momentum = { momentum: o.momentum ?? 0.9 };
    invokeMulti('moving_average_update', [movingMean, outs[1]], momentum);
    invokeMulti('moving_average_update', [movingVar, outs[2]], momentum);
  }
  return flag(o, 'outputMeanVar', 'output_mean_var') ? outs : outs[0];
}

/** The call of a normalization with gamma and beta: [y, mean, std] when outputMeanVar, else y. */
function affineNorm(fn: string, op: 'layer_norm' | 'instance_norm' | 'group_norm', x: NDArray, gamma: NDArray, beta: NDArray, opts: unknown): NDArray | NDArray[] {
  const o = optionsObject(fn, opts);
  requireArray(x, fn, 'data');
  requireArray(gamma, fn, 'gamma');
  requireArray(beta, fn, 'beta');
  const outs = invokeMulti(op, [x, gamma, beta], o);
  return flag(o, 'outputMeanVar', 'output_mean_var') ? outs : outs[0];
}

/** Normalizes along `axis` (default the last); outputMeanVar: returns [y, mean, std]. */
export function layerNorm(x: NDArray, gamma: NDArray, beta: NDArray, opts?: LayerNormOptions): NDArray | NDArray[] {
  return affineNorm('layerNorm', 'layer_norm', x, gamma, beta, opts);
}

/** Normalizes each (n, c) plane; gamma and beta have one entry per channel. */
export function instanceNorm(x: NDArray, gamma: NDArray, beta: NDArray, opts?: { eps?: number }): NDArray {
  return affineNorm('instanceNorm', 'instance_norm', x, gamma, beta, opts) as NDArray;
}

/**
 * Normalizes each group of C / numGroups channels of each sample; gamma and beta have one entry
 * per group (MXNet 1.9). outputMeanVar: returns [y, mean, std], each (N, numGroups).
 */
export function groupNorm(x: NDArray, gamma: NDArray, beta: NDArray, opts?: GroupNormOptions): NDArray | NDArray[] {
  return affineNorm('groupNorm', 'group_norm', x, gamma, beta, opts);
}

/** x / sqrt(sum x^2 + eps) per sample ('instance'), per position across channels ('channel'), or per channel ('spatial'). */
export function l2Normalization(x: NDArray, opts?: L2NormalizationOptions): NDArray {
  requireArray(x, 'l2Normalization', 'data');
  return invokeMulti('l2_normalization', [x], optionsObject('l2Normalization', opts))[0];
}

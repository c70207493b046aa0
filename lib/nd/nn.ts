// Neural-network ops as nd functions: softmax and its log, pick, oneHot, dropout,
// fullyConnected and softmaxCrossEntropy.
import { describe, invoke, invokeMulti, requireArray } from '../core/dispatch';
import type { DType } from '../core/dtype';
import { NDArray, type SoftmaxOptions } from '../ndarray';
import { readOptions } from '../core/options';
import { checkBiasMatchesNoBias } from './bias';

export function softmax(x: NDArray, opts?: SoftmaxOptions | number): NDArray {
  requireArray(x, 'softmax', 'x');
  return x.softmax(opts);
}

export function logSoftmax(x: NDArray, opts?: SoftmaxOptions | number): NDArray {
  requireArray(x, 'logSoftmax', 'x');
  return x.logSoftmax(opts);
}

export function pick(x: NDArray, index: NDArray, opts?: { axis?: number; keepdims?: boolean } | number): NDArray {
  requireArray(x, 'pick', 'data');
  return x.pick(index, opts);
}

export interface OneHotOptions {
  onValue?: number;
  offValue?: number;
  dtype?: DType;
}

/** indices.shape + [depth]: onValue at each index, offValue elsewhere (out-of-range rows: all off). */
export function oneHot(indices: NDArray, depth: number, opts: OneHotOptions = {}): NDArray {
  requireArray(indices, 'oneHot', 'indices');
  indices._dims('oneHot');
  if (typeof depth !== 'number') throw new TypeError(`oneHot: depth must be an integer, got ${describe(depth)}`);
  return invoke('one_hot', [indices], { ...opts, depth });
}

/**
 * While autograd.isTraining(), zeroes each element with probability p and scales the rest by
 * 1 / (1 - p); otherwise returns a copy of x. Draws from the seeded stream (mx.random.seed).
 */
export function dropout(x: NDArray, opts: { p?: number } = {}): NDArray {
  requireArray(x, 'dropout', 'x');
  return invokeMulti('dropout', [x], opts)[0];
}

export interface FullyConnectedOptions {
  numHidden?: number;
  noBias?: boolean;
  flatten?: boolean;
}

const FC_OPTIONS = { numHidden: ['num_hidden'], noBias: ['no_bias'], flatten: [] };

/**
 * y = flatten(x) . weight^T + bias (MXNet FullyConnected). With flatten = false the last axis of
 * x is contracted instead. One registry op, the bias added in the product's output pass.
 */
export function fullyConnected(x: NDArray, weight: NDArray, opts?: FullyConnectedOptions): NDArray;
export function fullyConnected(x: NDArray, weight: NDArray, bias?: NDArray | null, opts?: FullyConnectedOptions): NDArray;
export function fullyConnected(
  x: NDArray,
  weight: NDArray,
  biasOrOpts?: NDArray | FullyConnectedOptions | null,
  opts: FullyConnectedOptions = {},
): NDArray {
  requireArray(x, 'fullyConnected', 'data');
  requireArray(weight, 'fullyConnected', 'weight');
  let bias = biasOrOpts as NDArray | null | undefined;
  if (biasOrOpts !== null && typeof biasOrOpts === 'object' && !(biasOrOpts instanceof NDArray)) {
    opts = biasOrOpts;
    bias = undefined;
  }
  const { numHidden, noBias, flatten = true } = readOptions('fullyConnected', opts, FC_OPTIONS) as FullyConnectedOptions;
  const wShape = weight.shape;
  if (wShape.length !== 2) throw new RangeError(`fullyConnected: weight must be 2-D (numHidden, inputDim), got (${wShape.join(',')})`);
  if (numHidden !== undefined && numHidden !== wShape[0]) {
    throw new RangeError(`fullyConnected: numHidden ${numHidden} does not match weight rows ${wShape[0]}`);
  }
  const useBias = bias !== undefined && bias !== null;
  if (useBias) requireArray(bias, 'fullyConnected', 'bias');
  checkBiasMatchesNoBias('fullyConnected', noBias, useBias);
  // The op takes (batch, k) data: flatten folds the trailing axes into k, otherwise the leading
  // axes are folded into the batch and restored after.
  let data = x;
  if (x.ndim !== 2) data = flatten ? x.reshape([x.shape[0], -1]) : x.reshape([-1, x.shape[x.ndim - 1]]);
  const y = invoke('fully_connected', useBias ? [data, weight, bias as NDArray] : [data, weight]);
  return flatten || x.ndim === 2 ? y : y.reshape([...x.shape.slice(0, -1), wShape[0]]);
}

/** MXNet softmax_cross_entropy: -sum over the batch of log softmax(logits)[label], shape [1]. */
export function softmaxCrossEntropy(logits: NDArray, labels: NDArray): NDArray {
  requireArray(logits, 'softmaxCrossEntropy', 'data');
  requireArray(labels, 'softmaxCrossEntropy', 'label');
  return invoke('softmax_ce_loss', [logits, labels]).sum();
}

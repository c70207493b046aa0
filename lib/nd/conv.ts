// Convolution family as nd functions (MXNet's Convolution and Deconvolution). The options go to
// the registry ops' field tables as they are (MXNet's snake_case spellings included); only the
// bias is resolved here: a left-out bias means noBias.
import { invoke, requireArray } from '../core/dispatch';
import { checkBiasMatchesNoBias } from './bias';
import { NDArray } from '../ndarray';

/** One number for every spatial axis, or one per axis. */
export type ConvTuple = number | number[];

export interface ConvolutionOptions {
  kernel: ConvTuple;
  numFilter: number;
  stride?: ConvTuple;
  dilate?: ConvTuple;
  pad?: ConvTuple;
  numGroup?: number;
  noBias?: boolean;
  layout?: 'NCW' | 'NCHW' | 'NCDHW' | null;
  [mxnetSpelling: string]: unknown;
}

export interface DeconvolutionOptions extends ConvolutionOptions {
  adj?: ConvTuple;
  targetShape?: ConvTuple;
}

type Op = 'convolution' | 'deconvolution';

function call(op: Op, x: NDArray, weight: NDArray, biasOrOpts: unknown, maybeOpts: unknown): NDArray {
  requireArray(x, op, 'data');
  requireArray(weight, op, 'weight');
  let bias: NDArray | undefined;
  let opts: unknown = maybeOpts;
  if (biasOrOpts instanceof NDArray) bias = biasOrOpts;
  else if (biasOrOpts === undefined || biasOrOpts === null) opts = maybeOpts;
  else if (maybeOpts === undefined) opts = biasOrOpts;
  else requireArray(biasOrOpts, op, 'bias');
  if (opts === undefined || opts === null || typeof opts !== 'object' || Array.isArray(opts)) {
    throw new TypeError(`${op}: options { kernel, numFilter, ... } are required`);
  }
  const given = opts as Record<string, unknown>;
  checkBiasMatchesNoBias(op, given.noBias ?? given.no_bias, bias !== undefined);
  const rest = { ...given };
  delete rest.noBias;
  delete rest.no_bias;
  const inputs = bias === undefined ? [x, weight] : [x, weight, bias];
  return invoke(op, inputs, { ...rest, noBias: bias === undefined });
}

/**
 * Cross-correlation of `x` (NCW, NCHW or NCDHW) with `weight` [numFilter, C / numGroup, ...kernel],
 * plus `bias` [numFilter] when given. Output extent floor((n + 2 pad - dilate (kernel - 1) - 1) / stride) + 1.
 */
export function convolution(x: NDArray, weight: NDArray, opts: ConvolutionOptions): NDArray;
export function convolution(x: NDArray, weight: NDArray, bias: NDArray | null | undefined, opts: ConvolutionOptions): NDArray;
export function convolution(x: NDArray, weight: NDArray, biasOrOpts: unknown, opts?: unknown): NDArray {
  return call('convolution', x, weight, biasOrOpts, opts);
}

/**
 * The transposed convolution (the gradient of `convolution` with respect to its data): `x`
 * [N, C, ...], `weight` [C, numFilter / numGroup, ...kernel], output extent
 * stride (n - 1) + dilate (kernel - 1) + 1 - 2 pad + adj, or `targetShape`.
 */
export function deconvolution(x: NDArray, weight: NDArray, opts: DeconvolutionOptions): NDArray;
export function deconvolution(x: NDArray, weight: NDArray, bias: NDArray | null | undefined, opts: DeconvolutionOptions): NDArray;
export function deconvolution(x: NDArray, weight: NDArray, biasOrOpts: unknown, opts?: unknown): NDArray {
  return call('deconvolution', x, weight, biasOrOpts, opts);
}

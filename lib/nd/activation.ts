// Activations, elementwise additions, embedding, sequence masks, padding and upsampling as nd
// functions (MXNet Activation, LeakyReLU, smooth_l1, add_n, Embedding, SequenceMask, Pad,
// UpSampling). Options also take MXNet's snake_case keys (act_type, pad_width, ...).
import { describe, invoke, invokeMulti, requireArray } from '../core/dispatch';
import { readOptions } from '../core/options';
import { NDArray } from '../ndarray';
import { deconvolution } from './conv';

export interface ActivationOptions {
  actType: 'relu' | 'sigmoid' | 'tanh' | 'softrelu' | 'softsign';
}

/** MXNet Activation: relu (NaN passes through, with a NaN gradient), sigmoid, tanh, softrelu, softsign. */
export function activation(x: NDArray, opts: ActivationOptions): NDArray {
  requireArray(x, 'activation', 'data');
  return invoke('activation', [x], opts as unknown as Record<string, unknown>);
}

export interface LeakyReluOptions {
  actType?: 'leaky' | 'prelu' | 'rrelu' | 'elu' | 'selu' | 'gelu';
  slope?: number;
  lowerBound?: number;
  upperBound?: number;
}

/**
 * MXNet LeakyReLU. 'leaky': slope x below zero; 'elu': slope (exp(x) - 1); 'selu'; 'gelu' (exact,
 * with erf); 'prelu': the learned `gamma`, one slope per channel (axis 1); 'rrelu': a slope per
 * element from U[lowerBound, upperBound) while autograd.isTraining(), their mean otherwise.
 */
export function leakyRelu(x: NDArray, opts?: LeakyReluOptions): NDArray;
export function leakyRelu(x: NDArray, gamma: NDArray | null | undefined, opts?: LeakyReluOptions): NDArray;
export function leakyRelu(x: NDArray, gammaOrOpts?: NDArray | LeakyReluOptions | null, opts?: LeakyReluOptions): NDArray {
  requireArray(x, 'leakyRelu', 'data');
  const inputs = [x];
  if (gammaOrOpts instanceof NDArray) inputs.push(gammaOrOpts);
  else if (gammaOrOpts !== undefined && gammaOrOpts !== null) opts = gammaOrOpts;
  return invokeMulti('leaky_relu', inputs, opts as Record<string, unknown> | undefined)[0];
}

/** 0.5 (scalar x)^2 where |x| < 1/scalar^2, |x| - 0.5/scalar^2 elsewhere (MXNet smooth_l1). */
export function smoothL1(x: NDArray, opts?: { scalar?: number }): NDArray {
  requireArray(x, 'smoothL1', 'data');
  return invoke('smooth_l1', [x], opts);
}

/** The elementwise sum of arrays of one shape and dtype (MXNet add_n / ElementWiseSum). */
export function addN(...arrays: (NDArray | NDArray[])[]): NDArray {
  const list = arrays.length === 1 && Array.isArray(arrays[0]) ? arrays[0] : arrays;
  list.forEach((a, i) => requireArray(a, 'addN', `arrays[${i}]`));
  return invoke('add_n', list as NDArray[]);
}

export interface EmbeddingOptions {
  inputDim: number;
  outputDim: number;
}

/**
 * Rows of weight (inputDim, outputDim) picked by indices: shape [...indices.shape, outputDim].
 * Indices are truncated and clipped to [0, inputDim - 1] (MXNet); the weight gradient adds up the
 * gradient rows of repeated indices.
 */
export function embedding(indices: NDArray, weight: NDArray, opts: EmbeddingOptions): NDArray {
  requireArray(indices, 'embedding', 'data');
  requireArray(weight, 'embedding', 'weight');
  return invoke('embedding', [indices, weight], opts as unknown as Record<string, unknown>);
}

export interface SequenceMaskOptions {
  useSequenceLength?: boolean;
  value?: number;
  axis?: 0 | 1;
}

/**
 * Writes `value` at the steps of each sequence at or past its length: data (time, batch, ...)
 * for axis 0, (batch, time, ...) for axis 1; sequenceLength has one length per batch entry and is
 * read only with useSequenceLength (MXNet).
 */
export function sequenceMask(x: NDArray, opts?: SequenceMaskOptions): NDArray;
export function sequenceMask(x: NDArray, sequenceLength: NDArray | null | undefined, opts?: SequenceMaskOptions): NDArray;
export function sequenceMask(
  x: NDArray,
  lengthOrOpts?: NDArray | SequenceMaskOptions | null,
  opts?: SequenceMaskOptions,
): NDArray {
  requireArray(x, 'sequenceMask', 'data');
  const inputs = [x];
  if (lengthOrOpts instanceof NDArray) inputs.push(lengthOrOpts);
  else if (lengthOrOpts !== undefined && lengthOrOpts !== null) opts = lengthOrOpts;
  return invoke('sequence_mask', inputs, opts as Record<string, unknown> | undefined);
}

export interface PadOptions {
  mode?: 'constant' | 'edge' | 'reflect';
  /** (before, after) per axis, flattened; 4-D or 5-D data, zero on the first two axes (MXNet). */
  padWidth: number[];
  constantValue?: number;
}

/** numpy.pad's constant, edge and reflect modes on the spatial axes of 4-D and 5-D data (MXNet Pad). */
export function pad(x: NDArray, opts: PadOptions): NDArray {
  requireArray(x, 'pad', 'data');
  if (opts === null || typeof opts !== 'object') throw new TypeError(`pad: options must be an object with padWidth, got ${describe(opts)}`);
  return invoke('pad', [x], opts as unknown as Record<string, unknown>);
}

export interface UpSamplingOptions {
  scale: number;
  sampleType?: 'nearest' | 'bilinear';
  /** bilinear: the channel count (MXNet's num_filter). */
  numFilter?: number;
  /** 1 for nearest; bilinear: 2 (data and weight), as MXNet counts them. */
  numArgs?: number;
}

const BILINEAR_OPTIONS = {
  scale: [],
  sampleType: ['sample_type'],
  numFilter: ['num_filter'],
  numArgs: ['num_args'],
  multiInputMode: ['multi_input_mode'],
  workspace: [],
};

/**
 * MXNet UpSampling of (batch, channel, height, width) by an integer scale: nearest neighbour, or
 * bilinear with a weight (channel, 1, k, k), k = 2 scale - scale % 2, which is MXNet's
 * computation: a depthwise deconvolution with stride scale and padding ceil((scale - 1) / 2)
 * (the weight usually holds the bilinear kernel, init.Bilinear in MXNet).
 */
export function upSampling(x: NDArray, opts: UpSamplingOptions): NDArray;
export function upSampling(x: NDArray, weight: NDArray, opts: UpSamplingOptions): NDArray;
export function upSampling(x: NDArray, weightOrOpts: NDArray | UpSamplingOptions, maybeOpts?: UpSamplingOptions): NDArray {
  requireArray(x, 'upSampling', 'data');
  if (!(weightOrOpts instanceof NDArray)) {
    const o = (weightOrOpts ?? {}) as unknown as Record<string, unknown>;
    if ((o.sampleType ?? o.sample_type) === 'bilinear') {
      throw new TypeError("upSampling: sampleType 'bilinear' takes a weight input: nd.upSampling(x, weight, { scale, sampleType: 'bilinear', numFilter })");
    }
    return invoke('up_sampling', [x], o);
  }
  const o = readOptions('upSampling', maybeOpts, BILINEAR_OPTIONS) as unknown as UpSamplingOptions;
  if (o.sampleType !== 'bilinear') throw new TypeError(`upSampling: a weight input is for sampleType 'bilinear', got sampleType ${String(o.sampleType)}`);
  const scale = o.scale;
  if (!Number.isInteger(scale) || scale < 1) throw new RangeError(`upSampling: scale must be a positive integer, got ${String(scale)}`);
  if (x.ndim !== 4) throw new RangeError(`upSampling: data must be (batch, channel, height, width), got shape (${x.shape.join(', ')})`);
  const channels = x.shape[1]!;
  if (o.numFilter !== channels) throw new RangeError(`upSampling: numFilter must be the channel count ${channels} for bilinear, got ${String(o.numFilter)}`);
  if (o.numArgs !== undefined && o.numArgs !== 2) throw new RangeError(`upSampling: numArgs must be 2 for bilinear (data and weight), got ${String(o.numArgs)}`);
  const k = 2 * scale - (scale % 2);
  const pad = Math.ceil((scale - 1) / 2);
  return deconvolution(x, weightOrOpts, { kernel: [k, k], stride: [scale, scale], pad: [pad, pad], numFilter: channels, numGroup: channels, noBias: true });
}

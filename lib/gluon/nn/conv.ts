// gluon.nn convolution layers (MXNet 1.9's conv_layers.py): Conv1D/2D/3D and their transposes,
// one nd.convolution / nd.deconvolution call each, with an optional activation; a convolution
// with activation 'relu' is the one op convolution_relu.
import type { DType } from '../../core/dtype';
import { describe, invoke, requireArray } from '../../core/dispatch';
import { readOptions } from '../../core/options';
import type { InitLike } from '../../init/initializer';
import { convolution, deconvolution } from '../../nd/conv';
import type { NDArray } from '../../ndarray';
import { BLOCK_OPTIONS, type BlockOptions, HybridBlock } from '../block';
import type { Parameter } from '../parameter';
import { Activation, type ActivationName } from './activations';

type Tuple = number | number[];

export interface ConvOptions extends BlockOptions {
  strides?: Tuple;
  padding?: Tuple;
  dilation?: Tuple;
  groups?: number;
  /** Channels first only: 'NCW', 'NCHW', 'NCDHW'. */
  layout?: string;
  activation?: ActivationName | null;
  useBias?: boolean;
  weightInitializer?: InitLike | null;
  biasInitializer?: InitLike;
  /** 0: taken from the first input (deferred initialization). */
  inChannels?: number;
  dtype?: DType;
}

export interface ConvTransposeOptions extends ConvOptions {
  /** Extra size added to one side of each output axis (MXNet's adj). */
  outputPadding?: Tuple;
}

const CONV_OPTIONS = {
  ...BLOCK_OPTIONS,
  strides: [],
  padding: [],
  dilation: [],
  groups: [],
  layout: [],
  activation: [],
  useBias: ['use_bias'],
  weightInitializer: ['weight_initializer'],
  biasInitializer: ['bias_initializer'],
  inChannels: ['in_channels'],
  dtype: [],
};

const LAYOUTS = ['NCW', 'NCHW', 'NCDHW'];

/** A value for a message: numbers as written, anything else by its kind. */
function show(v: unknown): string {
  return typeof v === 'number' ? String(v) : describe(v);
}

function tuple(v: Tuple, dims: number, cls: string, key: string, min: number): number[] {
  const list = typeof v === 'number' ? new Array<number>(dims).fill(v) : v;
  if (!Array.isArray(list) || list.length !== dims || !list.every((d) => Number.isInteger(d) && d >= min)) {
    throw new TypeError(`${cls}: ${key} must be an integer >= ${min} or a list of ${dims} of them, got ${describe(v)}`);
  }
  return [...list];
}

abstract class Conv extends HybridBlock {
  readonly channels: number;
  weight: Parameter;
  bias: Parameter | null;
  act: Activation | null;
  protected readonly kwargs: Record<string, unknown>;
  private readonly transpose: boolean;
  private readonly groups: number;
  private readonly kernel: number[];

  protected constructor(cls: string, dims: number, transpose: boolean, channels: number, kernelSize: Tuple, opts: unknown) {
    const o = readOptions(cls, opts ?? {}, transpose ? { ...CONV_OPTIONS, outputPadding: ['output_padding'] } : CONV_OPTIONS) as ConvTransposeOptions;
    super({ prefix: o.prefix, params: o.params });
    if (!Number.isInteger(channels) || channels <= 0) throw new RangeError(`${cls}: channels must be a positive integer, got ${show(channels)}`);
    const layout = o.layout ?? LAYOUTS[dims - 1];
    if (layout !== LAYOUTS[dims - 1]) throw new RangeError(`${cls}: layout must be '${LAYOUTS[dims - 1]}' (channels first), got '${layout}'`);
    const groups = o.groups ?? 1;
    if (!Number.isInteger(groups) || groups <= 0) throw new RangeError(`${cls}: groups must be a positive integer, got ${show(groups)}`);
    const inChannels = o.inChannels ?? 0;
    if (!Number.isInteger(inChannels) || inChannels < 0) throw new RangeError(`${cls}: inChannels must be a non-negative integer, got ${show(inChannels)}`);
    this.channels = channels;
    this.transpose = transpose;
    this.groups = groups;
    this.kernel = tuple(kernelSize, dims, cls, 'kernelSize', 1);
    const useBias = o.useBias ?? true;
    this.kwargs = {
      kernel: this.kernel,
      stride: tuple(o.strides ?? 1, dims, cls, 'strides', 1),
      dilate: tuple(o.dilation ?? 1, dims, cls, 'dilation', 1),
      pad: tuple(o.padding ?? 0, dims, cls, 'padding', 0),
      numFilter: channels,
      numGroup: groups,
      noBias: !useBias,
    };
    if (transpose) this.kwargs.adj = tuple(o.outputPadding ?? 0, dims, cls, 'outputPadding', 0);
    const dtype = o.dtype ?? 'float32';
    this.weight = this.params.get('weight', { shape: this.weightShape(inChannels), init: o.weightInitializer ?? null, dtype, allowDeferredInit: true });
    this.bias = useBias ? this.params.get('bias', { shape: [channels], init: o.biasInitializer ?? 'zeros', dtype, allowDeferredInit: true }) : null;
    this.act = o.activation ? this.nameScope(() => new Activation(o.activation!, { prefix: `${o.activation}_` })) : null;
  }

  /** MXNet's weight layouts: (channels, in / groups, ...kernel), transposed (in, channels / groups, ...kernel). */
  private weightShape(inChannels: number): number[] {
    return this.transpose
      ? [inChannels, this.channels / this.groups, ...this.kernel]
      : [this.channels, inChannels / this.groups, ...this.kernel];
  }

  /** MXNet's _alias: every convolution layer's prefix is conv<N>_. */
  protected alias(): string {
    return 'conv';
  }

  forward(x: NDArray): NDArray {
    if (x.ndim >= 2) this.weight.inferShape(this.weightShape(x.shape[1]));
    if (!this.transpose && this.act?.actType === 'relu') {
      // one op, relu applied in the convolution's output pass (docs/operators.md, Convolution)
      requireArray(x, 'convolution', 'data');
      const w = this.weight.data();
      return invoke('convolution_relu', this.bias ? [x, w, this.bias.data()] : [x, w], this.kwargs);
    }
    const op = this.transpose ? deconvolution : convolution;
    const y = op(x, this.weight.data(), this.bias ? this.bias.data() : null, this.kwargs as never);
    return this.act ? this.act.forward(y) : y;
  }

  toString(): string {
    const shape = this.weight.shape ?? [];
    const inC = this.transpose ? shape[0] : (shape[1] ?? 0) * this.groups;
    const k = this.kwargs;
    return `${this.constructor.name}(${inC || 'None'} -> ${this.channels}, kernel_size=(${this.kernel.join(', ')}), stride=(${(k.stride as number[]).join(', ')})${this.act ? `, ${this.act}` : ''})`;
  }
}

type ConvClass<O> = new (channels: number, kernelSize: Tuple, opts?: O) => Conv;

function convClass<O>(name: string, dims: number, transpose: boolean): ConvClass<O> {
  const cls = class extends Conv {
    constructor(channels: number, kernelSize: Tuple, opts?: O) {
      super(name, dims, transpose, channels, kernelSize, opts);
    }
  };
  Object.defineProperty(cls, 'name', { value: name });
  return cls;
}

export const Conv1D: ConvClass<ConvOptions> = convClass('Conv1D', 1, false);
export const Conv2D: ConvClass<ConvOptions> = convClass('Conv2D', 2, false);
export const Conv3D: ConvClass<ConvOptions> = convClass('Conv3D', 3, false);
export const Conv1DTranspose: ConvClass<ConvTransposeOptions> = convClass('Conv1DTranspose', 1, true);
export const Conv2DTranspose: ConvClass<ConvTransposeOptions> = convClass('Conv2DTranspose', 2, true);
export const Conv3DTranspose: ConvClass<ConvTransposeOptions> = convClass('Conv3DTranspose', 3, true);

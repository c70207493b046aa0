// gluon.nn.Dense: MXNet's fully connected layer, y = act(x . W^T + b), W of shape (units, inUnits).
import type { DType } from '../../core/dtype';
import { readOptions } from '../../core/options';
import type { InitLike } from '../../init/initializer';
import { fullyConnected } from '../../nd/nn';
import type { NDArray } from '../../ndarray';
import { HybridBlock, BLOCK_OPTIONS, type BlockOptions } from '../block';
import type { Parameter } from '../parameter';
import { Activation, type ActivationName } from './activations';

export interface DenseOptions extends BlockOptions {
  activation?: ActivationName | null;
  useBias?: boolean;
  /** Flatten all axes but the first (true) or contract only the last axis (false). */
  flatten?: boolean;
  dtype?: DType;
  weightInitializer?: InitLike | null;
  biasInitializer?: InitLike;
  /** 0: taken from the first input (deferred initialization). */
  inUnits?: number;
}

const DENSE_OPTIONS = {
  ...BLOCK_OPTIONS,
  activation: [],
  useBias: ['use_bias'],
  flatten: [],
  dtype: [],
  weightInitializer: ['weight_initializer'],
  biasInitializer: ['bias_initializer'],
  inUnits: ['in_units'],
};

export class Dense extends HybridBlock {
  readonly units: number;
  readonly flatten: boolean;
  weight: Parameter;
  bias: Parameter | null;
  act: Activation | null;

  constructor(units: number, opts: DenseOptions = {}) {
    const o = readOptions('Dense', opts, DENSE_OPTIONS) as DenseOptions;
    super({ prefix: o.prefix, params: o.params });
    if (!Number.isInteger(units) || units <= 0) throw new RangeError(`Dense: units must be a positive integer, got ${units}`);
    const inUnits = o.inUnits ?? 0;
    if (!Number.isInteger(inUnits) || inUnits < 0) throw new RangeError(`Dense: inUnits must be a non-negative integer, got ${inUnits}`);
    this.units = units;
    this.flatten = o.flatten ?? true;
    const dtype = o.dtype ?? 'float32';
    const useBias = o.useBias ?? true;
    this.weight = this.nameScope(() => this.params.get('weight', { shape: [units, inUnits], init: o.weightInitializer ?? null, dtype, allowDeferredInit: true }));
    this.bias = useBias ? this.params.get('bias', { shape: [units], init: o.biasInitializer ?? 'zeros', dtype, allowDeferredInit: true }) : null;
    this.act = o.activation ? this.nameScope(() => new Activation(o.activation!, { prefix: `${o.activation}_` })) : null;
  }

  forward(x: NDArray): NDArray {
    const inUnits = this.flatten ? x.shape.slice(1).reduce((a, b) => a * b, 1) : x.shape[x.ndim - 1];
    this.weight.inferShape([this.units, inUnits]);
    const y = fullyConnected(x, this.weight.data(), this.bias ? this.bias.data() : null, { flatten: this.flatten });
    return this.act ? this.act.forward(y) : y;
  }

  toString(): string {
    const [out, inUnits] = this.weight.shape ?? [this.units, 0];
    return `Dense(${inUnits || 'None'} -> ${out}, ${this.act ? this.act.toString() : 'linear'})`;
  }
}

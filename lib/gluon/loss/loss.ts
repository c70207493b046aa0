// gluon.loss.Loss: the base of the losses, with MXNet's weighting (a scalar weight and a
// broadcast sampleWeight) and reduction over every axis but batchAxis.
import { describe, requireArray } from '../../core/dispatch';
import { numberOption, readOptions } from '../../core/options';
import type { NDArray } from '../../ndarray';
import { BLOCK_OPTIONS, type BlockOptions, HybridBlock } from '../block';

export interface LossOptions extends BlockOptions {
  /** A scalar every loss value is multiplied by. */
  weight?: number | null;
  /** The axis that indexes samples; the loss is reduced over the others. */
  batchAxis?: number;
}

export const LOSS_OPTIONS = { ...BLOCK_OPTIONS, weight: [], batchAxis: ['batch_axis'] };

export abstract class Loss extends HybridBlock {
  readonly weight: number | null;
  readonly batchAxis: number;
  /** The constructor's options under their camelCase names (a subclass reads its own from here). */
  protected readonly options: Record<string, unknown>;

  /** opts has the loss's own keys (camelCase -> other spellings) besides weight and batchAxis. */
  protected constructor(opts: LossOptions, defaultWeight: number | null, own: Record<string, readonly string[]> = {}) {
    const o = readOptions(new.target.name, opts, { ...LOSS_OPTIONS, ...own }) as LossOptions;
    super({ prefix: o.prefix, params: o.params });
    this.options = o as Record<string, unknown>;
    const weight = o.weight === undefined ? defaultWeight : o.weight;
    if (weight !== null && typeof weight !== 'number') throw new TypeError(`${new.target.name}: weight must be a number, got ${describe(weight)}`);
    this.weight = weight;
    this.batchAxis = o.batchAxis ?? 0;
    if (!Number.isInteger(this.batchAxis)) throw new TypeError(`${new.target.name}: batchAxis must be an integer, got ${describe(this.batchAxis)}`);
  }

  /** The loss's own number option `key`, or def when absent; anything else is a TypeError naming it. */
  protected numberOption(key: string, def: number): number {
    return numberOption(this.constructor.name, key, this.options[key], def);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  abstract forward(...inputs: any[]): NDArray;

  toString(): string {
    return `${this.constructor.name}(batch_axis=${this.batchAxis}, w=${this.weight ?? 'None'})`;
  }

  /** MXNet _apply_weighting: loss * sampleWeight (broadcast) * weight. */
  protected weighted(loss: NDArray, sampleWeight: NDArray | undefined, weight: number | null = this.weight): NDArray {
    if (sampleWeight !== undefined && sampleWeight !== null) {
      requireArray(sampleWeight, this.constructor.name, 'sampleWeight');
      loss = loss.mul(sampleWeight);
    }
    return weight === null ? loss : loss.mul(weight);
  }

  /** Every axis of x but batchAxis (MXNet's `exclude=True`). */
  private otherAxes(x: NDArray): number[] {
    const batch = this.batchAxis < 0 ? this.batchAxis + x.ndim : this.batchAxis;
    return x.shape.map((_, i) => i).filter((i) => i !== batch);
  }

  /** Mean over every axis but batchAxis: one value per sample. */
  protected meanPerSample(x: NDArray): NDArray {
    const axes = this.otherAxes(x);
    return axes.length ? x.mean(axes) : x;
  }

  /** Sum over every axis but batchAxis. */
  protected sumPerSample(x: NDArray): NDArray {
    const axes = this.otherAxes(x);
    return axes.length ? x.sum(axes) : x;
  }

  /** Checks the named inputs are NDArrays (the error names the loss and the argument). */
  protected arrays(args: Record<string, unknown>): void {
    for (const [k, v] of Object.entries(args)) requireArray(v, `${this.constructor.name}.forward`, k);
  }
}

/** MXNet _reshape_like: label laid out as pred. */
export function like(label: NDArray, pred: NDArray): NDArray {
  return label.reshape(pred.shape);
}

/** log(1 + exp(-|x|)), the tail of the stable logistic losses (MXNet softrelu of -|x|). */
export function softreluNegAbs(x: NDArray): NDArray {
  return x.abs().neg().exp().log1p();
}

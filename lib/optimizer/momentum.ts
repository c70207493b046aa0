// The base of the optimizers with a momentum buffer that is there only when momentum is not 0
// (NAG, Signum): the momentum op with the buffer, the op without momentum otherwise.
import type { OptionNames } from '../core/options';
import type { NDArray } from '../ndarray';
import { type Index, momentumState, Optimizer, type OptimizerState } from './optimizer';

/** The options the two ops of a MomentumOptimizer take. */
export interface MomentumStepOptions {
  lr: number;
  wd: number;
  rescaleGrad: number;
  clipGradient?: number;
  momentum?: number;
}

export abstract class MomentumOptimizer extends Optimizer {
  momentum: number;

  protected constructor(name: string, opts: unknown, own: OptionNames, defaultMomentum: number, defaultLr?: number) {
    super(name, opts, { momentum: [], ...own }, defaultLr);
    this.momentum = this.option('momentum', defaultMomentum);
  }

  createState(index: Index, weight: NDArray): OptimizerState {
    return momentumState(weight, this.momentum);
  }

  update(index: Index, weight: NDArray, grad: NDArray, state: OptimizerState): void {
    this.updateCount(index);
    const opts = this.updateOptions(index);
    // MXNet passes momentum only when it is positive.
    if (state !== null) this.momentumStep(weight, grad, state as NDArray, this.momentum > 0 ? { ...opts, momentum: this.momentum } : opts);
    else this.plainStep(weight, grad, opts);
  }

  /** One step with the momentum buffer. */
  protected abstract momentumStep(weight: NDArray, grad: NDArray, momentum: NDArray, opts: MomentumStepOptions): void;

  /** One step without momentum. */
  protected abstract plainStep(weight: NDArray, grad: NDArray, opts: MomentumStepOptions): void;
}

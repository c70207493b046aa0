// AdamW: MXNet 1.9 has only the adamw_update op; this is the optimizer MXNet 2.0 builds on it
// (python/mxnet/optimizer/adamW.py): the bias-corrected learning rate goes in eta, so the decay
// is lr * wd * weight (decoupled from the gradient), and lr = 1 inside the op.
import { adamwUpdate } from '../nd/optim';
import type { NDArray } from '../ndarray';
import type { Index, OptimizerState } from './optimizer';
import { MomentOptimizer, type MomentOptions } from './moments';

export interface AdamWOptions extends MomentOptions {
  /** Fold Adam's bias correction into the learning rate (default true). */
  correctBias?: boolean;
}

export class AdamW extends MomentOptimizer {
  correctBias: boolean;

  constructor(opts?: AdamWOptions) {
    super('AdamW', opts, { correctBias: ['correct_bias'] }, 1e-6);
    this.correctBias = this.options.correctBias !== false;
  }

  update(index: Index, weight: NDArray, grad: NDArray, state: OptimizerState): void {
    this.updateCount(index);
    const lr = this.correctBias ? this.corrected(this.getLr(index), index) : this.getLr(index);
    const [mean, variance] = state as NDArray[];
    adamwUpdate(weight, grad, mean, variance, { lr: 1, eta: lr, ...this.momentOptions(index) });
  }
}

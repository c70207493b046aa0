// Adam (MXNet's): the bias correction is folded into the learning rate,
// lr * sqrt(1 - beta2^t) / (1 - beta1^t), and adam_update does the rest.
import { adamUpdate } from '../nd/optim';
import type { NDArray } from '../ndarray';
import type { Index, OptimizerState } from './optimizer';
import { MomentOptimizer, type MomentOptions } from './moments';

export interface AdamOptions extends MomentOptions {
  lazyUpdate?: boolean;
}

export class Adam extends MomentOptimizer {
  lazyUpdate: boolean;

  constructor(opts?: AdamOptions) {
    super('Adam', opts, { lazyUpdate: ['lazy_update'] }, 1e-8);
    this.lazyUpdate = this.options.lazyUpdate !== false;
  }

  update(index: Index, weight: NDArray, grad: NDArray, state: OptimizerState): void {
    this.updateCount(index);
    const lr = this.corrected(this.getLr(index), index);
    const [mean, variance] = state as NDArray[];
    adamUpdate(weight, grad, mean, variance, { lr, ...this.momentOptions(index) });
  }
}

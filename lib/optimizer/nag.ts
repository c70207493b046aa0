// Nesterov accelerated SGD (MXNet's NAG): nag_mom_update, or sgd_update without momentum.
import { nagMomUpdate, sgdUpdate } from '../nd/optim';
import type { NDArray } from '../ndarray';
import { type Index, Optimizer, type OptimizerOptions, type OptimizerState, zerosLikeWeight } from './optimizer';

export interface NAGOptions extends OptimizerOptions {
  momentum?: number;
}

export class NAG extends Optimizer {
  momentum: number;

  constructor(opts?: NAGOptions) {
    super('NAG', opts, { momentum: [] });
    this.momentum = this.option('momentum', 0);
  }

  createState(index: Index, weight: NDArray): OptimizerState {
    return this.momentum !== 0 ? zerosLikeWeight(weight, 1)[0] : null;
  }

  update(index: Index, weight: NDArray, grad: NDArray, state: OptimizerState): void {
    this.updateCount(index);
    const opts = this.updateOptions(index);
    if (state !== null) {
      nagMomUpdate(weight, grad, state as NDArray, { ...opts, ...(this.momentum > 0 ? { momentum: this.momentum } : {}) });
    } else {
      sgdUpdate(weight, grad, opts);
    }
  }
}

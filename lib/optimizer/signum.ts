// Signum (MXNet's): signum_update with momentum, signsgd_update without.
import { signsgdUpdate, signumUpdate } from '../nd/optim';
import type { NDArray } from '../ndarray';
import { type Index, Optimizer, type OptimizerOptions, type OptimizerState, zerosLikeWeight } from './optimizer';

export interface SignumOptions extends OptimizerOptions {
  momentum?: number;
  /** Decoupled weight decay (Loshchilov and Hutter). */
  wdLh?: number;
}

export class Signum extends Optimizer {
  momentum: number;
  wdLh: number;

  constructor(opts?: SignumOptions) {
    super('Signum', opts, { momentum: [], wdLh: ['wd_lh'] }, 0.01);
    this.momentum = this.option('momentum', 0.9);
    this.wdLh = this.option('wdLh', 0);
  }

  createState(index: Index, weight: NDArray): OptimizerState {
    return this.momentum !== 0 ? zerosLikeWeight(weight, 1)[0] : null;
  }

  update(index: Index, weight: NDArray, grad: NDArray, state: OptimizerState): void {
    this.updateCount(index);
    const opts = this.updateOptions(index);
    if (state !== null) {
      signumUpdate(weight, grad, state as NDArray, {
        ...opts,
        ...(this.momentum > 0 ? { momentum: this.momentum } : {}),
        ...(this.wdLh ? { wdLh: this.wdLh } : {}),
      });
    } else {
      signsgdUpdate(weight, grad, opts);
    }
  }
}

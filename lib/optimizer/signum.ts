// Signum (MXNet's): signum_update with momentum, signsgd_update without.
import { signsgdUpdate, signumUpdate } from '../nd/optim';
import type { NDArray } from '../ndarray';
import type { OptimizerOptions } from './optimizer';
import { MomentumOptimizer, type MomentumStepOptions } from './momentum';

export interface SignumOptions extends OptimizerOptions {
  momentum?: number;
  /** Decoupled weight decay (Loshchilov and Hutter). */
  wdLh?: number;
}

export class Signum extends MomentumOptimizer {
  wdLh: number;

  constructor(opts?: SignumOptions) {
    super('Signum', opts, { wdLh: ['wd_lh'] }, 0.9, 0.01);
    this.wdLh = this.option('wdLh', 0);
  }

  protected momentumStep(weight: NDArray, grad: NDArray, momentum: NDArray, opts: MomentumStepOptions): void {
    signumUpdate(weight, grad, momentum, { ...opts, ...(this.wdLh ? { wdLh: this.wdLh } : {}) });
  }

  protected plainStep(weight: NDArray, grad: NDArray, opts: MomentumStepOptions): void {
    signsgdUpdate(weight, grad, opts);
  }
}

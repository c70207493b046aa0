// Nesterov accelerated SGD (MXNet's NAG): nag_mom_update, or sgd_update without momentum.
import { nagMomUpdate, sgdUpdate } from '../nd/optim';
import type { NDArray } from '../ndarray';
import type { OptimizerOptions } from './optimizer';
import { MomentumOptimizer, type MomentumStepOptions } from './momentum';

export interface NAGOptions extends OptimizerOptions {
  momentum?: number;
}

export class NAG extends MomentumOptimizer {
  constructor(opts?: NAGOptions) {
    super('NAG', opts, {}, 0);
  }

  protected momentumStep(weight: NDArray, grad: NDArray, momentum: NDArray, opts: MomentumStepOptions): void {
    nagMomUpdate(weight, grad, momentum, opts);
  }

  protected plainStep(weight: NDArray, grad: NDArray, opts: MomentumStepOptions): void {
    sgdUpdate(weight, grad, opts);
  }
}

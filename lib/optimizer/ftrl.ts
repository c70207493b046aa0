// FTRL-proximal (MXNet's Ftrl): ftrl_update on the (z, n) state.
import { ftrlUpdate } from '../nd/optim';
import type { NDArray } from '../ndarray';
import { type Index, Optimizer, type OptimizerOptions, type OptimizerState, zerosLikeWeight } from './optimizer';

export interface FTRLOptions extends OptimizerOptions {
  /** L1 regularization. Default 0.01. */
  lamda1?: number;
  /** Per-coordinate learning-rate beta. Default 1. */
  beta?: number;
}

export class FTRL extends Optimizer {
  lamda1: number;
  beta: number;

  constructor(opts?: FTRLOptions) {
    super('FTRL', opts, { lamda1: [], beta: [] }, 0.1);
    this.lamda1 = this.option('lamda1', 0.01);
    this.beta = this.option('beta', 1);
  }

  createState(index: Index, weight: NDArray): OptimizerState {
    return zerosLikeWeight(weight, 2);
  }

  update(index: Index, weight: NDArray, grad: NDArray, state: OptimizerState): void {
    this.updateCount(index);
    const [z, n] = state as NDArray[];
    ftrlUpdate(weight, grad, z, n, {
      lr: this.getLr(index),
      wd: this.getWd(index),
      lamda1: this.lamda1,
      beta: this.beta,
      rescaleGrad: this.rescaleGrad,
      ...this.clipOption(),
    });
  }
}

// AdaGrad (MXNet's dense step, fused): history += g^2; weight -= lr * (g / sqrt(history + eps) + wd * weight).
import { adagradUpdate } from '../nd/optim';
import type { NDArray } from '../ndarray';
import { type Index, Optimizer, type OptimizerOptions, type OptimizerState, zerosLikeWeight } from './optimizer';

export interface AdaGradOptions extends OptimizerOptions {
  /** Added to the history under the square root. Default 1e-7. */
  eps?: number;
}

export class AdaGrad extends Optimizer {
  floatStableEps: number;

  constructor(opts?: AdaGradOptions) {
    super('AdaGrad', opts, { eps: [] });
    this.floatStableEps = this.option('eps', 1e-7);
  }

  createState(index: Index, weight: NDArray): OptimizerState {
    return zerosLikeWeight(weight, 1)[0];
  }

  update(index: Index, weight: NDArray, grad: NDArray, state: OptimizerState): void {
    this.updateCount(index);
    adagradUpdate(weight, grad, state as NDArray, {
      ...this.updateOptions(index),
      epsilon: this.floatStableEps,
      // MXNet's dense AdaGrad clips whenever clip_gradient is not None (0 included).
      ...(this.clipGradient !== null ? { clipGradient: this.clipGradient } : {}),
    });
  }
}

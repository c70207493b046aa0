// The base of the optimizers that keep Adam's two moments (Adam, AdamW, LAMB): beta1, beta2,
// epsilon and the (mean, var) state.
import type { NDArray } from '../ndarray';
import type { OptionNames } from '../core/options';
import { type Index, Optimizer, type OptimizerOptions, type OptimizerState, zerosLikeWeight } from './optimizer';

export interface MomentOptions extends OptimizerOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

export abstract class MomentOptimizer extends Optimizer {
  beta1: number;
  beta2: number;
  epsilon: number;

  protected constructor(name: string, opts: unknown, own: OptionNames, defaultEpsilon: number) {
    super(name, opts, { beta1: [], beta2: [], epsilon: [], ...own }, 0.001);
    this.beta1 = this.option('beta1', 0.9);
    this.beta2 = this.option('beta2', 0.999);
    this.epsilon = this.option('epsilon', defaultEpsilon);
  }

  createState(index: Index, weight: NDArray): OptimizerState {
    return zerosLikeWeight(weight, 2);
  }

  /** The options every moment update op takes (all but the learning rate). */
  protected momentOptions(index: Index) {
    return {
      wd: this.getWd(index),
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
      rescaleGrad: this.rescaleGrad,
      ...this.clipOption(),
    };
  }

  /** lr * sqrt(1 - beta2^t) / (1 - beta1^t): Adam's bias correction folded into the rate. */
  protected corrected(lr: number, index: Index): number {
    const t = this.count(index);
    return (lr * Math.sqrt(1 - this.beta2 ** t)) / (1 - this.beta1 ** t);
  }
}

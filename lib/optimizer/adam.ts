// Adam (MXNet's): the bias correction is folded into the learning rate,
// lr * sqrt(1 - beta2^t) / (1 - beta1^t), and adam_update does the rest.
import { adamUpdate } from '../nd/optim';
import type { NDArray } from '../ndarray';
import { type Index, Optimizer, type OptimizerOptions, type OptimizerState, zerosLikeWeight } from './optimizer';

export interface AdamOptions extends OptimizerOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  lazyUpdate?: boolean;
}

export class Adam extends Optimizer {
  beta1: number;
  beta2: number;
  epsilon: number;
  lazyUpdate: boolean;

  constructor(opts?: AdamOptions) {
    super('Adam', opts, { beta1: [], beta2: [], epsilon: [], lazyUpdate: ['lazy_update'] }, 0.001);
    this.beta1 = this.option('beta1', 0.9);
    this.beta2 = this.option('beta2', 0.999);
    this.epsilon = this.option('epsilon', 1e-8);
    this.lazyUpdate = this.options.lazyUpdate !== false;
  }

  createState(index: Index, weight: NDArray): OptimizerState {
    return zerosLikeWeight(weight, 2);
  }

  update(index: Index, weight: NDArray, grad: NDArray, state: OptimizerState): void {
    this.updateCount(index);
    const t = this.count(index);
    const coef1 = 1 - this.beta1 ** t;
    const coef2 = 1 - this.beta2 ** t;
    const lr = (this.getLr(index) * Math.sqrt(coef2)) / coef1;
    const [mean, variance] = state as NDArray[];
    adamUpdate(weight, grad, mean, variance, {
      lr,
      wd: this.getWd(index),
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
      rescaleGrad: this.rescaleGrad,
      ...this.clipOption(),
    });
  }
}

// AdamW: MXNet 1.9 has only the adamw_update op; this is the optimizer MXNet 2.0 builds on it
// (python/mxnet/optimizer/adamW.py): the bias-corrected learning rate goes in eta, so the decay
// is lr * wd * weight (decoupled from the gradient), and lr = 1 inside the op.
import { adamwUpdate } from '../nd/optim';
import type { NDArray } from '../ndarray';
import { type Index, Optimizer, type OptimizerOptions, type OptimizerState, zerosLikeWeight } from './optimizer';

export interface AdamWOptions extends OptimizerOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Fold Adam's bias correction into the learning rate (default true). */
  correctBias?: boolean;
}

export class AdamW extends Optimizer {
  beta1: number;
  beta2: number;
  epsilon: number;
  correctBias: boolean;

  constructor(opts?: AdamWOptions) {
    super('AdamW', opts, { beta1: [], beta2: [], epsilon: [], correctBias: ['correct_bias'] }, 0.001);
    this.beta1 = this.option('beta1', 0.9);
    this.beta2 = this.option('beta2', 0.999);
    this.epsilon = this.option('epsilon', 1e-6);
    this.correctBias = this.options.correctBias !== false;
  }

  createState(index: Index, weight: NDArray): OptimizerState {
    return zerosLikeWeight(weight, 2);
  }

  update(index: Index, weight: NDArray, grad: NDArray, state: OptimizerState): void {
    this.updateCount(index);
    let lr = this.getLr(index);
    if (this.correctBias) {
      const t = this.count(index);
      lr = (lr * Math.sqrt(1 - this.beta2 ** t)) / (1 - this.beta1 ** t);
    }
    const [mean, variance] = state as NDArray[];
    adamwUpdate(weight, grad, mean, variance, {
      lr: 1,
      eta: lr,
      wd: this.getWd(index),
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
      rescaleGrad: this.rescaleGrad,
      ...this.clipOption(),
    });
  }
}

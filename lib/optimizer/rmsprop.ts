// RMSProp (MXNet's): Tieleman and Hinton's rmsprop_update, or Graves' centered form
// (rmspropalex_update) with `centered: true`.
import { rmspropalexUpdate, rmspropUpdate } from '../nd/optim';
import type { NDArray } from '../ndarray';
import { type Index, Optimizer, type OptimizerOptions, type OptimizerState, zerosLikeWeight } from './optimizer';

export interface RMSPropOptions extends OptimizerOptions {
  gamma1?: number;
  gamma2?: number;
  epsilon?: number;
  centered?: boolean;
  clipWeights?: number | null;
}

export class RMSProp extends Optimizer {
  gamma1: number;
  gamma2: number;
  epsilon: number;
  centered: boolean;
  clipWeights: number | null;

  constructor(opts?: RMSPropOptions) {
    super('RMSProp', opts, { gamma1: [], gamma2: [], epsilon: [], centered: [], clipWeights: ['clip_weights'] }, 0.001);
    this.gamma1 = this.option('gamma1', 0.9);
    this.gamma2 = this.option('gamma2', 0.9);
    this.epsilon = this.option('epsilon', 1e-8);
    this.centered = this.options.centered === true;
    this.clipWeights = this.optionalOption('clipWeights');
  }

  createState(index: Index, weight: NDArray): OptimizerState {
    return zerosLikeWeight(weight, this.centered ? 3 : 1);
  }

  update(index: Index, weight: NDArray, grad: NDArray, state: OptimizerState): void {
    this.updateCount(index);
    const opts = {
      lr: this.getLr(index),
      wd: this.getWd(index),
      gamma1: this.gamma1,
      epsilon: this.epsilon,
      rescaleGrad: this.rescaleGrad,
      ...this.clipOption(),
      ...(this.clipWeights ? { clipWeights: this.clipWeights } : {}),
    };
    const s = state as NDArray[];
    if (this.centered) {
      rmspropalexUpdate(weight, grad, s[0], s[1], s[2], { ...opts, gamma2: this.gamma2 });
    } else {
      rmspropUpdate(weight, grad, s[0], opts);
    }
  }
}

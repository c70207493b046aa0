// LAMB (MXNet's): phase one gives the Adam direction g (moments updated in place), phase two
// steps along it with the trust ratio ||weight|| / ||g||.
import { lambUpdatePhase1, lambUpdatePhase2 } from '../nd/optim';
import type { NDArray } from '../ndarray';
import { tidy } from '../core/tidy';
import { type Index, Optimizer, type OptimizerOptions, type OptimizerState, zerosLikeWeight } from './optimizer';

export interface LAMBOptions extends OptimizerOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  lowerBound?: number | null;
  upperBound?: number | null;
  biasCorrection?: boolean;
}

export class LAMB extends Optimizer {
  beta1: number;
  beta2: number;
  epsilon: number;
  lowerBound: number | null;
  upperBound: number | null;
  biasCorrection: boolean;

  constructor(opts?: LAMBOptions) {
    super(
      'LAMB',
      opts,
      { beta1: [], beta2: [], epsilon: [], lowerBound: ['lower_bound'], upperBound: ['upper_bound'], biasCorrection: ['bias_correction'] },
      0.001,
    );
    this.beta1 = this.option('beta1', 0.9);
    this.beta2 = this.option('beta2', 0.999);
    this.epsilon = this.option('epsilon', 1e-6);
    this.lowerBound = this.optionalOption('lowerBound');
    this.upperBound = this.optionalOption('upperBound');
    this.biasCorrection = this.options.biasCorrection !== false;
  }

  createState(index: Index, weight: NDArray): OptimizerState {
    return zerosLikeWeight(weight, 2);
  }

  update(index: Index, weight: NDArray, grad: NDArray, state: OptimizerState): void {
    this.updateCount(index);
    const lr = this.getLr(index);
    const wd = this.getWd(index);
    const t = this.count(index);
    const [mean, variance] = state as NDArray[];
    tidy(() => {
      const g = lambUpdatePhase1(weight, grad, mean, variance, {
        t,
        wd,
        beta1: this.beta1,
        beta2: this.beta2,
        epsilon: this.epsilon,
        biasCorrection: this.biasCorrection,
        rescaleGrad: this.rescaleGrad,
        ...this.clipOption(),
      });
      lambUpdatePhase2(weight, g, weight.norm(), g.norm(), {
        lr,
        ...(this.lowerBound ? { lowerBound: this.lowerBound } : {}),
        ...(this.upperBound ? { upperBound: this.upperBound } : {}),
      });
    });
  }
}

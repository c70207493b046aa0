// LAMB (MXNet's): phase one gives the Adam direction g (moments updated in place), phase two
// steps along it with the trust ratio ||weight|| / ||g||.
import { lambUpdatePhase1, lambUpdatePhase2 } from '../nd/optim';
import type { NDArray } from '../ndarray';
import { tidy } from '../core/tidy';
import type { Index, OptimizerState } from './optimizer';
import { MomentOptimizer, type MomentOptions } from './moments';

export interface LAMBOptions extends MomentOptions {
  lowerBound?: number | null;
  upperBound?: number | null;
  biasCorrection?: boolean;
}

export class LAMB extends MomentOptimizer {
  lowerBound: number | null;
  upperBound: number | null;
  biasCorrection: boolean;

  constructor(opts?: LAMBOptions) {
    super('LAMB', opts, { lowerBound: ['lower_bound'], upperBound: ['upper_bound'], biasCorrection: ['bias_correction'] }, 1e-6);
    this.lowerBound = this.optionalOption('lowerBound');
    this.upperBound = this.optionalOption('upperBound');
    this.biasCorrection = this.options.biasCorrection !== false;
  }

  update(index: Index, weight: NDArray, grad: NDArray, state: OptimizerState): void {
    this.updateCount(index);
    const lr = this.getLr(index);
    const t = this.count(index);
    const [mean, variance] = state as NDArray[];
    tidy(() => {
      const g = lambUpdatePhase1(weight, grad, mean, variance, { t, biasCorrection: this.biasCorrection, ...this.momentOptions(index) });
      lambUpdatePhase2(weight, g, weight.norm(), g.norm(), {
        lr,
        ...(this.lowerBound ? { lowerBound: this.lowerBound } : {}),
        ...(this.upperBound ? { upperBound: this.upperBound } : {}),
      });
    });
  }
}

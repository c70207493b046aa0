// Regression losses: L2Loss, L1Loss, HuberLoss, PoissonNLLLoss (MXNet 1.9's formulas).
import type { NDArray } from '../../ndarray';
import { where } from '../../nd';
import { like, Loss, type LossOptions } from './loss';

/** weight / 2 * (label - pred)^2, mean per sample (weight default 1). */
export class L2Loss extends Loss {
  constructor(opts: LossOptions = {}) {
    super(opts, 1);
  }

  forward(pred: NDArray, label: NDArray, sampleWeight?: NDArray): NDArray {
    this.arrays({ pred, label });
    const loss = like(label, pred).sub(pred).square();
    return this.meanPerSample(this.weighted(loss, sampleWeight, this.weight! / 2));
  }
}

/** |label - pred|, mean per sample. */
export class L1Loss extends Loss {
  constructor(opts: LossOptions = {}) {
    super(opts, null);
  }

  forward(pred: NDArray, label: NDArray, sampleWeight?: NDArray): NDArray {
    this.arrays({ pred, label });
    return this.meanPerSample(this.weighted(like(label, pred).sub(pred).abs(), sampleWeight));
  }
}

/** |d| - rho/2 where |d| > rho, else d^2 / (2 rho), with d = label - pred; mean per sample. */
export class HuberLoss extends Loss {
  readonly rho: number;

  constructor(opts: LossOptions & { rho?: number } = {}) {
    super(opts, null, { rho: [] });
    this.rho = this.numberOption('rho', 1);
  }

  forward(pred: NDArray, label: NDArray, sampleWeight?: NDArray): NDArray {
    this.arrays({ pred, label });
    const d = like(label, pred).sub(pred).abs();
    const loss = where(d.greater(this.rho), d.sub(0.5 * this.rho), d.square().mul(0.5 / this.rho));
    return this.meanPerSample(this.weighted(loss, sampleWeight));
  }
}

export interface PoissonNLLOptions extends LossOptions {
  /** pred is log(rate) (true) or the rate itself (false). */
  fromLogits?: boolean;
  /** Add Stirling's approximation of log(target!) where target > 1. */
  computeFull?: boolean;
}

/**
 * exp(pred) - target * pred (fromLogits) or pred - target * log(pred + epsilon); the mean over
 * every element (MXNet returns one value for the batch, shape (1,)).
 */
export class PoissonNLLLoss extends Loss {
  readonly fromLogits: boolean;
  readonly computeFull: boolean;

  constructor(opts: PoissonNLLOptions = {}) {
    const own = { fromLogits: ['from_logits'], computeFull: ['compute_full'] };
    super(opts, null, own);
    const o = this.options as PoissonNLLOptions;
    this.fromLogits = o.fromLogits ?? true;
    this.computeFull = o.computeFull ?? false;
  }

  forward(pred: NDArray, target: NDArray, sampleWeight?: NDArray, epsilon = 1e-8): NDArray {
    this.arrays({ pred, target });
    target = like(target, pred);
    let loss = this.fromLogits ? pred.exp().sub(target.mul(pred)) : pred.sub(target.mul(pred.add(epsilon).log()));
    if (this.computeFull) {
      // MXNet's formula as written: target = 0 gives 0 * log(0) = NaN, which the mask keeps.
      const stirling = target.mul(target.log()).sub(target).add(target.mul(2 * Math.PI).log().mul(0.5));
      loss = loss.add(stirling.mul(target.greater(1)));
    }
    return this.weighted(loss, sampleWeight).mean().reshape([1]);
  }
}

// AdaDelta (MXNet's, which has no fused op): written with nd ops, in place on its two
// accumulators. It does not use the learning rate, as in MXNet. Unlike MXNet it leaves the
// caller's gradient alone (MXNet rescales it in place).
import type { NDArray } from '../ndarray';
import { tidy } from '../core/tidy';
import { type Index, Optimizer, type OptimizerOptions, type OptimizerState, zerosLikeWeight } from './optimizer';

export interface AdaDeltaOptions extends OptimizerOptions {
  rho?: number;
  epsilon?: number;
}

export class AdaDelta extends Optimizer {
  rho: number;
  epsilon: number;

  constructor(opts?: AdaDeltaOptions) {
    super('AdaDelta', opts, { rho: [], epsilon: [] });
    this.rho = this.option('rho', 0.9);
    this.epsilon = this.option('epsilon', 1e-5);
  }

  createState(index: Index, weight: NDArray): OptimizerState {
    return zerosLikeWeight(weight, 2);
  }

  update(index: Index, weight: NDArray, grad: NDArray, state: OptimizerState): void {
    const wd = this.getWd(index);
    this.updateCount(index);
    const [accG, accDelta] = state as NDArray[];
    tidy(() => {
      let g = grad.mul(this.rescaleGrad);
      if (this.clipGradient !== null) g = g.clip(-this.clipGradient, this.clipGradient);
      accG.mulInPlace(this.rho);
      accG.addInPlace(g.mul(g).mul(1 - this.rho));
      const delta = accDelta.add(this.epsilon).sqrt().div(accG.add(this.epsilon).sqrt()).mul(g);
      accDelta.mulInPlace(this.rho);
      accDelta.addInPlace(delta.mul(delta).mul(1 - this.rho));
      weight.subInPlace(delta.add(weight.mul(wd)));
    });
  }
}

// SGD with momentum and weight decay (MXNet's SGD): dense weights go through the multi-tensor
// updates, as MXNet's aggregated path does, so a list of indices is one native call.
import { multiSgdMomUpdate, multiSgdUpdate } from '../nd/optim';
import type { NDArray } from '../ndarray';
import { type Index, Optimizer, type OptimizerOptions, type OptimizerState, momentumState } from './optimizer';

export interface SGDOptions extends OptimizerOptions {
  momentum?: number;
  /** MXNet's row-sparse option; every gradient here is dense. */
  lazyUpdate?: boolean;
}

export class SGD extends Optimizer {
  momentum: number;
  lazyUpdate: boolean;

  constructor(opts?: SGDOptions) {
    super('SGD', opts, { momentum: [], lazyUpdate: ['lazy_update'] });
    this.momentum = this.option('momentum', 0);
    this.lazyUpdate = this.options.lazyUpdate !== false;
    // MXNET_OPTIMIZER_AGGREGATION_SIZE's default.
    this.aggregateNum = 4;
  }

  createState(index: Index, weight: NDArray): OptimizerState {
    return momentumState(weight, this.momentum);
  }

  /** One weight, or lists of indices, weights, gradients and states (one native call for all). */
  update(index: Index | Index[], weight: NDArray | NDArray[], grad: NDArray | NDArray[], state: OptimizerState | OptimizerState[]): void {
    const many = Array.isArray(index);
    const indices = many ? index : [index];
    const weights = (many ? weight : [weight]) as NDArray[];
    const grads = (many ? grad : [grad]) as NDArray[];
    const states = (many ? state : [state]) as OptimizerState[];
    this.updateCount(indices);
    const opts = { lrs: this.getLrs(indices), wds: this.getWds(indices), rescaleGrad: this.rescaleGrad, ...this.clipOption() };
    if (this.momentum > 0) {
      multiSgdMomUpdate(weights, grads, states as NDArray[], { ...opts, momentum: this.momentum });
    } else {
      multiSgdUpdate(weights, grads, opts);
    }
  }
}

// Embedding losses: TripletLoss and CosineEmbeddingLoss (MXNet 1.9's formulas).
import type { NDArray } from '../../ndarray';
import { like, Loss, type LossOptions } from './loss';

/** relu(sum(|positive - pred|^2 - |negative - pred|^2) + margin) per sample. */
export class TripletLoss extends Loss {
  readonly margin: number;

  constructor(opts: LossOptions & { margin?: number } = {}) {
    super(opts, null, { margin: [] });
    this.margin = this.numberOption('margin', 1);
  }

  forward(pred: NDArray, positive: NDArray, negative: NDArray): NDArray {
    this.arrays({ pred, positive, negative });
    const d = like(positive, pred).sub(pred).square().sub(like(negative, pred).sub(pred).square());
    return this.weighted(this.sumPerSample(d).add(this.margin).relu(), undefined);
  }
}

/**
 * 1 - cos(input1, input2) where label = 1, max(0, cos - margin) where label = -1; shape
 * (batch, 1) as MXNet returns it. cos = x.y / max(|x| |y|, 1e-12) along the last axis.
 */
export class CosineEmbeddingLoss extends Loss {
  readonly margin: number;

  constructor(opts: LossOptions & { margin?: number } = {}) {
    super(opts, null, { margin: [] });
    this.margin = this.numberOption('margin', 0);
  }

  forward(input1: NDArray, input2: NDArray, label: NDArray, sampleWeight?: NDArray): NDArray {
    this.arrays({ input1, input2, label });
    input1 = like(input1, input2);
    const y = label.reshape([-1, 1]);
    const norms = input1.norm({ axis: -1 }).mul(input2.norm({ axis: -1 })).reshape([-1, 1]);
    const cos = input1.mul(input2).sum(-1).reshape([-1, 1]).div(norms.maximum(1e-12));
    const similar = cos.rsub(1).mul(y.equal(1));
    const dissimilar = y.equal(-1).mul(cos.sub(this.margin)).maximum(0);
    return this.weighted(similar.add(dissimilar), sampleWeight);
  }
}

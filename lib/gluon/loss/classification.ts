// Classification losses: SoftmaxCrossEntropyLoss, SigmoidBinaryCrossEntropyLoss, KLDivLoss,
// LogisticLoss, HingeLoss, SquaredHingeLoss (MXNet 1.9's formulas).
import { invoke } from '../../core/dispatch';
import type { NDArray } from '../../ndarray';
import { like, Loss, type LossOptions, softreluNegAbs } from './loss';

export interface SoftmaxCrossEntropyOptions extends LossOptions {
  /** The class axis. */
  axis?: number;
  /** label holds class indices (true) or a distribution with pred's shape (false). */
  sparseLabel?: boolean;
  /** pred is already log-probabilities. */
  fromLogits?: boolean;
}

/** -log softmax(pred)[label] (or -sum(label * log softmax(pred)) along axis), mean per sample. */
export class SoftmaxCrossEntropyLoss extends Loss {
  readonly axis: number;
  readonly sparseLabel: boolean;
  readonly fromLogits: boolean;

  constructor(opts: SoftmaxCrossEntropyOptions = {}) {
    super(opts, null, { axis: [], sparseLabel: ['sparse_label'], fromLogits: ['from_logits'] });
    const o = this.options as SoftmaxCrossEntropyOptions;
    this.axis = this.numberOption('axis', -1);
    this.sparseLabel = o.sparseLabel ?? true;
    this.fromLogits = o.fromLogits ?? false;
  }

  forward(pred: NDArray, label: NDArray, sampleWeight?: NDArray): NDArray {
    this.arrays({ pred, label });
    let loss: NDArray;
    if (this.sparseLabel && !this.fromLogits && (this.axis === -1 || this.axis === pred.ndim - 1)) {
      // log_softmax, pick and negative as one op (and one gradient op), the same roundings.
      loss = invoke('softmax_ce_loss', [pred, label]);
    } else {
      const logp = this.fromLogits ? pred : pred.logSoftmax({ axis: this.axis });
      loss = this.sparseLabel
        ? logp.pick(label, { axis: this.axis, keepdims: true }).neg()
        : logp.mul(like(label, logp)).sum({ axis: this.axis, keepdims: true }).neg();
    }
    return this.meanPerSample(this.weighted(loss, sampleWeight));
  }
}

/** MXNet's alias. */
export const SoftmaxCELoss = SoftmaxCrossEntropyLoss;

/**
 * Binary cross-entropy on logits, relu(x) - x z + log(1 + exp(-|x|)) (posWeight: MXNet's
 * weighted form), or on probabilities with fromSigmoid, -(z log(p + 1e-12) + (1 - z) log(1 - p + 1e-12)).
 */
export class SigmoidBinaryCrossEntropyLoss extends Loss {
  readonly fromSigmoid: boolean;

  constructor(opts: LossOptions & { fromSigmoid?: boolean } = {}) {
    super(opts, null, { fromSigmoid: ['from_sigmoid'] });
    this.fromSigmoid = (this.options.fromSigmoid as boolean | undefined) ?? false;
  }

  forward(pred: NDArray, label: NDArray, sampleWeight?: NDArray, posWeight?: NDArray): NDArray {
    this.arrays({ pred, label });
    if (posWeight !== undefined) this.arrays({ posWeight });
    label = like(label, pred);
    let loss: NDArray;
    if (!this.fromSigmoid) {
      if (posWeight === undefined) loss = pred.relu().sub(pred.mul(label)).add(softreluNegAbs(pred));
      else {
        const logWeight = posWeight.sub(1).mul(label).add(1);
        loss = pred.sub(pred.mul(label)).add(logWeight.mul(softreluNegAbs(pred).add(pred.neg().relu())));
      }
    } else {
      const eps = 1e-12;
      const pos = pred.add(eps).log().mul(label);
      loss = (posWeight === undefined ? pos : pos.mul(posWeight)).add(pred.rsub(1).add(eps).log().mul(label.rsub(1))).neg();
    }
    return this.meanPerSample(this.weighted(loss, sampleWeight));
  }
}

/** MXNet's alias. */
export const SigmoidBCELoss = SigmoidBinaryCrossEntropyLoss;

/** label * (log(label + 1e-12) - pred), pred log-probabilities (or logits without fromLogits); summed per sample. */
export class KLDivLoss extends Loss {
  readonly fromLogits: boolean;
  readonly axis: number;

  constructor(opts: LossOptions & { fromLogits?: boolean; axis?: number } = {}) {
    super(opts, null, { fromLogits: ['from_logits'], axis: [] });
    this.fromLogits = (this.options.fromLogits as boolean | undefined) ?? true;
    this.axis = this.numberOption('axis', -1);
  }

  forward(pred: NDArray, label: NDArray, sampleWeight?: NDArray): NDArray {
    this.arrays({ pred, label });
    const logp = this.fromLogits ? pred : pred.logSoftmax({ axis: this.axis });
    const loss = label.mul(label.add(1e-12).log().sub(logp));
    return this.sumPerSample(this.weighted(loss, sampleWeight));
  }
}

/**
 * relu(pred) - pred z + log(1 + exp(-|pred|)) with z = label ('binary', in {0, 1}) or
 * (label + 1) / 2 ('signed', in {-1, 1}); mean per sample.
 */
export class LogisticLoss extends Loss {
  readonly labelFormat: 'signed' | 'binary';

  constructor(opts: LossOptions & { labelFormat?: 'signed' | 'binary' } = {}) {
    super(opts, null, { labelFormat: ['label_format'] });
    this.labelFormat = (this.options.labelFormat as 'signed' | 'binary' | undefined) ?? 'signed';
    if (this.labelFormat !== 'signed' && this.labelFormat !== 'binary') {
      throw new RangeError(`label_format can only be signed or binary, recieved ${String(this.labelFormat)}.`);
    }
  }

  forward(pred: NDArray, label: NDArray, sampleWeight?: NDArray): NDArray {
    this.arrays({ pred, label });
    let z = like(label, pred);
    if (this.labelFormat === 'signed') z = z.add(1).div(2);
    const loss = pred.relu().sub(pred.mul(z)).add(softreluNegAbs(pred));
    return this.meanPerSample(this.weighted(loss, sampleWeight));
  }
}

/** relu(margin - pred * label), labels in {-1, 1}; mean per sample. */
export class HingeLoss extends Loss {
  readonly margin: number;

  constructor(opts: LossOptions & { margin?: number } = {}) {
    super(opts, null, { margin: [] });
    this.margin = this.numberOption('margin', 1);
  }

  forward(pred: NDArray, label: NDArray, sampleWeight?: NDArray): NDArray {
    this.arrays({ pred, label });
    return this.meanPerSample(this.weighted(this.hinge(pred, label), sampleWeight));
  }

  protected hinge(pred: NDArray, label: NDArray): NDArray {
    return pred.mul(like(label, pred)).rsub(this.margin).relu();
  }
}

/** relu(margin - pred * label)^2, labels in {-1, 1}; mean per sample. */
export class SquaredHingeLoss extends HingeLoss {
  protected hinge(pred: NDArray, label: NDArray): NDArray {
    return super.hinge(pred, label).square();
  }
}

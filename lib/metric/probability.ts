// CrossEntropy, Perplexity and Loss as MXNet 1.9's metric.py computes them (in float64).
import { describe } from '../core/dispatch';
import { tidy } from '../nd';
import { NDArray } from '../ndarray';
import { type Arrays, EvalMetric, type MetricOptions, pairs, readMetricOptions } from './eval-metric';

/** -sum log(pred[i, label_i] + eps) / n over (batch, classes) probabilities. */
export class CrossEntropy extends EvalMetric {
  readonly eps: number;
  constructor(opts: MetricOptions & { eps?: number } = {}) {
    const o = readMetricOptions<MetricOptions & { eps?: number }>('CrossEntropy', opts, { eps: [] }, 'cross-entropy');
    if (o.eps !== undefined && (typeof o.eps !== 'number' || !(o.eps >= 0))) throw new RangeError(`CrossEntropy: eps must be a number >= 0, got ${String(o.eps)}`);
    super(o.name);
    this.eps = o.eps ?? 1e-12;
  }
  update(labels: Arrays, preds: Arrays): void {
    for (const [label, pred] of pairs(labels, preds, 'CrossEntropy')) {
      if (pred.ndim !== 2 || label.size !== pred.shape[0]) {
        throw new RangeError(`CrossEntropy.update: predictions must be (batch, classes) with one label per row; got labels (${label.shape.join(', ')}) and predictions (${pred.shape.join(', ')})`);
      }
      tidy(() => {
        const prob = pred.astype('float64').pick(label.astype('int32').reshape([-1]), { axis: 1 });
        this.accumulate(prob.add(this.eps).log().neg().sum().asScalar(), label.size);
      });
    }
  }
}

/**
 * exp(-mean log max(pred[label], 1e-10)) over the labels, the class axis being `axis` (default -1);
 * labels equal to ignoreLabel (default none) count neither in the sum nor in n.
 */
export class Perplexity extends EvalMetric {
  readonly ignoreLabel: number | null;
  readonly axis: number;
  constructor(opts: MetricOptions & { ignoreLabel?: number | null; axis?: number } = {}) {
    const o = readMetricOptions<MetricOptions & { ignoreLabel?: number | null; axis?: number }>('Perplexity', opts, { ignoreLabel: ['ignore_label'], axis: [] }, 'perplexity');
    if (o.ignoreLabel !== undefined && o.ignoreLabel !== null && typeof o.ignoreLabel !== 'number') {
      throw new TypeError(`Perplexity: ignoreLabel must be a number or null, got ${describe(o.ignoreLabel)}`);
    }
    super(o.name);
    this.ignoreLabel = o.ignoreLabel ?? null;
    this.axis = o.axis ?? -1;
  }
  update(labels: Arrays, preds: Arrays): void {
    let loss = 0;
    let num = 0;
    for (const [label, pred] of pairs(labels, preds, 'Perplexity')) {
      const axis = this.axis < 0 ? this.axis + pred.ndim : this.axis;
      if (axis < 0 || axis >= pred.ndim || label.size * pred.shape[axis] !== pred.size) {
        throw new RangeError(`Perplexity.update: labels (${label.shape.join(', ')}) do not match predictions (${pred.shape.join(', ')}) with classes on axis ${this.axis}`);
      }
      tidy(() => {
        const index = label.reshape(pred.shape.filter((_, k) => k !== axis));
        let p = pred.astype('float64').pick(index.astype('int32'), { axis });
        if (this.ignoreLabel !== null) {
          const ignore = index.astype('float64').equal(this.ignoreLabel);
          num -= ignore.sum().asScalar();
          p = p.mul(ignore.rsub(1)).add(ignore);
        }
        loss -= p.maximum(1e-10).log().sum().asScalar();
        num += p.size;
      });
    }
    this.accumulate(loss, num);
  }
  get(): [string, number] {
    return [this.name, this.numInst === 0 ? NaN : Math.exp(this.sumMetric / this.numInst)];
  }
  getGlobal(): [string, number] {
    return [this.name, this.globalNumInst === 0 ? NaN : Math.exp(this.globalSumMetric / this.globalNumInst)];
  }
}

/** The mean of the loss values passed as preds (labels are ignored). */
export class Loss extends EvalMetric {
  constructor(opts: MetricOptions = {}) {
    super(readMetricOptions('Loss', opts, {}, 'loss').name);
  }
  update(_labels: unknown, preds: Arrays): void {
    const list = preds instanceof NDArray ? [preds] : preds;
    if (!Array.isArray(list) || !list.every((p) => p instanceof NDArray)) {
      throw new TypeError(`Loss.update: preds must be an NDArray or an array of NDArrays, got ${describe(preds)}`);
    }
    for (const p of list) this.accumulate(tidy(() => p.astype('float64').sum().asScalar()), p.size);
  }
}

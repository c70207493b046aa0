// Accuracy, TopKAccuracy and F1 as MXNet 1.9's metric.py computes them.
import { describe } from '../core/dispatch';
import { tidy } from '../nd';
import type { NDArray } from '../ndarray';
import { type Arrays, type Average, EvalMetric, type MetricOptions, pairs, readAverageOptions, readMetricOptions } from './eval-metric';

function count(x: NDArray): number {
  return x.sum().asScalar();
}

/** Fraction of predictions equal to the label; predictions of another shape are argmax'ed along axis (default 1). */
export class Accuracy extends EvalMetric {
  readonly axis: number;
  constructor(opts: MetricOptions & { axis?: number } = {}) {
    const o = readMetricOptions<MetricOptions & { axis?: number }>('Accuracy', opts, { axis: [] }, 'accuracy');
    super(o.name);
    this.axis = o.axis ?? 1;
  }
  update(labels: Arrays, preds: Arrays): void {
    for (const [label, pred] of pairs(labels, preds, 'Accuracy')) {
      tidy(() => {
        const predLabel = (pred.shape.join() === label.shape.join() ? pred : pred.argmax({ axis: this.axis })).astype('int32');
        if (predLabel.size !== label.size) {
          throw new RangeError(`Accuracy.update: ${predLabel.size} predicted labels for ${label.size} labels`);
        }
        this.accumulate(count(predLabel.reshape([-1]).equal(label.astype('int32').reshape([-1]))), predLabel.size);
      });
    }
  }
}

/** Fraction of samples whose label is among the k highest predictions (k > 1; name top_k_accuracy_<k>). */
export class TopKAccuracy extends EvalMetric {
  readonly topK: number;
  constructor(topK: number | (MetricOptions & { topK?: number }) = 1, opts: MetricOptions = {}) {
    const merged = typeof topK === 'object' ? topK : { ...opts, topK };
    const o = readMetricOptions<MetricOptions & { topK?: number }>('TopKAccuracy', merged, { topK: ['top_k'] }, 'top_k_accuracy');
    const k = o.topK ?? 1;
    if (typeof k !== 'number' || !Number.isInteger(k) || k <= 1) {
      throw new RangeError(`TopKAccuracy: topK must be an integer > 1 (use Accuracy for 1), got ${describe(k) === 'number' ? k : describe(k)}`);
    }
    super(`${o.name}_${k}`);
    this.topK = k;
  }
  update(labels: Arrays, preds: Arrays): void {
    for (const [label, pred] of pairs(labels, preds, 'TopKAccuracy')) {
      if (pred.ndim !== 2) throw new RangeError(`TopKAccuracy.update: predictions must be (batch, classes), got shape (${pred.shape.join(', ')})`);
      if (label.size !== pred.shape[0]) throw new RangeError(`TopKAccuracy.update: ${label.size} labels for ${pred.shape[0]} predictions`);
      if (this.topK > pred.shape[1]) throw new RangeError(`TopKAccuracy.update: topK ${this.topK} is more than the ${pred.shape[1]} classes`);
      tidy(() => {
        const top = pred.topk({ axis: 1, k: this.topK, retTyp: 'indices', dtype: 'int32' }) as NDArray;
        const hits = top.equal(label.astype('int32').reshape([-1, 1]));
        this.accumulate(count(hits), pred.shape[0]);
      });
    }
  }
}

/** Binary F1 (class 1 positive, predictions argmax'ed along axis 1); average 'macro' per update or 'micro' over all. */
interface Counts {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

const noCounts = (): Counts => ({ tp: 0, fp: 0, fn: 0, tn: 0 });

function fscore({ tp, fp, fn }: Counts): number {
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
  return precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
}

const total = (c: Counts): number => c.tp + c.fp + c.fn + c.tn;

/** Binary F1 (class 1 positive, predictions argmax'ed along axis 1); average 'macro' per update or 'micro' over all. */
export class F1 extends EvalMetric {
  readonly average: Average;
  private local = noCounts();
  private global = noCounts();
  constructor(opts: MetricOptions & { average?: Average } = {}) {
    const o = readAverageOptions('F1', opts, 'f1');
    super(o.name);
    this.average = o.average;
  }
  update(labels: Arrays, preds: Arrays): void {
    for (const [label, pred] of pairs(labels, preds, 'F1')) {
      if (pred.ndim < 2 || label.shape[0] !== pred.shape[0]) {
        throw new RangeError(`F1.update: predictions must be (batch, classes) with one label per row; got labels (${label.shape.join(', ')}) and predictions (${pred.shape.join(', ')})`);
      }
      tidy(() => {
        const l = label.astype('int32').reshape([-1]);
        const sorted = l.sort();
        const distinct = l.size === 0 ? 0 : 1 + count(sorted.slice(1).notEqual(sorted.slice(0, l.size - 1)));
        if (distinct > 2) throw new RangeError('F1.update: F1 currently only supports binary classification (labels hold more than two values)');
        const p = pred.argmax({ axis: 1 }).equal(1).astype('float64');
        const t = l.equal(1).astype('float64');
        const batch: Counts = {
          tp: count(p.mul(t)),
          fp: count(p.mul(t.rsub(1))),
          fn: count(p.rsub(1).mul(t)),
          tn: count(p.rsub(1).mul(t.rsub(1))),
        };
        for (const c of [this.local, this.global]) for (const k of ['tp', 'fp', 'fn', 'tn'] as const) c[k] += batch[k];
      });
    }
    if (this.average === 'macro') {
      this.sumMetric += fscore(this.local);
      this.globalSumMetric += fscore(this.global);
      this.numInst += 1;
      this.globalNumInst += 1;
      // MXNet's reset_stats clears the global counts too
      this.local = noCounts();
      this.global = noCounts();
    } else {
      this.sumMetric = fscore(this.local) * total(this.local);
      this.globalSumMetric = fscore(this.global) * total(this.global);
      this.numInst = total(this.local);
      this.globalNumInst = total(this.global);
    }
  }
  reset(): void {
    super.reset();
    this.local = noCounts();
    this.global = noCounts();
  }
  resetLocal(): void {
    super.resetLocal();
    this.local = noCounts();
  }
}

// MAE, MSE, RMSE (one value per label/prediction pair, averaged over pairs, as MXNet) and
// PearsonCorrelation, in float64.
import { tidy } from '../nd';
import type { NDArray } from '../ndarray';
import { type Arrays, type Average, EvalMetric, type MetricOptions, pairs, readAverageOptions, readMetricOptions } from './eval-metric';

/** MXNet reshapes 1-D labels and predictions to (n, 1) before subtracting (so they broadcast). */
function column(x: NDArray): NDArray {
  const f = x.astype('float64');
  return x.ndim === 1 ? f.reshape([x.shape[0], 1]) : f;
}

abstract class PairwiseError extends EvalMetric {
  protected abstract reduce(diff: NDArray): number;
  update(labels: Arrays, preds: Arrays): void {
    for (const [label, pred] of pairs(labels, preds, this.constructor.name)) {
      tidy(() => this.accumulate(this.reduce(column(label).sub(column(pred))), 1));
    }
  }
}

/** mean |label - pred| per batch, averaged over batches. */
export class MAE extends PairwiseError {
  constructor(opts: MetricOptions = {}) {
    super(readMetricOptions('MAE', opts, {}, 'mae').name);
  }
  protected reduce(diff: NDArray): number {
    return diff.abs().mean().asScalar();
  }
}

/** mean (label - pred)^2 per batch, averaged over batches. */
export class MSE extends PairwiseError {
  constructor(opts: MetricOptions = {}) {
    super(readMetricOptions('MSE', opts, {}, 'mse').name);
  }
  protected reduce(diff: NDArray): number {
    return diff.square().mean().asScalar();
  }
}

/** sqrt(mean (label - pred)^2) per batch, averaged over batches. */
export class RMSE extends PairwiseError {
  constructor(opts: MetricOptions = {}) {
    super(readMetricOptions('RMSE', opts, {}, 'rmse').name);
  }
  protected reduce(diff: NDArray): number {
    return Math.sqrt(diff.square().mean().asScalar());
  }
}

/** Welford's running count, mean and squared deviations, merged a batch at a time (MXNet's update_variance). */
interface Running {
  count: number;
  mean: number;
  m2: number;
}

function mergeBatch(r: Running, values: NDArray): Running {
  const count = r.count + values.size;
  const delta = values.sub(r.mean);
  const mean = r.mean + delta.div(count).sum().asScalar();
  const m2 = r.m2 + delta.mul(values.sub(mean)).sum().asScalar();
  return { count, mean, m2 };
}

/**
 * Pearson's r of the flattened labels and predictions: 'macro' (default) averages each batch's
 * r, 'micro' accumulates one r over all batches as MXNet does.
 */
export class PearsonCorrelation extends EvalMetric {
  readonly average: Average;
  private label: Running = { count: 0, mean: 0, m2: 0 };
  private pred: Running = { count: 0, mean: 0, m2: 0 };
  private cov = 0;
  constructor(opts: MetricOptions & { average?: Average } = {}) {
    const o = readAverageOptions('PearsonCorrelation', opts, 'pearsonr');
    super(o.name);
    this.average = o.average;
  }
  update(labels: Arrays, preds: Arrays): void {
    for (const [label, pred] of pairs(labels, preds, 'PearsonCorrelation')) {
      if (label.shape.join() !== pred.shape.join()) {
        throw new RangeError(`PearsonCorrelation.update: labels (${label.shape.join(', ')}) and predictions (${pred.shape.join(', ')}) must have the same shape`);
      }
      tidy(() => {
        const l = label.astype('float64').reshape([-1]);
        const p = pred.astype('float64').reshape([-1]);
        if (this.average === 'macro') {
          const lc = l.sub(l.mean());
          const pc = p.sub(p.mean());
          const r = lc.mul(pc).sum().asScalar() / Math.sqrt(lc.square().sum().asScalar() * pc.square().sum().asScalar());
          this.accumulate(r, 1);
          return;
        }
        this.numInst += 1;
        this.globalNumInst += 1;
        this.label = mergeBatch(this.label, l);
        // MXNet pairs the updated label mean with the previous prediction mean here
        this.cov += l.sub(this.label.mean).mul(p.sub(this.pred.mean)).sum().asScalar();
        this.pred = mergeBatch(this.pred, p);
      });
    }
  }
  get(): [string, number] {
    if (this.numInst === 0) return [this.name, NaN];
    if (this.average === 'macro') return [this.name, this.sumMetric / this.numInst];
    const n = this.label.count;
    return [this.name, this.cov / ((n - 1) * Math.sqrt(this.pred.m2 / (n - 1)) * Math.sqrt(this.label.m2 / (n - 1)))];
  }
  getGlobal(): [string, number] {
    return this.average === 'micro' ? this.get() : (super.getGlobal() as [string, number]);
  }
  reset(): void {
    super.reset();
    this.label = { count: 0, mean: 0, m2: 0 };
    this.pred = { count: 0, mean: 0, m2: 0 };
    this.cov = 0;
  }
}

// CompositeEvalMetric, CustomMetric and mx.metric.create (MXNet's case-insensitive registry).
import { describe } from '../core/dispatch';
import type { NDArray } from '../ndarray';
import { Accuracy, F1, TopKAccuracy } from './classification';
import { type Arrays, EvalMetric, type MetricOptions, pairs, readMetricOptions } from './eval-metric';
import { CrossEntropy, Loss, Perplexity } from './probability';
import { MAE, MSE, PearsonCorrelation, RMSE } from './regression';

/** feval(label, pred) per pair: a number (averaged over pairs) or [sum, count]. */
export type Feval = (label: NDArray, pred: NDArray) => number | [number, number];

export class CustomMetric extends EvalMetric {
  constructor(private readonly feval: Feval, opts: MetricOptions = {}) {
    if (typeof feval !== 'function') throw new TypeError(`CustomMetric: feval must be a function, got ${describe(feval)}`);
    super(readMetricOptions('CustomMetric', opts, {}, `custom(${feval.name || '<lambda>'})`).name);
  }
  update(labels: Arrays, preds: Arrays): void {
    for (const [label, pred] of pairs(labels, preds, 'CustomMetric')) {
      const r = this.feval(label, pred);
      if (Array.isArray(r)) this.accumulate(r[0], r[1]);
      else this.accumulate(r, 1);
    }
  }
}

export type MetricLike = EvalMetric | string | Feval | MetricLike[];

/** Several metrics updated together; get() gives [names, values]. */
export class CompositeEvalMetric extends EvalMetric {
  readonly metrics: EvalMetric[];
  constructor(metrics: MetricLike[] = [], opts: MetricOptions = {}) {
    super(readMetricOptions('CompositeEvalMetric', opts, {}, 'composite').name);
    if (!Array.isArray(metrics)) throw new TypeError(`CompositeEvalMetric: metrics must be an array, got ${describe(metrics)}`);
    this.metrics = metrics.map((m) => create(m));
  }
  add(metric: MetricLike): void {
    this.metrics.push(create(metric));
  }
  getMetric(index: number): EvalMetric {
    const m = this.metrics[index];
    if (!m) throw new RangeError(`CompositeEvalMetric.getMetric: index ${index} is out of range [0, ${this.metrics.length})`);
    return m;
  }
  update(labels: Arrays, preds: Arrays): void {
    for (const m of this.metrics) m.update(labels, preds);
  }
  reset(): void {
    this.metrics.forEach((m) => m.reset());
  }
  resetLocal(): void {
    this.metrics.forEach((m) => m.resetLocal());
  }
  get(): [string[], number[]] {
    return collect(this.metrics.map((m) => m.get()));
  }
  getGlobal(): [string[], number[]] {
    return collect(this.metrics.map((m) => m.getGlobal()));
  }
}

function collect(results: ([string, number] | [string[], number[]])[]): [string[], number[]] {
  const names = results.flatMap(([n]) => (Array.isArray(n) ? n : [n]));
  const values = results.flatMap(([, v]) => (Array.isArray(v) ? v : [v]));
  return [names, values];
}

type Factory = (opts?: Record<string, unknown>) => EvalMetric;
const REGISTRY: Record<string, Factory> = {};
function register(factory: Factory, ...names: string[]): void {
  for (const n of names) REGISTRY[n] = factory;
}
register((o) => new Accuracy(o), 'accuracy', 'acc');
register((o) => new TopKAccuracy(o ?? {}), 'topkaccuracy', 'top_k_accuracy', 'top_k_acc');
register((o) => new F1(o), 'f1');
register((o) => new MAE(o), 'mae');
register((o) => new MSE(o), 'mse');
register((o) => new RMSE(o), 'rmse');
register((o) => new CrossEntropy(o), 'crossentropy', 'ce');
register((o) => new Perplexity(o), 'perplexity');
register((o) => new PearsonCorrelation(o), 'pearsoncorrelation', 'pearsonr');
register((o) => new Loss(o), 'loss');
register((o) => new CompositeEvalMetric((o?.metrics as MetricLike[]) ?? [], { ...o, metrics: undefined } as MetricOptions), 'compositeevalmetric', 'composite');

/**
 * A metric from a name ('acc', 'top_k_accuracy', 'ce', ... case-insensitive; opts go to its
 * constructor), an EvalMetric (returned as is), a function (a CustomMetric) or a list of these
 * (a CompositeEvalMetric).
 */
export function create(metric: MetricLike, opts?: Record<string, unknown>): EvalMetric {
  if (metric instanceof EvalMetric) return metric;
  if (typeof metric === 'function') return new CustomMetric(metric, opts as MetricOptions);
  if (Array.isArray(metric)) {
    const composite = new CompositeEvalMetric();
    for (const m of metric) composite.add(create(m, opts));
    return composite;
  }
  if (typeof metric !== 'string') throw new TypeError(`metric.create: metric must be a name, an EvalMetric, a function or a list, got ${describe(metric)}`);
  const factory = REGISTRY[metric.toLowerCase()];
  if (!factory) throw new RangeError(`metric.create: unknown metric '${metric}'; known: ${Object.keys(REGISTRY).join(', ')}`);
  return factory(opts);
}

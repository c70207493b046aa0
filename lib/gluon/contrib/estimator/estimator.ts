// gluon.contrib.estimator.Estimator (MXNet 1.6+ estimator.py): the training loop of a Gluon net
// (record, backward, trainer.step(batchSize)) driven by event handlers, with train and validation
// metrics named as MXNet names them ('training accuracy', 'validation <loss name>').
import { record } from '../../../autograd';
import { tidy } from '../../../nd';
import type { NDArray } from '../../../ndarray';
import { Accuracy, CompositeEvalMetric, EvalMetric, Loss } from '../../../metric';
import type { Block } from '../../block';
import { SoftmaxCrossEntropyLoss } from '../../loss';
import type { Trainer } from '../../trainer';
import {
  type EventHandler,
  HistoryHandler,
  LoggingHandler,
  MetricHandler,
  StoppingHandler,
  ValidationHandler,
} from './event-handler';

type Batch = [NDArray, NDArray];
type LossBlock = Block & { forward(pred: NDArray, label: NDArray): NDArray };

export interface EstimatorOptions {
  net: Block;
  loss: LossBlock;
  trainer: Trainer;
  trainMetrics?: EvalMetric | EvalMetric[];
  valMetrics?: EvalMetric | EvalMetric[];
  /** The loss used by evaluate() (the training loss by default). */
  valLoss?: LossBlock;
}

export interface FitOptions {
  valData?: Iterable<Batch>;
  epochs?: number;
  batches?: number;
  eventHandlers?: EventHandler | EventHandler[];
}

/** Every metric's value per epoch, by metric name. */
export type History = Record<string, number[]>;

const HOOKS = ['trainBegin', 'epochBegin', 'batchBegin', 'batchEnd', 'epochEnd', 'trainEnd'] as const;

function metricList(where: string, m: EvalMetric | EvalMetric[] | undefined): EvalMetric[] {
  const list = m === undefined ? [] : Array.isArray(m) ? m : [m];
  for (const x of list) if (!(x instanceof EvalMetric)) throw new TypeError(`Estimator: ${where} must be EvalMetrics, got ${String(x)}`);
  return list;
}

/**
 * Renames m and, unlike MXNet, the metrics inside a CompositeEvalMetric, whose values are
 * reported under their own names: train and validation composites would otherwise collide.
 */
function rename(m: EvalMetric, to: (name: string) => string): void {
  m.name = to(m.name);
  if (m instanceof CompositeEvalMetric) for (const inner of m.metrics) rename(inner, to);
}

/** A reset copy of m (MXNet deep-copies the train metrics into validation metrics). */
function cloneMetric(m: EvalMetric): EvalMetric {
  const copy = Object.create(Object.getPrototypeOf(m)) as Record<string, unknown>;
  // Nested metrics (CompositeEvalMetric's) are copied too; reset() replaces every other counter.
  const own = (v: unknown): unknown => (v instanceof EvalMetric ? cloneMetric(v) : v);
  for (const [k, v] of Object.entries(m)) copy[k] = Array.isArray(v) ? v.map(own) : own(v);
  const metricCopy = copy as unknown as EvalMetric;
  metricCopy.reset();
  return metricCopy;
}

export class Estimator {
  readonly net: Block;
  readonly loss: LossBlock;
  readonly valLoss: LossBlock;
  readonly trainer: Trainer;
  readonly trainMetrics: EvalMetric[];
  readonly valMetrics: EvalMetric[];
  history: History = {};
  maxEpoch?: number;
  maxBatch?: number;
  /** Epochs completed (continues from a resumed checkpoint). */
  currentEpoch = 0;
  /** Batches per epoch of the training data when it has a length. */
  batchesPerEpoch?: number;
  private stopping?: StoppingHandler;

  constructor(opts: EstimatorOptions) {
    if (opts === null || typeof opts !== 'object') throw new TypeError(`Estimator: options must be an object, got ${String(opts)}`);
    for (const k of ['net', 'loss', 'trainer'] as const) if (opts[k] === undefined) throw new TypeError(`Estimator: ${k} is required`);
    if (typeof opts.loss.forward !== 'function') throw new TypeError('Estimator: loss must be a gluon loss block');
    this.net = opts.net;
    this.loss = opts.loss;
    this.valLoss = opts.valLoss ?? opts.loss;
    this.trainer = opts.trainer;
    this.trainMetrics = metricList('trainMetrics', opts.trainMetrics);
    if (this.trainMetrics.length === 0) {
      // As MXNet: accuracy for a softmax cross-entropy loss, then always the loss itself.
      if (this.loss instanceof SoftmaxCrossEntropyLoss) this.trainMetrics.push(new Accuracy());
      this.trainMetrics.push(new Loss({ name: this.loss.name.replace(/\d+$/, '') }));
    }
    for (const m of this.trainMetrics) rename(m, (n) => `training ${n}`);
    const val = metricList('valMetrics', opts.valMetrics);
    this.valMetrics = val.length > 0 ? val : this.trainMetrics.map(cloneMetric);
    for (const m of this.valMetrics) rename(m, (n) => (n.includes('training') ? n.replace('training', 'validation') : `validation ${n}`));
  }

  /** Runs one batch forward and backward and steps the trainer; returns [pred, loss]. */
  fitBatch([data, label]: Batch): [NDArray, NDArray] {
    let pred!: NDArray;
    const loss = record(() => {
      pred = this.net.forward(data) as NDArray;
      return this.loss.forward(pred, label);
    });
    loss.backward();
    this.trainer.step(data.shape[0]!);
    return [pred, loss];
  }

  /** Resets the validation metrics and updates them over valData (forward only). */
  evaluate(valData: Iterable<Batch>): void {
    for (const m of this.valMetrics) m.reset();
    for (const [data, label] of valData) {
      tidy(() => {
        const pred = this.net.forward(data) as NDArray;
        const loss = this.valLoss.forward(pred, label);
        for (const m of this.valMetrics) {
          if (m instanceof Loss) m.update([], loss);
          else m.update(label, pred);
        }
      });
    }
  }

  /** Called by a resuming CheckpointHandler: `epochs` were already trained. */
  resumeAt(epochs: number): void {
    this.currentEpoch = epochs;
    if (this.stopping) this.stopping.currentEpoch = epochs;
  }

  /**
   * Trains for `epochs` epochs (counted from the start, so a resumed run trains the rest) or
   * `batches` batches. Adds MXNet's default handlers that are not given (stopping, metrics,
   * validation when valData is given, logging) and returns the history of every metric.
   */
  fit(trainData: Iterable<Batch>, opts: FitOptions = {}): History {
    if (trainData === null || typeof (trainData as Iterable<Batch>)?.[Symbol.iterator] !== 'function') {
      throw new TypeError(`Estimator.fit: trainData must be a DataLoader (an iterable of [data, label]), got ${String(trainData)}`);
    }
    const { epochs, batches } = opts;
    if ((epochs === undefined) === (batches === undefined)) throw new TypeError('Estimator.fit: give exactly one of epochs or batches');
    for (const [k, v] of [['epochs', epochs], ['batches', batches]] as const) {
      if (v !== undefined && !(Number.isInteger(v) && v > 0)) throw new RangeError(`Estimator.fit: ${k} must be a positive integer, got ${String(v)}`);
    }
    this.maxEpoch = epochs;
    this.maxBatch = batches;
    this.currentEpoch = 0;
    this.history = {};
    const len = (trainData as { length?: unknown }).length;
    this.batchesPerEpoch = typeof len === 'number' ? len : undefined;
    const handlers = this.prepareHandlers(opts);
    const on = Object.fromEntries(HOOKS.map((h) => [h, handlers.filter((x) => typeof x[h] === 'function')])) as Record<(typeof HOOKS)[number], EventHandler[]>;

    for (const h of on.trainBegin) h.trainBegin!(this);
    // A resumed run may already have reached maxEpoch.
    let stop = this.maxEpoch !== undefined && this.currentEpoch >= this.maxEpoch;
    while (!stop) {
      for (const h of on.epochBegin) h.epochBegin!(this);
      for (const batch of trainData) {
        const batchStop = tidy(() => {
          for (const h of on.batchBegin) h.batchBegin!(this, batch);
          const [pred, loss] = this.fitBatch(batch);
          const info = { batch, pred, label: batch[1], loss };
          return on.batchEnd.map((h) => h.batchEnd!(this, info) === true).some(Boolean);
        });
        if (batchStop) break;
      }
      stop = on.epochEnd.map((h) => h.epochEnd!(this) === true).some(Boolean);
      this.currentEpoch += 1;
    }
    for (const h of on.trainEnd) h.trainEnd!(this);
    return this.history;
  }

  private prepareHandlers(opts: FitOptions): EventHandler[] {
    const given = opts.eventHandlers === undefined ? [] : Array.isArray(opts.eventHandlers) ? [...opts.eventHandlers] : [opts.eventHandlers];
    for (const h of given) {
      if (h === null || typeof h !== 'object' || !HOOKS.some((k) => typeof (h as EventHandler)[k] === 'function')) {
        throw new TypeError(`Estimator.fit: eventHandlers must be objects with at least one of ${HOOKS.join('/')}, got ${String(h)}`);
      }
    }
    const has = (cls: abstract new (...a: never[]) => EventHandler) => given.some((h) => h instanceof cls);
    this.stopping = new StoppingHandler(this.maxEpoch, this.maxBatch);
    const defaults: EventHandler[] = [this.stopping, new HistoryHandler()];
    if (!has(MetricHandler)) defaults.push(new MetricHandler(this.trainMetrics));
    if (opts.valData !== undefined && !has(ValidationHandler)) defaults.push(new ValidationHandler(opts.valData));
    if (!has(LoggingHandler)) defaults.push(new LoggingHandler());
    return [...given, ...defaults].sort((a, b) => (a.priority ?? 0) - (b.priority ?? 0));
  }
}

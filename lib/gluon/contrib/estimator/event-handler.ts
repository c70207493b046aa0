// Event handlers of gluon.contrib.estimator (MXNet 1.6+ event_handler.py): objects with any of the
// hooks trainBegin/epochBegin/batchBegin/batchEnd/epochEnd/trainEnd. batchEnd and epochEnd
// return true to stop training. Handlers run in order of `priority` (lower first, stable).
import * as fs from 'fs';
import * as path from 'path';
import type { NDArray } from '../../../ndarray';
import { EvalMetric, Loss } from '../../../metric';
import type { Estimator } from './estimator';
import { ProgressReporter } from './progress';

export interface BatchInfo {
  batch: [NDArray, NDArray];
  pred: NDArray;
  label: NDArray;
  loss: NDArray;
}

export interface EventHandler {
  priority?: number;
  trainBegin?(est: Estimator): void;
  epochBegin?(est: Estimator): void;
  batchBegin?(est: Estimator, batch: [NDArray, NDArray]): void;
  batchEnd?(est: Estimator, info: BatchInfo): boolean | void;
  epochEnd?(est: Estimator): boolean | void;
  trainEnd?(est: Estimator): void;
}

function checkPositiveInt(where: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new RangeError(`${where}: ${name} must be a positive integer, got ${String(v)}`);
  return v;
}

/** Stops after maxEpoch epochs or maxBatch batches, whichever is given. */
export class StoppingHandler implements EventHandler {
  priority = 0;
  currentEpoch = 0;
  currentBatch = 0;
  stopTraining = false;
  constructor(
    public maxEpoch?: number,
    public maxBatch?: number,
  ) {}
  trainBegin(): void {
    this.currentBatch = 0;
    this.stopTraining = false;
  }
  batchEnd(): boolean {
    this.currentBatch += 1;
    if (this.currentBatch === this.maxBatch) this.stopTraining = true;
    return this.stopTraining;
  }
  epochEnd(): boolean {
    this.currentEpoch += 1;
    if (this.currentEpoch === this.maxEpoch) this.stopTraining = true;
    return this.stopTraining;
  }
}

/** Updates the training metrics after each batch (Loss metrics from the loss, others from label/pred). */
export class MetricHandler implements EventHandler {
  priority = -1000;
  constructor(public metrics: EvalMetric[]) {}
  epochBegin(): void {
    for (const m of this.metrics) m.reset();
  }
  batchEnd(_est: Estimator, { pred, label, loss }: BatchInfo): void {
    for (const m of this.metrics) {
      if (m instanceof Loss) m.update([], loss);
      else m.update(label, pred);
    }
  }
}

/** Runs estimator.evaluate(valData) every epochPeriod epochs. */
export class ValidationHandler implements EventHandler {
  priority = -1000;
  private epoch = 0;
  constructor(
    public valData: Iterable<[NDArray, NDArray]>,
    public epochPeriod = 1,
  ) {
    checkPositiveInt('ValidationHandler', 'epochPeriod', epochPeriod);
  }
  trainBegin(): void {
    this.epoch = 0;
  }
  epochEnd(est: Estimator): void {
    this.epoch += 1;
    if (this.epoch % this.epochPeriod === 0) est.evaluate(this.valData);
  }
}

/** Appends every train and validation metric's value to estimator.history at each epoch end. */
export class HistoryHandler implements EventHandler {
  priority = -500;
  epochEnd(est: Estimator): void {
    for (const m of [...est.trainMetrics, ...est.valMetrics]) {
      for (const [name, value] of m.getNameValue()) (est.history[name] ??= []).push(value);
    }
  }
}

export interface LoggingHandlerOptions {
  /** 'epoch' (a line per epoch) or a number of batches between lines. */
  logInterval?: 'epoch' | number;
  /** The metrics to report; the estimator's train and validation metrics by default. */
  metrics?: EvalMetric[];
  /** Where lines go (console.log by default). */
  write?: (line: string) => void;
  /** Draw a progress bar: by default when stdout is a TTY. */
  progressBar?: boolean;
}

/** Reports progress: a bar on a TTY (loss, metrics, samples/s, time left), plain lines otherwise. */
export class LoggingHandler implements EventHandler {
  priority = Infinity;
  readonly logInterval: 'epoch' | number;
  metrics?: EvalMetric[];
  private readonly write: (line: string) => void;
  private readonly useBar: boolean;
  private reporter?: ProgressReporter;
  private trainStart = 0;
  private epochStart = 0;
  private epoch = 0;
  private batch = 0;
  private samples = 0;

  constructor(opts: LoggingHandlerOptions = {}) {
    const li = opts.logInterval ?? 'epoch';
    if (li !== 'epoch') checkPositiveInt('LoggingHandler', 'logInterval', li);
    this.logInterval = li;
    this.metrics = opts.metrics;
    this.write = opts.write ?? ((line) => console.log(line));
    this.useBar = opts.progressBar ?? Boolean(process.stdout.isTTY);
  }

  private metricText(est: Estimator, all: boolean): string {
    const ms = this.metrics ?? (all ? [...est.trainMetrics, ...est.valMetrics] : est.trainMetrics);
    return ms
      .flatMap((m) => m.getNameValue())
      // Metrics never updated (validation without valData) are left out, not printed as NaN.
      .filter(([, v]) => !Number.isNaN(v))
      .map(([n, v]) => `${n}: ${v.toFixed(4)}`)
      .join(', ');
  }

  trainBegin(est: Estimator): void {
    this.trainStart = Date.now();
    this.epoch = est.currentEpoch;
    const lr = est.trainer.learningRate;
    this.write(`Training begin: using optimizer ${est.trainer.optimizer.constructor.name} with current learning rate ${lr.toFixed(4)}`);
    if (est.maxEpoch !== undefined) this.write(`Train for ${est.maxEpoch - est.currentEpoch} epochs.`);
    else this.write(`Train for ${est.maxBatch} batches.`);
  }

  epochBegin(est: Estimator): void {
    this.epochStart = Date.now();
    this.batch = 0;
    this.samples = 0;
    this.epoch = est.currentEpoch;
    if (this.useBar) {
      this.reporter = new ProgressReporter(`[Epoch ${this.epoch}]`, est.batchesPerEpoch);
    } else if (this.logInterval === 'epoch') {
      this.write(`[Epoch ${this.epoch}] Begin, current learning rate: ${est.trainer.learningRate.toFixed(4)}`);
    }
  }

  batchEnd(est: Estimator, { batch }: BatchInfo): void {
    this.batch += 1;
    this.samples += batch[0].shape[0] ?? 0;
    const seconds = (Date.now() - this.epochStart) / 1000;
    const speed = seconds > 0 ? this.samples / seconds : 0;
    if (this.reporter) {
      this.reporter.update(this.batch, `${this.metricText(est, false)}, ${speed.toFixed(0)} samples/s`);
    } else if (this.logInterval !== 'epoch' && this.batch % this.logInterval === 0) {
      this.write(`[Epoch ${this.epoch}][Batch ${this.batch - 1}][Samples ${this.samples}] ${speed.toFixed(0)} samples/s, ${this.metricText(est, false)}`);
    }
  }

  epochEnd(est: Estimator): void {
    this.reporter?.stop();
    this.reporter = undefined;
    const seconds = ((Date.now() - this.epochStart) / 1000).toFixed(3);
    this.write(`[Epoch ${this.epoch}] Finished in ${seconds}s, ${this.metricText(est, true)}`);
  }

  trainEnd(est: Estimator): void {
    this.reporter?.stop();
    const seconds = ((Date.now() - this.trainStart) / 1000).toFixed(3);
    this.write(`Train finished using total ${seconds}s with ${est.currentEpoch} epochs. ${this.metricText(est, true)}`);
  }
}

type Mode = 'auto' | 'min' | 'max';

function monitorDirection(where: string, monitor: EvalMetric, mode: Mode | undefined): 'min' | 'max' {
  const m = mode ?? 'auto';
  if (m !== 'auto' && m !== 'min' && m !== 'max') throw new RangeError(`${where}: mode must be 'auto', 'min' or 'max', got ${String(m)}`);
  if (m !== 'auto') return m;
  // As MXNet: accuracy and f1 grow, everything else (losses, errors) shrinks.
  const name = monitor.getNameValue()[0][0].toLowerCase();
  return name.includes('acc') || name.includes('f1') ? 'max' : 'min';
}

function monitorValue(monitor: EvalMetric): number {
  return monitor.getNameValue()[0][1];
}

export interface EarlyStoppingOptions {
  monitor: EvalMetric;
  minDelta?: number;
  patience?: number;
  mode?: Mode;
  baseline?: number;
}

/** Stops when the monitored metric has not improved by more than minDelta for `patience` epochs. */
export class EarlyStoppingHandler implements EventHandler {
  priority = 0;
  readonly monitor: EvalMetric;
  readonly minDelta: number;
  readonly patience: number;
  readonly mode: 'min' | 'max';
  readonly baseline?: number;
  wait = 0;
  best = 0;
  /** The epoch (0-based) at which training was stopped; -1 if it was not. */
  stoppedEpoch = -1;

  constructor(opts: EarlyStoppingOptions) {
    if (!(opts?.monitor instanceof EvalMetric)) throw new TypeError(`EarlyStoppingHandler: monitor must be an EvalMetric, got ${String(opts?.monitor)}`);
    this.monitor = opts.monitor;
    this.minDelta = Math.abs(opts.minDelta ?? 0);
    this.patience = opts.patience ?? 0;
    if (!Number.isInteger(this.patience) || this.patience < 0) throw new RangeError(`EarlyStoppingHandler: patience must be a non-negative integer, got ${String(opts.patience)}`);
    this.mode = monitorDirection('EarlyStoppingHandler', opts.monitor, opts.mode);
    this.baseline = opts.baseline;
  }

  private improved(value: number): boolean {
    return this.mode === 'min' ? value + this.minDelta < this.best : value - this.minDelta > this.best;
  }

  trainBegin(): void {
    this.wait = 0;
    this.stoppedEpoch = -1;
    this.best = this.baseline ?? (this.mode === 'min' ? Infinity : -Infinity);
  }

  epochEnd(est: Estimator): boolean {
    const value = monitorValue(this.monitor);
    let stop = false;
    if (!Number.isNaN(value)) {
      if (this.improved(value)) {
        this.best = value;
        this.wait = 0;
      } else {
        this.wait += 1;
        if (this.wait >= this.patience) {
          this.stoppedEpoch = est.currentEpoch;
          stop = true;
        }
      }
    }
    return stop;
  }
}

export interface CheckpointOptions {
  modelDir: string;
  modelPrefix?: string;
  monitor?: EvalMetric;
  saveBest?: boolean;
  mode?: Mode;
  epochPeriod?: number;
  maxCheckpoints?: number;
  resumeFromCheckpoint?: boolean;
  /** Where messages go (nothing by default). */
  write?: (line: string) => void;
}

/**
 * Saves `<prefix>-epoch<E>.params` (net.saveParameters) and `.states` (trainer.saveStates) every
 * epochPeriod epochs, keeps the newest maxCheckpoints, and with saveBest `<prefix>-best.*` when
 * the monitored metric improves. resumeFromCheckpoint loads the newest checkpoint at trainBegin
 * and continues the epoch count from it.
 */
export class CheckpointHandler implements EventHandler {
  priority = 0;
  readonly modelDir: string;
  readonly modelPrefix: string;
  readonly monitor?: EvalMetric;
  readonly saveBest: boolean;
  readonly epochPeriod: number;
  readonly maxCheckpoints: number;
  readonly resumeFromCheckpoint: boolean;
  private readonly mode: 'min' | 'max';
  private readonly write: (line: string) => void;
  private best = 0;
  private saved: string[] = [];
  /** The epoch count of the checkpoint resumed from (0 when none). */
  trainedEpoch = 0;

  constructor(opts: CheckpointOptions) {
    if (typeof opts?.modelDir !== 'string' || opts.modelDir === '') throw new TypeError(`CheckpointHandler: modelDir must be a directory path, got ${String(opts?.modelDir)}`);
    this.modelDir = opts.modelDir;
    this.modelPrefix = opts.modelPrefix ?? 'model';
    this.monitor = opts.monitor;
    this.saveBest = opts.saveBest ?? false;
    if (this.saveBest && !(this.monitor instanceof EvalMetric)) throw new TypeError('CheckpointHandler: saveBest needs a monitor metric');
    this.epochPeriod = checkPositiveInt('CheckpointHandler', 'epochPeriod', opts.epochPeriod ?? 1);
    this.maxCheckpoints = checkPositiveInt('CheckpointHandler', 'maxCheckpoints', opts.maxCheckpoints ?? 5);
    this.resumeFromCheckpoint = opts.resumeFromCheckpoint ?? false;
    this.mode = this.monitor ? monitorDirection('CheckpointHandler', this.monitor, opts.mode) : 'min';
    this.write = opts.write ?? (() => {});
  }

  private file(tag: string): string {
    return path.join(this.modelDir, `${this.modelPrefix}-${tag}`);
  }

  private saveTo(est: Estimator, tag: string): void {
    est.net.saveParameters(`${this.file(tag)}.params`);
    est.trainer.saveStates(`${this.file(tag)}.states`);
  }

  /** Epoch numbers of the checkpoints in modelDir, ascending. */
  private existing(): number[] {
    if (!fs.existsSync(this.modelDir)) return [];
    const re = new RegExp(`^${this.modelPrefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-epoch(\\d+)\\.params$`);
    return fs
      .readdirSync(this.modelDir)
      .map((f) => re.exec(f))
      .filter((m): m is RegExpExecArray => m !== null && fs.existsSync(this.file(`epoch${m[1]}.states`)))
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
  }

  trainBegin(est: Estimator): void {
    fs.mkdirSync(this.modelDir, { recursive: true });
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.saved = [];
    this.trainedEpoch = 0;
    if (!this.resumeFromCheckpoint) return;
    const epochs = this.existing();
    if (epochs.length === 0) {
      this.write(`CheckpointHandler: no checkpoint '${this.modelPrefix}-epoch*' in ${this.modelDir}, training from scratch`);
      return;
    }
    const last = epochs[epochs.length - 1];
    est.net.loadParameters(`${this.file(`epoch${last}`)}.params`);
    est.trainer.loadStates(`${this.file(`epoch${last}`)}.states`);
    this.trainedEpoch = last;
    this.saved = epochs.map((e) => `epoch${e}`);
    est.resumeAt(last);
    this.write(`CheckpointHandler: resumed from ${this.file(`epoch${last}`)}.params`);
  }

  epochEnd(est: Estimator): void {
    const epoch = est.currentEpoch + 1;
    if (epoch % this.epochPeriod === 0) {
      const tag = `epoch${epoch}`;
      this.saveTo(est, tag);
      this.saved.push(tag);
      while (this.saved.length > this.maxCheckpoints) {
        const old = this.saved.shift()!;
        for (const ext of ['.params', '.states']) fs.rmSync(`${this.file(old)}${ext}`, { force: true });
      }
    }
    if (this.saveBest && this.monitor) {
      const value = monitorValue(this.monitor);
      if (!Number.isNaN(value) && (this.mode === 'min' ? value < this.best : value > this.best)) {
        this.best = value;
        this.saveTo(est, 'best');
        this.write(`CheckpointHandler: ${this.monitor.getNameValue()[0][0]} improved to ${value}, saved ${this.file('best')}.params`);
      }
    }
  }
}

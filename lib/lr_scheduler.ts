// mx.lr_scheduler: MXNet 1.9's learning-rate schedules (python/mxnet/lr_scheduler.py), formula
// for formula, including their warm-up. A schedule maps the optimizer's update count to a
// learning rate: `scheduler.call(numUpdate)` (MXNet's `scheduler(num_update)`; JavaScript has no
// callable objects). Factor and MultiFactor keep state, as in MXNet: call them with
// non-decreasing counts.
import { readOptions, type OptionNames } from './core/options';

export type WarmupMode = 'linear' | 'constant';

export interface LRSchedulerOptions {
  baseLr?: number;
  warmupSteps?: number;
  warmupBeginLr?: number;
  warmupMode?: WarmupMode;
}

const BASE_NAMES: OptionNames = {
  baseLr: ['base_lr'],
  warmupSteps: ['warmup_steps'],
  warmupBeginLr: ['warmup_begin_lr'],
  warmupMode: ['warmup_mode'],
};

function num(fn: string, key: string, v: unknown, def: number): number {
  if (v === undefined) return def;
  if (typeof v !== 'number' || Number.isNaN(v)) throw new TypeError(`${fn}: ${key} must be a number, got ${typeof v === 'string' ? `'${v}'` : String(v)}`);
  return v;
}

function int(fn: string, key: string, v: unknown, def: number): number {
  const n = num(fn, key, v, def);
  if (!Number.isInteger(n)) throw new TypeError(`${fn}: ${key} must be an integer, got ${n}`);
  return n;
}

export abstract class LRScheduler {
  baseLr: number;
  warmupSteps: number;
  warmupBeginLr: number;
  warmupFinalLr: number;
  warmupMode: WarmupMode;

  protected constructor(fn: string, o: Record<string, unknown>) {
    this.baseLr = num(fn, 'baseLr', o.baseLr, 0.01);
    this.warmupSteps = int(fn, 'warmupSteps', o.warmupSteps, 0);
    this.warmupFinalLr = this.baseLr;
    this.warmupBeginLr = num(fn, 'warmupBeginLr', o.warmupBeginLr, 0);
    if (this.warmupBeginLr > this.warmupFinalLr) throw new RangeError(`${fn}: baseLr has to be higher than warmupBeginLr`);
    if (this.warmupSteps < 0) throw new RangeError(`${fn}: warmupSteps has to be positive or 0, got ${this.warmupSteps}`);
    const mode = o.warmupMode ?? 'linear';
    if (mode !== 'linear' && mode !== 'constant') {
      throw new RangeError(`${fn}: warmupMode must be 'linear' or 'constant', got ${typeof mode === 'string' ? `'${mode}'` : String(mode)}`);
    }
    this.warmupMode = mode;
  }

  /** The learning rate during warm-up (numUpdate < warmupSteps). */
  getWarmupLr(numUpdate: number): number {
    if (this.warmupMode === 'constant') return this.warmupBeginLr;
    const increase = ((this.warmupFinalLr - this.warmupBeginLr) * numUpdate) / this.warmupSteps;
    return this.warmupBeginLr + increase;
  }

  /** The learning rate after numUpdate updates (MXNet's `scheduler(num_update)`). */
  abstract call(numUpdate: number): number;
}

export interface FactorSchedulerOptions extends LRSchedulerOptions {
  factor?: number;
  stopFactorLr?: number;
}

/** baseLr * factor^floor(numUpdate / step), never below stopFactorLr. */
export class FactorScheduler extends LRScheduler {
  step: number;
  factor: number;
  stopFactorLr: number;
  count = 0;

  constructor(step: number, opts?: FactorSchedulerOptions) {
    const fn = 'FactorScheduler';
    const o = readOptions(fn, opts, { ...BASE_NAMES, factor: [], stopFactorLr: ['stop_factor_lr'] });
    super(fn, o);
    this.step = num(fn, 'step', step, NaN);
    if (!(this.step >= 1)) throw new RangeError(`${fn}: step must be at least 1, got ${step}`);
    this.factor = num(fn, 'factor', o.factor, 1);
    if (this.factor > 1) throw new RangeError(`${fn}: factor must be no more than 1 to make lr reduce, got ${this.factor}`);
    this.stopFactorLr = num(fn, 'stopFactorLr', o.stopFactorLr, 1e-8);
  }

  call(numUpdate: number): number {
    if (numUpdate < this.warmupSteps) return this.getWarmupLr(numUpdate);
    while (numUpdate > this.count + this.step) {
      this.count += this.step;
      this.baseLr *= this.factor;
      if (this.baseLr < this.stopFactorLr) this.baseLr = this.stopFactorLr;
    }
    return this.baseLr;
  }
}

export interface MultiFactorSchedulerOptions extends LRSchedulerOptions {
  factor?: number;
}

/** baseLr * factor^k after the k-th of the increasing steps. */
export class MultiFactorScheduler extends LRScheduler {
  step: number[];
  factor: number;
  curStepInd = 0;
  count = 0;

  constructor(step: number[], opts?: MultiFactorSchedulerOptions) {
    const fn = 'MultiFactorScheduler';
    const o = readOptions(fn, opts, { ...BASE_NAMES, factor: [] });
    super(fn, o);
    if (!Array.isArray(step) || step.length < 1) throw new TypeError(`${fn}: step must be a non-empty list of integers`);
    step.forEach((s, i) => {
      int(fn, `step[${i}]`, s, NaN);
      if (i > 0 && s <= step[i - 1]) throw new RangeError(`${fn}: step must be an increasing integer list, got [${step.join(', ')}]`);
      if (s < 1) throw new RangeError(`${fn}: step must be at least 1, got ${s}`);
    });
    this.step = [...step];
    this.factor = num(fn, 'factor', o.factor, 1);
    if (this.factor > 1) throw new RangeError(`${fn}: factor must be no more than 1 to make lr reduce, got ${this.factor}`);
  }

  call(numUpdate: number): number {
    if (numUpdate < this.warmupSteps) return this.getWarmupLr(numUpdate);
    while (this.curStepInd <= this.step.length - 1) {
      if (numUpdate > this.step[this.curStepInd]) {
        this.count = this.step[this.curStepInd];
        this.curStepInd += 1;
        this.baseLr *= this.factor;
      } else {
        return this.baseLr;
      }
    }
    return this.baseLr;
  }
}

/** Poly and Cosine: a decay from baseLr to finalLr over maxUpdate updates (warm-up included). */
abstract class DecayScheduler extends LRScheduler {
  baseLrOrig: number;
  maxUpdate: number;
  finalLr: number;
  maxSteps: number;

  protected constructor(fn: string, maxUpdate: number, o: Record<string, unknown>) {
    super(fn, o);
    this.maxUpdate = int(fn, 'maxUpdate', maxUpdate, NaN);
    if (this.maxUpdate < 1) throw new RangeError(`${fn}: maxUpdate must be strictly positive, got ${maxUpdate}`);
    this.baseLrOrig = this.baseLr;
    this.finalLr = num(fn, 'finalLr', o.finalLr, 0);
    this.maxSteps = this.maxUpdate - this.warmupSteps;
  }

  /** The decay's shape at t = (numUpdate - warmupSteps) / maxSteps: 1 at 0, 0 at 1. */
  protected abstract decay(t: number): number;

  call(numUpdate: number): number {
    if (numUpdate < this.warmupSteps) return this.getWarmupLr(numUpdate);
    if (numUpdate <= this.maxUpdate) {
      this.baseLr = this.finalLr + (this.baseLrOrig - this.finalLr) * this.decay(numUpdate - this.warmupSteps);
    }
    return this.baseLr;
  }
}

export interface PolySchedulerOptions extends LRSchedulerOptions {
  pwr?: number;
  finalLr?: number;
}

/** finalLr + (baseLr - finalLr) * (1 - t / maxSteps)^pwr, t counted after warm-up. */
export class PolyScheduler extends DecayScheduler {
  power: number;

  constructor(maxUpdate: number, opts?: PolySchedulerOptions) {
    const o = readOptions('PolyScheduler', opts, { ...BASE_NAMES, pwr: [], finalLr: ['final_lr'] });
    super('PolyScheduler', maxUpdate, o);
    this.power = num('PolyScheduler', 'pwr', o.pwr, 2);
  }

  protected decay(t: number): number {
    return Math.pow(1 - t / this.maxSteps, this.power);
  }
}

export interface CosineSchedulerOptions extends LRSchedulerOptions {
  finalLr?: number;
}

/** finalLr + (baseLr - finalLr) * (1 + cos(pi * t / maxSteps)) / 2, t counted after warm-up. */
export class CosineScheduler extends DecayScheduler {
  constructor(maxUpdate: number, opts?: CosineSchedulerOptions) {
    super('CosineScheduler', maxUpdate, readOptions('CosineScheduler', opts, { ...BASE_NAMES, finalLr: ['final_lr'] }));
  }

  protected decay(t: number): number {
    return (1 + Math.cos((Math.PI * t) / this.maxSteps)) / 2;
  }
}

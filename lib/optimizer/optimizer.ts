// The base of mx.optimizer: MXNet 1.x's Optimizer (python/mxnet/optimizer/optimizer.py) on the
// public nd API: the learning rate (or its schedule), weight decay, rescaling, clipping, the
// per-parameter multipliers and the update counts. Subclasses call one fused update op per
// weight (lib/nd/optim.ts).
import { describe } from '../core/dispatch';
import { numberOption, readOptions, type OptionNames } from '../core/options';
import type { LRScheduler } from '../lr_scheduler';
import type { NDArray } from '../ndarray';
import { zerosLike } from '../nd/creation';

/** What createState returns: nothing, one array, or a tuple of arrays. */
export type OptimizerState = NDArray | null | readonly NDArray[];

/** A parameter's multipliers, as a gluon Parameter has them. */
export interface ParamMults {
  lrMult: number;
  wdMult: number;
}

export type Index = number | string;

export interface OptimizerOptions {
  /** Default 0.01 (or the schedule's); subclasses have their own defaults. */
  learningRate?: number;
  /** Multiplies every gradient first (a Trainer sets 1 / batchSize). Default 1. */
  rescaleGrad?: number;
  /** Weight decay. Default 0. */
  wd?: number;
  /** Clip gradients to [-c, c]; null (default) or 0: no clipping. */
  clipGradient?: number | null;
  lrScheduler?: LRScheduler | null;
  /** index -> parameter name, for lrMult / wdMult keyed by name. */
  paramIdx2Name?: Record<number, string>;
  /** The update count to start from. Default 0. */
  beginNumUpdate?: number;
  /** index -> parameter with lrMult / wdMult (gluon's Trainer passes its parameters). */
  paramDict?: Record<Index, ParamMults> | Map<Index, ParamMults>;
  /** Accepted for MXNet compatibility; float16 does not exist here, so it changes nothing. */
  multiPrecision?: boolean;
}

export const BASE_OPTIONS: OptionNames = {
  learningRate: ['learning_rate'],
  rescaleGrad: ['rescale_grad'],
  wd: [],
  clipGradient: ['clip_gradient'],
  lrScheduler: ['lr_scheduler'],
  paramIdx2Name: ['param_idx2name'],
  beginNumUpdate: ['begin_num_update'],
  paramDict: ['param_dict'],
  multiPrecision: ['multi_precision'],
};


function nullableNumber(fn: string, key: string, v: unknown): number | null {
  return v === undefined || v === null ? null : numberOption(fn, key, v, 0);
}

/** count zero arrays of the weight's shape and dtype: a state. */
export function zerosLikeWeight(weight: NDArray, count: number): NDArray[] {
  return Array.from({ length: count }, () => zerosLike(weight));
}

/** The momentum buffer of SGD, NAG and Signum: one zero array, or no state when momentum is 0. */
export function momentumState(weight: NDArray, momentum: number): OptimizerState {
  return momentum !== 0 ? zerosLike(weight) : null;
}

export abstract class Optimizer {
  rescaleGrad: number;
  wd: number;
  clipGradient: number | null;
  lrScheduler: LRScheduler | null;
  /** The learning rate when there is no schedule (MXNet's `lr`). */
  lr: number;
  lrMult: Map<string, number> = new Map();
  wdMult: Map<string, number> = new Map();
  beginNumUpdate: number;
  /** The largest number of updates applied to any one weight. */
  numUpdate: number;
  idx2name: Map<string, string>;
  paramDict: Map<string, ParamMults>;
  multiPrecision: boolean;
  /**
   * MXNet's aggregate_num: how many weights one update call may take as lists of indices,
   * weights, gradients and states (a Trainer groups them so); 0: one weight per call.
   */
  aggregateNum = 0;
  /** Updates applied per index (MXNet's `_index_update_count`). */
  readonly indexUpdateCount: Map<string, number> = new Map();
  /** This optimizer's options besides the base ones, by camelCase name. */
  protected readonly options: Record<string, unknown>;
  /** The class name the messages use. */
  protected readonly name: string;

  /**
   * @param name the class name, for messages
   * @param opts the user's options
   * @param own the subclass's option names (camelCase -> MXNet spellings)
   * @param defaultLr the subclass's default learning rate (MXNet's per-class default)
   */
  protected constructor(name: string, opts: unknown, own: OptionNames, defaultLr?: number) {
    const o = readOptions(name, opts, { ...BASE_OPTIONS, ...own });
    this.rescaleGrad = numberOption(name, 'rescaleGrad', o.rescaleGrad, 1);
    this.wd = numberOption(name, 'wd', o.wd, 0);
    this.clipGradient = nullableNumber(name, 'clipGradient', o.clipGradient);
    const scheduler = o.lrScheduler ?? null;
    if (scheduler !== null && (typeof scheduler !== 'object' || typeof (scheduler as LRScheduler).call !== 'function')) {
      throw new TypeError(`${name}: lrScheduler must be an lr_scheduler.LRScheduler, got ${describe(scheduler)}`);
    }
    this.lrScheduler = scheduler as LRScheduler | null;
    let lr = o.learningRate === undefined ? defaultLr : numberOption(name, 'learningRate', o.learningRate, 0);
    if (this.lrScheduler === null && lr === undefined) lr = 0.01;
    // As MXNet: a learning rate given with a schedule overrides the schedule's base.
    if (this.lrScheduler !== null && lr !== undefined) this.lrScheduler.baseLr = lr;
    this.lr = lr ?? this.lrScheduler?.baseLr ?? 0.01;
    this.beginNumUpdate = numberOption(name, 'beginNumUpdate', o.beginNumUpdate, 0);
    this.numUpdate = this.beginNumUpdate;
    this.idx2name = new Map(Object.entries((o.paramIdx2Name as Record<string, string> | undefined) ?? {}));
    this.paramDict = toMap(o.paramDict as Record<Index, ParamMults> | Map<Index, ParamMults> | undefined);
    this.multiPrecision = o.multiPrecision === true;
    this.options = o;
    this.name = name;
    this.setLrMult({});
    this.setWdMult({});
  }

  /** The current learning rate: the schedule's at numUpdate, or lr. */
  get learningRate(): number {
    return this.lrScheduler !== null ? this.lrScheduler.call(this.numUpdate) : this.lr;
  }

  /** Sets lr; an optimizer with a schedule refuses (MXNet's rule). */
  setLearningRate(lr: number): void {
    if (this.lrScheduler !== null) {
      throw new Error(
        'LRScheduler of the optimizer has already been defined. Note that setLearningRate can mutate the value of ' +
          'the learning rate of the optimizer only when the LRScheduler of the optimizer is undefined.',
      );
    }
    this.lr = numberOption(this.constructor.name, 'lr', lr, 0);
  }

  /** Learning-rate multipliers by parameter name or index (replaces the previous ones). */
  setLrMult(mults: Record<Index, number> | Map<Index, number>): void {
    this.lrMult = new Map([...toMap(mults)]);
  }

  /**
   * Weight-decay multipliers by parameter name or index. As MXNet, when parameter names were
   * given (paramIdx2Name), those not ending in _weight or _gamma get 0 unless listed here.
   */
  setWdMult(mults: Record<Index, number> | Map<Index, number>): void {
    this.wdMult = new Map();
    for (const n of this.idx2name.values()) if (!(n.endsWith('_weight') || n.endsWith('_gamma'))) this.wdMult.set(n, 0);
    for (const [k, v] of toMap(mults)) this.wdMult.set(k, v);
  }

  /** The state one weight needs (null when none); called once per weight. */
  createState(index: Index, weight: NDArray): OptimizerState {
    return null;
  }

  /** MXNet's name for createState when the weights may be float16 (never here). */
  createStateMultiPrecision(index: Index, weight: NDArray): OptimizerState {
    return this.createState(index, weight);
  }

  /** Updates weight in place from grad and its state. */
  abstract update(index: Index, weight: NDArray, grad: NDArray, state: OptimizerState): void;

  updateMultiPrecision(index: Index, weight: NDArray, grad: NDArray, state: OptimizerState): void {
    this.update(index, weight, grad, state);
  }

  /** Counts one more update of each index and raises numUpdate to the largest count. */
  updateCount(index: Index | readonly Index[]): void {
    for (const idx of Array.isArray(index) ? index : [index]) {
      const key = String(idx);
      const count = (this.indexUpdateCount.get(key) ?? this.beginNumUpdate) + 1;
      this.indexUpdateCount.set(key, count);
      this.numUpdate = Math.max(count, this.numUpdate);
    }
  }

  /** The learning rate of each index: the current one times its parameter's lrMult. */
  getLrs(indices: readonly Index[]): number[] {
    const lr = this.learningRate;
    return indices.map((index) => lr * this.mult(index, 'lrMult', this.lrMult));
  }

  getLr(index: Index): number {
    return this.getLrs([index])[0];
  }

  /** The weight decay of each index: wd times its parameter's wdMult. */
  getWds(indices: readonly Index[]): number[] {
    return indices.map((index) => this.wd * this.mult(index, 'wdMult', this.wdMult));
  }

  getWd(index: Index): number {
    return this.getWds([index])[0];
  }

  /** The update count of one index (MXNet's `_index_update_count[index]`). */
  protected count(index: Index): number {
    return this.indexUpdateCount.get(String(index)) ?? this.beginNumUpdate;
  }

  /** A number option of the subclass, or def when absent. */
  protected option(key: string, def: number): number {
    return numberOption(this.name, key, this.options[key], def);
  }

  /** A number option whose absence (or null) means off. */
  protected optionalOption(key: string): number | null {
    const v = this.options[key];
    return v === undefined || v === null ? null : numberOption(this.name, key, v, 0);
  }

  /** lr, wd, rescaleGrad and clipGradient of weight `index`, as the fused updates take them. */
  protected updateOptions(index: Index): { lr: number; wd: number; rescaleGrad: number; clipGradient?: number } {
    return { lr: this.getLr(index), wd: this.getWd(index), rescaleGrad: this.rescaleGrad, ...this.clipOption() };
  }

  /** clipGradient as the fused ops take it: MXNet passes it only when set and non-zero. */
  protected clipOption(): { clipGradient?: number } {
    return this.clipGradient ? { clipGradient: this.clipGradient } : {};
  }

  private mult(index: Index, key: 'lrMult' | 'wdMult', table: Map<string, number>): number {
    const k = String(index);
    const param = this.paramDict.get(k);
    if (param !== undefined) return param[key];
    const direct = table.get(k);
    if (direct !== undefined) return direct;
    const name = this.idx2name.get(k);
    return name !== undefined ? (table.get(name) ?? 1) : 1;
  }
}

function toMap<V>(m: Record<Index, V> | Map<Index, V> | undefined): Map<string, V> {
  if (m === undefined || m === null) return new Map();
  if (m instanceof Map) return new Map([...m].map(([k, v]) => [String(k), v]));
  return new Map(Object.entries(m));
}

/** Optimizer classes by lower-case name (MXNet's opt_registry). */
const REGISTRY = new Map<string, new (opts?: object) => Optimizer>();

/** Registers an optimizer class under its lower-cased class name (or `name`), for create(). */
export function register<C extends new (opts?: object) => Optimizer>(klass: C, name?: string): C {
  if (typeof klass !== 'function') throw new TypeError(`register: expected an Optimizer class, got ${describe(klass)}`);
  REGISTRY.set((name ?? klass.name).toLowerCase(), klass);
  return klass;
}

/** An optimizer by name, case-insensitive: create('adam', { learningRate: 0.1 }). */
export function create(name: string, opts?: object): Optimizer {
  if (typeof name !== 'string') throw new TypeError(`optimizer.create: name must be a string, got ${describe(name)}`);
  const klass = REGISTRY.get(name.toLowerCase());
  if (klass === undefined) {
    throw new Error(`Cannot find optimizer ${name} (registered: ${[...REGISTRY.keys()].join(', ')})`);
  }
  return new klass(opts);
}

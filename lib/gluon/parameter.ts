// gluon.Parameter: one named array with its gradient buffer, MXNet 1.x semantics including
// deferred initialization (a 0 in the shape is filled by the first forward).
import { pause } from '../autograd';
import { describe } from '../core/dispatch';
import { type Aliased, applyAliases } from '../core/aliases';
import type { DType } from '../core/dtype';
import { readOptions } from '../core/options';
import { untracked } from '../core/tidy';
import { create, type InitLike } from '../init/initializer';
import { Uniform } from '../init/random-inits';
import { zeros } from '../nd/creation';
import type { GradReq, NDArray } from '../ndarray';
import { NDArray as NDArrayClass } from '../ndarray';

export interface ParameterOptions {
  shape?: number | number[];
  dtype?: DType;
  gradReq?: GradReq;
  lrMult?: number;
  wdMult?: number;
  /** This parameter's own initializer; it wins over the one passed to initialize(). */
  init?: InitLike | null;
  /** Whether initialize() may wait for the first forward to fill 0s in the shape. */
  allowDeferredInit?: boolean;
  differentiable?: boolean;
}

export const PARAMETER_OPTIONS = {
  shape: [],
  dtype: [],
  gradReq: ['grad_req'],
  lrMult: ['lr_mult'],
  wdMult: ['wd_mult'],
  init: [],
  allowDeferredInit: ['allow_deferred_init'],
  differentiable: [],
};

export interface InitializeOptions {
  /** The initializer used when the parameter has none of its own (default Uniform()). */
  defaultInit?: InitLike;
  forceReinit?: boolean;
  /** The device (only mx.cpu() in this build). */
  ctx?: unknown;
}

/** MXNet's DeferredInitializationError: data() was asked for before the first forward. */
export class DeferredInitializationError extends Error {
  name = 'DeferredInitializationError';
}

function shapeOf(shape: number | number[] | undefined, fn: string): number[] | undefined {
  if (shape === undefined) return undefined;
  const dims = typeof shape === 'number' ? [shape] : shape;
  if (!Array.isArray(dims) || !dims.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new TypeError(`${fn}: shape must be a list of non-negative integers (0 = unknown), got ${JSON.stringify(shape)}`);
  }
  return [...dims];
}

function pyShape(s: readonly number[] | undefined): string {
  if (s === undefined) return 'None';
  return `(${s.join(', ')}${s.length === 1 ? ',' : ''})`;
}

/** A shape is known when it exists and has no 0 (MXNet shape_is_known). */
function known(s: readonly number[] | undefined): s is number[] {
  return s !== undefined && s.every((d) => d > 0);
}

export class Parameter {
  readonly name: string;
  dtype: DType;
  lrMult: number;
  wdMult: number;
  init: InitLike | null;
  readonly allowDeferredInit: boolean;
  readonly differentiable: boolean;
  private _shape: number[] | undefined;
  private _gradReq: GradReq;
  private _data: NDArray | null = null;
  /** The initializers initialize() chose, kept until the shape is known. */
  private _deferred: { init: InitLike; bySuffix: boolean } | null = null;

  constructor(name: string, opts: ParameterOptions = {}) {
    if (typeof name !== 'string') throw new TypeError(`Parameter: name must be a string, got ${describe(name)}`);
    const o = readOptions('Parameter', opts, PARAMETER_OPTIONS) as ParameterOptions;
    this.name = name;
    this._shape = shapeOf(o.shape, 'Parameter');
    this.dtype = o.dtype ?? 'float32';
    this.lrMult = o.lrMult ?? 1;
    this.wdMult = o.wdMult ?? 1;
    this.init = o.init ?? null;
    this.allowDeferredInit = o.allowDeferredInit ?? false;
    this.differentiable = o.differentiable ?? true;
    this._gradReq = 'write';
    this.gradReq = this.differentiable ? (o.gradReq ?? 'write') : 'null';
  }

  toString(): string {
    return `Parameter ${this.name} (shape=${pyShape(this._shape)}, dtype=${this.dtype})`;
  }

  get shape(): number[] | undefined {
    return this._shape && [...this._shape];
  }

  /** Fills unknown (0) dimensions; known ones must match (MXNet's shape setter). */
  set shape(newShape: number[] | undefined) {
    const s = shapeOf(newShape, `Parameter '${this.name}'`);
    if (this._shape !== undefined && s !== undefined) {
      const old = this._shape;
      if (old.length !== s.length || !s.every((d, i) => old[i] === 0 || old[i] === d)) {
        throw new RangeError(`Expected shape ${pyShape(s)} is incompatible with given shape ${pyShape(old)}.`);
      }
    }
    this._shape = s;
  }

  /**
   * @internal ParameterDict.get's rule: a shape of the same rank agreeing wherever both are known
   * fills the unknown dimensions of either; returns false (shape unchanged) otherwise.
   */
  mergeShape(shape: number | number[]): boolean {
    const want = shapeOf(shape, `Parameter '${this.name}'`)!;
    const have = this._shape!;
    if (want.length !== have.length || !want.every((d, i) => d === have[i] || d === 0 || have[i] === 0)) return false;
    this._shape = want.map((d, i) => (d === 0 ? have[i] : d));
    return true;
  }

  get gradReq(): GradReq {
    return this._gradReq;
  }

  set gradReq(req: GradReq) {
    if (!['write', 'add', 'null'].includes(req)) {
      throw new RangeError(`Parameter '${this.name}': gradReq must be one of 'write', 'add', 'null', but got '${req}'`);
    }
    if (!this.differentiable) req = 'null';
    if (this._gradReq === req) return;
    this._gradReq = req;
    if (this._data !== null) this._data.attachGrad(req);
  }

  /** True once initialize() ran but the shape still waits for the first forward. */
  get isDeferred(): boolean {
    return this._data === null && this._deferred !== null;
  }

  /**
   * Creates the array and its gradient buffer with init (or this parameter's own initializer, or
   * defaultInit). With a 0 in the shape and allowDeferredInit, waits for the first forward.
   */
  initialize(init?: InitLike | null, opts: InitializeOptions = {}): void {
    const o = readOptions('Parameter.initialize', opts, { defaultInit: ['default_init'], forceReinit: ['force_reinit'], ctx: [] }) as InitializeOptions;
    if (this._data !== null && !o.forceReinit) {
      process.emitWarning(`Parameter '${this.name}' is already initialized, ignoring. Set forceReinit=true to re-initialize.`);
      return;
    }
    // The old array is left to the collector: a caller may still hold it (MXNet drops it too).
    this._data = null;
    const bySuffix = (init === undefined || init === null) && this.init === null;
    this._deferred = { init: init ?? this.init ?? o.defaultInit ?? new Uniform(), bySuffix };
    if (!known(this._shape)) {
      if (this.allowDeferredInit) return;
      throw new RangeError(`Cannot initialize Parameter '${this.name}' because it has invalid shape: ${pyShape(this._shape)}.`);
    }
    this.finishDeferredInit();
  }

  /**
   * Called by a layer's forward once the input is seen: fills the unknown dimensions of the
   * shape and, if initialize() is waiting for them, creates the data now.
   */
  inferShape(shape: number[]): void {
    if (known(this._shape)) return;
    this.shape = shape;
    if (this._deferred !== null && this._data === null) this.finishDeferredInit();
  }

  private finishDeferredInit(): void {
    const deferred = this._deferred;
    if (deferred === null) return;
    if (!known(this._shape)) {
      throw new RangeError(`Cannot initialize Parameter '${this.name}' because it has invalid shape: ${pyShape(this._shape)}. Please specify in_units, in_channels, etc for \`Block\`s.`);
    }
    const shape = this._shape;
    this.initImpl(() => {
      const data = zeros(shape, { dtype: this.dtype });
      // MXNet: an initializer of the parameter's own (or given) wins; otherwise the global
      // initializer applies its name-suffix rule.
      if (deferred.bySuffix) create(deferred.init).initByName(this.name, data);
      else create(deferred.init).initWeight(this.name, data);
      return data;
    });
  }

  /** Makes the data (outside any nd.tidy and any recording: it belongs to the model) and attaches its gradient. */
  private initImpl(make: () => NDArray): void {
    const data = untracked(() =>
      pause(() => {
        const d = make();
        if (this._gradReq !== 'null') d.attachGrad(this._gradReq);
        return d;
      }),
    );
    this._deferred = null;
    this._data = data;
  }

  private checkInitialized(): NDArray {
    if (this._data !== null) return this._data;
    if (this._deferred !== null) {
      throw new DeferredInitializationError(
        `Parameter '${this.name}' has not been initialized yet because initialization was deferred. ` +
          'Actual initialization happens during the first forward pass. Please pass one batch of data through the network ' +
          'before accessing Parameters. You can also avoid deferred initialization by specifying in_units, num_features, ' +
          'etc., for network layers.',
      );
    }
    throw new Error(
      `Parameter '${this.name}' has not been initialized. Note that you should initialize parameters and create Trainer ` +
        'with Block.collect_params() instead of Block.params because the later does not include Parameters of nested child Blocks',
    );
  }

  /** The parameter's array (its gradient buffer is attached to it). */
  data(): NDArray {
    return this.checkInitialized();
  }

  /** MXNet's list_data(): the arrays on every device (one here). */
  listData(): NDArray[] {
    return [this.data()];
  }

  /** The gradient buffer; an error when gradReq is 'null'. */
  grad(): NDArray {
    if (this._data !== null && this._gradReq === 'null') {
      throw new Error(`Cannot get gradient array for Parameter '${this.name}' because grad_req='null'`);
    }
    const g = this.checkInitialized().grad;
    if (g === null) throw new Error(`Cannot get gradient array for Parameter '${this.name}' because grad_req='null'`);
    return g;
  }

  listGrad(): NDArray[] {
    return [this.grad()];
  }

  /** Writes data into the parameter (broadcast, converted to its dtype); before the first forward it is kept for then. */
  setData(data: NDArray): void {
    if (!(data instanceof NDArrayClass)) throw new TypeError(`Parameter '${this.name}'.setData: data must be an NDArray, got ${describe(data)}`);
    if (this._data === null && this._deferred !== null) {
      this.shape = data.shape;
      this.initImpl(() => data.astype(this.dtype));
      return;
    }
    this.checkInitialized().set(data);
  }

  /** Sets the gradient buffer to 0 (nothing to do before initialization or with gradReq 'null'). */
  zeroGrad(): void {
    const g = this._data?.grad;
    if (g) g.set(0);
  }

  /** Converts the data (and gradient) to dtype. */
  cast(dtype: DType): void {
    this.dtype = dtype;
    if (this._data === null) return;
    const old = this._data;
    this.initImpl(() => old.astype(dtype));
  }

  /**
   * @internal Loads saved data (MXNet _load_init): checks the shape (filling unknown dimensions)
   * and dtype, then writes it in, initializing the parameter if it was not yet.
   */
  loadInit(data: NDArray, source: string): void {
    const s = this._shape;
    if (s !== undefined) {
      const ok = s.length === data.ndim && s.every((d, i) => d === 0 || d === data.shape[i]);
      if (!ok) {
        throw new RangeError(`Failed loading Parameter '${this.name}' from saved params: shape incompatible expected ${pyShape(s)} vs saved ${pyShape(data.shape)} (${source})`);
      }
      this._shape = s.map((d, i) => (d === 0 ? data.shape[i] : d));
    } else {
      this._shape = data.shape;
    }
    if (data.dtype !== this.dtype) {
      throw new TypeError(`Failed loading Parameter '${this.name}' from saved params: dtype incompatible expected ${this.dtype} vs saved ${data.dtype} (${source})`);
    }
    if (this._data === null) this.initImpl(() => data.copy());
    else this._data.set(data);
  }
}

/** MXNet's snake_case method names. */
export const PARAMETER_ALIASES = {
  set_data: 'setData',
  zero_grad: 'zeroGrad',
  list_data: 'listData',
  list_grad: 'listGrad',
} as const;

export interface Parameter extends Aliased<Parameter, typeof PARAMETER_ALIASES> {}
applyAliases(Parameter.prototype, PARAMETER_ALIASES);

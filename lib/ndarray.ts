// The NDArray class: a thin handle over a native array. Every method is one native call (or a
// few for composite indexing); argument checking that needs JS types happens here, everything
// else in the core.
import type { Handle, OpOptions } from '../binding';
import { checkContext, Context, defaultContext } from './core/context';
import { type AnyTypedArray, type DType, dtypeName, quote } from './core/dtype';
import { checkFitsInHeap } from './core/limits';
import { formatNDArray } from './io/format';
import {
  axisOptions,
  binary,
  binaryMethod,
  describe,
  inPlace,
  invoke,
  invokeMulti,
  type Operand,
  type OutOption,
  requireArray,
  setArrayClass,
  shapeText,
  unaryMethod,
} from './core/dispatch';
import { AXIS_OPS, type AxisArg, BINARY, IN_PLACE, type OpName, REVERSED, UNARY } from './core/ops';
import { native } from './core/native';
import { readOptions } from './core/options';
import { type Aliased, applyAliases, NDARRAY_ALIASES } from './core/aliases';
import { track } from './core/tidy';

export type GradReq = 'write' | 'add' | 'null';
export type Shape = number[];
export type { Operand };

export interface ReduceOptions extends OutOption {
  axis?: number | number[] | null;
  keepdims?: boolean;
  /** std and var: the divisor is N - ddof (default 0). */
  ddof?: number;
}
export type ReduceArg = number | number[] | ReduceOptions | undefined | null;

export interface NormOptions extends ReduceOptions {
  ord?: 1 | 2;
}

const BACKWARD_OPTIONS = { retainGraph: ['retain_graph'], trainMode: ['train_mode'] };

export interface BackwardOptions {
  retainGraph?: boolean;
  trainMode?: boolean;
}

export interface SoftmaxOptions extends OutOption {
  axis?: number;
  temperature?: number | null;
}

export interface PickOptions extends OutOption {
  axis?: number;
  keepdims?: boolean;
}

export interface DotOptions extends OutOption {
  transposeA?: boolean;
  transposeB?: boolean;
}

export type TakeMode = 'clip' | 'wrap' | 'raise';
export interface TakeOptions extends OutOption {
  axis?: number;
  mode?: TakeMode;
}

/** axis null sorts the flattened array (MXNet's axis=None). */
export interface SortOptions {
  axis?: number | null;
  isAscend?: boolean;
}
export interface ArgsortOptions extends SortOptions {
  /** dtype of the indices (default float32, as MXNet) */
  dtype?: DType;
}
export type TopkRetTyp = 'indices' | 'value' | 'both' | 'mask';
export interface TopkOptions extends ArgsortOptions {
  /** how many to select; k <= 0 selects the whole axis (MXNet) */
  k?: number;
  retTyp?: TopkRetTyp;
}

const GRAD_REQ_CODES: Record<GradReq, number> = { null: 0, write: 1, add: 3 };

export function gradReqCode(req: unknown, fn: string): number {
  const code = GRAD_REQ_CODES[req as GradReq];
  if (code === undefined || typeof req !== 'string') {
    throw new TypeError(`${fn}: gradReq must be 'write', 'add' or 'null', got ${quote(req)}`);
  }
  return code;
}

/**
 * An n-dimensional array (MXNet's NDArray). The methods generated from the op table and the MXNet
 * spellings are added below, and declared by the interface of the same name.
 */
// One class, not a base class and a derived one: V8 does not inline the base constructor of a
// derived class, and every op result is constructed (about 13 ns of a 2x2 op's 270 ns).
export class NDArray {
  /** @internal the native array (assigned once, by the constructor or by `fresh`'s caller) */
  _h: Handle;
  /** @internal the token of the page this small result shares one finalizer with (native/binding/result_pages.h) */
  _p: object | undefined;
  private _shape: Shape | undefined;
  private _disposed = false;

  /** @internal arrays are made by nd.* functions and ops, not by users */
  constructor(handle: Handle, tracked = true) {
    this._h = handle;
    if (tracked) track(this);
  }

  // ---- properties ---------------------------------------------------------------------------

  get shape(): Shape {
    return this._dims().slice();
  }
  get size(): number {
    let n = 1;
    for (const d of this._dims()) n *= d;
    return n;
  }
  get ndim(): number {
    return this._dims().length;
  }
  get dtype(): DType {
    return dtypeName(native.dtype(this._h));
  }
  get context(): Context {
    return defaultContext;
  }
  get ctx(): Context {
    return defaultContext;
  }
  /** The gradient buffer after attachGrad(), else null. */
  get grad(): NDArray | null {
    const g = native.grad(this._h);
    // The buffer belongs to the variable, so nd.tidy must not dispose it with the scope.
    return g === null ? null : new NDArray(g, false);
  }
  /**
   * Whether a backward pass wrote this variable's gradient since the flag was last cleared
   * (MXNet's `_fresh_grad`; false for arrays without attachGrad). gluon.Trainer clears it after
   * each update and refuses a stale gradient.
   */
  get freshGrad(): boolean {
    return native.freshGrad(this._h);
  }
  set freshGrad(value: boolean) {
    native.freshGrad(this._h, value);
  }
  /** Transpose (a copy); a 1-D array returns itself, as MXNet. */
  get T(): NDArray {
    return this.ndim < 2 ? (this as unknown as NDArray) : this.transpose();
  }
  get isDisposed(): boolean {
    return native.isDisposed(this._h);
  }

  /** @internal the cached shape, not copied */
  _dims(op = 'NDArray'): Shape {
    if (this._disposed) throw new Error(`${op}: the NDArray was disposed; it cannot be used any more`);
    if (this._shape === undefined) this._shape = native.shape(this._h);
    return this._shape;
  }

  // ---- reading data --------------------------------------------------------------------------

  toTypedArray(): AnyTypedArray {
    return native.toTyped(this._h);
  }
  /** A zero-copy view of the storage; invalid after dispose(). */
  dataView(): AnyTypedArray {
    return native.dataView(this._h);
  }
  toArray(): NestedArray {
    // A list costs a few numbers' worth of heap.
    checkFitsInHeap(this.size + 4 * nestedListCount(this._dims('toArray')), 'toArray');
    return nest(Array.from(this.toTypedArray()), this._dims('toArray'));
  }
  asScalar(): number {
    this._dims('asScalar');
    if (this.size !== 1) {
      throw new RangeError(`asScalar: The current array is not a scalar (shape ${shapeText(this._dims())})`);
    }
    return this.toTypedArray()[0];
  }
  waitToRead(): this {
    this._dims('waitToRead');
    return this;
  }
  /** MXNet's as_in_context: this array itself, since every array lives on the CPU (ctx must be one). */
  asInContext(ctx: Context): this {
    this._dims('asInContext');
    checkContext(ctx, 'asInContext');
    if (ctx === undefined || ctx === null) throw new TypeError('asInContext: ctx must be a Context such as mx.cpu()');
    return this;
  }
  toString(): string {
    if (this.isDisposed) return '<NDArray disposed>';
    return formatNDArray(this.toTypedArray(), this._dims(), this.dtype, this.context.toString());
  }
  dispose(): void {
    native.dispose(this._h, this);
    this._disposed = true;
  }

  // ---- conversion and copies -----------------------------------------------------------------

  astype(dtype: DType): NDArray {
    return invoke('astype', [this], { dtype });
  }
  copy(): NDArray {
    return invoke('copy', [this]);
  }
  /** Copies this array's values into `other` (broadcast, converted to its dtype); returns other. */
  copyTo(other: NDArray | Context): NDArray {
    if (other instanceof Context) return this.copy();
    requireArray(other, 'copyTo', 'other');
    native.assign(other._h, this._h);
    return other as NDArray;
  }
  /** MXNet `x[:] = value`: writes value (a number or an NDArray, broadcast) into this array. */
  set(value: NDArray | number): this {
    if (typeof value === 'number') native.assignScalar(this._h, value);
    else {
      requireArray(value, 'set', 'value');
      native.assign(this._h, value._h);
    }
    return this;
  }
  // ---- arithmetic ------------------------------------------------------------------------------

  /**
   * min(max(x, aMin), aMax). The gradient passes where aMin <= x <= aMax, bounds included (MXNet);
   * NaN stays NaN.
   */
  clip(aMin: number, aMax: number): NDArray {
    this._dims('clip');
    if (typeof aMin !== 'number' || typeof aMax !== 'number') {
      throw new TypeError(`clip: aMin and aMax must be numbers, got ${describe(aMin)} and ${describe(aMax)}`);
    }
    if (aMin > aMax) throw new RangeError(`clip: aMin (${aMin}) must not be greater than aMax (${aMax})`);
    return minimumOf(maximumOf(this as unknown as NDArray, aMin), aMax);
  }
  // ---- reductions ------------------------------------------------------------------------------

  /** ord 2 (default) or 1 over all elements or the given axes; two axes give the Frobenius norm. */
  norm(opts?: NormOptions | number | number[]): NDArray {
    return invoke('norm', [this], axisOptions(opts, 'norm'));
  }

  // ---- neural-network ---------------------------------------------------------------------------

  /** exp((x - max) / T) normalised along `axis` (default -1, temperature T default 1). */
  softmax(opts?: SoftmaxOptions | number): NDArray {
    return invoke('softmax', [this], axisOptions(opts, 'softmax'));
  }
  /** log(softmax(x)), computed stably. */
  logSoftmax(opts?: SoftmaxOptions | number): NDArray {
    return invoke('log_softmax', [this], axisOptions(opts, 'logSoftmax'));
  }

  /** data[..., clip(index), ...] along `axis` (default -1); index has the data shape without axis. */
  pick(index: NDArray, opts?: PickOptions | number): NDArray {
    this._dims('pick');
    requireArray(index, 'pick', 'index');
    return invoke('pick', [this, index], axisOptions(opts, 'pick'));
  }

  // ---- gathering and ordering (lib/ordering.ts has the nd functions) ------------------------------

  /**
   * MXNet take: the slices of this array along `axis` (default 0) at `indices` (any dtype,
   * truncated toward zero); the result's shape has the indices' shape in place of the axis.
   * mode 'clip' (default) clamps indices into range, 'wrap' wraps them, 'raise' throws a
   * RangeError for an index outside [0, n). The gradient adds g at the indices (repeats add up).
   */
  take(indices: NDArray, opts?: TakeOptions): NDArray {
    this._dims('take');
    requireArray(indices, 'take', 'indices');
    return invoke('take', [this, indices], opts);
  }
  /**
   * The k largest (isAscend: smallest) entries along `axis` (default -1; null: flattened), ties
   * in index order: their indices (default, float32 unless dtype says otherwise), their values,
   * both as [values, indices], or a mask of this array's shape with 1 at the selected positions.
   */
  topk(opts: TopkOptions & { retTyp: 'both' }): NDArray[];
  topk(opts?: TopkOptions & { retTyp?: Exclude<TopkRetTyp, 'both'> }): NDArray;
  topk(opts?: TopkOptions): NDArray | NDArray[];
  topk(opts?: TopkOptions): NDArray | NDArray[] {
    this._dims('topk');
    const out = invokeMulti('topk', [this], opts);
    const both = opts?.retTyp === 'both' || (opts as { ret_typ?: unknown } | undefined)?.ret_typ === 'both';
    return both ? out : out[0];
  }
  /** Sorted along `axis` (default -1; null: flattened), ascending unless isAscend is false. */
  sort(opts?: SortOptions): NDArray {
    this._dims('sort');
    return invoke('sort', [this], opts);
  }
  /** The indices that sort this array along `axis` (stable), float32 unless dtype says otherwise. */
  argsort(opts?: ArgsortOptions): NDArray {
    this._dims('argsort');
    return invoke('argsort', [this], opts);
  }

  // ---- shape -----------------------------------------------------------------------------------

  /**
   * MXNet reshape: accepts an array or numbers, or MXNet's keyword form `{ shape }`, with codes 0
   * (keep) and -1 (infer), -2, -3, -4.
   */
  reshape(...args: (number | number[] | { shape?: number[]; reverse?: boolean })[]): NDArray {
    let opts: { shape?: number[]; reverse?: boolean } = {};
    const last = args[args.length - 1];
    if (last !== undefined && last !== null && typeof last === 'object' && !Array.isArray(last)) {
      opts = last;
      args = args.slice(0, -1);
    }
    const shape = args.length === 0 && opts.shape !== undefined ? opts.shape : args.length === 1 && Array.isArray(args[0]) ? args[0] : (args as number[]);
    if (!Array.isArray(shape) || shape.some((d) => typeof d !== 'number')) {
      throw new TypeError('reshape: shape must be an array of integers or integers as arguments');
    }
    return invoke('reshape', [this], { ...opts, shape });
  }
  /** Broadcasts to `shape` (NumPy rules, may add leading axes; a 0 keeps the input dim, as MXNet). */
  broadcastTo(shape: number | number[]): NDArray {
    this._dims('broadcastTo');
    const target = typeof shape === 'number' ? [shape] : shape;
    if (!Array.isArray(target)) throw new TypeError('broadcastTo: shape must be an integer or an array of integers');
    return invoke('broadcast_to', [this], { shape: target });
  }
  /** Inserts a size-1 axis at `axis` (in [-ndim-1, ndim]); a view. */
  expandDims(axis: number): NDArray {
    const dims = this._dims('expandDims');
    const n = dims.length;
    if (typeof axis !== 'number' || !Number.isInteger(axis) || axis < -n - 1 || axis > n) {
      throw new RangeError(`expandDims: axis ${String(axis)} is out of range [${-n - 1}, ${n}] for shape ${shapeText(dims)}`);
    }
    const at = axis < 0 ? axis + n + 1 : axis;
    return invoke('reshape', [this], { shape: [...dims.slice(0, at), 1, ...dims.slice(at)], literal: true });
  }
  /** Collapses all axes after the first: shape [d0, d1 * ... * dk] ([n, 1] for a 1-D array, as MXNet); a view. */
  flatten(): NDArray {
    const dims = this._dims('flatten');
    const first = dims.length === 0 ? 1 : dims[0];
    const rest = dims.slice(1).reduce((a, b) => a * b, 1);
    return invoke('reshape', [this], { shape: [first, rest], literal: true });
  }
  /** Removes size-1 axes (all of them, or the given ones); an all-ones shape gives [1]; a view. */
  squeeze(axis?: number | number[] | null): NDArray {
    const dims = this._dims('squeeze');
    const n = dims.length;
    let drop: Set<number>;
    if (axis === undefined || axis === null) {
      drop = new Set(dims.flatMap((d, i) => (d === 1 ? [i] : [])));
    } else {
      const list = Array.isArray(axis) ? axis : [axis];
      drop = new Set();
      for (const a of list) {
        if (typeof a !== 'number' || !Number.isInteger(a) || a < -n || a >= n) {
          throw new RangeError(`squeeze: axis ${String(a)} is out of range for shape ${shapeText(dims)}`);
        }
        const i = a < 0 ? a + n : a;
        if (dims[i] !== 1) throw new RangeError(`squeeze: cannot squeeze axis ${a} of size ${dims[i]} (shape ${shapeText(dims)})`);
        drop.add(i);
      }
    }
    const kept = dims.filter((_, i) => !drop.has(i));
    return invoke('reshape', [this], { shape: kept.length ? kept : [1], literal: true });
  }
  /** Exchanges two axes (a copy, like transpose). */
  swapaxes(a: number, b: number): NDArray {
    const n = this._dims('swapaxes').length;
    const norm = (v: number, name: string) => {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < -n || v >= n) {
        throw new RangeError(`swapaxes: ${name} ${String(v)} is out of range for an array with ${n} dimensions`);
      }
      return v < 0 ? v + n : v;
    };
    const perm = Array.from({ length: n }, (_, i) => i);
    const i = norm(a, 'dim1');
    const j = norm(b, 'dim2');
    [perm[i], perm[j]] = [perm[j], perm[i]];
    return invoke('transpose', [this], { axes: perm });
  }
  /** NumPy/MXNet tile: repeats the whole array `reps` times per axis (the shorter of shape and reps gets leading 1s). */
  tile(reps: number | number[]): NDArray {
    this._dims('tile');
    const list = typeof reps === 'number' ? [reps] : reps;
    if (!Array.isArray(list)) throw new TypeError(`tile: reps must be an integer or an array of integers, got ${describe(reps)}`);
    list.forEach((r, i) => {
      if (!Number.isSafeInteger(r)) throw new TypeError(`tile: reps[${i}] must be an integer, got ${describe(r)}`);
    });
    return invoke('tile', [this], { reps: list });
  }
  /** Repeats each element `repeats` times along `axis` (no axis: of the flattened array). */
  repeat(repeats: number, axis?: number | null): NDArray {
    this._dims('repeat');
    if (typeof repeats !== 'number') throw new TypeError(`repeat: repeats must be an integer, got ${describe(repeats)}`);
    return invoke('repeat', [this], { repeats, axis });
  }
  /** MXNet slice_axis: elements [begin, end) of one axis (negatives count from the end, end null = to the end); a copy. */
  sliceAxis(axis: number, begin: number, end?: number | null): NDArray {
    this._dims('sliceAxis');
    return invoke('slice_axis', [this], { axis, begin, end: end ?? null });
  }
  /** MXNet split: numOutputs equal parts along `axis` (default 1); always an array. */
  split(numOutputs: number, opts: SplitOptions = {}): NDArray[] {
    this._dims('split');
    if (typeof numOutputs !== 'number') throw new TypeError(`split: numOutputs must be an integer, got ${describe(numOutputs)}`);
    return invokeMulti('split', [this], { ...opts, numOutputs });
  }
  /** Permutes the axes (a copy); no axes reverses them. */
  transpose(axes?: number[] | null): NDArray {
    if (axes === undefined || axes === null) return invoke('transpose', [this]);
    if (!Array.isArray(axes)) throw new TypeError('transpose: axes must be an array of integers');
    return invoke('transpose', [this], { axes });
  }

  // ---- indexing ----------------------------------------------------------------------------------

  /** Integer indexing on leading axes (negative counts from the end); a view. */
  at(this: NDArray, ...indices: number[]): NDArray {
    if (indices.length === 0) throw new TypeError('at: at least one index is required');
    if (indices.length > this._dims('at').length) {
      throw new RangeError(`at: too many indices (${indices.length}) for array with ${this.ndim} dimensions`);
    }
    let x: NDArray = this;
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k];
      const dims = x._dims();
      if (typeof i !== 'number' || !Number.isInteger(i)) {
        throw new TypeError(`at: index ${k} must be an integer, got ${String(i)}`);
      }
      const n = dims[0];
      const j = i < 0 ? i + n : i;
      if (j < 0 || j >= n) throw new RangeError(`at: index ${i} is out of bounds for axis ${k} with size ${n}`);
      const row = invoke('slice_rows', [x], { begin: j, end: j + 1 });
      x = invoke('reshape', [row], { shape: dims.length === 1 ? [1] : dims.slice(1), literal: true });
    }
    return x;
  }

  /** Rows [begin, end) along axis 0, as a view (negative bounds count from the end; clipped). */
  slice(begin: number, end?: number | null): NDArray {
    const dims = this._dims('slice');
    const n = dims.length === 0 ? 0 : dims[0];
    const b = clampIndex(begin, n, 'slice', 'begin');
    const e = end === undefined || end === null ? n : clampIndex(end, n, 'slice', 'end');
    if (b > e) throw new RangeError(`slice: begin (${begin}) must not be greater than end (${end}) for axis 0 of size ${n}`);
    return invoke('slice_rows', [this], { begin: b, end: e });
  }

  // ---- autograd ----------------------------------------------------------------------------------

  /** Marks this array as a variable: x.grad becomes a zero buffer that backward() writes. */
  attachGrad(gradReq: GradReq = 'write'): void {
    const code = gradReqCode(gradReq, 'attachGrad');
    const buffer = invoke('zeros', [], { shape: this._dims('attachGrad'), dtype: this.dtype });
    native.markVariables([this._h], [buffer._h], [code]);
  }

  /**
   * Backpropagates from this array: `backward()`, `backward(headGrad)`, `backward(opts)` or
   * `backward(headGrad, opts)`. A non-scalar array uses a head gradient of ones.
   */
  backward(headGrad?: NDArray | BackwardOptions | null, opts?: BackwardOptions): void {
    if (headGrad !== undefined && headGrad !== null && !(headGrad instanceof NDArray)) {
      opts = headGrad;
      headGrad = undefined;
    }
    const o = readOptions('backward', opts, BACKWARD_OPTIONS) as BackwardOptions;
    native.backward(
      [this._h],
      [headGrad instanceof NDArray ? headGrad._h : null],
      [],
      Boolean(o.retainGraph),
      false,
      o.trainMode === undefined ? true : Boolean(o.trainMode),
    );
  }

  /** The same data with no autograd history. */
  detach(): NDArray {
    return new NDArray(native.detach(this._h));
  }
}

export type NestedArray = number | NestedArray[];

const maximumOf = binary('maximum');
const minimumOf = binary('minimum');

// ---- helpers used by NDArray and the nd namespace --------------------------------------------------

function nest(flat: number[], shape: readonly number[]): NestedArray {
  let level: NestedArray[] = flat;
  let outer = shape.reduce((a, b) => a * b, 1);
  for (let d = shape.length - 1; d >= 1; d--) {
    const n = shape[d];
    // Counted from the shape, not from level.length, so that a zero-size inner axis still gives
    // its outer lists ([3, 0] -> [[], [], []]).
    outer = n === 0 ? shape.slice(0, d).reduce((a, b) => a * b, 1) : outer / n;
    const next: NestedArray[] = [];
    for (let i = 0; i < outer; i++) next.push(level.slice(i * n, i * n + n));
    level = next;
  }
  return level;
}

/** The nested lists toArray builds besides its numbers: one per index of every outer axis. */
function nestedListCount(shape: readonly number[]): number {
  let lists = 0;
  let outer = 1;
  for (let d = 0; d < shape.length - 1; d++) {
    outer *= shape[d];
    lists += outer;
  }
  return lists;
}

function clampIndex(i: unknown, n: number, fn: string, arg: string): number {
  if (typeof i !== 'number' || !Number.isInteger(i)) throw new TypeError(`${fn}: ${arg} must be an integer, got ${String(i)}`);
  const j = i < 0 ? i + n : i;
  return Math.min(Math.max(j, 0), n);
}

export interface SplitOptions {
  axis?: number;
  squeezeAxis?: boolean;
}

type UnaryMethods = { [K in keyof typeof UNARY]: () => NDArray };
type BinaryMethods = { [K in keyof typeof BINARY]: (other: Operand) => NDArray };
type ReversedMethods = { [K in keyof typeof REVERSED]: (s: number) => NDArray };
type InPlaceMethods = { [K in keyof typeof IN_PLACE]: (value: NDArray | number) => NDArray };
type AxisMethods = { [K in keyof typeof AXIS_OPS]: (opts?: AxisArg<(typeof AXIS_OPS)[K]>) => NDArray };
/** The methods generated from the op table (lib/core/ops.ts). */
export interface GeneratedMethods extends UnaryMethods, BinaryMethods, ReversedMethods, InPlaceMethods, AxisMethods {}

function axisMethod(op: OpName): (this: NDArray, opts?: unknown) => NDArray {
  return function (this: NDArray, opts?: unknown) {
    return invoke(op, [this], axisOptions(opts, op));
  };
}

function inPlaceMethod(op: OpName): (this: NDArray, value: NDArray | number) => NDArray {
  const write = inPlace(op);
  return function (this: NDArray, value: NDArray | number) {
    return write(this, value);
  };
}

function install<T extends Record<string, OpName>>(table: T, make: (op: OpName) => (this: NDArray, ...args: never[]) => unknown) {
  for (const [name, op] of Object.entries(table)) {
    Object.defineProperty(NDArray.prototype, name, { value: make(op), writable: true, configurable: true, enumerable: false });
  }
}

install(UNARY, unaryMethod);
install(BINARY, (op) => binaryMethod(op));
install(REVERSED, (op) => binaryMethod(op, true));
install(IN_PLACE, inPlaceMethod);
install(AXIS_OPS, axisMethod);

// console.log and util.inspect print the MXNet text. The method is keyed by the registered symbol
// rather than util.inspect.custom so that the published types need nothing from @types/node.
Object.defineProperty(NDArray.prototype, Symbol.for('nodejs.util.inspect.custom'), {
  value(this: NDArray): string {
    return this.toString();
  },
});
setArrayClass(NDArray);
// The generated methods, and the MXNet spellings (attach_grad, asscalar, ...) declared from the
// same table they are built from.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface NDArray extends GeneratedMethods, Aliased<NDArray, typeof NDARRAY_ALIASES> {}
applyAliases(NDArray.prototype, NDARRAY_ALIASES);

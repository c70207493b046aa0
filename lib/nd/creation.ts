// Creating arrays: from data (nd.array), filled (zeros, ones, full, empty and the *Like forms),
// ranges (arange, linspace) and nd.eye. Options go to the creation op's field table in the addon
// (ctx is checked here); the shape may be given positionally or in the options.
import { checkContext, type Context } from '../core/context';
import { describe, invoke, requireArray } from '../core/dispatch';
import { type DType, dtypeCode, typedArrayDType } from '../core/dtype';
import { NDArray, type NestedArray } from '../ndarray';
import { native } from '../core/native';
import { readOptions } from '../core/options';

export interface CreateOptions {
  dtype?: DType;
  ctx?: Context;
}

/** Creation options that may also carry the shape (`nd.zeros({ shape: [2, 3] })`). */
export interface ShapedCreateOptions extends CreateOptions {
  shape?: ShapeArg;
}

export type ShapeArg = number | number[];

function isOptions(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof NDArray);
}

/**
 * The options of a creation op: ctx checked here, everything else by the op's field table in the
 * addon (which rejects unknown keys); positional arguments override the object's fields.
 */
function createOptions(fn: string, opts: unknown, positional: Record<string, unknown>): Record<string, unknown> {
  if (opts !== undefined && !isOptions(opts)) {
    throw new TypeError(`${fn}: options must be an object like { dtype, ctx }, got ${describe(opts)}`);
  }
  checkContext(opts?.ctx, fn);
  const out: Record<string, unknown> = { ...opts };
  for (const [key, value] of Object.entries(positional)) if (value !== undefined) out[key] = value;
  return out;
}

/** `f(shape, opts)` or `f({ shape, ...opts })`. */
function shapeAndOptions(fn: string, shape: unknown, opts: unknown): Record<string, unknown> {
  if (isOptions(shape) && opts === undefined) return createOptions(fn, shape, {});
  return createOptions(fn, opts, { shape: toShape(shape, fn) });
}

/**
 * Splits a trailing options object off positional numbers (`nd.arange(4, { dtype })`), so that
 * the options may follow whichever positional arguments were given.
 */
function trailingOptions<T>(args: unknown[]): [T[], CreateOptions | undefined] {
  const last = args[args.length - 1];
  if (isOptions(last)) return [args.slice(0, -1) as T[], last as CreateOptions];
  return [args as T[], undefined];
}

function numberArg(v: unknown, fn: string, name: string, integer = false): number {
  if (typeof v !== 'number' || (integer && !Number.isInteger(v))) {
    throw new TypeError(`${fn}: ${name} must be ${integer ? 'an integer' : 'a number'}, got ${describe(v)}`);
  }
  return v;
}

function toShape(shape: unknown, fn: string): number[] {
  if (typeof shape === 'number') return [shape];
  if (Array.isArray(shape) && shape.every((d) => typeof d === 'number')) return shape.slice();
  throw new TypeError(`${fn}: shape must be an integer or an array of integers, got ${describe(shape)}`);
}

// ---- creation ----------------------------------------------------------------------------------

/** Nested number arrays, a TypedArray (1-D), an NDArray (copied) or a number (shape [1]). */
export function array(data: NestedArray | ArrayBufferView | NDArray, opts?: ShapedCreateOptions): NDArray {
  const o = readOptions('array', opts, ARRAY_OPTIONS) as ShapedCreateOptions;
  checkContext(o.ctx, 'array');
  const dtype = dtypeCode(o.dtype ?? 'float32', 'array');
  const made = arrayData(data, o.dtype, dtype);
  return o.shape === undefined ? made : made.reshape(toShape(o.shape, 'array'));
}

const ARRAY_OPTIONS = { dtype: [], ctx: [], shape: [] };

function arrayData(data: NestedArray | ArrayBufferView | NDArray, dtypeName: DType | undefined, dtype: number): NDArray {
  if (data instanceof NDArray) {
    const copy = data.copy();
    return dtypeName && dtypeName !== copy.dtype ? copy.astype(dtypeName) : copy;
  }
  if (ArrayBuffer.isView(data)) {
    if (data instanceof DataView || data instanceof BigInt64Array || data instanceof BigUint64Array) {
      throw new TypeError('array: data must be a numeric TypedArray (not a DataView or BigInt array)');
    }
    const typed = data as unknown as ArrayLike<number> & ArrayBufferView;
    // Node-API cannot read a typed array over a SharedArrayBuffer, so that one is copied too.
    const direct =
      typedArrayDType(typed) !== null && !(typed.buffer instanceof SharedArrayBuffer) ? (typed as Float32Array) : Float64Array.from(typed);
    return new NDArray(native.fromTyped(direct, [direct.length], dtype));
  }
  if (typeof data === 'number') return new NDArray(native.fromTyped(Float64Array.of(data), [1], dtype));
  if (!Array.isArray(data)) {
    throw new TypeError(`array: data must be a nested array of numbers, a TypedArray or an NDArray, got ${describe(data)}`);
  }
  const shape: number[] = [];
  for (let level: unknown = data; Array.isArray(level); level = level[0]) {
    shape.push(level.length);
    if (level.length === 0) break;
  }
  const flat = new Float64Array(shape.reduce((a, b) => a * b, 1));
  let pos = 0;
  const walk = (node: unknown, depth: number, path: string): void => {
    if (depth === shape.length) {
      if (typeof node !== 'number') throw new TypeError(`array: element ${path} must be a number, got ${describe(node)}`);
      flat[pos++] = node;
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[depth]) {
      throw new RangeError(`array: ragged nested array at ${path || 'the top level'}: expected ${shape[depth]} elements`);
    }
    for (let i = 0; i < node.length; i++) walk(node[i], depth + 1, `${path}[${i}]`);
  };
  walk(data, 0, '');
  return new NDArray(native.fromTyped(flat, shape, dtype));
}

export function zeros(shape: ShapeArg | ShapedCreateOptions, opts?: CreateOptions): NDArray {
  return invoke('zeros', [], shapeAndOptions('zeros', shape, opts));
}

export function ones(shape: ShapeArg | ShapedCreateOptions, opts?: CreateOptions): NDArray {
  return invoke('ones', [], shapeAndOptions('ones', shape, opts));
}

/** full(shape, value, opts) or full({ shape, value, dtype }). */
export function full(shape: ShapeArg | (ShapedCreateOptions & { value: number }), value?: number, opts?: CreateOptions): NDArray {
  if (isOptions(shape) && value === undefined) return invoke('full', [], createOptions('full', shape, {}));
  if (typeof value !== 'number') throw new TypeError(`full: value must be a number, got ${describe(value)}`);
  return invoke('full', [], createOptions('full', opts, { shape: toShape(shape, 'full'), value }));
}

/** Uninitialised in MXNet; ndgrad fills with zeros, so results never depend on stale memory. */
export function empty(shape: ShapeArg | ShapedCreateOptions, opts?: CreateOptions): NDArray {
  return invoke('zeros', [], shapeAndOptions('empty', shape, opts));
}

function likeAttrs(x: NDArray, fn: string) {
  requireArray(x, fn, 'x');
  return { shape: x.shape, dtype: x.dtype };
}

export function zerosLike(x: NDArray): NDArray {
  return invoke('zeros', [], likeAttrs(x, 'zerosLike'));
}

export function onesLike(x: NDArray): NDArray {
  return invoke('ones', [], likeAttrs(x, 'onesLike'));
}

export function fullLike(x: NDArray, value: number): NDArray {
  if (typeof value !== 'number') throw new TypeError(`fullLike: value must be a number, got ${describe(value)}`);
  return invoke('full', [], { ...likeAttrs(x, 'fullLike'), value });
}

/** num evenly spaced values from start to stop (stop included unless endpoint is false). */
export function linspace(start: number, stop: number, num: number, opts: CreateOptions & { endpoint?: boolean } = {}): NDArray {
  for (const [name, v] of [['start', start], ['stop', stop], ['num', num]] as const) {
    if (typeof v !== 'number') throw new TypeError(`linspace: ${name} must be a number, got ${describe(v)}`);
  }
  return invoke('linspace', [], createOptions('linspace', opts, { start, stop, num }));
}

/** An n x m matrix (m defaults to n) with ones on diagonal k (0 main, > 0 above, < 0 below). */
export function eye(n: number, opts?: CreateOptions): NDArray;
export function eye(n: number, m: number | null | undefined, opts?: CreateOptions): NDArray;
export function eye(n: number, m?: number | null, k?: number, opts?: CreateOptions): NDArray;
export function eye(n: number, ...rest: (number | null | undefined | CreateOptions)[]): NDArray {
  const [[m, kArg = 0], opts] = trailingOptions<number | null | undefined>(rest);
  numberArg(n, 'eye', 'n', true);
  const cols = numberArg(m === undefined || m === null || m === 0 ? n : m, 'eye', 'm', true);
  const k = numberArg(kArg, 'eye', 'k', true);
  if (n < 0 || cols < 0) throw new RangeError(`eye: n and m must be non-negative, got ${n} and ${cols}`);
  const o = readOptions('eye', opts, EYE_OPTIONS) as CreateOptions;
  checkContext(o.ctx, 'eye');
  const dtype = o.dtype ?? 'float32';
  // The index arrays below are far larger than n and m alone, so an output that cannot be made
  // must fail before they are built.
  native.checkArray([n, cols], dtypeCode(dtype, 'eye'), 'eye');
  // Row and column indices in int32, where row + k cannot saturate the way uint8 would.
  const rows = invoke('arange', [], { stop: n, dtype: 'int32' }).expandDims(1);
  const colsIdx = invoke('arange', [], { stop: cols, dtype: 'int32' }).expandDims(0);
  const ones = rows.add(k).equal(colsIdx);
  return dtype === 'int32' ? ones : invoke('astype', [ones], { dtype });
}

const EYE_OPTIONS = { dtype: [], ctx: [] };

/**
 * arange(stop) or arange(start, stop, step = 1), float32 unless opts.dtype says otherwise; the
 * options may follow any of the numbers (`arange(4, { dtype: 'int32' })`).
 */
export function arange(stop: number, opts?: CreateOptions): NDArray;
export function arange(start: number, stop: number | null | undefined, opts?: CreateOptions): NDArray;
export function arange(start: number, stop?: number | null, step?: number, opts?: CreateOptions): NDArray;
export function arange(first: number, ...rest: (number | null | undefined | CreateOptions)[]): NDArray {
  const [[stopArg, step = 1], opts] = trailingOptions<number | null | undefined>(rest);
  const noStop = stopArg === undefined || stopArg === null;
  const start = noStop ? 0 : numberArg(first, 'arange', 'start');
  const stop = numberArg(noStop ? first : stopArg, 'arange', 'stop');
  return invoke('arange', [], createOptions('arange', opts, { start, stop, step: numberArg(step, 'arange', 'step') }));
}

// The `nd` namespace: array creation and every op as a function (`nd.exp(x)`, `nd.add(a, 2)`).
import { checkContext, Context } from './context';
import { type DType, dtypeCode, typedArrayDType } from './dtype';
import {
  binaryOp,
  describe,
  type DotOptions,
  invoke,
  invokeMulti,
  NDArray,
  type NestedArray,
  type NormOptions,
  type Operand,
  type ReduceArg,
  requireArray,
  type SoftmaxOptions,
  unaryOp,
} from './ndarray';
import { native } from './native';
import { readOptions } from './options';
import * as random from './random';
import { tidy } from './tidy';

export { NDArray, random, tidy };
export * from './files';
export * from './joining';
export * from './ordering';

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

export function toShape(shape: unknown, fn: string): number[] {
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
    const direct = typedArrayDType(typed) !== null ? (typed as Float32Array) : Float64Array.from(typed);
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
  dtypeCode(dtype, 'eye');
  // Row and column indices in int32, where row + k cannot saturate the way uint8 would.
  const rows = invoke('arange', [], { stop: n, dtype: 'int32' }).expandDims(1);
  const colsIdx = invoke('arange', [], { stop: cols, dtype: 'int32' }).expandDims(0);
  const ones = rows.add(k).equal(colsIdx);
  return dtype === 'int32' ? ones : invoke('astype', [ones], { dtype });
}

const EYE_OPTIONS = { dtype: [], ctx: [] };

/** x where condition != 0, else y; condition has x's shape or is 1-D selecting rows (MXNet). */
export function where(condition: NDArray, x: NDArray, y: NDArray): NDArray {
  requireArray(condition, 'where', 'condition');
  requireArray(x, 'where', 'x');
  requireArray(y, 'where', 'y');
  return invoke('where', [condition, x, y]);
}

export function clip(x: NDArray, aMin: number, aMax: number): NDArray {
  requireArray(x, 'clip', 'x');
  return x.clip(aMin, aMax);
}

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

// ---- arithmetic and comparisons as functions -----------------------------------------------------

export const add = (a: Operand, b: Operand): NDArray => binaryOp('add', a, b);
export const subtract = (a: Operand, b: Operand): NDArray => binaryOp('subtract', a, b);
export const multiply = (a: Operand, b: Operand): NDArray => binaryOp('multiply', a, b);
export const divide = (a: Operand, b: Operand): NDArray => binaryOp('divide', a, b);
export const power = (a: Operand, b: Operand): NDArray => binaryOp('power', a, b);
export const mod = (a: Operand, b: Operand): NDArray => binaryOp('mod', a, b);
export const maximum = (a: Operand, b: Operand): NDArray => binaryOp('maximum', a, b);
export const minimum = (a: Operand, b: Operand): NDArray => binaryOp('minimum', a, b);
export const equal = (a: Operand, b: Operand): NDArray => binaryOp('equal', a, b);
export const notEqual = (a: Operand, b: Operand): NDArray => binaryOp('not_equal', a, b);
export const greater = (a: Operand, b: Operand): NDArray => binaryOp('greater', a, b);
export const greaterEqual = (a: Operand, b: Operand): NDArray => binaryOp('greater_equal', a, b);
export const lesser = (a: Operand, b: Operand): NDArray => binaryOp('lesser', a, b);
export const lesserEqual = (a: Operand, b: Operand): NDArray => binaryOp('lesser_equal', a, b);
export { add as plus, subtract as sub, multiply as mul, divide as div, power as pow };

/** s - x, s / x and s ** x (NDArray#rsub, #rdiv, #rpow). */
export const rsub = (x: NDArray, s: number): NDArray => binaryOp('subtract', s, requireOperand(x, 'rsub'));
export const rdiv = (x: NDArray, s: number): NDArray => binaryOp('divide', s, requireOperand(x, 'rdiv'));
export const rpow = (x: NDArray, s: number): NDArray => binaryOp('power', s, requireOperand(x, 'rpow'));

function requireOperand(x: NDArray, fn: string): NDArray {
  requireArray(x, fn, 'x');
  return x;
}

// ---- unary math ----------------------------------------------------------------------------------

export const negative = (x: NDArray): NDArray => unaryOp('negative', x);
export const abs = (x: NDArray): NDArray => unaryOp('abs', x);
export const sign = (x: NDArray): NDArray => unaryOp('sign', x);
export const sqrt = (x: NDArray): NDArray => unaryOp('sqrt', x);
export const rsqrt = (x: NDArray): NDArray => unaryOp('rsqrt', x);
export const square = (x: NDArray): NDArray => unaryOp('square', x);
export const reciprocal = (x: NDArray): NDArray => unaryOp('reciprocal', x);
export const exp = (x: NDArray): NDArray => unaryOp('exp', x);
export const expm1 = (x: NDArray): NDArray => unaryOp('expm1', x);
export const log = (x: NDArray): NDArray => unaryOp('log', x);
export const log1p = (x: NDArray): NDArray => unaryOp('log1p', x);
export const log2 = (x: NDArray): NDArray => unaryOp('log2', x);
export const log10 = (x: NDArray): NDArray => unaryOp('log10', x);
export const sin = (x: NDArray): NDArray => unaryOp('sin', x);
export const cos = (x: NDArray): NDArray => unaryOp('cos', x);
export const tan = (x: NDArray): NDArray => unaryOp('tan', x);
export const arcsin = (x: NDArray): NDArray => unaryOp('arcsin', x);
export const arccos = (x: NDArray): NDArray => unaryOp('arccos', x);
export const arctan = (x: NDArray): NDArray => unaryOp('arctan', x);
export const sinh = (x: NDArray): NDArray => unaryOp('sinh', x);
export const cosh = (x: NDArray): NDArray => unaryOp('cosh', x);
export const tanh = (x: NDArray): NDArray => unaryOp('tanh', x);
export const sigmoid = (x: NDArray): NDArray => unaryOp('sigmoid', x);
export const relu = (x: NDArray): NDArray => unaryOp('relu', x);
export const softsign = (x: NDArray): NDArray => unaryOp('softsign', x);
export const floor = (x: NDArray): NDArray => unaryOp('floor', x);
export const ceil = (x: NDArray): NDArray => unaryOp('ceil', x);
export const round = (x: NDArray): NDArray => unaryOp('round', x);
export const trunc = (x: NDArray): NDArray => unaryOp('trunc', x);
export { negative as neg };

// ---- reductions ----------------------------------------------------------------------------------

function reduction(name: 'sum' | 'mean' | 'prod' | 'max' | 'min' | 'argmax' | 'argmin') {
  return (x: NDArray, opts?: ReduceArg): NDArray => {
    requireArray(x, name, 'x');
    return x[name](opts);
  };
}
export const sum = reduction('sum');
export const mean = reduction('mean');
export const prod = reduction('prod');
export const max = reduction('max');
export const min = reduction('min');
export const argmax = reduction('argmax');
export const argmin = reduction('argmin');

export function norm(x: NDArray, opts?: NormOptions | number | number[]): NDArray {
  requireArray(x, 'norm', 'x');
  return x.norm(opts);
}

// ---- neural-network ops --------------------------------------------------------------------------

export function softmax(x: NDArray, opts?: SoftmaxOptions | number): NDArray {
  requireArray(x, 'softmax', 'x');
  return x.softmax(opts);
}

export function logSoftmax(x: NDArray, opts?: SoftmaxOptions | number): NDArray {
  requireArray(x, 'logSoftmax', 'x');
  return x.logSoftmax(opts);
}

export function pick(x: NDArray, index: NDArray, opts?: { axis?: number; keepdims?: boolean } | number): NDArray {
  requireArray(x, 'pick', 'data');
  return x.pick(index, opts);
}

export interface OneHotOptions {
  onValue?: number;
  offValue?: number;
  dtype?: DType;
}

/** indices.shape + [depth]: onValue at each index, offValue elsewhere (out-of-range rows: all off). */
export function oneHot(indices: NDArray, depth: number, opts: OneHotOptions = {}): NDArray {
  requireArray(indices, 'oneHot', 'indices');
  indices.dims('oneHot');
  if (typeof depth !== 'number') throw new TypeError(`oneHot: depth must be an integer, got ${describe(depth)}`);
  return invoke('one_hot', [indices], { ...opts, depth });
}

/**
 * While autograd.isTraining(), zeroes each element with probability p and scales the rest by
 * 1 / (1 - p); otherwise returns a copy of x. Draws from the seeded stream (mx.random.seed).
 */
export function dropout(x: NDArray, opts: { p?: number } = {}): NDArray {
  requireArray(x, 'dropout', 'x');
  return invokeMulti('dropout', [x], opts)[0];
}

export interface FullyConnectedOptions {
  numHidden?: number;
  noBias?: boolean;
  flatten?: boolean;
}

const FC_OPTIONS = { numHidden: ['num_hidden'], noBias: ['no_bias'], flatten: [] };

/**
 * y = flatten(x) . weight^T + bias (MXNet FullyConnected). With flatten = false the last axis of
 * x is contracted instead. Built from registry ops, so its gradient needs no formula of its own.
 */
export function fullyConnected(x: NDArray, weight: NDArray, opts?: FullyConnectedOptions): NDArray;
export function fullyConnected(x: NDArray, weight: NDArray, bias?: NDArray | null, opts?: FullyConnectedOptions): NDArray;
export function fullyConnected(
  x: NDArray,
  weight: NDArray,
  biasOrOpts?: NDArray | FullyConnectedOptions | null,
  opts: FullyConnectedOptions = {},
): NDArray {
  requireArray(x, 'fullyConnected', 'data');
  requireArray(weight, 'fullyConnected', 'weight');
  let bias = biasOrOpts as NDArray | null | undefined;
  if (biasOrOpts !== null && typeof biasOrOpts === 'object' && !(biasOrOpts instanceof NDArray)) {
    opts = biasOrOpts;
    bias = undefined;
  }
  const { numHidden, noBias = false, flatten = true } = readOptions('fullyConnected', opts, FC_OPTIONS) as FullyConnectedOptions;
  const wShape = weight.shape;
  if (wShape.length !== 2) throw new RangeError(`fullyConnected: weight must be 2-D (numHidden, inputDim), got (${wShape.join(',')})`);
  if (numHidden !== undefined && numHidden !== wShape[0]) {
    throw new RangeError(`fullyConnected: numHidden ${numHidden} does not match weight rows ${wShape[0]}`);
  }
  const data = flatten && x.ndim !== 2 ? x.reshape([x.shape[0], -1]) : x;
  const y = dot(data, weight, { transposeB: true });
  if (noBias || bias === undefined || bias === null) return y;
  requireArray(bias, 'fullyConnected', 'bias');
  return y.add(bias);
}

/** MXNet softmax_cross_entropy: -sum over the batch of log softmax(logits)[label], shape [1]. */
export function softmaxCrossEntropy(logits: NDArray, labels: NDArray): NDArray {
  requireArray(logits, 'softmaxCrossEntropy', 'data');
  requireArray(labels, 'softmaxCrossEntropy', 'label');
  return logits.logSoftmax().pick(labels).sum().neg();
}

// ---- linear algebra and shape --------------------------------------------------------------------

export function dot(a: NDArray, b: NDArray, opts?: DotOptions): NDArray {
  requireArray(a, 'dot', 'lhs');
  requireArray(b, 'dot', 'rhs');
  return invoke('dot', [a, b], opts);
}

export function transpose(x: NDArray, axes?: number[] | null): NDArray {
  requireArray(x, 'transpose', 'x');
  return x.transpose(axes);
}

export function reshape(x: NDArray, shape: number[], opts?: { reverse?: boolean }): NDArray {
  requireArray(x, 'reshape', 'x');
  return opts ? x.reshape(shape, opts) : x.reshape(shape);
}

export function broadcastTo(x: NDArray, shape: number | number[]): NDArray {
  requireArray(x, 'broadcastTo', 'x');
  return x.broadcastTo(shape);
}

export function expandDims(x: NDArray, axis: number): NDArray {
  requireArray(x, 'expandDims', 'x');
  return x.expandDims(axis);
}

export function flatten(x: NDArray): NDArray {
  requireArray(x, 'flatten', 'x');
  return x.flatten();
}

export function squeeze(x: NDArray, axis?: number | number[] | null): NDArray {
  requireArray(x, 'squeeze', 'x');
  return x.squeeze(axis);
}

export function swapaxes(x: NDArray, a: number, b: number): NDArray {
  requireArray(x, 'swapaxes', 'x');
  return x.swapaxes(a, b);
}


export function at(x: NDArray, ...indices: number[]): NDArray {
  requireArray(x, 'at', 'x');
  return x.at(...indices);
}

export function astype(x: NDArray, dtype: DType): NDArray {
  requireArray(x, 'astype', 'x');
  return x.astype(dtype);
}

export function copy(x: NDArray): NDArray {
  requireArray(x, 'copy', 'x');
  return x.copy();
}

export function asScalar(x: NDArray): number {
  requireArray(x, 'asScalar', 'x');
  return x.asScalar();
}

export function toArray(x: NDArray): NestedArray {
  requireArray(x, 'toArray', 'x');
  return x.toArray();
}

export function toTypedArray(x: NDArray) {
  requireArray(x, 'toTypedArray', 'x');
  return x.toTypedArray();
}

// ---- writing (NDArray#set, #copyTo and the in-place ops, as functions) ------------------------------

/** x.set(value), x.addInPlace(value), ... as functions; each returns x. */
function write(name: 'set' | 'addInPlace' | 'subInPlace' | 'mulInPlace' | 'divInPlace') {
  return (x: NDArray, value: NDArray | number): NDArray => {
    requireArray(x, name, 'x');
    return x[name](value);
  };
}
/** MXNet `x[:] = value`: writes value (a number or a broadcast NDArray) into x. */
export const set = write('set');
export const addInPlace = write('addInPlace');
export const subInPlace = write('subInPlace');
export const mulInPlace = write('mulInPlace');
export const divInPlace = write('divInPlace');

/** Copies x's values into other (broadcast, converted to its dtype); returns other. */
export function copyTo(x: NDArray, other: NDArray | Context): NDArray {
  requireArray(x, 'copyTo', 'x');
  return x.copyTo(other);
}

// ---- memory ----------------------------------------------------------------------------------------

/** Frees one array or a list of arrays at once (NDArray#dispose). */
export function dispose(x: NDArray | NDArray[]): void {
  const list = Array.isArray(x) ? x : [x];
  list.forEach((a, i) => requireArray(a, 'dispose', Array.isArray(x) ? `x[${i}]` : 'x'));
  for (const a of list) a.dispose();
}

/** Live native storage: buffers (views share one) and their bytes. */
export function memory(): { numArrays: number; numBytes: number } {
  return native.memory();
}

/** MXNet parity: computation is synchronous, so there is nothing to wait for. */
export function waitall(): void {}

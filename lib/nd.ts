// The `nd` namespace: every op as a function (`nd.exp(x)`, `nd.add(a, 2)`). The families live in
// lib/nd/ (creation, nn, and the math generated from the op table, which lib/index.ts merges in);
// here are the functions of the hand-written NDArray methods.
import type { Context } from './core/context';
import { invoke, pairCall, requireArray } from './core/dispatch';
import { OP } from './core/ops';
import type { DType } from './core/dtype';
import { type DotOptions, NDArray, type NestedArray, type NormOptions } from './ndarray';
import { native } from './core/native';
import * as random from './nd/random';
import { tidy } from './core/tidy';

export { NDArray, random, tidy };
export { load, loadDict, loadList, loadNpy, save, saveNpy } from './io/files';
export * from './nd/joining';
export * from './nd/creation';
export * from './nd/nn';
export * from './nd/activation';
export * from './nd/conv';
export * from './nd/ordering';
export * from './nd/optim';
export * from './nd/poolnorm';
export * from './nd/numeric';
export * from './nd/linalg';

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

export function norm(x: NDArray, opts?: NormOptions | number | number[]): NDArray {
  requireArray(x, 'norm', 'x');
  return x.norm(opts);
}

// ---- linear algebra and shape --------------------------------------------------------------------

const DOT = OP.dot;

// Options that ask for nothing ({ transposeA: false } and the like, as scripts and gradient code
// pass them): such a product skips the binding's generic option reader, which costs about 1 us,
// a quarter of a 64 x 64 product. Anything else (a transpose, out, an unknown key, a value of
// the wrong type) goes to the reader and its checks.
function plainDot(opts: DotOptions | undefined): boolean {
  if (opts === undefined || opts === null) return true;
  if (typeof opts !== 'object' || Array.isArray(opts)) return false;
  for (const key in opts) {
    const value = (opts as Record<string, unknown>)[key];
    if ((key !== 'transposeA' && key !== 'transposeB') || (value !== false && value !== undefined)) return false;
  }
  return true;
}

export function dot(a: NDArray, b: NDArray, opts?: DotOptions): NDArray {
  requireArray(a, 'dot', 'lhs');
  requireArray(b, 'dot', 'rhs');
  if (plainDot(opts)) return pairCall(DOT, a, b);
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

/** MXNet `x[:] = value`: writes value (a number or a broadcast NDArray) into x; returns x. */
export function set(x: NDArray, value: NDArray | number): NDArray {
  requireArray(x, 'set', 'x');
  return x.set(value);
}

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

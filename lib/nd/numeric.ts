// The numeric toolkit's functions with their own call forms: nd.moments, nd.diag, nd.gatherNd,
// nd.scatterNd (std, var, cumprod and reverse are generated from the axis-op table).
import { invoke, invokeMulti, type MultiOutOption, requireArray } from '../core/dispatch';
import type { NDArray } from '../ndarray';

export interface MomentsOptions extends MultiOutOption {
  /** The axes to reduce (MXNet `axes`; `axis` is accepted too); none reduces all. */
  axes?: number | number[] | null;
  keepdims?: boolean;
}

/** MXNet moments: [mean, variance] over `axes` (the variance divides by N). */
export function moments(x: NDArray, opts?: MomentsOptions): [NDArray, NDArray] {
  requireArray(x, 'moments', 'x');
  const [mean, variance] = invokeMulti('moments', [x], opts);
  return [mean, variance];
}

export interface DiagOptions {
  /** The diagonal: 0 the main one, > 0 above it, < 0 below. */
  k?: number;
  /** N-D input: the axes of the planes whose diagonals are taken (default 0 and 1). */
  axis1?: number;
  axis2?: number;
}

/**
 * MXNet diag: a 1-D array becomes a square matrix with it on diagonal k; an N-D array gives the
 * diagonal k of its (axis1, axis2) planes, as a new last axis.
 */
export function diag(x: NDArray, opts?: DiagOptions | number): NDArray {
  requireArray(x, 'diag', 'x');
  return invoke('diag', [x], typeof opts === 'number' ? { k: opts } : opts);
}

/**
 * MXNet gather_nd: indices of shape (M, Y...) address the first M axes of data; the result has
 * shape Y + data.shape[M:]. Negative indices count from the end.
 */
export function gatherNd(data: NDArray, indices: NDArray): NDArray {
  requireArray(data, 'gatherNd', 'data');
  requireArray(indices, 'gatherNd', 'indices');
  return invoke('gather_nd', [data, indices]);
}

/**
 * MXNet scatter_nd: zeros of `shape` with data written at indices (M, Y...); data has shape
 * Y + shape[M:]. Values at repeated indices add up (MXNet leaves them undefined).
 */
export function scatterNd(data: NDArray, indices: NDArray, shape: number[] | { shape: number[] }): NDArray {
  requireArray(data, 'scatterNd', 'data');
  requireArray(indices, 'scatterNd', 'indices');
  return invoke('scatter_nd', [data, indices], Array.isArray(shape) ? { shape } : shape);
}

// Gathering and ordering as nd functions (nd.take, nd.topk, nd.sort, nd.argsort). Each is also an
// NDArray method, as MXNet's fluent methods are (`a.topk({ k: 3 })`); the methods do the work.
import {
  type ArgsortOptions,
  NDArray,
  type SortOptions,
  type TakeOptions,
  type TopkOptions,
  type TopkRetTyp,
} from '../ndarray';
import { type MultiOutOption, type OutOption, requireArray } from '../core/dispatch';

export type { ArgsortOptions, SortOptions, TakeMode, TakeOptions, TopkOptions, TopkRetTyp } from '../ndarray';

/** MXNet take: slices of x along `axis` (default 0) at `indices`; mode 'clip' (default), 'wrap' or 'raise'. */
export function take(x: NDArray, indices: NDArray, opts?: TakeOptions): NDArray {
  requireArray(x, 'take', 'x');
  return x.take(indices, opts);
}

/**
 * The k largest (isAscend: smallest) entries along `axis`: indices, values, [values, indices] or a
 * mask. `out`: the array the result is written into, or [values, indices] for retTyp 'both'.
 */
export function topk(x: NDArray, opts: TopkOptions & { retTyp: 'both' } & MultiOutOption): NDArray[];
export function topk(x: NDArray, opts?: TopkOptions & { retTyp?: Exclude<TopkRetTyp, 'both'> } & OutOption): NDArray;
export function topk(x: NDArray, opts?: TopkOptions): NDArray | NDArray[];
export function topk(x: NDArray, opts?: TopkOptions): NDArray | NDArray[] {
  requireArray(x, 'topk', 'x');
  return x.topk(opts);
}

/** x sorted along `axis` (default -1; null: flattened), ascending unless isAscend is false. */
export function sort(x: NDArray, opts?: SortOptions): NDArray {
  requireArray(x, 'sort', 'x');
  return x.sort(opts);
}

/** The indices that sort x along `axis` (stable; float32 unless dtype says otherwise). */
export function argsort(x: NDArray, opts?: ArgsortOptions): NDArray {
  requireArray(x, 'argsort', 'x');
  return x.argsort(opts);
}

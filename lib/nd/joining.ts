// Joining, splitting, tiling, strided slicing and batched products: the nd functions. Each is
// one registry op (native/core/ops/ops_join.cc, ops_slice.cc, ops_tile.cc, ops_linalg.cc).
import { invoke, type MultiOutOption, requireArray } from '../core/dispatch';
import { NDArray, type SplitOptions } from '../ndarray';

type JoinArgs<O> = (NDArray | NDArray[] | O | undefined)[];

/** MXNet takes the arrays as arguments (`concat(a, b, dim=1)`); a single JS array of them also works. */
function arraysAndOptions<O extends object>(fn: string, args: JoinArgs<O>): [NDArray[], O] {
  let opts = {} as O;
  let list = args;
  const last = list[list.length - 1];
  // A trailing plain object is the options; anything else is checked as an array argument.
  if (typeof last === 'object' && last !== null && !(last instanceof NDArray) && !Array.isArray(last)) {
    opts = last as O;
    list = list.slice(0, -1);
  }
  const arrays = (list.length === 1 && Array.isArray(list[0]) ? list[0] : list) as unknown[];
  const key = fn === 'concat' ? 'dim' : 'axis';
  arrays.forEach((x, i) => {
    // MXNet's positional axis (`concat(a, b, 0)` in Python is still data): say how JS spells it.
    if (typeof x === 'number' && i === arrays.length - 1 && i > 0) {
      throw new TypeError(`${fn}: data[${i}] must be an NDArray, got the number ${x}; pass the axis as an option: nd.${fn}(..., { ${key}: ${x} })`);
    }
    requireArray(x, fn, `data[${i}]`);
  });
  return [arrays as NDArray[], opts];
}

/** Joins arrays along an existing axis, `dim` (default 1, as MXNet). */
export function concat(...args: JoinArgs<{ dim?: number }>): NDArray {
  const [arrays, opts] = arraysAndOptions('concat', args);
  return invoke('concat', arrays, opts);
}

/** Joins same-shape arrays along a new axis (default 0). */
export function stack(...args: JoinArgs<{ axis?: number }>): NDArray {
  const [arrays, opts] = arraysAndOptions('stack', args);
  return invoke('stack', arrays, opts);
}

/**
 * numOutputs equal parts along `axis` (default 1); always an array, even for one part. `out`: a
 * list of numOutputs arrays the parts are written into.
 */
export function split(x: NDArray, numOutputs: number, opts?: SplitOptions & MultiOutOption): NDArray[] {
  requireArray(x, 'split', 'data');
  return x.split(numOutputs, opts);
}

export function tile(x: NDArray, reps: number | number[]): NDArray {
  requireArray(x, 'tile', 'data');
  return x.tile(reps);
}

export function repeat(x: NDArray, repeats: number, axis?: number | null): NDArray {
  requireArray(x, 'repeat', 'data');
  return x.repeat(repeats, axis);
}

export function sliceAxis(x: NDArray, axis: number, begin: number, end?: number | null): NDArray {
  requireArray(x, 'sliceAxis', 'data');
  return x.sliceAxis(axis, begin, end);
}

export interface SliceOptions {
  begin: (number | null)[] | number;
  end: (number | null)[] | number;
  step?: (number | null)[] | number;
}

/**
 * nd.slice(x, { begin, end, step? }): MXNet slice over the leading axes, a copy; `null` entries
 * are MXNet's None. nd.slice(x, begin, end?) is the axis-0 view (NDArray#slice).
 */
export function slice(x: NDArray, begin: number | SliceOptions, end?: number | null): NDArray {
  requireArray(x, 'slice', 'data');
  if (typeof begin !== 'object' || begin === null) return x.slice(begin, end);
  return invoke('slice', [x], begin);
}

/** One matrix product per batch index: (B, m, k) . (B, k, n) -> (B, m, n), with optional transposes. */
export function batchDot(a: NDArray, b: NDArray, opts?: { transposeA?: boolean; transposeB?: boolean }): NDArray {
  requireArray(a, 'batchDot', 'lhs');
  requireArray(b, 'batchDot', 'rhs');
  return invoke('batch_dot', [a, b], opts);
}

// MXNet's default_batchify_fn: NDArrays are stacked along a new axis 0, tuples are batchified
// field by field, numbers become one array (int32 when all are integers, else float32).
import { describe } from '../../core/dispatch';
import { array, stack } from '../../nd';
import { NDArray } from '../../ndarray';

export type Batch = NDArray | Batch[];

export function defaultBatchify(items: readonly unknown[]): Batch {
  if (items.length === 0) throw new RangeError('DataLoader: a batch must hold at least one sample');
  const first = items[0];
  if (first instanceof NDArray) return stack(...(items as NDArray[]));
  if (Array.isArray(first)) {
    const fields = first.length;
    return Array.from({ length: fields }, (_, f) => defaultBatchify(items.map((item) => (item as unknown[])[f])));
  }
  if (typeof first === 'number') {
    const values = Float64Array.from(items as number[]);
    return array(values, { dtype: values.every(Number.isInteger) ? 'int32' : 'float32' });
  }
  throw new TypeError(`DataLoader: the default batchify stacks NDArrays, numbers and arrays of them, got ${describe(first)}; pass batchifyFn`);
}

// MXNet 1.9's gluon.data.Dataset family. `batch(indices)` is ndgrad's addition: a dataset backed
// by arrays answers it with one native gather per array (nd.take on axis 0) instead of reading
// sample by sample, and the DataLoader asks every dataset for its batches through it.
import { describe } from '../../core/dispatch';
import { array, take } from '../../nd';
import { NDArray } from '../../ndarray';
import { type Batch, defaultBatchify } from './batchify';

/** A function, or an object with forward (a transform, a Block); `batchable` ones take a whole batch. */
export type TransformFn = ((...args: never[]) => unknown) | { forward(...args: never[]): unknown; batchable?: boolean };

function callTransform(fn: TransformFn, args: unknown[]): unknown {
  const f = fn as unknown as ((...a: unknown[]) => unknown) | { forward(...a: unknown[]): unknown };
  return typeof f === 'function' ? f(...args) : f.forward(...args);
}

function checkTransform(fn: unknown, where: string): asserts fn is TransformFn {
  const ok = typeof fn === 'function' || (typeof fn === 'object' && fn !== null && typeof (fn as { forward?: unknown }).forward === 'function');
  if (!ok) throw new TypeError(`${where}: fn must be a function or an object with forward(), got ${describe(fn)}`);
}

function checkIndex(i: unknown, length: number, where: string): number {
  if (typeof i !== 'number' || !Number.isInteger(i)) throw new TypeError(`${where}: index must be an integer, got ${describe(i)}`);
  if (i < 0 || i >= length) throw new RangeError(`${where}: index ${i} is out of range for a dataset of length ${length}`);
  return i;
}

function checkCount(n: unknown, where: string, arg: string, min: number): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min) {
    throw new RangeError(`${where}: ${arg} must be an integer >= ${min}, got ${String(n)}`);
  }
  return n;
}

export abstract class Dataset<T = unknown> {
  abstract get length(): number;
  /** Item i (MXNet's dataset[i]). */
  abstract at(i: number): T;

  /** The stacked items at `indices`; array-backed datasets make it with one gather per array. */
  batch(indices: readonly number[]): Batch {
    return defaultBatchify(indices.map((i) => this.at(i)));
  }

  *[Symbol.iterator](): Iterator<T> {
    for (let i = 0; i < this.length; i++) yield this.at(i);
  }

  /** fn(item), or fn(...item) when items are tuples; lazy (default) applies it on each read. */
  transform(fn: TransformFn, lazy = true): Dataset {
    checkTransform(fn, 'Dataset.transform');
    const view = new TransformDataset(this, fn, false);
    return lazy ? view : new SimpleDataset([...view]);
  }

  /** fn applied to the first field of each item only (the image of [image, label]). */
  transformFirst(fn: TransformFn, lazy = true): Dataset {
    checkTransform(fn, 'Dataset.transformFirst');
    const view = new TransformDataset(this, fn, true);
    return lazy ? view : new SimpleDataset([...view]);
  }

  /** The first n items (all of them when n is undefined or larger). */
  take(n?: number | null): Dataset<T> {
    const count = n === undefined || n === null ? this.length : Math.min(checkCount(n, 'Dataset.take', 'n', 0), this.length);
    return new SampledDataset(this, Array.from({ length: count }, (_, i) => i));
  }

  /** The items for which fn(item) is truthy, in order. */
  filter(fn: (item: T) => unknown): Dataset<T> {
    if (typeof fn !== 'function') throw new TypeError(`Dataset.filter: fn must be a function, got ${describe(fn)}`);
    const kept: number[] = [];
    for (let i = 0; i < this.length; i++) if (fn(this.at(i))) kept.push(i);
    return new SampledDataset(this, kept);
  }

  /** Shard `index` of `numShards` contiguous shards; the first length % numShards get one more item. */
  shard(numShards: number, index: number): Dataset<T> {
    checkCount(numShards, 'Dataset.shard', 'numShards', 1);
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= numShards) {
      throw new RangeError(`Dataset.shard: index must be an integer in [0, ${numShards}), got ${String(index)}`);
    }
    const size = Math.floor(this.length / numShards);
    const rest = this.length % numShards;
    const start = size * index + Math.min(index, rest);
    const end = start + size + (index < rest ? 1 : 0);
    return new SampledDataset(this, Array.from({ length: end - start }, (_, i) => start + i));
  }
}

/** A dataset over a JS array of items (MXNet's SimpleDataset). */
export class SimpleDataset<T = unknown> extends Dataset<T> {
  private readonly items: readonly T[];
  constructor(items: readonly T[]) {
    super();
    if (!Array.isArray(items)) throw new TypeError(`SimpleDataset: items must be an array, got ${describe(items)}`);
    this.items = items;
  }
  get length(): number {
    return this.items.length;
  }
  at(i: number): T {
    return this.items[checkIndex(i, this.length, 'SimpleDataset.at')];
  }
}

type Column = NDArray | readonly unknown[];

function columnLength(c: Column): number {
  return c instanceof NDArray ? (c.ndim === 0 ? 0 : c.shape[0]) : c.length;
}

function columnItem(c: Column, i: number): unknown {
  if (!(c instanceof NDArray)) return c[i];
  const row = c.at(i);
  // MXNet turns 1-D arrays into NumPy so their items are scalars
  return c.ndim === 1 ? row.asScalar() : row;
}

/**
 * Item i is [a[i], b[i], ...] of the arrays given (NDArrays along axis 0, or JS arrays); one
 * array gives its items unwrapped. Batches of NDArray columns are one nd.take per column.
 */
export class ArrayDataset extends Dataset {
  private readonly columns: readonly Column[];
  private readonly len: number;
  constructor(...arrays: Column[]) {
    super();
    if (arrays.length === 0) throw new TypeError('ArrayDataset: at least one array is required');
    arrays.forEach((a, k) => {
      if (!(a instanceof NDArray) && !Array.isArray(a)) {
        throw new TypeError(`ArrayDataset: argument ${k} must be an NDArray or an array, got ${describe(a)}`);
      }
      if (a instanceof NDArray && a.ndim === 0) throw new RangeError(`ArrayDataset: argument ${k} is a scalar array; it needs an axis 0`);
    });
    this.len = columnLength(arrays[0]);
    arrays.forEach((a, k) => {
      if (columnLength(a) !== this.len) {
        throw new RangeError(`ArrayDataset: all arrays must have the same length; argument 0 has ${this.len}, argument ${k} has ${columnLength(a)}`);
      }
    });
    this.columns = arrays;
  }
  get length(): number {
    return this.len;
  }
  at(i: number): unknown {
    checkIndex(i, this.len, 'ArrayDataset.at');
    if (this.columns.length === 1) return columnItem(this.columns[0], i);
    return this.columns.map((c) => columnItem(c, i));
  }
  batch(indices: readonly number[]): Batch {
    indices.forEach((i) => checkIndex(i, this.len, 'ArrayDataset.batch'));
    const index = array(Int32Array.from(indices), { dtype: 'int32' });
    const gather = (c: Column): Batch => (c instanceof NDArray ? take(c, index, { axis: 0 }) : defaultBatchify(indices.map((i) => c[i])));
    const out = this.columns.length === 1 ? gather(this.columns[0]) : this.columns.map(gather);
    index.dispose();
    return out;
  }
}

/** The items of `base` at `indices` (take, filter, shard); batches map their indices through. */
class SampledDataset<T> extends Dataset<T> {
  constructor(private readonly base: Dataset<T>, private readonly indices: readonly number[]) {
    super();
  }
  get length(): number {
    return this.indices.length;
  }
  at(i: number): T {
    return this.base.at(this.indices[checkIndex(i, this.length, 'Dataset.at')]);
  }
  batch(indices: readonly number[]): Batch {
    return this.base.batch(indices.map((i) => this.indices[checkIndex(i, this.length, 'Dataset.batch')]));
  }
}

/**
 * transform / transformFirst. A transformFirst of a `batchable` transform (ToTensor, Normalize,
 * Cast, Resize, RandomFlipLeftRight and Compose of them) runs once on the gathered batch's first
 * field, which gives the same arrays as running it per sample and stacking.
 */
class TransformDataset extends Dataset {
  constructor(private readonly base: Dataset, private readonly fn: TransformFn, private readonly first: boolean) {
    super();
  }
  get length(): number {
    return this.base.length;
  }
  at(i: number): unknown {
    const item = this.base.at(i);
    if (!Array.isArray(item)) return callTransform(this.fn, [item]);
    if (!this.first) return callTransform(this.fn, item);
    return [callTransform(this.fn, [item[0]]), ...item.slice(1)];
  }
  batch(indices: readonly number[]): Batch {
    const batchable = typeof this.fn === 'object' && this.fn.batchable === true;
    if (!(this.first && batchable)) return super.batch(indices);
    const b = this.base.batch(indices);
    if (!Array.isArray(b)) return callTransform(this.fn, [b]) as Batch;
    return [callTransform(this.fn, [b[0]]) as Batch, ...b.slice(1)];
  }
}

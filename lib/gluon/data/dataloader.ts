// MXNet 1.9's gluon.data.DataLoader, synchronous (num_workers=0): one batch per index list of
// the batch sampler. Without a batchifyFn a batch is dataset.batch(indices), which for
// array-backed datasets is one nd.take per array.
import { describe } from '../../core/dispatch';
import { readOptions } from '../../core/options';
import type { NDArray } from '../../ndarray';
import { Dataset } from './dataset';
import { BatchSampler, checkLastBatch, type LastBatch, RandomSampler, type Sampler, SequentialSampler } from './sampler';

export interface DataLoaderOptions {
  batchSize?: number;
  shuffle?: boolean;
  lastBatch?: LastBatch;
  sampler?: Sampler;
  batchSampler?: Iterable<number[]> & { readonly length?: number };
  /** items -> batch (MXNet's batchify_fn); default: stack NDArrays along axis 0, field by field */
  batchifyFn?: (items: unknown[]) => unknown;
}

const LOADER_OPTIONS = {
  batchSize: ['batch_size'],
  shuffle: [],
  lastBatch: ['last_batch'],
  sampler: [],
  batchSampler: ['batch_sampler'],
  batchifyFn: ['batchify_fn'],
};

/**
 * The element type B is what each batch is; it defaults to [data, label], the usual pair. Give it
 * for other datasets: `new DataLoader<NDArray>(singleArrayDataset, ...)`.
 */
export class DataLoader<B = [NDArray, NDArray]> implements Iterable<B> {
  readonly dataset: Dataset;
  private readonly batchSampler: Iterable<number[]> & { readonly length?: number };
  private readonly batchifyFn?: (items: unknown[]) => unknown;

  constructor(dataset: Dataset, options: DataLoaderOptions = {}) {
    if (!(dataset instanceof Dataset)) throw new TypeError(`DataLoader: dataset must be a gluon.data.Dataset, got ${describe(dataset)}`);
    const o = readOptions('DataLoader', options, LOADER_OPTIONS) as DataLoaderOptions;
    this.dataset = dataset;
    if (o.batchifyFn !== undefined && typeof o.batchifyFn !== 'function') {
      throw new TypeError(`DataLoader: batchifyFn must be a function, got ${describe(o.batchifyFn)}`);
    }
    this.batchifyFn = o.batchifyFn;
    if (o.batchSampler !== undefined) {
      if (o.batchSize !== undefined || o.shuffle || o.sampler !== undefined || o.lastBatch !== undefined) {
        throw new TypeError('DataLoader: batchSize, shuffle, sampler and lastBatch must not be given with batchSampler');
      }
      this.batchSampler = o.batchSampler;
      return;
    }
    if (o.batchSize === undefined) throw new TypeError('DataLoader: batchSize is required when batchSampler is not given');
    let sampler = o.sampler;
    if (sampler === undefined) sampler = o.shuffle ? new RandomSampler(dataset.length) : new SequentialSampler(dataset.length);
    else if (o.shuffle) throw new TypeError('DataLoader: shuffle must not be given with sampler');
    this.batchSampler = new BatchSampler(sampler, o.batchSize, checkLastBatch(o.lastBatch ?? 'keep', 'DataLoader'));
  }

  /** The number of batches of one pass. */
  get length(): number {
    const n = this.batchSampler.length;
    if (typeof n !== 'number') throw new TypeError('DataLoader.length: the batchSampler has no length');
    return n;
  }

  *[Symbol.iterator](): Iterator<B> {
    for (const indices of this.batchSampler) {
      if (this.batchifyFn) yield this.batchifyFn(indices.map((i) => this.dataset.at(i))) as B;
      else yield this.dataset.batch(indices) as B;
    }
  }
}

// MXNet 1.9's gluon.data samplers: iterables of indices (Sampler) and of index lists (BatchSampler).
import { describe } from '../../core/dispatch';
import { arange, random } from '../../nd';

export interface Sampler extends Iterable<number> {
  readonly length: number;
}

function checkLength(n: unknown, where: string): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new RangeError(`${where}: length must be an integer >= 0, got ${String(n)}`);
  return n;
}

/** start, start + 1, ..., start + length - 1. */
export class SequentialSampler implements Sampler {
  readonly length: number;
  constructor(length: number, private readonly start = 0) {
    this.length = checkLength(length, 'SequentialSampler');
    if (!Number.isInteger(start)) throw new TypeError(`SequentialSampler: start must be an integer, got ${String(start)}`);
  }
  *[Symbol.iterator](): Iterator<number> {
    for (let i = 0; i < this.length; i++) yield this.start + i;
  }
}

/** A new permutation of 0 .. length - 1 on each pass, drawn from the stream mx.random.seed sets. */
export class RandomSampler implements Sampler {
  readonly length: number;
  constructor(length: number) {
    this.length = checkLength(length, 'RandomSampler');
  }
  [Symbol.iterator](): Iterator<number> {
    if (this.length === 0) return [][Symbol.iterator]();
    const order = arange(this.length, { dtype: 'int32' });
    const perm = random.shuffle(order);
    const indices = Array.from(perm.toTypedArray());
    order.dispose();
    perm.dispose();
    return indices[Symbol.iterator]();
  }
}

export type LastBatch = 'keep' | 'discard' | 'rollover';
const LAST_BATCH: readonly LastBatch[] = ['keep', 'discard', 'rollover'];

export function checkLastBatch(v: unknown, where: string): LastBatch {
  if (!LAST_BATCH.includes(v as LastBatch)) throw new RangeError(`${where}: lastBatch must be 'keep', 'discard' or 'rollover', got ${describe(v) === 'string' ? `'${String(v)}'` : describe(v)}`);
  return v as LastBatch;
}

/**
 * Groups a sampler's indices into lists of batchSize. The last short list is kept, dropped, or
 * (rollover) carried to the front of the next pass.
 */
export class BatchSampler implements Iterable<number[]> {
  private prev: number[] = [];
  private readonly lastBatch: LastBatch;
  constructor(private readonly sampler: Sampler, private readonly batchSize: number, lastBatch: LastBatch = 'keep') {
    if (sampler === null || typeof sampler !== 'object' || typeof (sampler as Sampler)[Symbol.iterator] !== 'function') {
      throw new TypeError(`BatchSampler: sampler must be an iterable of indices with a length, got ${describe(sampler)}`);
    }
    if (typeof batchSize !== 'number' || !Number.isInteger(batchSize) || batchSize < 1) {
      throw new RangeError(`BatchSampler: batchSize must be an integer >= 1, got ${String(batchSize)}`);
    }
    this.lastBatch = checkLastBatch(lastBatch, 'BatchSampler');
  }
  get length(): number {
    const n = this.sampler.length;
    if (this.lastBatch === 'keep') return Math.ceil(n / this.batchSize);
    if (this.lastBatch === 'discard') return Math.floor(n / this.batchSize);
    return Math.floor((this.prev.length + n) / this.batchSize);
  }
  *[Symbol.iterator](): Iterator<number[]> {
    let batch = this.prev;
    this.prev = [];
    for (const i of this.sampler) {
      batch.push(i);
      if (batch.length === this.batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length === 0) return;
    if (this.lastBatch === 'keep') yield batch;
    else if (this.lastBatch === 'rollover') this.prev = batch;
  }
}

// gluon.data: datasets, samplers and DataLoader against MXNet 1.9.1's dataset.py, sampler.py and
// dataloader.py semantics, on small arrays the tests make.
import { gluon, nd, random, type NDArray } from '../lib';

const { ArrayDataset, SimpleDataset, DataLoader, BatchSampler, SequentialSampler, RandomSampler } = gluon.data;

function values(x: unknown): unknown {
  return x instanceof Array ? x.map(values) : (x as NDArray).toArray();
}

function images(n: number): NDArray {
  // image i holds the values 10 i .. 10 i + 5, shape (2, 3, 1)
  return nd.arange(n * 6, { dtype: 'int32' }).reshape([n, 2, 3, 1]).astype('uint8');
}

describe('datasets', () => {
  test('ArrayDataset items: rows of NDArrays, numbers for 1-D arrays, JS array items', () => {
    const ds = new ArrayDataset(nd.array([[1, 2], [3, 4], [5, 6]]), nd.array([7, 8, 9], { dtype: 'int32' }), ['a', 'b', 'c']);
    expect(ds.length).toBe(3);
    const [x, y, z] = ds.at(1) as [NDArray, number, string];
    expect(x.toArray()).toEqual([3, 4]);
    expect(y).toBe(8);
    expect(z).toBe('b');
    expect(new ArrayDataset(nd.array([1, 2])).at(1)).toBe(2);
    expect(() => ds.at(3)).toThrow(/ArrayDataset.at: index 3 is out of range for a dataset of length 3/);
    expect(() => new ArrayDataset(nd.zeros([3]), [1, 2])).toThrow(/same length; argument 0 has 3, argument 1 has 2/);
    expect(() => new ArrayDataset(5 as unknown as NDArray)).toThrow(/argument 0 must be an NDArray or an array, got number/);
  });

  test('SimpleDataset, transform (items spread as arguments), transformFirst, lazy and eager', () => {
    const ds = new SimpleDataset([[1, 10], [2, 20], [3, 30]]);
    let calls = 0;
    const lazy = ds.transform((a: number, b: number) => {
      calls++;
      return a + b;
    });
    expect(calls).toBe(0);
    expect([...lazy]).toEqual([11, 22, 33]);
    expect(calls).toBe(3);
    const eager = ds.transform((a: number, b: number) => {
      calls++;
      return a * b;
    }, false);
    expect(calls).toBe(6);
    expect(eager.at(2)).toBe(90);
    expect(ds.transformFirst((a: number) => -a).at(1)).toEqual([-2, 20]);
    expect(new SimpleDataset([1, 2]).transformFirst((a: number) => a * 5).at(1)).toBe(10);
    expect(() => ds.transform(3 as never)).toThrow(/Dataset.transform: fn must be a function or an object with forward\(\), got number/);
  });

  test('take, filter and shard (the first length % n shards are one longer)', () => {
    const ds = new SimpleDataset([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect([...ds.take(3)]).toEqual([0, 1, 2]);
    expect([...ds.take(50)]).toHaveLength(10);
    expect([...ds.take()]).toHaveLength(10);
    expect([...ds.filter((v) => (v as number) % 3 === 0)]).toEqual([0, 3, 6, 9]);
    expect([0, 1, 2].map((i) => [...ds.shard(3, i)])).toEqual([[0, 1, 2, 3], [4, 5, 6], [7, 8, 9]]);
    expect([...ds.shard(3, 1).take(2)]).toEqual([4, 5]);
    expect(() => ds.shard(3, 3)).toThrow(/index must be an integer in \[0, 3\), got 3/);
    expect(() => ds.take(-1)).toThrow(/n must be an integer >= 0, got -1/);
  });
});

describe('samplers', () => {
  test('SequentialSampler and BatchSampler keep / discard / rollover with their lengths', () => {
    expect([...new SequentialSampler(4, 2)]).toEqual([2, 3, 4, 5]);
    const keep = new BatchSampler(new SequentialSampler(7), 3, 'keep');
    expect([...keep]).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect(keep.length).toBe(3);
    const discard = new BatchSampler(new SequentialSampler(7), 3, 'discard');
    expect([...discard]).toEqual([[0, 1, 2], [3, 4, 5]]);
    expect(discard.length).toBe(2);
    const roll = new BatchSampler(new SequentialSampler(7), 3, 'rollover');
    expect(roll.length).toBe(2);
    expect([...roll]).toEqual([[0, 1, 2], [3, 4, 5]]);
    expect(roll.length).toBe(2); // (1 carried + 7) // 3
    expect([...roll]).toEqual([[6, 0, 1], [2, 3, 4]]);
    expect([...roll]).toEqual([[5, 6, 0], [1, 2, 3], [4, 5, 6]]);
    expect(() => new BatchSampler(new SequentialSampler(3), 0)).toThrow(/batchSize must be an integer >= 1, got 0/);
    expect(() => new BatchSampler(new SequentialSampler(3), 2, 'drop' as never)).toThrow(/lastBatch must be 'keep', 'discard' or 'rollover', got 'drop'/);
  });

  test('RandomSampler: a permutation per pass, reproducible under random.seed', () => {
    const s = new RandomSampler(50);
    random.seed(7);
    const a = [...s];
    const b = [...s];
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(a).not.toEqual(b);
    random.seed(7);
    expect([...s]).toEqual(a);
    expect([...s]).toEqual(b);
  });
});

describe('DataLoader', () => {
  test('batches stack along axis 0 in order, lastBatch applies, length is the number of batches', () => {
    const x = images(5);
    const y = nd.array([0, 1, 2, 3, 4], { dtype: 'int32' });
    const loader = new DataLoader(new ArrayDataset(x, y), { batchSize: 2 });
    expect(loader.length).toBe(3);
    const batches = [...loader] as NDArray[][];
    expect(batches.map(([d, l]) => [d.shape, d.dtype, l.toArray(), l.dtype])).toEqual([
      [[2, 2, 3, 1], 'uint8', [0, 1], 'int32'],
      [[2, 2, 3, 1], 'uint8', [2, 3], 'int32'],
      [[1, 2, 3, 1], 'uint8', [4], 'int32'],
    ]);
    expect(batches[1][0].toArray()).toEqual(nd.stack(x.at(2), x.at(3)).toArray());
    const discard = new DataLoader(new ArrayDataset(x, y), { batchSize: 2, lastBatch: 'discard' });
    expect(discard.length).toBe(2);
    expect([...discard]).toHaveLength(2);
  });

  test('the gathered batch equals the default batchify of the same items (MXNet default_batchify_fn)', () => {
    const ds = new ArrayDataset(images(6), nd.array([5, 4, 3, 2, 1, 0], { dtype: 'int32' }));
    const indices = [4, 0, 5];
    const gathered = ds.batch(indices);
    const stacked = gluon.data.defaultBatchify(indices.map((i) => ds.at(i)));
    expect(values(gathered)).toEqual(values(stacked));
    expect((stacked as NDArray[])[1].dtype).toBe('int32');
    const viaFn = [...new DataLoader(ds, { batchSize: 3, batchifyFn: gluon.data.defaultBatchify })];
    expect(values(viaFn[0])).toEqual(values(ds.batch([0, 1, 2])));
  });

  test('one take per NDArray column per batch, no per-sample reads', () => {
    const ds = new ArrayDataset(images(8), nd.arange(8, { dtype: 'int32' }));
    const at = jest.spyOn(ds, 'at');
    const take = jest.spyOn(nd.NDArray.prototype, 'take');
    const batches = [...new DataLoader(ds.take(7).shard(1, 0), { batchSize: 4 })];
    expect(batches).toHaveLength(2);
    expect(at).not.toHaveBeenCalled();
    expect(take).toHaveBeenCalledTimes(4);
    at.mockRestore();
    take.mockRestore();
  });

  test('shuffle follows random.seed and visits every sample once per epoch', () => {
    const ds = new ArrayDataset(nd.arange(20, { dtype: 'int32' }));
    const epoch = (loader: InstanceType<typeof DataLoader>): number[] => [...loader].flatMap((b) => (b as NDArray).toArray() as number[]);
    const loader = new DataLoader(ds, { batchSize: 6, shuffle: true });
    random.seed(3);
    const first = epoch(loader);
    const second = epoch(loader);
    expect([...first].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(first).not.toEqual(second);
    random.seed(3);
    expect(epoch(loader)).toEqual(first);
    expect(epoch(new DataLoader(ds, { batchSize: 6 }))).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  test('sampler, batchSampler, numbers and tuples batchified field by field', () => {
    const ds = new SimpleDataset([[nd.array([1, 2]), 0], [nd.array([3, 4]), 1.5], [nd.array([5, 6]), 2]]);
    const [[data, label], [, intLabel]] = [...new DataLoader(ds, { batchSampler: [[2, 1], [2, 0]] })] as NDArray[][];
    expect(data.toArray()).toEqual([[5, 6], [3, 4]]);
    expect([label.toArray(), label.dtype]).toEqual([[2, 1.5], 'float32']);
    expect([intLabel.toArray(), intLabel.dtype]).toEqual([[2, 0], 'int32']);
    const ints = [...new DataLoader(new SimpleDataset([3, 1, 2]), { batchSize: 3, sampler: new SequentialSampler(2, 1) })] as NDArray[];
    expect([ints[0].toArray(), ints[0].dtype]).toEqual([[1, 2], 'int32']);
  });

  test('option errors name the option', () => {
    const ds = new SimpleDataset([1, 2, 3]);
    expect(() => new DataLoader(ds, {})).toThrow(/DataLoader: batchSize is required/);
    expect(() => new DataLoader(ds, { batchSize: 2, shuffle: true, sampler: new SequentialSampler(3) })).toThrow(/shuffle must not be given with sampler/);
    expect(() => new DataLoader(ds, { batchSize: 2, batchSampler: [[0]] })).toThrow(/must not be given with batchSampler/);
    expect(() => new DataLoader([1, 2] as never, { batchSize: 2 })).toThrow(/dataset must be a gluon.data.Dataset, got an Array/);
    expect(() => new DataLoader(ds, { batch_size: 2, last_batch: 'discard' } as never).length).not.toThrow();
    expect(() => new DataLoader(ds, { batchSise: 2 } as never)).toThrow(/unknown option 'batchSise'/);
    expect(() => [...new DataLoader(new SimpleDataset([{}]), { batchSize: 1 })]).toThrow(/default batchify stacks NDArrays, numbers and arrays of them, got Object/);
  });
});

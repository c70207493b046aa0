// MXNet's own facts about take, topk, sort and argsort (tests/python/unittest/test_ndarray.py
// test_order and test_ndarray_take, as collected in MXNET.md), in every dtype ndgrad has, plus
// the gradient behaviour the golden and gradient-check suites do not show on their own.
import { autograd, nd } from '../lib';
import type { DType } from '../lib';
import { orderReference as reference, showSigned as show } from './helpers/ordering';

const DTYPES: DType[] = ['float32', 'float64', 'int32', 'uint8'];

test('test_order: topk of arange(0, 1024, int32) with k = 1024 and int32 indices is the reversed range', () => {
  const a = nd.arange(0, 1024, 1, { dtype: 'int32' });
  const idx = a.topk({ k: 1024, dtype: 'int32' });
  expect(idx.dtype).toBe('int32');
  expect(Array.from(idx.toTypedArray())).toEqual(Array.from({ length: 1024 }, (_, i) => 1023 - i));
});

test('test_order: topk values backward with ones((10,), int32) puts 1 on the last 10 entries', () => {
  const a = nd.arange(0, 1024, 1, { dtype: 'int32' });
  a.attachGrad();
  const b = autograd.record(() => nd.topk(a, { k: 10, retTyp: 'value' }));
  b.backward(nd.ones([10], { dtype: 'int32' }));
  const g = Array.from(a.grad!.toTypedArray());
  expect(a.grad!.dtype).toBe('int32');
  expect(g.slice(-10)).toEqual(new Array(10).fill(1));
  expect(g.slice(0, -10).every((v) => v === 0)).toBe(true);
});

// MXNet runs this over int32/int64/float32/float64 with a = arange(0, 1000); uint8 cannot hold
// 1000 distinct values, so it uses arange(0, 200).
describe.each(DTYPES)('test_order: the head gradient arange(0, 10) lands in reverse on the top 10 (%s)', (dtype) => {
  const n = dtype === 'uint8' ? 200 : 1000;
  test.each(['value', 'both'] as const)('retTyp %s', (retTyp) => {
    const a = nd.arange(0, n, 1, { dtype });
    a.attachGrad();
    const ograd = nd.arange(0, 10, 1, { dtype });
    const b = autograd.record(() => {
      const out = nd.topk(a, { k: 10, retTyp });
      return Array.isArray(out) ? out[0] : out;
    });
    b.backward(ograd);
    const g = Array.from(a.grad!.toTypedArray());
    for (let j = 0; j < 10; j++) expect(g[n - j - 1]).toBe(j);
    expect(g.slice(0, n - 10).every((v) => v === 0)).toBe(true);
  });
});

test("topk 'both' returns [values, indices]; only the values carry a gradient", () => {
  const x = nd.array([[0.5, 3, -1, 2], [7, 1, 1, 4]]);
  x.attachGrad();
  const [values, indices] = autograd.record(() => nd.topk(x, { k: 2, retTyp: 'both', dtype: 'int32' }));
  expect(values.toArray()).toEqual([[3, 2], [7, 4]]);
  expect(indices.toArray()).toEqual([[1, 3], [0, 3]]);
  expect(indices.dtype).toBe('int32');
  autograd.backward([values, indices], [nd.array([[10, 20], [30, 40]]), nd.ones([2, 2], { dtype: 'int32' })]);
  expect(x.grad!.toArray()).toEqual([[0, 10, 0, 20], [30, 0, 0, 40]]);
});

test('topk indices and mask, and argsort, give zero gradients', () => {
  const x = nd.array([3, 1, 2]);
  x.attachGrad('add');
  for (const f of [() => x.topk({ k: 2 }), () => x.topk({ k: 2, retTyp: 'mask' }), () => x.argsort()]) {
    autograd.record(() => f().sum()).backward();
    expect(Array.from(x.grad!.toTypedArray())).toEqual([0, 0, 0]);
  }
  // next to a differentiable use of x, only that use counts
  autograd.record(() => x.topk({ k: 3, retTyp: 'mask' }).mul(x).sum()).backward();
  expect(Array.from(x.grad!.toTypedArray())).toEqual([1, 1, 1]);
});

test('sort: the gradient is the head gradient sent back through the sorting permutation', () => {
  const x = nd.array([[0.3, -2, 5, 1], [4, 4.5, -1, 0]], { dtype: 'float64' });
  x.attachGrad();
  const y = autograd.record(() => x.sort({ axis: 1, isAscend: false }));
  expect(y.toArray()).toEqual([[5, 1, 0.3, -2], [4.5, 4, 0, -1]]);
  y.backward(nd.array([[1, 2, 3, 4], [5, 6, 7, 8]], { dtype: 'float64' }));
  expect(x.grad!.toArray()).toEqual([[3, 4, 1, 2], [6, 5, 8, 7]]);
});

test('ties keep index order in both directions, and topk agrees with sort and argsort', () => {
  const x = nd.array([2, 1, 2, 0, 1, 2]);
  expect(x.argsort().toArray()).toEqual([3, 1, 4, 0, 2, 5]);
  expect(x.argsort({ isAscend: false }).toArray()).toEqual([0, 2, 5, 1, 4, 3]);
  expect(x.topk({ k: 6 }).toArray()).toEqual([0, 2, 5, 1, 4, 3]);
  expect(x.topk({ k: 3, retTyp: 'mask' }).toArray()).toEqual([1, 0, 1, 0, 0, 1]);
  expect(x.sort({ isAscend: false }).toArray()).toEqual(x.topk({ k: 0, retTyp: 'value' }).toArray());
});

test('NaN counts as the largest value: last ascending, first descending (topk picks it)', () => {
  const x = nd.array([1, NaN, -Infinity, 3]);
  expect(x.sort().toArray()).toEqual([-Infinity, 1, 3, NaN]);
  expect(x.argsort({ isAscend: false }).toArray()).toEqual([1, 3, 0, 2]);
  expect(x.topk({ retTyp: 'value' }).toArray()).toEqual([NaN]);
});

test('test_ndarray_take: take(data, idx) equals data[idx]; repeated indices add up in the gradient', () => {
  const data = nd.arange(12).reshape([4, 3]);
  const idx = nd.array([[3, 0], [1, 3]], { dtype: 'int32' });
  const rows = data.toArray() as number[][];
  expect(nd.take(data, idx).toArray()).toEqual([[rows[3], rows[0]], [rows[1], rows[3]]]);
  data.attachGrad();
  autograd.record(() => nd.take(data, idx).sum()).backward();
  expect(data.grad!.toArray()).toEqual([[1, 1, 1], [1, 1, 1], [0, 0, 0], [2, 2, 2]]);
});

test('take along an inner axis in wrap mode, and its gradient', () => {
  const x = nd.arange(8).reshape([2, 4]);
  x.attachGrad();
  const y = autograd.record(() => x.take(nd.array([-1, 5, 1.9]), { axis: 1, mode: 'wrap' }));
  expect(y.toArray()).toEqual([[3, 1, 1], [7, 5, 5]]);
  y.backward();
  expect(x.grad!.toArray()).toEqual([[0, 2, 0, 1], [0, 2, 0, 1]]);
});

// Lines of at least 64 entries are sorted by a radix sort, shorter ones (and topk with k smaller
// than the line) by comparison. Both must give the one order: NaN above every number, -0 equal
// to +0, ties in index order, in both directions; checked here against a reference in JS.
describe.each(DTYPES)('long lines (radix path) give the reference order (%s)', (dtype) => {
  const n = 700;
  const float = dtype === 'float32' || dtype === 'float64';
  const raw = Array.from({ length: 3 * n }, (_, i) => {
    const r = (i * 7919) % 23; // many ties
    if (float && r === 0) return NaN;
    if (float && r === 1) return -0;
    if (float && r === 2) return 0;
    const v = (r - 11) * (dtype === 'uint8' ? -1 : 1);
    return dtype === 'uint8' ? ((v % 256) + 256) % 256 : float ? v / 4 : v * 100003;
  });

  test.each([true, false])('isAscend %s, along the last axis and along axis 0', (isAscend) => {
    const x = nd.array(raw, { dtype }).reshape([3, n]);
    const stored = Array.from(x.toTypedArray()).map(Number);
    const idx = Array.from(nd.argsort(x, { axis: 1, isAscend, dtype: 'int32' }).toTypedArray());
    const vals = Array.from(nd.sort(x, { axis: 1, isAscend }).toTypedArray()).map(Number);
    for (let r = 0; r < 3; r++) {
      const line = stored.slice(r * n, (r + 1) * n);
      const want = reference(line, isAscend);
      expect(idx.slice(r * n, (r + 1) * n)).toEqual(want);
      // values are the entries themselves (a -0 stays -0)
      want.forEach((from, j) => expect(Object.is(vals[r * n + j], line[from])).toBe(true));
    }
    // the same lines laid out down axis 0 (strided)
    const xt = x.transpose();
    const idxT = Array.from(nd.argsort(xt, { axis: 0, isAscend, dtype: 'int32' }).toTypedArray());
    for (let r = 0; r < 3; r++) {
      const got = Array.from({ length: n }, (_, j) => idxT[j * 3 + r]);
      expect(got).toEqual(reference(stored.slice(r * n, (r + 1) * n), isAscend));
    }
  });

  test('topk of the whole line (radix) agrees with topk of all but one (comparison)', () => {
    const x = nd.array(raw.slice(0, n), { dtype });
    const all = Array.from(nd.topk(x, { k: n, dtype: 'int32' }).toTypedArray());
    const most = Array.from(nd.topk(x, { k: n - 1, dtype: 'int32' }).toTypedArray());
    expect(most).toEqual(all.slice(0, n - 1));
  });
});

// A line of 2^14 entries or more is first split on its top varying bits, and one such line alone
// is sorted by the whole thread pool; values alone are sorted as keys and mapped back, -0 and
// the NaNs refilled in line order. Same reference as above, on one long line.
describe.each(DTYPES)('one long line (bucketed, threaded radix path) gives the reference order (%s)', (dtype) => {
  const n = 70001;
  const float = dtype === 'float32' || dtype === 'float64';
  const raw = Array.from({ length: n }, (_, i) => {
    const r = (i * 7919) % 100003;
    if (float && r % 97 === 0) return NaN;
    if (float && r % 97 === 1) return -0;
    if (float && r % 97 === 2) return 0;
    const v = r - 50000;
    return dtype === 'uint8' ? ((v % 256) + 256) % 256 : float ? v / 8 : v * 20011;
  });

  test.each([true, false])('isAscend %s: values and argsort', (isAscend) => {
    const x = nd.array(raw, { dtype });
    const line = Array.from(x.toTypedArray()).map(Number);
    const want = reference(line, isAscend);
    const vals = Array.from(nd.sort(x, { isAscend }).toTypedArray()).map(Number);
    expect(vals.map(show)).toEqual(want.map((i) => show(line[i])));
    const idx = Array.from(nd.argsort(x, { isAscend, dtype: 'int32' }).toTypedArray());
    expect(idx).toEqual(want);
  });

  test('a line of one repeated value, and one that differs in a single low bit', () => {
    const same = nd.full([40000], 3, { dtype });
    expect(Array.from(nd.sort(same).toTypedArray()).every((v) => Number(v) === 3)).toBe(true);
    const two = Array.from({ length: 40000 }, (_, i) => (i % 3 === 0 ? 2 : 3));
    expect(Array.from(nd.sort(nd.array(two, { dtype })).toTypedArray()).map(Number)).toEqual(
      two.slice().sort((a, b) => a - b),
    );
  });
});

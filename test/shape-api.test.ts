// Creation-like and shape functions built on registry ops: zerosLike/onesLike/fullLike/empty,
// broadcastTo, expandDims, flatten, squeeze, swapaxes (values against NumPy's semantics, the
// gradients through them, and their errors).
import { autograd, nd, NDArray } from '../lib';
import { checkNumericGradient } from '../lib/testing';

const vals = (x: NDArray) => Array.from(x.toTypedArray());

test('zerosLike, onesLike, fullLike and empty keep shape and dtype', () => {
  const x = nd.arange(6, null, 1, { dtype: 'int32' }).reshape([2, 3]);
  for (const [y, v] of [[nd.zerosLike(x), 0], [nd.onesLike(x), 1], [nd.fullLike(x, 7), 7]] as const) {
    expect(y.shape).toEqual([2, 3]);
    expect(y.dtype).toBe('int32');
    expect(vals(y)).toEqual([v, v, v, v, v, v]);
  }
  expect(nd.empty([2, 2]).shape).toEqual([2, 2]);
  expect(nd.zeros_like(x).shape).toEqual([2, 3]);
});

test('broadcastTo follows NumPy (leading axes added) and MXNet (0 keeps a dim)', () => {
  const x = nd.array([[1], [2]]);
  expect(vals(x.broadcastTo([3, 2, 2]))).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 1, 1, 2, 2]);
  expect(nd.broadcastTo(x, [0, 3]).shape).toEqual([2, 3]);
  expect(x.broadcast_to([2, 4]).shape).toEqual([2, 4]);
  expect(() => x.broadcastTo([3, 3])).toThrow(/broadcast_to: operands could not be broadcast/);
});

test('expandDims, flatten, squeeze, swapaxes give NumPy/MXNet shapes', () => {
  const x = nd.arange(24).reshape([2, 3, 4]);
  expect(x.expandDims(0).shape).toEqual([1, 2, 3, 4]);
  expect(x.expandDims(-1).shape).toEqual([2, 3, 4, 1]);
  expect(nd.expand_dims(x, 2).shape).toEqual([2, 3, 1, 4]);
  expect(x.flatten().shape).toEqual([2, 12]);
  expect(nd.arange(5).flatten().shape).toEqual([5, 1]);
  expect(nd.zeros([1, 3, 1]).squeeze().shape).toEqual([3]);
  expect(nd.zeros([1, 1]).squeeze().shape).toEqual([1]);
  expect(nd.zeros([1, 3, 1]).squeeze(-1).shape).toEqual([1, 3]);
  const s = x.swapaxes(0, 2);
  expect(s.shape).toEqual([4, 3, 2]);
  // s[i, j, k] = x[k, j, i] = 12k + 4j + i
  expect(s.at(1, 2, 1).asScalar()).toBe(12 + 8 + 1);
  expect(() => x.expandDims(4)).toThrow(RangeError);
  expect(() => x.squeeze(1)).toThrow(/cannot squeeze axis 1 of size 3/);
  expect(() => x.swapaxes(0, 3)).toThrow(/swapaxes: dim2 3 is out of range/);
});

test('gradients flow through them', () => {
  const x = nd.array([[0.5, -1, 2]], { dtype: 'float64' });
  checkNumericGradient((v) => v.broadcastTo([2, 3]).expandDims(1).squeeze().swapaxes(0, 1).flatten().square(), [x]);
});

test('eye matches numpy.eye, including offsets, non-square and dtypes', () => {
  expect(nd.eye(3).toArray()).toEqual([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
  expect(nd.eye(2, 4, 1).toArray()).toEqual([[0, 1, 0, 0], [0, 0, 1, 0]]);
  expect(nd.eye(3, 2, -1).toArray()).toEqual([[0, 0], [1, 0], [0, 1]]);
  const i = nd.eye(2, null, 0, { dtype: 'int32' });
  expect(i.dtype).toBe('int32');
  expect(nd.eye(0).shape).toEqual([0, 0]);
  expect(() => nd.eye(2.5)).toThrow(TypeError);
});

test('clip bounds values (NaN stays NaN) and passes the gradient on the closed interval', () => {
  const x = nd.array([-2, -1, 0, 1, 2, NaN], { dtype: 'float64' });
  expect(Array.from(x.clip(-1, 1).toTypedArray())).toEqual([-1, -1, 0, 1, 1, NaN]);
  expect(Array.from(nd.clip(x, 0, 0.5).toTypedArray()).slice(0, 5)).toEqual([0, 0, 0, 0.5, 0.5]);
  const v = nd.array([-2, -1, 0, 1, 2], { dtype: 'float64' });
  v.attachGrad();
  autograd.record(() => v.clip(-1, 1)).backward();
  expect(Array.from(v.grad!.toTypedArray())).toEqual([0, 1, 1, 1, 0]);
  expect(() => x.clip(1, -1)).toThrow(/aMin \(1\) must not be greater than aMax \(-1\)/);
});

test('concat and split move every run to its place, short runs and long ones', () => {
  // ops_join.cc walks the whole array in order when the runs are 256 bytes or more, part by
  // part when shorter: both orders, against the index arithmetic, for concat and split, with an
  // empty part among them, and large enough to go to the thread pool.
  for (const [rows, widths] of [[7, [1, 3, 0, 2]], [5, [64, 80, 0, 100]], [400, [300, 500]]] as [number, number[]][]) {
    const total = widths.reduce((s, w) => s + w, 0);
    const parts = widths.map((w, p) => (w === 0 ? nd.zeros([rows, 0]) : nd.arange(rows * w).reshape([rows, w]).add(1000 * p)));
    const joined = nd.concat(...parts, { dim: 1 });
    expect(joined.shape).toEqual([rows, total]);
    const got = vals(joined);
    const want: number[] = [];
    for (let r = 0; r < rows; r++) widths.forEach((w, p) => { for (let c = 0; c < w; c++) want.push(1000 * p + r * w + c); });
    expect(got).toEqual(want);
    // split: equal parts of the joined array along dim 1 (total divisible by 2 in every case).
    const halves = nd.split(joined, 2, { axis: 1 });
    for (let h = 0; h < 2; h++) {
      const half = total / 2;
      const expected: number[] = [];
      for (let r = 0; r < rows; r++) for (let c = 0; c < half; c++) expected.push(want[r * total + h * half + c]);
      expect(vals(halves[h])).toEqual(expected);
    }
  }
});

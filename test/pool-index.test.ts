// Max pooling's recorded index (docs/operators.md, "Pooling"): while recording, max pooling also
// outputs the flat plane index of each window's first maximum, and its backward scatters dy from
// it (pooling_grad(dy, x, index)) instead of rescanning x. Golden data from PyTorch
// (test/fixtures/nn/gen_maxpool_index_fixtures.py); the rescan path (pooling_grad(dy, x)) is the
// reference for ties, NaN and infinities.
import * as fs from 'fs';
import * as path from 'path';
import { autograd, nd, NDArray } from '../lib';
import { invoke, invokeMulti } from '../lib/core/dispatch';
import { assertAlmostEqual, checkNumericGradient } from '../lib/testing';
import { type GArray, toNDArray, values } from './helpers/golden';

interface IndexCase {
  id: string;
  dtype: 'float32' | 'float64';
  opts: { kernel: number[]; stride: number[]; pad: number[] };
  x: GArray;
  y: GArray;
  index: GArray;
  dy: GArray;
  dx: GArray;
}

const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'nn', 'maxpool_index.json'), 'utf8'));
const cases: IndexCase[] = fixture.cases;

const recorded = (x: NDArray, opts: object): NDArray[] => autograd.record(() => invokeMulti('pooling', [x], opts));

// Values in [-2, 2] in steps of 0.5 (many ties), with NaN and infinities where asked.
function tied(shape: number[], seed: number, specials = false): NDArray {
  let s = seed;
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float64Array(n).map(() => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const r = s % 12;
    if (specials && r === 9) return NaN;
    if (specials && r === 10) return Infinity;
    if (specials && r === 11) return -Infinity;
    return ((s >>> 8) % 9) * 0.5 - 2;
  });
  return nd.array(data, { dtype: 'float64' }).reshape(shape);
}

describe('max pooling index (PyTorch golden data)', () => {
  test.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const x = toNDArray(c.x);
    const [y, index] = recorded(x, c.opts);
    expect(index.dtype).toBe('int32');
    expect(index.shape).toEqual(c.index.shape);
    expect(Array.from(index.toTypedArray())).toEqual(values(c.index));
    expect(Array.from(y.toTypedArray())).toEqual(values(c.y));
    x.attachGrad();
    autograd.record(() => nd.pooling(x, c.opts)).backward(toNDArray(c.dy));
    assertAlmostEqual(x.grad!, values(c.dx), { rtol: 1e-6, atol: 1e-12 });
    // the op itself, given the index
    assertAlmostEqual(invoke('pooling_grad', [toNDArray(c.dy), x, index], c.opts), values(c.dx), { rtol: 1e-6, atol: 1e-12 });
  });
});

describe('the index path picks the element the rescan of x picks', () => {
  const geometries: [string, number[], object][] = [
    ['2x2 stride 2', [3, 4, 8, 10], { kernel: [2, 2], stride: [2, 2] }],
    ['2x2 stride 2, odd extents', [2, 3, 9, 7], { kernel: [2, 2], stride: [2, 2] }],
    ['3x3 stride 2 pad 1', [2, 2, 9, 8], { kernel: [3, 3], stride: [2, 2], pad: [1, 1] }],
    ['3x3 stride 2 pad 1, full', [2, 2, 8, 8], { kernel: [3, 3], stride: [2, 2], pad: [1, 1], poolingConvention: 'full' }],
    ['2x2 stride 1', [2, 2, 6, 5], { kernel: [2, 2], stride: [1, 1] }],
    ['1-D', [2, 3, 11], { kernel: [3], stride: [2] }],
    ['3-D', [1, 2, 4, 6, 5], { kernel: [2, 2, 2], stride: [2, 2, 2] }],
    ['global', [2, 3, 5, 5], { globalPool: true }],
  ];
  for (const dtype of ['float32', 'float64'] as const) {
    test.each(geometries)(`%s (${dtype}, ties, NaN, infinities)`, (_label, shape, opts) => {
      const x = tied(shape, shape.length * 31 + shape[3], true).astype(dtype);
      const [y, index] = recorded(x, opts);
      const dy = tied(y.shape, 5).add(3).astype(dtype);
      const rescan = invoke('pooling_grad', [dy, x], opts);
      const scattered = invoke('pooling_grad', [dy, x, index], opts);
      expect(Array.from(scattered.toTypedArray())).toEqual(Array.from(rescan.toTypedArray()));
    });
  }

  test('NaN: kept in a window\'s first place, never taken elsewhere; ties: the first maximum', () => {
    const x = nd.array([[[[NaN, 1, 1, NaN], [2, 3, 3, 3]]]], { dtype: 'float32' });
    const [, index] = recorded(x, { kernel: [2, 2], stride: [2, 2] });
    expect(Array.from(index.toTypedArray())).toEqual([0, 6]);
    const [, generic] = recorded(x, { kernel: [2, 2], stride: [1, 2] });
    expect(Array.from(generic.toTypedArray())).toEqual([0, 6]);
  });
});

describe('recording and the index output', () => {
  test('only max pooling while recording outputs the index', () => {
    const x = tied([1, 2, 4, 4], 3);
    expect(invokeMulti('pooling', [x], { kernel: [2, 2] })).toHaveLength(1);
    expect(recorded(x, { kernel: [2, 2], poolType: 'avg' })).toHaveLength(1);
    expect(recorded(x, { kernel: [2, 2] })).toHaveLength(2);
    // nd.pooling returns y alone either way
    expect(autograd.record(() => nd.pooling(x, { kernel: [2, 2] })).shape).toEqual([1, 2, 3, 3]);
  });

  test('nd.pooling with out while recording writes out and the gradient flows through it', () => {
    const x = tied([1, 2, 4, 4], 31);
    x.attachGrad();
    const out = nd.zeros([1, 2, 2, 2], { dtype: 'float64' });
    const y = autograd.record(() => nd.pooling(x, { kernel: [2, 2], stride: [2, 2], out }));
    expect(y).toBe(out);
    expect(Array.from(out.toTypedArray())).toEqual(Array.from(nd.pooling(x, { kernel: [2, 2], stride: [2, 2] }).toTypedArray()));
    y.backward(nd.onesLike(y).mul(3));
    const [, index] = recorded(x, { kernel: [2, 2], stride: [2, 2] });
    const want = invoke('pooling_grad', [nd.onesLike(y).mul(3), x, index], { kernel: [2, 2], stride: [2, 2] });
    expect(Array.from(x.grad!.toTypedArray())).toEqual(Array.from(want.toTypedArray()));
  });

  test('second derivatives through the index path (createGraph)', () => {
    const x = tied([2, 3, 6, 6], 17);
    const v = tied([2, 3, 6, 6], 19);
    const opts = { kernel: [2, 2], stride: [2, 2] };
    x.attachGrad();
    autograd.record(() => {
      const [gx] = autograd.grad(nd.pooling(x, opts).square().sum(), [x], { createGraph: true });
      return gx.mul(v).sum();
    }).backward();
    // h = sum_o 2 x[i_o] v[i_o]: dh/dx is 2 v scattered to each window's maximum
    const sel = invoke('pooling_select', [x, v], opts);
    const want = invoke('pooling_grad', [sel.mul(2), x], opts);
    expect(Array.from(x.grad!.toTypedArray())).toEqual(Array.from(want.toTypedArray()));
  });

  test('float64 numeric gradient of pooling_grad with an index (dy; x and the index get none)', () => {
    const opts = { kernel: [3, 3], stride: [2, 2], pad: [1, 1] };
    const x0 = tied([1, 2, 5, 5], 23).add(nd.random.uniform({ low: 0, high: 0.1, shape: [1, 2, 5, 5], dtype: 'float64' }));
    const [y, index] = recorded(x0, opts);
    checkNumericGradient((g, x) => invoke('pooling_grad', [g, x, index], opts), [nd.onesLike(y).mul(0.7), x0]);
  });
});

describe('pooling_grad rejects a bad index', () => {
  const opts = { kernel: [2, 2], stride: [2, 2] };
  const x = tied([1, 1, 4, 4], 29);
  const dy = nd.ones([1, 1, 2, 2], { dtype: 'float64' });
  test.each([
    ['float index', () => invoke('pooling_grad', [dy, x, nd.zeros([1, 1, 2, 2], { dtype: 'float64' })], opts), /pooling_grad: index must be int32 of the pooled shape \(1,1,2,2\), got float64/],
    ['wrong shape', () => invoke('pooling_grad', [dy, x, nd.zeros([1, 1, 4], { dtype: 'int32' })], opts), /pooling_grad: index must be int32 .* got int32 \(1,1,4\)/],
    ['avg pooling', () => invoke('pooling_grad', [dy, x, nd.zeros([1, 1, 2, 2], { dtype: 'int32' })], { ...opts, poolType: 'avg' }), /pooling_grad: an index is only for max pooling/],
    ['outside its window', () => invoke('pooling_grad', [dy, x, nd.array([[[[0, 2], [8, 3]]]], { dtype: 'int32' })], opts), /pooling_grad: index holds a value that is not -1 or an element of its window/],
    ['outside the plane, generic path', () => invoke('pooling_grad', [nd.ones([1, 1, 3, 3], { dtype: 'float64' }), x, nd.full([1, 1, 3, 3], 1 << 30, { dtype: 'int32' })], { kernel: [2, 2], stride: [1, 1] }), /pooling_grad: index holds a value that is not -1 or an element of its window/],
    ['negative, generic path', () => invoke('pooling_grad', [nd.ones([1, 1, 3, 3], { dtype: 'float64' }), x, nd.full([1, 1, 3, 3], -5, { dtype: 'int32' })], { kernel: [2, 2], stride: [1, 1] }), /pooling_grad: index holds a value that is not -1 or an element of its window/],
    ['four inputs', () => invoke('pooling_grad', [dy, x, dy, dy], opts), /pooling_grad: expected 2 or 3 inputs \(dy, x, index\), got 4/],
  ])('%s', (_label, call, message) => {
    expect(call).toThrow(message);
  });
});

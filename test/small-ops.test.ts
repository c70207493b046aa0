// The per-call path of elementwise ops (native/core/ops/invoke.cc, same_shape_call): operands of
// one shape and dtype skip the shape rule, and everything else falls back to the generic path.
// Both must give the same values, dtypes, recorded graphs and errors, whichever path a call takes.
import { autograd, nd, NDArray } from '../lib';
import { expectError } from './helpers/errors';

const DTYPES = ['float32', 'float64', 'int32', 'uint8'] as const;

describe('elementwise ops on operands of one shape', () => {
  test.each(DTYPES)('binary, number-operand and unary ops keep the dtype and shape (%s)', (dtype) => {
    const a = nd.array([[1, 2], [3, 4]], { dtype });
    const b = nd.array([[5, 6], [7, 8]], { dtype });
    const sum = a.add(b);
    expect(sum.dtype).toBe(dtype);
    expect(sum.shape).toEqual([2, 2]);
    expect(sum.toArray()).toEqual([[6, 8], [10, 12]]);
    expect(b.sub(a).toArray()).toEqual([[4, 4], [4, 4]]);
    expect(a.mul(2).toArray()).toEqual([[2, 4], [6, 8]]);
    expect(a.maximum(b).toArray()).toEqual([[5, 6], [7, 8]]);
    expect(a.square().toArray()).toEqual([[1, 4], [9, 16]]);
    expect(nd.greater(b, a).dtype).toBe(dtype);
  });

  test('an array with itself, 1-D, 3-D and empty arrays', () => {
    const a = nd.array([[1, 2], [3, 4]]);
    expect(a.add(a).toArray()).toEqual([[2, 4], [6, 8]]);
    expect(nd.array([1, 2, 3]).mul(nd.array([4, 5, 6])).toArray()).toEqual([4, 10, 18]);
    const c = nd.ones([2, 3, 4]).add(nd.ones([2, 3, 4]));
    expect(c.shape).toEqual([2, 3, 4]);
    expect(c.sum().toArray()).toEqual([48]);
    const e = nd.zeros([0, 3]).add(nd.zeros([0, 3]));
    expect(e.shape).toEqual([0, 3]);
    expect(e.exp().shape).toEqual([0, 3]);
  });

  test('large operands take the same path (and the thread pool)', () => {
    const n = 1 << 17;
    const a = nd.ones([n]);
    const s = a.add(a).sum().toArray() as number[];
    expect(s[0]).toBe(2 * n);
  });
});

describe('operands that differ fall back to the generic path', () => {
  test('broadcasting gives the same values as equal shapes', () => {
    const a = nd.array([[1, 2], [3, 4]]);
    expect(a.add(nd.array([[10, 20]])).toArray()).toEqual([[11, 22], [13, 24]]);
    expect(a.add(nd.array([10, 20])).toArray()).toEqual([[11, 22], [13, 24]]);
    expect(nd.array([[10], [20]]).mul(a).toArray()).toEqual([[10, 20], [60, 80]]);
  });

  test('mixed dtypes, shapes that do not broadcast and disposed inputs are errors naming the op', () => {
    const a = nd.array([[1, 2], [3, 4]]);
    expectError(() => a.add(nd.array([[1, 2], [3, 4]], { dtype: 'float64' })), TypeError, 'add: operands have different dtypes');
    expectError(() => a.mul(nd.ones([3])), RangeError, 'multiply: operands could not be broadcast together with shapes (2,2) (3,)');
    const d = nd.ones([2, 2]);
    d.dispose();
    expectError(() => a.sub(d), Error, 'subtract: rhs is an NDArray that was disposed');
    expectError(() => d.exp(), Error, 'exp: x is an NDArray that was disposed');
  });

  test('out= writes the same result', () => {
    const a = nd.array([[1, 2], [3, 4]]);
    const out = nd.zeros([2, 2]);
    expect(nd.add(a, a, { out })).toBe(out);
    expect(out.toArray()).toEqual([[2, 4], [6, 8]]);
    expect(nd.exp(nd.zeros([2, 2]), { out }).toArray()).toEqual([[1, 1], [1, 1]]);
  });
});

describe('recording', () => {
  test('a chain of same-shape ops records the gradients the broadcasting path gives', () => {
    const grads = (w: NDArray): number[][] => {
      const x = nd.array([[0.5, -0.2], [0.1, 0.3]]);
      x.attachGrad();
      const y = autograd.record(() => x.mul(w).add(x).tanh().sub(x).mul(2).sum());
      y.backward();
      return x.grad!.toArray() as number[][];
    };
    const same = grads(nd.array([[1.5, 1.5], [1.5, 1.5]]));
    const row = grads(nd.array([[1.5, 1.5]]));
    expect(same).toEqual(row);
    const x = [[0.5, -0.2], [0.1, 0.3]];
    x.forEach((r, i) => r.forEach((v, j) => {
      const t = Math.tanh(2.5 * v);
      expect(same[i][j]).toBeCloseTo(2 * ((1 - t * t) * 2.5 - 1), 5);
    }));
  });

  test('an input outside the graph is recorded as such, and nothing is recorded outside record()', () => {
    const x = nd.array([[1, 2], [3, 4]]);
    const c = nd.array([[2, 2], [2, 2]]);
    x.attachGrad();
    const y = autograd.record(() => x.mul(c).sum());
    y.backward();
    expect(x.grad!.toArray()).toEqual([[2, 2], [2, 2]]);
    expect(c.grad).toBeNull();
    const z = x.mul(c).sum();
    expect(() => z.backward()).toThrow(/not in a computational graph/);
  });
});

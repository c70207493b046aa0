// erf and cumsum: the checks golden data and gradient checks do not cover (bad arguments, the
// dtype of cumsum's gradient), for the two ops added by following docs/dev/adding-an-op.md.
import { autograd, nd } from '../lib';

describe('erf', () => {
  test('values and MXNet spelling', () => {
    const x = nd.array([0, 0.5, -1, 3], { dtype: 'float64' });
    const want = [0, 0.5204998778130465, -0.8427007929497149, 0.9999779095030014];
    nd.erf(x).toArray().forEach((v, i) => expect(v).toBeCloseTo(want[i] as number, 14));
    expect(x.erf().toArray()).toEqual(nd.erf(x).toArray());
  });

  test('gradient 2/sqrt(pi) exp(-x^2)', () => {
    const x = nd.array([0, 1, -2], { dtype: 'float64' });
    x.attachGrad();
    autograd.record(() => nd.erf(x)).backward();
    const g = x.grad!.toArray() as number[];
    [0, 1, -2].forEach((v, i) => expect(g[i]).toBeCloseTo((2 / Math.sqrt(Math.PI)) * Math.exp(-v * v), 14));
  });

  test('bad arguments', () => {
    expect(() => nd.erf([1, 2] as never)).toThrow(/^erf: x must be an NDArray, got an Array$/);
  });
});

describe('cumsum', () => {
  const x = nd.array([[1, 2, 3], [4, 5, 6]]);

  test('flattened by default, along an axis, with a dtype', () => {
    expect(x.cumsum().toArray()).toEqual([1, 3, 6, 10, 15, 21]);
    expect(x.cumsum(0).toArray()).toEqual([[1, 2, 3], [5, 7, 9]]);
    expect(nd.cumsum(x, { axis: 1 }).toArray()).toEqual([[1, 3, 6], [4, 9, 15]]);
    const wide = nd.cumsum(x.astype('uint8'), { dtype: 'int32' });
    expect(wide.dtype).toBe('int32');
    expect(nd.cumsum(x.astype('int32')).dtype).toBe('int32');
  });

  test('the gradient comes back in the input dtype', () => {
    const v = nd.array([1, 2, 3]);
    v.attachGrad();
    autograd.record(() => nd.cumsum(v, { dtype: 'float64' })).backward();
    expect(v.grad!.dtype).toBe('float32');
    expect(v.grad!.toArray()).toEqual([3, 2, 1]);
  });

  // Found by the fuzzer under ASan: an empty scan axis with a non-empty axis after it read past
  // the input (the first row of each run was copied before the length was looked at).
  test('an empty axis with other axes non-empty gives an empty result, forward and backward', () => {
    for (const op of ['cumsum', 'cumprod'] as const) {
      const z = nd.zeros([1, 1, 0, 17], { dtype: 'float64' });
      z.attachGrad();
      const y = autograd.record(() => nd[op](z, { axis: 2 }));
      expect(y.shape).toEqual([1, 1, 0, 17]);
      y.backward();
      expect(z.grad!.shape).toEqual([1, 1, 0, 17]);
      expect(nd[op](nd.zeros([3, 0]), { axis: 1 }).shape).toEqual([3, 0]);
      expect(nd[op](nd.zeros([0, 3])).shape).toEqual([0]);
    }
  });

  test('bad arguments name the op, the option and the value', () => {
    expect(() => x.cumsum(2)).toThrow(/cumsum: axis 2 is out of range/);
    expect(() => x.cumsum({ axis: 1.5 })).toThrow('cumsum: axis must be an integer or null, got 1.5');
    expect(() => x.cumsum({ axis: [0, 1] } as never)).toThrow('cumsum: axis must be an integer or null, got [0,1]');
    expect(() => x.cumsum({ dtype: 'int64' } as never)).toThrow("cumsum: dtype must be one of 'float32', 'float64', 'int32', 'uint8', got 'int64'");
    expect(() => x.cumsum({ keepdims: true })).toThrow("cumsum: unknown option 'keepdims' (did you mean 'axis'?); known: axis, dtype");
    expect(() => nd.cumsum('x' as never)).toThrow(/^cumsum: x must be an NDArray, got string$/);
  });
});

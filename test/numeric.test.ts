// The numeric toolkit (moments, std/var, cumprod, diag, gatherNd, scatterNd, reverse): what the
// golden data and the gradient checks do not cover (bad arguments, aliases, call forms).
import { autograd, nd } from '../lib';

const f64 = (d: number[] | number[][]) => nd.array(d, { dtype: 'float64' });

describe('moments, std, var', () => {
  test('moments gives [mean, variance]; axis is accepted for axes', () => {
    const x = f64([[1, 2, 3], [4, 5, 7]]);
    const [m, v] = nd.moments(x, { axis: 1 } as never);
    expect(m.toArray()).toEqual([2, 16 / 3]);
    expect(v.toArray()[0]).toBeCloseTo(2 / 3, 14);
  });

  test('integer inputs and bad options are errors naming the op', () => {
    const i = nd.array([1, 2, 3], { dtype: 'int32' });
    expect(() => i.std()).toThrow('std: input must be float32 or float64, got int32');
    expect(() => nd.moments(i)).toThrow('moments: input must be float32 or float64, got int32');
    const x = nd.ones([2, 3]);
    expect(() => x.var({ ddof: -1 })).toThrow(/^var: ddof/);
    expect(() => x.std(2)).toThrow('std: Reduction axis 2 Exceeds input dimensions (2,3)');
    expect(() => nd.moments(x, { axes: [0, 0] })).toThrow(/moments/);
  });

  test('ddof equal to N gives inf or NaN as NumPy, not an error', () => {
    expect(f64([1, 2]).var({ ddof: 2 }).toArray()).toEqual([Infinity]);
  });
});

describe('cumprod', () => {
  test('values, dtype option and errors', () => {
    const x = nd.array([[1, 2, 3], [4, 5, 6]]);
    expect(x.cumprod().toArray()).toEqual([1, 2, 6, 24, 120, 720]);
    expect(nd.cumprod(x, { axis: 0 }).toArray()).toEqual([[1, 2, 3], [4, 10, 18]]);
    expect(nd.cumprod(x.astype('uint8'), { dtype: 'int32' }).dtype).toBe('int32');
    expect(() => x.cumprod(2)).toThrow(/cumprod: axis 2 is out of range/);
  });

  test('the gradient through an integer input comes back in the input dtype', () => {
    const v = f64([1, 2, 3]);
    v.attachGrad();
    autograd.record(() => nd.cumprod(v).sum()).backward();
    expect(v.grad!.toArray()).toEqual([9, 4, 2]);
  });
});

describe('diag', () => {
  test('1-D -> 2-D and back, k as a number or an option', () => {
    const v = nd.array([1, 2]);
    expect(nd.diag(v, 1).toArray()).toEqual([[0, 1, 0], [0, 0, 2], [0, 0, 0]]);
    expect(nd.diag(nd.diag(v, -1), { k: -1 }).toArray()).toEqual([1, 2]);
  });

  test('an empty diagonal and bad axes', () => {
    expect(nd.diag(nd.ones([2, 3]), 5).shape).toEqual([0]);
    expect(() => nd.diag(nd.ones([2, 3]), { axis1: 1, axis2: -1 })).toThrow('diag: axis1 and axis2 cannot refer to the same axis 1');
    expect(() => nd.diag(nd.ones([2, 3]), { axis1: 2 })).toThrow(/diag: axis 2 is out of range/);
    expect(() => nd.diag(nd.ones([2]), { k: 1.5 })).toThrow(/diag: k must be an integer/);
  });
});

describe('gatherNd, scatterNd', () => {
  test('out-of-range indices and shape mismatches name the op', () => {
    const x = nd.ones([2, 3]);
    expect(() => nd.gatherNd(x, nd.array([[0], [3]]))).toThrow('gather_nd: index 3 is out of bounds for axis 1 with size 3');
    expect(() => nd.gatherNd(x, nd.array([[-3]]))).toThrow('gather_nd: index -3 is out of bounds for axis 0 with size 2');
    expect(() => nd.gatherNd(x, nd.array([[0], [0], [0]]))).toThrow(/gather_nd: indices.shape\[0\] \(3\) must be between 1 and the data's rank 2/);
    expect(() => nd.scatterNd(nd.ones([2]), nd.array([[0, 1]]), [2, 3])).toThrow(
      'scatter_nd: data must have shape (2,3) for indices (1,2) and shape (2,3), got (2,)',
    );
    expect(() => nd.scatterNd(nd.ones([1]), nd.array([[5]]), [2])).toThrow('scatter_nd: index 5 is out of bounds for axis 0 with size 2');
    expect(() => nd.scatterNd(nd.ones([1]), nd.array([[0]]), { shape: [-1] } as never)).toThrow('scatter_nd: output shape (-1,) has a negative dimension');
    expect(() => nd.gatherNd('x' as never, x)).toThrow('gatherNd: data must be an NDArray, got string');
  });

  test('scatterNd adds repeated indices; MXNet names are aliases', () => {
    const y = nd.scatter_nd(nd.array([1, 2, 4]), nd.array([[1, 1, 0]]), [3]);
    expect(y.toArray()).toEqual([4, 3, 0]);
    expect(nd.gather_nd(y, nd.array([[1, 0]])).toArray()).toEqual([3, 4]);
  });
});

describe('reverse (flip)', () => {
  test('axis is required; repeated or out-of-range axes are errors', () => {
    const x = nd.ones([2, 3]);
    expect(() => nd.reverse(x)).toThrow(/reverse: .*axis/);
    expect(() => x.reverse([0, -2])).toThrow('reverse: axis -2 is given twice');
    expect(() => x.flip(3)).toThrow(/reverse: axis 3 is out of range/);
  });
});

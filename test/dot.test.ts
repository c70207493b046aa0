// nd.dot against a naive float64 reference at the sizes around the GEMM driver's thresholds
// (tile heights 12 / 8 / 6 / 4, op(B) read in place up to 32 KiB, one thread below 2^22
// multiply-adds), every transpose, both float dtypes; and the plain-options fast path (options
// that ask for nothing skip the binding's option reader) giving the same results, gradients and
// errors as the full path.
import { autograd, nd, type NDArray } from '../lib';

function reference(a: number[][], b: number[][], ta: boolean, tb: boolean): number[][] {
  const m = ta ? a[0].length : a.length;
  const k = ta ? a.length : a[0].length;
  const n = tb ? b.length : b[0].length;
  const out: number[][] = [];
  for (let i = 0; i < m; i++) {
    const row: number[] = [];
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += (ta ? a[p][i] : a[i][p]) * (tb ? b[j][p] : b[p][j]);
      row.push(s);
    }
    out.push(row);
  }
  return out;
}

function maxError(got: NDArray, want: number[][]): number {
  const g = got.toArray() as number[][];
  let worst = 0;
  for (let i = 0; i < want.length; i++)
    for (let j = 0; j < want[0].length; j++) worst = Math.max(worst, Math.abs(g[i][j] - want[i][j]));
  return worst;
}

describe('nd.dot matches a naive reference around the GEMM thresholds', () => {
  const shapes: [number, number, number][] = [
    [1, 1, 1], [3, 3, 3], [17, 17, 17], [63, 63, 63], [64, 64, 64], [65, 65, 65], [127, 127, 127],
    [128, 128, 128], [129, 129, 129], [64, 128, 64], [65, 129, 64], [20, 70, 200], [161, 161, 162],
  ];
  for (const dtype of ['float32', 'float64'] as const) {
    test(`${dtype}, every transpose`, () => {
      nd.random.seed(21);
      const tol = dtype === 'float32' ? 1e-4 : 1e-12;
      for (const [m, n, k] of shapes) {
        for (let t = 0; t < 4; t++) {
          const ta = (t & 1) !== 0;
          const tb = (t & 2) !== 0;
          const a = nd.random.uniform({ low: -1, high: 1, shape: ta ? [k, m] : [m, k], dtype });
          const b = nd.random.uniform({ low: -1, high: 1, shape: tb ? [n, k] : [k, n], dtype });
          const want = reference(a.toArray() as number[][], b.toArray() as number[][], ta, tb);
          const got = nd.dot(a, b, { transposeA: ta, transposeB: tb });
          expect(got.shape).toEqual([m, n]);
          expect(maxError(got, want)).toBeLessThan(tol * Math.sqrt(k));
        }
      }
    });
  }

  test('a transposed view as an operand (materialised before the product)', () => {
    nd.random.seed(22);
    const a = nd.random.uniform({ low: -1, high: 1, shape: [65, 64] });
    const b = nd.random.uniform({ low: -1, high: 1, shape: [65, 63] });
    const want = reference(a.toArray() as number[][], b.toArray() as number[][], true, false);
    expect(maxError(nd.dot(a.T, b), want)).toBeLessThan(1e-4 * 8);
  });
});

describe('options that ask for nothing take the fast path with the same meaning', () => {
  test('bitwise the same result as no options', () => {
    nd.random.seed(23);
    for (const dtype of ['float32', 'float64'] as const) {
      const a = nd.random.normal({ shape: [65, 70], dtype });
      const b = nd.random.normal({ shape: [70, 33], dtype });
      const plain = nd.dot(a, b).toArray();
      for (const opts of [{}, { transposeA: false }, { transposeA: false, transposeB: false }, { transposeB: undefined }]) {
        expect(nd.dot(a, b, opts).toArray()).toEqual(plain);
      }
      // A transpose still transposes.
      expect(nd.dot(a, nd.transpose(b), { transposeA: false, transposeB: true }).toArray()).toEqual(plain);
    }
  });

  test('bad options are still refused, naming the op and the option', () => {
    const a = nd.ones([2, 3]);
    const b = nd.ones([3, 2]);
    expect(() => nd.dot(a, b, { transposeA: 1 } as never)).toThrow(/dot: transposeA must be a boolean/);
    expect(() => nd.dot(a, b, { foo: false } as never)).toThrow(/dot: unknown option 'foo'/);
    expect(() => nd.dot(a, b, [] as never)).toThrow(/dot: options must be an object/);
    expect(() => nd.dot(a, b, { transposeA: false, transposeB: false, extra: false } as never)).toThrow(/unknown option 'extra'/);
  });

  test('out and recording work with plain options', () => {
    const a = nd.array([[1, 2], [3, 4]]);
    const b = nd.array([[5, 6], [7, 8]]);
    const c = nd.zeros([2, 2]);
    expect(nd.dot(a, b, { transposeA: false, out: c })).toBe(c);
    expect(c.toArray()).toEqual([[19, 22], [43, 50]]);
    a.attachGrad();
    autograd.record(() => nd.dot(a, b, { transposeA: false, transposeB: false }).sum()).backward();
    // d sum(a . b) / da = ones . b^T: row sums of b.
    expect(a.grad!.toArray()).toEqual([[11, 15], [11, 15]]);
  });
});

// nd.linalg: bad arguments (each an error naming the op, the argument and the shape), MXNet's flat
// spellings, float32 batches through the thread pool, and gradients of gradients.
import { autograd, nd } from '../lib';
import { checkNumericGradient } from '../lib/testing';

const la = nd.linalg;
const f64 = (d: number[][] | number[][][]) => nd.array(d, { dtype: 'float64' });
const spd = f64([[4, 2, 0.6], [2, 5, 1], [0.6, 1, 3]]);

describe("gemm and gemm2 with the rows on another axis (MXNet's axis)", () => {
  test('axis 0: rows on axis 0, columns last, axis 1 batches', () => {
    nd.random.seed(9);
    const A = nd.random.normal({ shape: [2, 4, 3], dtype: 'float64' }); // (rows, batch, k)
    const B = nd.random.normal({ shape: [3, 4, 5], dtype: 'float64' }); // (k, batch, cols)
    const C = nd.random.normal({ shape: [2, 4, 5], dtype: 'float64' });
    const out = la.gemm(A, B, C, { axis: 0, alpha: 2, beta: 0.5 });
    expect(out.shape).toEqual([2, 4, 5]);
    for (let b = 0; b < 4; b++) {
      const a = A.sliceAxis(1, b, b + 1).reshape([2, 3]);
      const m = B.sliceAxis(1, b, b + 1).reshape([3, 5]);
      const want = nd.dot(a, m).mul(2).add(C.sliceAxis(1, b, b + 1).reshape([2, 5]).mul(0.5));
      expect(out.sliceAxis(1, b, b + 1).reshape([2, 5]).sub(want).abs().max().asScalar()).toBeLessThan(1e-12);
    }
    // transposeA with rows on axis 0: A holds (k, batch, rows)
    const At = nd.random.normal({ shape: [3, 4, 2], dtype: 'float64' });
    const t = la.gemm2(At, B, { axis: 0, transposeA: true });
    const want0 = nd.dot(At.sliceAxis(1, 0, 1).reshape([3, 2]).T, B.sliceAxis(1, 0, 1).reshape([3, 5]));
    expect(t.sliceAxis(1, 0, 1).reshape([2, 5]).sub(want0).abs().max().asScalar()).toBeLessThan(1e-12);
  });

  test('its gradients are float64-exact by central differences', () => {
    nd.random.seed(10);
    const A = nd.random.normal({ shape: [2, 3, 2], dtype: 'float64' });
    const B = nd.random.normal({ shape: [2, 3, 4], dtype: 'float64' });
    checkNumericGradient((a, b) => la.gemm2(a, b, { axis: -3 }), [A, B]);
  });
});

describe('bad arguments name the op', () => {
  test('rank too small, non-square, integer dtype', () => {
    expect(() => la.potrf(nd.ones([3]))).toThrow(
      'linalg_potrf: input must have at least 2 dimensions (a matrix or a batch of them), got shape (3,)',
    );
    expect(() => la.potrf(nd.ones([2, 3]))).toThrow('linalg_potrf: input must be square matrices, got shape (2,3)');
    expect(() => la.inverse(nd.ones([2, 3, 4]))).toThrow('linalg_inverse: input must be square matrices, got shape (2,3,4)');
    expect(() => la.det(nd.ones([3, 2]))).toThrow('linalg_det: input must be square matrices, got shape (3,2)');
    expect(() => la.syevd(nd.ones([2, 2], { dtype: 'int32' }))).toThrow('linalg_syevd: input must be float32 or float64, got int32');
    expect(() => la.gemm2(nd.ones([2, 3]), nd.ones([2, 3]))).toThrow(
      'linalg_gemm2: matrix shapes do not match: A (2,3) and B (2,3)',
    );
    expect(() => la.gemm2(nd.ones([2, 2, 3]), nd.ones([3, 3, 2]))).toThrow('linalg_gemm2: batch dimensions differ: (2,2,3) and (3,3,2)');
    expect(() => la.gemm(nd.ones([2, 3]), nd.ones([3, 2]), nd.ones([3, 3]))).toThrow('linalg_gemm: C must have shape (2,2), got (3,3)');
    expect(() => la.gemm2(nd.ones([2, 2, 3]), nd.ones([2, 3, 2]), { axis: 2 })).toThrow(
      'linalg_gemm2: axis 2 must name an axis before the last of the 3-D inputs (the rows; the columns are the last axis)',
    );
    expect(() => la.trsm(nd.ones([3, 3]), nd.ones([2, 3]))).toThrow("linalg_trsm: A (3,3) does not match B (2,3) (B's rows)");
    expect(() => la.gelqf(nd.ones([3, 2]))).toThrow('linalg_gelqf: the matrices must not have more rows than columns, got shape (3,2)');
    expect(() => la.potrf(spd, { lower: 2 } as never)).toThrow(/linalg_potrf: lower/);
    expect(() => la.potrf('A' as never)).toThrow('linalg_potrf: A must be an NDArray, got string');
    expect(() => la.trsm(spd, [[1]] as never)).toThrow('linalg_trsm: B must be an NDArray, got an Array');
    expect(() => la.gemm(spd, spd, null as never)).toThrow('linalg_gemm: C must be an NDArray, got null');
  });

  test('not positive definite and singular matrices are clear errors', () => {
    expect(() => la.potrf(f64([[1, 2], [2, 1]]))).toThrow('linalg_potrf: the matrix is not positive definite');
    expect(() => la.potrf(f64([[[1, 0], [0, 1]], [[1, 2], [2, 1]]]))).toThrow(
      'linalg_potrf: the matrix is not positive definite (matrix 1 of the batch)',
    );
    expect(() => la.potrf(f64([[NaN, 0], [0, 1]]))).toThrow('linalg_potrf: the matrix is not positive definite');
    expect(() => la.inverse(f64([[1, 2], [2, 4]]))).toThrow('linalg_inverse: the matrix is singular');
    expect(() => la.potri(f64([[1, 0], [3, 0]]))).toThrow('linalg_potri: the factor is singular (a zero on its diagonal)');
    // a zero pivot: det 0 and sign 0 (signed zeros, as MXNet's sign * exp(log |det|))
    expect(Math.abs((la.det(f64([[1, 2], [2, 4]])).toArray() as number[])[0])).toBe(0);
    const [sign, logabs] = la.slogdet(f64([[1, 2], [2, 4]]));
    expect(Math.abs((sign.toArray() as number[])[0])).toBe(0);
    expect(logabs.toArray()).toEqual([-Infinity]);
  });
});

describe('gradients at singular matrices', () => {
  test('det and slogdet give a zero gradient there (MXNet), not an error', () => {
    const a = f64([[[1, 2], [2, 4]], [[2, 1], [1, 3]]]);
    a.attachGrad();
    autograd.record(() => la.det(a).sum()).backward();
    const g = a.grad!.toArray() as number[][][];
    expect(g[0]).toEqual([[0, 0], [0, 0]]);
    // d det / dA = det A^-T = adj(A)^T: [[3, -1], [-1, 2]]
    g[1].flat().forEach((v, i) => expect(v).toBeCloseTo([3, -1, -1, 2][i], 12));
    autograd.record(() => la.slogdet(a)[1].sum()).backward();
    expect((a.grad!.toArray() as number[][][])[0]).toEqual([[0, 0], [0, 0]]);
  });
});

describe('large matrices (the blocked paths)', () => {
  test('potrf of a 150x150 SPD matrix reconstructs it; potri and inverse agree', () => {
    nd.random.seed(3);
    const a = nd.random.normal({ shape: [150, 150], dtype: 'float64' });
    const A = la.gemm2(a, a, { transposeB: true, alpha: 1 / 150 }).add(nd.eye(150, { dtype: 'float64' }));
    const L = la.potrf(A);
    const back = la.gemm2(L, L, { transposeB: true });
    const err = (back.sub(A).abs().max().toArray() as number[])[0];
    expect(err).toBeLessThan(1e-12);
    const flat = L.toArray() as number[][];
    expect(flat.every((row, i) => row.slice(i + 1).every((v) => v === 0))).toBe(true);
    const U = la.potrf(A, { lower: false });
    expect((U.sub(L.T).abs().max().toArray() as number[])[0]).toBeLessThan(1e-12);
    const gap = (la.potri(L).sub(la.inverse(A)).abs().max().toArray() as number[])[0];
    expect(gap).toBeLessThan(1e-10);
  });
});

describe('call forms', () => {
  test("MXNet's flat spellings and snake_case options", () => {
    const a = f64([[1, 2], [3, 4]]);
    expect(nd.linalg_gemm2(a, a, { transpose_a: true } as never).toArray()).toEqual([[10, 14], [14, 20]]);
    expect(nd.linalg_det(a).toArray()[0]).toBeCloseTo(-2, 14);
    expect(nd.linalg_makediag(nd.array([1, 2]), { offset: 1 }).toArray()).toEqual([[0, 1, 0], [0, 0, 2], [0, 0, 0]]);
  });

  test('a float32 batch larger than the thread count: each matrix as its own', () => {
    const one = nd.array([[4, 2, 0.6], [2, 5, 1], [0.6, 1, 3]]);
    const batch = nd.stack(Array.from({ length: 9 }, () => one));
    const inv = la.inverse(batch).toArray() as number[][][];
    const ref = la.inverse(one).toArray();
    for (const m of inv) expect(m).toEqual(ref);
    expect(la.potrf(batch).shape).toEqual([9, 3, 3]);
  });
});

describe('gradients of gradients (createGraph)', () => {
  test('d/dx of sum(d sumlogdiag(potrf(x x^T + 3I)) / dx) matches central differences', () => {
    const f = (x: ReturnType<typeof f64>) => {
      const a = la.gemm2(x, x, { transposeB: true }).add(nd.eye(2, { dtype: 'float64' }).mul(3));
      return la.sumlogdiag(la.potrf(a));
    };
    const x0 = [[0.3, -0.2], [0.5, 0.1]];
    const gradSum = (v: number[][]) => {
      const x = f64(v);
      x.attachGrad();
      autograd.record(() => f(x)).backward();
      return (x.grad!.sum().toArray() as number[])[0];
    };
    const x = f64(x0);
    x.attachGrad();
    autograd.record(() => {
      const [g] = autograd.grad(f(x), [x], { createGraph: true });
      return g.sum();
    }).backward();
    const h = 1e-6;
    const got = x.grad!.toArray() as number[][];
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 2; j++) {
        const up = x0.map((r) => r.slice());
        const dn = x0.map((r) => r.slice());
        up[i][j] += h;
        dn[i][j] -= h;
        expect(got[i][j]).toBeCloseTo((gradSum(up) - gradSum(dn)) / (2 * h), 6);
      }
  });
});

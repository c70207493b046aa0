// Gradient-check recipes of the numeric toolkit (moments, std/var, cumprod, diag, gather_nd,
// scatter_nd, reverse) and of nd.linalg; merged into the registry's recipe table by op-recipes.ts.
import { nd, type NDArray } from '../../lib';
import { invoke } from '../../lib/core/dispatch';
import type { Case, Domain } from './op-recipes';

type Input = (shape: number[], domain?: Domain) => NDArray;
type F64 = (data: number[] | number[][]) => NDArray;
type Recipe = (domain: Domain) => Case[];

export function numericRecipes(input: Input, f64: F64): Record<string, Recipe> {
  return {
    moments: () => [
      { label: 'all', inputs: [input([2, 3])], fn: (x) => nd.moments(x) },
      { label: 'axes [0,2] keepdims', inputs: [input([2, 3, 2])], fn: (x) => nd.moments(x, { axes: [0, 2], keepdims: true }) },
      { label: 'mean only used', inputs: [input([3, 4])], fn: (x) => nd.moments(x, { axes: 1 })[0].square() },
    ],
    std: () => [
      { label: 'all', inputs: [input([2, 3])], fn: (x) => x.std() },
      { label: 'axis 1 ddof 1', inputs: [input([2, 3, 2])], fn: (x) => x.std({ axis: 1, ddof: 1 }) },
      { label: 'axes [0,2] keepdims', inputs: [input([2, 3, 2])], fn: (x) => nd.std(x, { axis: [0, 2], keepdims: true }) },
    ],
    var: () => [
      { label: 'all', inputs: [input([2, 3])], fn: (x) => x.var() },
      { label: 'axis -1 ddof 1', inputs: [input([3, 4])], fn: (x) => nd.var(x, { axis: -1, ddof: 1 }).square() },
    ],
    cumprod: (d) => [
      { label: 'flattened', inputs: [input([2, 3], d)], fn: (x) => x.cumprod() },
      { label: 'axis 1', inputs: [input([2, 3, 2], d)], fn: (x) => x.cumprod(1) },
      { label: 'axis -3', inputs: [input([3, 2, 2], d)], fn: (x) => nd.cumprod(x, { axis: -3 }) },
    ],
    diag: () => [
      { label: '1-D -> 2-D, k 1', inputs: [input([3])], fn: (x) => nd.diag(x, 1).square() },
      { label: '2-D -> 1-D, k -1', inputs: [input([4, 3])], fn: (x) => nd.diag(x, { k: -1 }) },
      { label: '3-D axes (2, 0)', inputs: [input([3, 2, 4])], fn: (x) => nd.diag(x, { k: 1, axis1: 2, axis2: 0 }) },
    ],
    diag_grad: () => [
      { label: 'scatter into (4,3)', inputs: [input([3])], fn: (g) => invoke('diag_grad', [g], { shape: [4, 3], k: -1 }) },
    ],
    gather_nd: () => [
      {
        label: 'M 2 of 3-D, repeated',
        inputs: [input([3, 4, 2]), f64([[0.5, 2.5, 2.5], [-1.5, 1.5, 1.5]])],
        fn: (x, i) => nd.gatherNd(x, i).square(),
      },
      { label: 'M 1', inputs: [input([4, 3]), f64([[3.5, 0.5]])], fn: (x, i) => nd.gather_nd(x, i) },
    ],
    scatter_nd: () => [
      {
        label: 'repeated indices add',
        inputs: [input([3, 2]), f64([[0.5, 2.5, 2.5], [-1.5, 1.5, 1.5]])],
        fn: (v, i) => nd.scatterNd(v, i, [3, 4, 2]).square(),
      },
    ],
    ...linalgRecipes(input),
    reverse: () => [
      { label: 'axis 0', inputs: [input([3, 2])], fn: (x) => x.reverse(0).mul(x) },
      { label: 'axes [0, 2]', inputs: [input([2, 3, 2])], fn: (x) => nd.flip(x, { axis: [0, 2] }).square() },
    ],
  };
}

// n x n identity times s, float64 (broadcasts over a batch).
const eye = (n: number, s: number) => nd.eye(n, { dtype: 'float64' }).mul(s);
// A symmetric positive-definite matrix (batch) from any square a: a a^T + n I.
const spd = (a: NDArray) => nd.linalg.gemm2(a, a, { transposeB: true }).add(eye(a.shape[a.ndim - 1], a.shape[a.ndim - 1]));
const la = nd.linalg;

function linalgRecipes(input: Input): Record<string, Recipe> {
  return {
    linalg_gemm: () => [
      { label: 'plain', inputs: [input([2, 3]), input([3, 4]), input([2, 4])], fn: (a, b, c) => la.gemm(a, b, c, { alpha: 1.5, beta: -0.5 }) },
      {
        label: 'batched, both transposed',
        inputs: [input([2, 3, 2]), input([2, 4, 3]), input([2, 2, 4])],
        fn: (a, b, c) => nd.linalg_gemm(a, b, c, { transposeA: true, transpose_b: true } as never),
      },
    ],
    linalg_gemm2: () => [
      { label: 'transposeA, alpha', inputs: [input([3, 2]), input([3, 4])], fn: (a, b) => la.gemm2(a, b, { transposeA: true, alpha: 2 }) },
      { label: 'batched transposeB', inputs: [input([2, 2, 3]), input([2, 4, 3])], fn: (a, b) => la.gemm2(a, b, { transposeB: true }) },
    ],
    linalg_syrk: () => [
      { label: 'A A^T', inputs: [input([3, 2])], fn: (a) => la.syrk(a, { alpha: 0.5 }) },
      { label: 'batched A^T A', inputs: [input([2, 3, 2])], fn: (a) => la.syrk(a, { transpose: true }) },
    ],
    linalg_trmm: () => [
      { label: 'lower, left', inputs: [input([3, 3]), input([3, 2])], fn: (a, b) => la.trmm(a, b, { alpha: 2 }) },
      { label: 'upper, right, transposed', inputs: [input([2, 3, 3]), input([2, 2, 3])], fn: (a, b) => la.trmm(a, b, { lower: false, rightside: true, transpose: true }) },
    ],
    linalg_trsm: () => [
      { label: 'lower, left', inputs: [input([3, 3]), input([3, 2])], fn: (a, b) => la.trsm(a.add(eye(3, 4)), b, { alpha: 1.5 }) },
      { label: 'lower, left, transposed', inputs: [input([3, 3]), input([3, 2])], fn: (a, b) => la.trsm(a.add(eye(3, 4)), b, { transpose: true }) },
      {
        label: 'upper, right (batched)',
        inputs: [input([2, 3, 3]), input([2, 2, 3])],
        fn: (a, b) => la.trsm(a.add(eye(3, 4)), b, { lower: false, rightside: true }),
      },
      {
        label: 'upper, right, transposed',
        inputs: [input([3, 3]), input([2, 3])],
        fn: (a, b) => la.trsm(a.add(eye(3, 4)), b, { lower: false, rightside: true, transpose: true, alpha: -1 }),
      },
    ],
    linalg_potrf: () => [
      { label: 'lower of a a^T + 3I', inputs: [input([3, 3])], fn: (a) => la.potrf(spd(a)) },
      { label: 'upper, batched', inputs: [input([2, 3, 3])], fn: (a) => la.potrf(spd(a), { lower: false }) },
    ],
    linalg_potri: () => [
      { label: 'lower factor', inputs: [input([3, 3])], fn: (a) => la.potri(a.add(eye(3, 4))) },
      { label: 'upper factor, batched', inputs: [input([2, 3, 3])], fn: (a) => la.potri(a.add(eye(3, 4)), { lower: false }) },
      { label: 'of potrf (A^-1)', inputs: [input([3, 3])], fn: (a) => la.potri(la.potrf(spd(a))) },
    ],
    linalg_sumlogdiag: () => [
      { label: 'batched', inputs: [input([2, 3, 3])], fn: (a) => la.sumlogdiag(a.add(eye(3, 3))) },
      { label: 'one matrix', inputs: [input([2, 2])], fn: (a) => la.sumlogdiag(a.add(eye(2, 3))) },
    ],
    linalg_extractdiag: () => [
      { label: 'offset 1, batched', inputs: [input([2, 3, 3])], fn: (a) => la.extractdiag(a, { offset: 1 }) },
      { label: 'main', inputs: [input([3, 3])], fn: (a) => la.extractdiag(a) },
    ],
    linalg_makediag: () => [{ label: 'offset -1, batched', inputs: [input([2, 3])], fn: (a) => la.makediag(a, { offset: -1 }) }],
    linalg_copytri: () =>
      [0, 1, 2].flatMap((mode) => [
        { label: `lower, mode ${mode}`, inputs: [input([3, 3])], fn: (a: NDArray) => invoke('linalg_copytri', [a], { lower: true, mode }) },
        { label: `upper, mode ${mode}`, inputs: [input([2, 3, 3])], fn: (a: NDArray) => invoke('linalg_copytri', [a], { lower: false, mode }) },
      ]),
    linalg_inverse: () => [
      { label: 'one matrix', inputs: [input([3, 3])], fn: (a) => la.inverse(a.add(eye(3, 4))) },
      { label: 'batched', inputs: [input([2, 2, 2])], fn: (a) => la.inverse(a.add(eye(2, 3))) },
    ],
    linalg_det: () => [
      { label: 'one matrix', inputs: [input([3, 3])], fn: (a) => la.det(a) },
      { label: 'batched', inputs: [input([2, 2, 2])], fn: (a) => la.det(a.add(eye(2, 3))) },
    ],
    linalg_slogdet: () => [
      { label: 'log |det| (batched)', inputs: [input([2, 3, 3])], fn: (a) => la.slogdet(a.add(eye(3, 3)))[1] },
    ],
    linalg_gelqf: () => [
      { label: '2x4', inputs: [input([2, 4])], fn: (a) => la.gelqf(a) },
      { label: 'batched square', inputs: [input([2, 3, 3])], fn: (a) => la.gelqf(a.add(eye(3, 3))) },
    ],
    linalg_syevd: () => [
      { label: 'symmetric 3x3', inputs: [input([3, 3])], fn: (a) => la.syevd(a.add(a.T)) },
      { label: 'eigenvalues only, batched', inputs: [input([2, 3, 3])], fn: (a) => la.syevd(a.add(a.transpose([0, 2, 1])))[1] },
    ],
  };
}

// nd.linalg: MXNet's linalg operators (mx.nd.linalg.gemm, ...), on the last two axes and batched
// over the leading ones, float32 or float64. MXNet's flat spellings (nd.linalg_gemm) are aliases
// (lib/core/aliases.ts).
import { invoke, invokeMulti, type MultiOutOption, requireArray } from '../core/dispatch';
import type { OpName } from '../core/ops';
import type { NDArray } from '../ndarray';

export interface GemmOptions {
  transposeA?: boolean;
  transposeB?: boolean;
  alpha?: number;
  /** gemm only: the scale of C (default 1). */
  beta?: number;
  /**
   * The axis of the matrices' rows (default -2); their columns are on the last axis and every
   * other axis batches (MXNet's axis).
   */
  axis?: number;
}

export interface TriangularOptions {
  /** Use the transpose of A. */
  transpose?: boolean;
  /** A multiplies (trmm) or is solved for (trsm) from the right. */
  rightside?: boolean;
  /** A is lower triangular (default) or upper. */
  lower?: boolean;
  alpha?: number;
}

function arrays(fn: string, named: [string, NDArray][]): NDArray[] {
  for (const [name, x] of named) requireArray(x, fn, name);
  return named.map(([, x]) => x);
}

function one(op: OpName, fn: string, named: [string, NDArray][], opts?: object): NDArray {
  return invoke(op, arrays(fn, named), opts as never);
}

function two(op: OpName, fn: string, x: NDArray, opts?: MultiOutOption): [NDArray, NDArray] {
  const [p, q] = invokeMulti(op, arrays(fn, [['A', x]]), opts as never);
  return [p, q];
}

/**
 * gemm / gemm2 with the rows on another axis than -2 (MXNet's axis): the op runs on the inputs
 * with that axis swapped with the second-to-last one, and its result is swapped back.
 */
function gemmOnAxis(op: 'linalg_gemm' | 'linalg_gemm2', named: [string, NDArray][], opts?: GemmOptions): NDArray {
  const inputs = arrays(op, named);
  const axis = opts?.axis;
  if (typeof axis !== 'number' || !Number.isInteger(axis)) return one(op, op, named, opts);
  const n = inputs[0]!.ndim;
  const a = axis < 0 ? axis + n : axis;
  if (a === n - 2) return one(op, op, named, opts);
  if (a < 0 || a >= n - 1) {
    throw new RangeError(`${op}: axis ${axis} must name an axis before the last of the ${n}-D inputs (the rows; the columns are the last axis)`);
  }
  const swapped = named.map(([name, x]): [string, NDArray] => [name, x.swapaxes(a, n - 2)]);
  return one(op, op, swapped, { ...opts, axis: -2 }).swapaxes(a, n - 2);
}

export const linalg = {
  /** alpha op(A) op(B) + beta C. */
  gemm: (A: NDArray, B: NDArray, C: NDArray, opts?: GemmOptions): NDArray => gemmOnAxis('linalg_gemm', [['A', A], ['B', B], ['C', C]], opts),
  /** alpha op(A) op(B). */
  gemm2: (A: NDArray, B: NDArray, opts?: Omit<GemmOptions, 'beta'>): NDArray => gemmOnAxis('linalg_gemm2', [['A', A], ['B', B]], opts),
  /** alpha A A^T, or alpha A^T A when transpose. */
  syrk: (A: NDArray, opts?: { transpose?: boolean; alpha?: number }): NDArray => one('linalg_syrk', 'linalg_syrk', [['A', A]], opts),
  /** alpha op(A) B, or alpha B op(A) when rightside, with A triangular (its other triangle ignored). */
  trmm: (A: NDArray, B: NDArray, opts?: TriangularOptions): NDArray => one('linalg_trmm', 'linalg_trmm', [['A', A], ['B', B]], opts),
  /** X with op(A) X = alpha B, or X op(A) = alpha B when rightside; A triangular. */
  trsm: (A: NDArray, B: NDArray, opts?: TriangularOptions): NDArray => one('linalg_trsm', 'linalg_trsm', [['A', A], ['B', B]], opts),
  /** The Cholesky factor of symmetric positive-definite A: L with A = L L^T (lower, default) or U with A = U^T U. */
  potrf: (A: NDArray, opts?: { lower?: boolean }): NDArray => one('linalg_potrf', 'linalg_potrf', [['A', A]], opts),
  /** The inverse of A = L L^T (or U^T U) from its Cholesky factor. */
  potri: (A: NDArray, opts?: { lower?: boolean }): NDArray => one('linalg_potri', 'linalg_potri', [['A', A]], opts),
  /** The sum of the logarithms of the diagonal, one per matrix. */
  sumlogdiag: (A: NDArray): NDArray => one('linalg_sumlogdiag', 'linalg_sumlogdiag', [['A', A]]),
  /** The diagonal `offset` of each square matrix. */
  extractdiag: (A: NDArray, opts?: { offset?: number }): NDArray =>
    one('linalg_extractdiag', 'linalg_extractdiag', [['A', A]], opts),
  /** Square matrices with the last axis of A on diagonal `offset`. */
  makediag: (A: NDArray, opts?: { offset?: number }): NDArray => one('linalg_makediag', 'linalg_makediag', [['A', A]], opts),
  /** The inverse of each square matrix (LU with partial pivoting); singular matrices are an error. */
  inverse: (A: NDArray): NDArray => one('linalg_inverse', 'linalg_inverse', [['A', A]]),
  /** The determinant of each square matrix. */
  det: (A: NDArray): NDArray => one('linalg_det', 'linalg_det', [['A', A]]),
  /** [sign, log |det|] of each square matrix. */
  slogdet: (A: NDArray, opts?: MultiOutOption): [NDArray, NDArray] => two('linalg_slogdet', 'linalg_slogdet', A, opts),
  /** LQ factorization of A (rows <= columns): [Q, L] with A = L Q, Q's rows orthonormal, L lower triangular. */
  gelqf: (A: NDArray, opts?: MultiOutOption): [NDArray, NDArray] => two('linalg_gelqf', 'linalg_gelqf', A, opts),
  /**
   * Symmetric eigendecomposition (the lower triangle is read): [U, lambda] with A = U^T diag(lambda) U,
   * eigenvalues ascending, each eigenvector (a row of U) signed so its largest entry is positive.
   */
  syevd: (A: NDArray, opts?: MultiOutOption): [NDArray, NDArray] => two('linalg_syevd', 'linalg_syevd', A, opts),
};

// nd.linalg (MXNet's linalg_* operators): matrix products, triangular products and solves, the
// Cholesky factor and the inverse from it, LQ, the symmetric eigendecomposition, LU-based inverse
// and determinants, and diagonal helpers. Every op works on the last two axes and is batched over
// the leading ones (threaded over the batch); float32 and float64. Products run on the project's
// GEMM; the factorizations are written here (no LAPACK). Gradients are MXNet's (la_op-inl.h),
// written with these same ops so that they can be recorded.
#include <algorithm>
#include <cmath>
#include <type_traits>
#include <string>
#include <vector>

#include "core/drivers/gemm.h"
#include "core/runtime/error.h"
#include "core/runtime/thread_pool.h"
#include "core/ops/ops.h"

namespace ndgrad {

namespace {

using namespace ops;

struct LaGemmParams {
  bool transpose_a = false;
  bool transpose_b = false;
  double alpha = 1;
  double beta = 1;
  int64_t axis = -2;
};

struct LaTriParams {  // trsm, trmm
  bool transpose = false;
  bool rightside = false;
  bool lower = true;
  double alpha = 1;
};

struct LaCholParams {  // potrf, potri
  bool lower = true;
};

struct LaSyrkParams {
  bool transpose = false;
  double alpha = 1;
};

// inverse; zero_singular (set by the det and slogdet gradients only) gives zeros for a singular
// matrix instead of an error, so that their gradient there is zero as MXNet's.
struct LaInverseParams {
  bool zero_singular = false;
};

struct LaDiagParams {  // extractdiag, makediag
  int64_t offset = 0;
};

// copytri: the triangle-wise maps of the gradients: 0 keeps the `lower` (else upper) triangle and
// zeroes the other, 1 mirrors it onto the other (symmetrizes), 2 (the adjoint of 1) adds the
// mirror of the other triangle onto it and zeroes the other.
struct LaCopyTriParams {
  bool lower = true;
  int64_t mode = 0;
};

// ---- shapes ------------------------------------------------------------------------------------

struct Batch {
  int64_t count = 1, rows = 0, cols = 0;
  Shape lead;
};

Batch batch_of(const Tensor& x, const char* op, const char* arg = "input") {
  if (!dtype_is_float(x.dtype)) throw_type(std::string(op) + ": " + arg + " must be float32 or float64, got " + dtype_name(x.dtype));
  if (x.ndim() < 2) {
    throw_range(std::string(op) + ": " + arg + " must have at least 2 dimensions (a matrix or a batch of them), got shape " +
                shape_str(x.shape));
  }
  Batch b;
  b.lead.assign(x.shape.begin(), x.shape.end() - 2);
  for (int64_t d : b.lead) b.count *= d;
  b.rows = x.shape[x.ndim() - 2];
  b.cols = x.shape[x.ndim() - 1];
  return b;
}

Batch square_batch(const Tensor& x, const char* op, const char* arg = "input") {
  Batch b = batch_of(x, op, arg);
  if (b.rows != b.cols) throw_range(std::string(op) + ": " + arg + " must be square matrices, got shape " + shape_str(x.shape));
  return b;
}

void same_batch(const Tensor& a, const Tensor& b, const char* op) {
  if (a.dtype != b.dtype) throw_type(std::string(op) + ": inputs have different dtypes, " + dtype_name(a.dtype) + " and " + dtype_name(b.dtype));
  if (a.ndim() != b.ndim() || !std::equal(a.shape.begin(), a.shape.end() - 2, b.shape.begin())) {
    throw_range(std::string(op) + ": batch dimensions differ: " + shape_str(a.shape) + " and " + shape_str(b.shape));
  }
}

Shape with_matrix(const Shape& lead, int64_t r, int64_t c) {
  Shape s = lead;
  s.push_back(r);
  s.push_back(c);
  return s;
}

// One value per matrix: the leading axes, or (1,) for a single matrix.
Shape per_matrix(const Shape& lead) { return lead.empty() ? Shape{1} : lead; }

void check_axis(int64_t axis, size_t ndim, const char* op) {
  if (axis != -2 && axis != static_cast<int64_t>(ndim) - 2) {
    throw_range(std::string(op) + ": axis " + std::to_string(axis) + " is not supported (only -2, the rows of the last two axes)");
  }
}

// Runs f(i) for each matrix of the batch, over the pool when there are several (products inside
// then run inline, one matrix per task; a single matrix's product uses the pool itself).
template <class F>
void for_batch(Runtime& env, int64_t count, F&& f) {
  if (count == 1) f(size_t{0});
  else if (count > 1) env.thread_pool().parallel_for(static_cast<size_t>(count), f);
}

template <class T>
constexpr DType dtype_of() {
  return std::is_same_v<T, double> ? DType::Float64 : DType::Float32;
}

// C (m x n, row stride n) = op(A) op(B), on the project's GEMM.
template <class T>
void matmul(Runtime& env, bool ta, bool tb, int64_t m, int64_t n, int64_t k, const T* a, const T* b, T* c) {
  size_t lda = static_cast<size_t>(ta ? m : k), ldb = static_cast<size_t>(tb ? k : n);
  gemm(env.thread_pool(), env.isa, dtype_of<T>(), ta, tb, static_cast<size_t>(m), static_cast<size_t>(n), static_cast<size_t>(k), a,
       lda, b, ldb, c, static_cast<size_t>(n), false);
}

template <class F>
void visit_float(DType dt, F&& f) {
  if (dt == DType::Float64) f(double{});
  else f(float{});
}

// Matrix i of a batch: t's data from element i * (the product of t's last `dims` axes).
template <class T>
T* item(const Tensor& t, size_t i, size_t dims = 2) {
  int64_t size = 1;
  for (size_t d = t.ndim() - std::min(dims, t.ndim()); d < t.ndim(); ++d) size *= t.shape[d];
  return t.data<T>() + static_cast<int64_t>(i) * size;
}

// f(T{}, i) for each matrix i of the batch, in the dtype of input 0, threaded as for_batch.
template <class F>
void each_matrix(OpCall& c, int64_t count, F&& f) {
  visit_float(c.in[0].dtype, [&](auto zero) { for_batch(c.env, count, [&](size_t i) { f(zero, i); }); });
}

// f(T{}, i, n) for each n x n matrix i of input 0 (the op's shape rule checked it square).
template <class F>
void each_square(OpCall& c, F&& f) {
  Batch b = batch_of(c.in[0], "");
  each_matrix(c, b.count, [&](auto zero, size_t i) { f(zero, i, b.rows); });
}

// ---- gemm, gemm2, syrk ---------------------------------------------------------------------------

struct ProductPlan {
  Batch a;
  int64_t m, n, k;
};

ProductPlan plan_product(const Tensor& A, const Tensor& B, bool ta, bool tb, const char* op) {
  ProductPlan p;
  p.a = batch_of(A, op, "A");
  Batch b = batch_of(B, op, "B");
  same_batch(A, B, op);
  p.m = ta ? p.a.cols : p.a.rows;
  p.k = ta ? p.a.rows : p.a.cols;
  int64_t kb = tb ? b.cols : b.rows;
  p.n = tb ? b.rows : b.cols;
  if (p.k != kb) {
    throw_range(std::string(op) + ": matrix shapes do not match: A " + shape_str(A.shape) + (ta ? " (transposed)" : "") + " and B " +
                shape_str(B.shape) + (tb ? " (transposed)" : ""));
  }
  return p;
}

template <OpId Id>
void infer_gemm(const OpCall& c, OutSpecs& outs) {
  const char* name = op_def(Id).name;
  const LaGemmParams& a = c.params<LaGemmParams>();
  ProductPlan p = plan_product(c.in[0], c.in[1], a.transpose_a, a.transpose_b, name);
  check_axis(a.axis, c.in[0].ndim(), name);
  Shape out = with_matrix(p.a.lead, p.m, p.n);
  if (Id == OpId::linalg_gemm) {
    same_batch(c.in[0], c.in[2], name);
    if (c.in[2].shape != out) throw_range(std::string(name) + ": C must have shape " + shape_str(out) + ", got " + shape_str(c.in[2].shape));
  }
  outs.push_back({out, c.in[0].dtype});
}

// out = alpha op(A) op(B) (+ beta C).
template <OpId Id>
void fwd_gemm(OpCall& c) {
  const LaGemmParams& a = c.params<LaGemmParams>();
  ProductPlan p = plan_product(c.in[0], c.in[1], a.transpose_a, a.transpose_b, "");
  int64_t mn = p.m * p.n;
  each_matrix(c, p.a.count, [&](auto zero, size_t i) {
    using T = decltype(zero);
    T* y = item<T>(c.out[0], i);
    matmul<T>(c.env, a.transpose_a, a.transpose_b, p.m, p.n, p.k, item<T>(c.in[0], i), item<T>(c.in[1], i), y);
    T alpha = static_cast<T>(a.alpha), beta = static_cast<T>(a.beta);
    if (Id == OpId::linalg_gemm) {
      const T* C = item<T>(c.in[2], i);
      for (int64_t j = 0; j < mn; ++j) y[j] = alpha * y[j] + beta * C[j];
    } else if (alpha != T(1)) {
      for (int64_t j = 0; j < mn; ++j) y[j] *= alpha;
    }
  });
}

ArrayRef gemm2(Runtime& e, const ArrayRef& a, const ArrayRef& b, bool ta, bool tb, double alpha = 1) {
  LaGemmParams p;
  p.transpose_a = ta;
  p.transpose_b = tb;
  p.alpha = alpha;
  return invoke1(e, OpId::linalg_gemm2, {a, b}, p);
}

// MXNet's gemm_backward / gemm2_backward.
template <OpId Id>
Grads d_gemm(BackwardCtx& c) {
  Runtime& e = c.env;
  const LaGemmParams& a = c.params<LaGemmParams>();
  bool tA = a.transpose_a, tB = a.transpose_b;
  ArrayRef A = c.input(0), B = c.input(1), g = c.grad();
  ArrayRef dA = tA ? gemm2(e, B, g, tB, true, a.alpha) : gemm2(e, g, B, false, !tB, a.alpha);
  ArrayRef dB = tB ? gemm2(e, g, A, true, tA, a.alpha) : gemm2(e, A, g, !tA, false, a.alpha);
  if (Id == OpId::linalg_gemm2) return {dA, dB};
  return {dA, dB, mul_scalar(e, g, a.beta)};
}

void infer_syrk(const OpCall& c, OutSpecs& outs) {
  Batch b = batch_of(c.in[0], "linalg_syrk");
  int64_t n = c.params<LaSyrkParams>().transpose ? b.cols : b.rows;
  outs.push_back({with_matrix(b.lead, n, n), c.in[0].dtype});
}

// alpha A A^T, or alpha A^T A when transposed.
void fwd_syrk(OpCall& c) {
  const LaSyrkParams& a = c.params<LaSyrkParams>();
  Batch b = batch_of(c.in[0], "");
  int64_t n = a.transpose ? b.cols : b.rows, k = a.transpose ? b.rows : b.cols;
  each_matrix(c, b.count, [&](auto zero, size_t i) {
    using T = decltype(zero);
    const T* x = item<T>(c.in[0], i);
    T* y = item<T>(c.out[0], i);
    matmul<T>(c.env, a.transpose, !a.transpose, n, n, k, x, x, y);
    if (a.alpha != 1) for (int64_t j = 0; j < n * n; ++j) y[j] *= static_cast<T>(a.alpha);
  });
}

Grads d_syrk(BackwardCtx& c) {
  Runtime& e = c.env;
  const LaSyrkParams& a = c.params<LaSyrkParams>();
  ArrayRef A = c.input(0), g = c.grad();
  if (a.transpose) return {add(e, gemm2(e, A, g, false, false, a.alpha), gemm2(e, A, g, false, true, a.alpha))};
  return {add(e, gemm2(e, g, A, false, false, a.alpha), gemm2(e, g, A, true, false, a.alpha))};
}

// ---- triangular kernels ----------------------------------------------------------------------------

// op(A)(i, j) for a k x k row-major A.
template <class T>
inline T opa(const T* A, int64_t k, bool trans, int64_t i, int64_t j) {
  return trans ? A[j * k + i] : A[i * k + j];
}

// In place on B (m x n): solves op(A) X = alpha B (left) or X op(A) = alpha B (right), A
// triangular (its `lower` or upper triangle is read), unit: ones on the diagonal.
template <class T>
void trsm_kernel(const T* A, T* B, int64_t m, int64_t n, bool right, bool lower, bool trans, bool unit, T alpha) {
  bool eff_lower = lower != trans;
  for (int64_t i = 0; i < m * n; ++i) B[i] *= alpha;
  if (!right) {
    int64_t k = m;
    for (int64_t s = 0; s < m; ++s) {
      int64_t i = eff_lower ? s : m - 1 - s;
      T* row = B + i * n;
      int64_t j0 = eff_lower ? 0 : i + 1, j1 = eff_lower ? i : m;
      for (int64_t j = j0; j < j1; ++j) {
        T f = opa(A, k, trans, i, j);
        if (f == T(0)) continue;
        const T* rj = B + j * n;
        for (int64_t t = 0; t < n; ++t) row[t] -= f * rj[t];
      }
      if (!unit) {
        T d = opa(A, k, trans, i, i);
        for (int64_t t = 0; t < n; ++t) row[t] /= d;
      }
    }
    return;
  }
  int64_t k = n;
  for (int64_t r = 0; r < m; ++r) {
    T* x = B + r * n;
    for (int64_t s = 0; s < n; ++s) {
      int64_t j = eff_lower ? n - 1 - s : s;
      T v = x[j];
      int64_t i0 = eff_lower ? j + 1 : 0, i1 = eff_lower ? n : j;
      for (int64_t i = i0; i < i1; ++i) v -= x[i] * opa(A, k, trans, i, j);
      x[j] = unit ? v : v / opa(A, k, trans, j, j);
    }
  }
}

// The `lower` (else upper) triangle of a k x k matrix, the other zeroed.
template <class T>
void triangle_of(const T* A, T* out, int64_t k, bool lower) {
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j < k; ++j) out[i * k + j] = (lower ? j <= i : j >= i) ? A[i * k + j] : T(0);
}

void infer_tri(const OpCall& c, OutSpecs& outs) {
  const char* name = c.def.name;
  Batch a = square_batch(c.in[0], name, "A");
  Batch b = batch_of(c.in[1], name, "B");
  same_batch(c.in[0], c.in[1], name);
  int64_t need = c.params<LaTriParams>().rightside ? b.cols : b.rows;
  if (need != a.rows) {
    throw_range(std::string(name) + ": A " + shape_str(c.in[0].shape) + " does not match B " + shape_str(c.in[1].shape) +
                (c.params<LaTriParams>().rightside ? " (rightside: B's columns)" : " (B's rows)"));
  }
  outs.push_back({c.in[1].shape, c.in[1].dtype});
}

void fwd_trsm(OpCall& c) {
  const LaTriParams& a = c.params<LaTriParams>();
  Batch b = batch_of(c.in[1], "");
  each_matrix(c, b.count, [&](auto zero, size_t i) {
    using T = decltype(zero);
    T* y = item<T>(c.out[0], i);
    std::copy(item<T>(c.in[1], i), item<T>(c.in[1], i) + b.rows * b.cols, y);
    trsm_kernel<T>(item<T>(c.in[0], i), y, b.rows, b.cols, a.rightside, a.lower, a.transpose, false, static_cast<T>(a.alpha));
  });
}

void fwd_trmm(OpCall& c) {
  const LaTriParams& a = c.params<LaTriParams>();
  Batch b = batch_of(c.in[1], "");
  int64_t k = c.in[0].shape.back(), mn = b.rows * b.cols;
  each_matrix(c, b.count, [&](auto zero, size_t i) {
    using T = decltype(zero);
    std::vector<T> tri(static_cast<size_t>(k * k));
    triangle_of(item<T>(c.in[0], i), tri.data(), k, a.lower);
    T* y = item<T>(c.out[0], i);
    if (a.rightside) matmul<T>(c.env, false, a.transpose, b.rows, b.cols, k, item<T>(c.in[1], i), tri.data(), y);
    else matmul<T>(c.env, a.transpose, false, b.rows, b.cols, k, tri.data(), item<T>(c.in[1], i), y);
    if (a.alpha != 1) for (int64_t j = 0; j < mn; ++j) y[j] *= static_cast<T>(a.alpha);
  });
}

ArrayRef tri_op(Runtime& e, OpId id, const ArrayRef& A, const ArrayRef& B, bool transpose, bool rightside, bool lower, double alpha = 1) {
  return invoke1(e, id, {A, B}, LaTriParams{transpose, rightside, lower, alpha});
}

ArrayRef copytri(Runtime& e, const ArrayRef& x, bool lower, int64_t mode) {
  return invoke1(e, OpId::linalg_copytri, {x}, LaCopyTriParams{lower, mode});
}

// MXNet's trsm_backward.
Grads d_trsm(BackwardCtx& c) {
  Runtime& e = c.env;
  const LaTriParams& a = c.params<LaTriParams>();
  ArrayRef A = c.input(0), C = c.output(0);
  ArrayRef dB = tri_op(e, OpId::linalg_trsm, A, c.grad(), !a.transpose, a.rightside, a.lower, a.alpha);
  double scale = -1.0 / a.alpha;
  ArrayRef dA = a.rightside == a.transpose ? gemm2(e, dB, C, a.transpose, !a.transpose, scale)
                                           : gemm2(e, C, dB, !a.transpose, a.transpose, scale);
  return {copytri(e, dA, a.lower, 0), dB};
}

// MXNet's trmm_backward.
Grads d_trmm(BackwardCtx& c) {
  Runtime& e = c.env;
  const LaTriParams& a = c.params<LaTriParams>();
  ArrayRef A = c.input(0), B = c.input(1), g = c.grad();
  ArrayRef dA = a.rightside == a.transpose ? gemm2(e, g, B, a.transpose, !a.transpose, a.alpha)
                                           : gemm2(e, B, g, !a.transpose, a.transpose, a.alpha);
  ArrayRef dB = tri_op(e, OpId::linalg_trmm, A, g, !a.transpose, a.rightside, a.lower, a.alpha);
  return {copytri(e, dA, a.lower, 0), dB};
}

// ---- copytri (the gradients' triangle maps) -----------------------------------------------------------

void infer_copytri(const OpCall& c, OutSpecs& outs) {
  square_batch(c.in[0], "linalg_copytri");
  outs.push_back({c.in[0].shape, c.in[0].dtype});
}

void fwd_copytri(OpCall& c) {
  const LaCopyTriParams& a = c.params<LaCopyTriParams>();
  each_square(c, [&](auto zero, size_t m, int64_t n) {
    using T = decltype(zero);
    const T* x = item<T>(c.in[0], m);
    T* y = item<T>(c.out[0], m);
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < n; ++j) {
        bool kept = a.lower ? j <= i : j >= i;
        T v = kept ? x[i * n + j] : T(0);
        if (a.mode == 1 && !kept) v = x[j * n + i];
        if (a.mode == 2 && kept && i != j) v += x[j * n + i];
        y[i * n + j] = v;
      }
  });
}

Grads d_copytri(BackwardCtx& c) {
  const LaCopyTriParams& a = c.params<LaCopyTriParams>();
  int64_t adjoint = a.mode == 0 ? 0 : 3 - a.mode;
  return {copytri(c.env, c.grad(), a.lower, adjoint)};
}

// ---- potrf, potri --------------------------------------------------------------------------------------

// Unblocked Cholesky (Crout order) of the n x n block at a (row stride lda), in its lower
// triangle; false when the block is not positive definite (or holds a NaN).
template <class T>
bool cholesky_block(T* a, int64_t n, int64_t lda) {
  for (int64_t j = 0; j < n; ++j) {
    T* rj = a + j * lda;
    T s = rj[j];
    for (int64_t k = 0; k < j; ++k) s -= rj[k] * rj[k];
    if (!(s > T(0))) return false;
    T d = std::sqrt(s);
    rj[j] = d;
    for (int64_t i = j + 1; i < n; ++i) {
      T* ri = a + i * lda;
      T v = ri[j];
      for (int64_t k = 0; k < j; ++k) v -= ri[k] * rj[k];
      ri[j] = v / d;
    }
  }
  return true;
}

// In place: the lower Cholesky factor of the symmetric matrix whose lower triangle a holds (the
// upper triangle is zeroed); false when a is not positive definite. Right-looking and blocked:
// factor a diagonal block, solve the panel below it against the block, and take the panel's
// product from the trailing matrix on the project's GEMM (most of the work for large n).
template <class T>
bool cholesky_lower(Runtime& env, T* a, int64_t n) {
  constexpr int64_t kBlock = 64;
  std::vector<T> prod;
  for (int64_t k = 0; k < n; k += kBlock) {
    int64_t b = std::min(kBlock, n - k), rest = n - k - b;
    T* diag = a + k * n + k;
    if (!cholesky_block(diag, b, n)) return false;
    if (rest == 0) break;
    T* panel = diag + b * n;  // rows k+b.., columns k..k+b-1
    for (int64_t r = 0; r < rest; ++r) {  // panel := panel L^-T: x L^T = p, row by row
      T* x = panel + r * n;
      for (int64_t j = 0; j < b; ++j) {
        const T* lj = diag + j * n;
        T v = x[j];
        for (int64_t t = 0; t < j; ++t) v -= x[t] * lj[t];
        x[j] = v / lj[j];
      }
    }
    prod.resize(static_cast<size_t>(rest * rest));
    gemm(env.thread_pool(), env.isa, dtype_of<T>(), false, true, static_cast<size_t>(rest), static_cast<size_t>(rest),
         static_cast<size_t>(b), panel, static_cast<size_t>(n), panel, static_cast<size_t>(n), prod.data(), static_cast<size_t>(rest),
         false);
    T* trail = panel + b;
    for (int64_t i = 0; i < rest; ++i)
      for (int64_t j = 0; j <= i; ++j) trail[i * n + j] -= prod[i * rest + j];
  }
  for (int64_t i = 0; i < n; ++i) std::fill(a + i * n + i + 1, a + (i + 1) * n, T(0));
  return true;
}

template <class T>
void transpose_square(const T* a, T* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) out[j * n + i] = a[i * n + j];
}

void infer_square(const OpCall& c, OutSpecs& outs) {
  square_batch(c.in[0], c.def.name);
  outs.push_back({c.in[0].shape, c.in[0].dtype});
}

// An error about matrix `item` of input 0's batch (named only when there are several).
[[noreturn]] void throw_matrix(const OpCall& c, const std::string& what, size_t item) {
  bool batched = batch_of(c.in[0], "").count > 1;
  throw_range(std::string(c.def.name) + ": " + what + (batched ? " (matrix " + std::to_string(item) + " of the batch)" : ""));
}

void fwd_potrf(OpCall& c) {
  bool lower = c.params<LaCholParams>().lower;
  each_square(c, [&](auto zero, size_t i, int64_t n) {
    using T = decltype(zero);
    const T* a = item<T>(c.in[0], i);
    T* y = item<T>(c.out[0], i);
    // The upper factor of A is the transposed lower factor of A's upper triangle.
    if (lower) std::copy(a, a + n * n, y);
    else transpose_square(a, y, n);
    if (!cholesky_lower(c.env, y, n)) throw_matrix(c, "the matrix is not positive definite", i);
    if (!lower) {
      std::vector<T> t(y, y + n * n);
      transpose_square(t.data(), y, n);
    }
  });
}

// MXNet's potrf_backward: dA = 0.5 L^-T copyLTU(L^T dL) L^-1 (mirrored for the upper factor).
Grads d_potrf(BackwardCtx& c) {
  Runtime& e = c.env;
  bool lower = c.params<LaCholParams>().lower;
  ArrayRef L = c.output(0);
  ArrayRef t = tri_op(e, OpId::linalg_trmm, L, c.grad(), true, !lower, lower);
  ArrayRef s = copytri(e, t, lower, 1);
  ArrayRef x = tri_op(e, OpId::linalg_trsm, L, s, false, lower, lower);
  return {tri_op(e, OpId::linalg_trsm, L, x, true, !lower, lower, 0.5)};
}

// A^-1 from the Cholesky factor: L^-T L^-1 (lower) or U^-1 U^-T (upper).
void fwd_potri(OpCall& c) {
  bool lower = c.params<LaCholParams>().lower;
  each_square(c, [&](auto zero, size_t i, int64_t n) {
    using T = decltype(zero);
    const T* f = item<T>(c.in[0], i);
    for (int64_t d = 0; d < n; ++d)
      if (f[d * n + d] == T(0)) throw_matrix(c, "the factor is singular (a zero on its diagonal)", i);
    std::vector<T> inv(static_cast<size_t>(n * n), T(0));
    for (int64_t d = 0; d < n; ++d) inv[d * n + d] = T(1);
    trsm_kernel<T>(f, inv.data(), n, n, false, lower, false, false, T(1));
    matmul<T>(c.env, lower, !lower, n, n, n, inv.data(), inv.data(), item<T>(c.out[0], i));
  });
}

ArrayRef swap_last(Runtime& e, const ArrayRef& x) {
  size_t nd = x->t.ndim();
  std::vector<int64_t> perm(nd);
  for (size_t i = 0; i < nd; ++i) perm[i] = static_cast<int64_t>(i);
  std::swap(perm[nd - 1], perm[nd - 2]);
  return transpose(e, x, perm);
}

// MXNet's potri_backward: dL = -tril(A (dA + dA^T) L^-T) (mirrored for the upper factor).
Grads d_potri(BackwardCtx& c) {
  Runtime& e = c.env;
  bool lower = c.params<LaCholParams>().lower;
  ArrayRef B = c.input(0), A = c.output(0), g = c.grad();
  ArrayRef gs = add(e, g, swap_last(e, g));
  ArrayRef p = lower ? gemm2(e, A, gs, false, false) : gemm2(e, gs, A, false, false);
  return {copytri(e, tri_op(e, OpId::linalg_trsm, B, p, true, lower, lower, -1), lower, 0)};
}

// ---- sumlogdiag, extractdiag, makediag ---------------------------------------------------------------

void infer_sumlogdiag(const OpCall& c, OutSpecs& outs) {
  outs.push_back({per_matrix(square_batch(c.in[0], "linalg_sumlogdiag").lead), c.in[0].dtype});
}

void fwd_sumlogdiag(OpCall& c) {
  each_square(c, [&](auto zero, size_t i, int64_t n) {
    using T = decltype(zero);
    const T* a = item<T>(c.in[0], i);
    T s = 0;
    for (int64_t d = 0; d < n; ++d) s += std::log(a[d * (n + 1)]);
    c.out[0].data<T>()[i] = s;
  });
}

ArrayRef diag_op(Runtime& e, OpId id, const ArrayRef& x, int64_t offset = 0) {
  return invoke1(e, id, {x}, LaDiagParams{offset});
}

// One value per matrix as a (..., 1) array that broadcasts over a row of each matrix.
ArrayRef per_row(Runtime& e, const ArrayRef& v, const Shape& matrices) {
  Shape s(matrices.begin(), matrices.end() - 2);
  s.push_back(1);
  return reshape(e, v, s);
}

Grads d_sumlogdiag(BackwardCtx& c) {
  Runtime& e = c.env;
  ArrayRef d = diag_op(e, OpId::linalg_extractdiag, c.input(0));
  return {diag_op(e, OpId::linalg_makediag, div(e, per_row(e, c.grad(), c.input_shape(0)), d))};
}

int64_t diag_len(int64_t n, int64_t offset) { return std::max<int64_t>(0, n - (offset < 0 ? -offset : offset)); }

void infer_extractdiag(const OpCall& c, OutSpecs& outs) {
  Batch b = square_batch(c.in[0], "linalg_extractdiag");
  Shape s = b.lead;
  s.push_back(diag_len(b.rows, c.params<LaDiagParams>().offset));
  outs.push_back({s, c.in[0].dtype});
}

void infer_makediag(const OpCall& c, OutSpecs& outs) {
  const Tensor& x = c.in[0];
  if (!dtype_is_float(x.dtype)) throw_type(std::string("linalg_makediag: input must be float32 or float64, got ") + dtype_name(x.dtype));
  if (x.ndim() < 1) throw_range("linalg_makediag: input must have at least 1 dimension");
  int64_t o = c.params<LaDiagParams>().offset;
  int64_t n = x.shape.back() + (o < 0 ? -o : o);
  Shape lead(x.shape.begin(), x.shape.end() - 1);
  outs.push_back({with_matrix(lead, n, n), x.dtype});
}

// The matrices' diagonal `offset` as rows of `diag` (extract) or written into zeros (make).
template <bool Extract>
void fwd_diag_la(OpCall& c) {
  int64_t o = c.params<LaDiagParams>().offset;
  const Tensor& mats = Extract ? c.in[0] : c.out[0];
  int64_t n = mats.shape.back(), len = diag_len(n, o), count = n == 0 ? 0 : mats.size() / (n * n);
  int64_t start = o >= 0 ? o : -o * n;
  visit_float(c.in[0].dtype, [&](auto zero) {
    using T = decltype(zero);
    const T* x = c.in[0].data<T>();
    T* y = c.out[0].data<T>();
    if (!Extract) std::fill(y, y + c.out[0].size(), T(0));
    for (int64_t m = 0; m < count; ++m)
      for (int64_t d = 0; d < len; ++d) {
        int64_t at = m * n * n + start + d * (n + 1);
        if (Extract) y[m * len + d] = x[at];
        else y[at] = x[m * len + d];
      }
  });
}

template <OpId Other>
Grads d_diag_la(BackwardCtx& c) {
  return {diag_op(c.env, Other, c.grad(), c.params<LaDiagParams>().offset)};
}

// ---- LU: inverse, det, slogdet -----------------------------------------------------------------------------

// In place LU with partial pivoting (row-major, L unit lower below the diagonal, U on and above);
// perm[i] is the original row of row i. Returns the permutation's sign; a zero pivot is left in
// place (the matrix is singular) and its column is not eliminated.
template <class T>
int lu_factor(T* a, int64_t n, std::vector<int64_t>& perm) {
  int sign = 1;
  perm.resize(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) perm[i] = i;
  for (int64_t k = 0; k < n; ++k) {
    int64_t p = k;
    T best = std::abs(a[k * n + k]);
    for (int64_t i = k + 1; i < n; ++i)
      if (std::abs(a[i * n + k]) > best) best = std::abs(a[(p = i) * n + k]);
    if (p != k) {
      std::swap_ranges(a + k * n, a + (k + 1) * n, a + p * n);
      std::swap(perm[k], perm[p]);
      sign = -sign;
    }
    T d = a[k * n + k];
    if (d == T(0)) continue;
    for (int64_t i = k + 1; i < n; ++i) {
      T l = a[i * n + k] /= d;
      if (l == T(0)) continue;
      for (int64_t j = k + 1; j < n; ++j) a[i * n + j] -= l * a[k * n + j];
    }
  }
  return sign;
}

void fwd_inverse(OpCall& c) {
  each_square(c, [&](auto zero, size_t i, int64_t n) {
    using T = decltype(zero);
    std::vector<T> lu(item<T>(c.in[0], i), item<T>(c.in[0], i) + n * n);
    std::vector<int64_t> perm;
    lu_factor(lu.data(), n, perm);
    T* y = item<T>(c.out[0], i);
    std::fill(y, y + n * n, T(0));
    for (int64_t d = 0; d < n; ++d) {
      if (lu[d * n + d] != T(0)) continue;
      if (c.params<LaInverseParams>().zero_singular) return;
      throw_matrix(c, "the matrix is singular", i);
    }
    for (int64_t r = 0; r < n; ++r) y[r * n + perm[r]] = T(1);
    trsm_kernel<T>(lu.data(), y, n, n, false, true, false, true, T(1));
    trsm_kernel<T>(lu.data(), y, n, n, false, false, false, false, T(1));
  });
}

// MXNet's inverse_backward: dA = -B^T g B^T with B the inverse.
Grads d_inverse(BackwardCtx& c) {
  Runtime& e = c.env;
  ArrayRef B = c.output(0);
  return {gemm2(e, B, gemm2(e, c.grad(), B, false, true), true, false, -1)};
}

template <bool Log>
void infer_det(const OpCall& c, OutSpecs& outs) {
  Shape s = per_matrix(square_batch(c.in[0], c.def.name).lead);
  outs.push_back({s, c.in[0].dtype});
  if (Log) outs.push_back({s, c.in[0].dtype});
}

// det: sign * exp(sum log|u_ii|) (MXNet's form); slogdet: sign and sum log|u_ii|.
template <bool Log>
void fwd_det(OpCall& c) {
  each_square(c, [&](auto zero, size_t i, int64_t n) {
    using T = decltype(zero);
    std::vector<T> lu(item<T>(c.in[0], i), item<T>(c.in[0], i) + n * n);
    std::vector<int64_t> perm;
    T sign = static_cast<T>(lu_factor(lu.data(), n, perm));
    T logabs = 0;
    for (int64_t d = 0; d < n; ++d) {
      T u = lu[d * n + d];
      sign *= static_cast<T>((T(0) < u) - (u < T(0)));
      logabs += std::log(std::abs(u));
    }
    T* out0 = c.out[0].data<T>();
    if (Log) {
      out0[i] = sign;
      c.out[1].data<T>()[i] = logabs;
    } else {
      out0[i] = sign * std::exp(logabs);
    }
  });
}

// Jacobi's formula: d det = det A^-T, d log|det| = A^-T (MXNet's det/slogdet backward; zero for
// a singular matrix).
template <bool Log>
Grads d_det(BackwardCtx& c) {
  Runtime& e = c.env;
  ArrayRef inv_t = swap_last(e, invoke1(e, OpId::linalg_inverse, {c.input(0)}, LaInverseParams{true}));
  ArrayRef g = Log ? c.grad(1) : mul(e, c.grad(0), c.output(0));
  Shape s = c.input_shape(0);
  Shape lead(s.begin(), s.end() - 2);
  return {mul(e, reshape(e, g, with_matrix(lead, 1, 1)), inv_t)};
}

// ---- syevd: symmetric eigendecomposition by cyclic Jacobi rotations ------------------------------------------

// a (n x n, symmetric, destroyed) -> eigenvalues w ascending, eigenvectors as the rows of u, each
// signed so that its largest-magnitude entry (the first on ties) is positive (MXNet).
template <class T>
void jacobi_eigen(T* a, int64_t n, T* u, T* w) {
  std::vector<T> v(static_cast<size_t>(n * n), T(0));
  for (int64_t i = 0; i < n; ++i) v[i * n + i] = T(1);
  for (int sweep = 0; sweep < 100; ++sweep) {
    T off = 0;
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < n; ++j)
        if (i != j) off += a[i * n + j] * a[i * n + j];
    if (off == T(0)) break;
    for (int64_t p = 0; p < n; ++p)
      for (int64_t q = p + 1; q < n; ++q) {
        T apq = a[p * n + q];
        if (apq == T(0)) continue;
        // An element too small to change either diagonal entry is dropped (Numerical Recipes'
        // jacobi), so the sweeps end with an exactly diagonal matrix.
        T tiny = 100 * std::abs(apq);
        if (sweep > 3 && std::abs(a[p * n + p]) + tiny == std::abs(a[p * n + p]) && std::abs(a[q * n + q]) + tiny == std::abs(a[q * n + q])) {
          a[p * n + q] = a[q * n + p] = T(0);
          continue;
        }
        T theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        T t = (theta >= 0 ? T(1) : T(-1)) / (std::abs(theta) + std::sqrt(theta * theta + 1));
        T cs = 1 / std::sqrt(t * t + 1), sn = t * cs;
        for (int64_t k = 0; k < n; ++k) {
          T akp = a[k * n + p], akq = a[k * n + q];
          a[k * n + p] = cs * akp - sn * akq;
          a[k * n + q] = sn * akp + cs * akq;
        }
        for (int64_t k = 0; k < n; ++k) {
          T apk = a[p * n + k], aqk = a[q * n + k];
          a[p * n + k] = cs * apk - sn * aqk;
          a[q * n + k] = sn * apk + cs * aqk;
        }
        for (int64_t k = 0; k < n; ++k) {
          T vkp = v[k * n + p], vkq = v[k * n + q];
          v[k * n + p] = cs * vkp - sn * vkq;
          v[k * n + q] = sn * vkp + cs * vkq;
        }
      }
  }
  std::vector<int64_t> order(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](int64_t x, int64_t y) { return a[x * n + x] < a[y * n + y]; });
  for (int64_t r = 0; r < n; ++r) {
    int64_t col = order[r];
    w[r] = a[col * n + col];
    int64_t big = 0;
    for (int64_t k = 0; k < n; ++k) {
      u[r * n + k] = v[k * n + col];
      if (std::abs(u[r * n + k]) > std::abs(u[r * n + big])) big = k;
    }
    if (u[r * n + big] < T(0))
      for (int64_t k = 0; k < n; ++k) u[r * n + k] = -u[r * n + k];
  }
}

void infer_syevd(const OpCall& c, OutSpecs& outs) {
  Batch b = square_batch(c.in[0], "linalg_syevd");
  outs.push_back({c.in[0].shape, c.in[0].dtype});
  Shape w = b.lead;
  w.push_back(b.rows);
  outs.push_back({w, c.in[0].dtype});
}

void fwd_syevd(OpCall& c) {
  each_square(c, [&](auto zero, size_t i, int64_t n) {
    using T = decltype(zero);
    // The lower triangle defines the matrix (MXNet, LAPACK's uplo 'L').
    std::vector<T> s(static_cast<size_t>(n * n));
    const T* a = item<T>(c.in[0], i);
    for (int64_t r = 0; r < n; ++r)
      for (int64_t k = 0; k < n; ++k) s[r * n + k] = k <= r ? a[r * n + k] : a[k * n + r];
    jacobi_eigen(s.data(), n, item<T>(c.out[0], i), item<T>(c.out[1], i, 1));
  });
}

// MXNet's syevd_backward: dA = U^T Y U, Y = (X - X^T) / (2 (l_i - l_j)) off the diagonal and dl on
// it, X = dU U^T.
Grads d_syevd(BackwardCtx& c) {
  Runtime& e = c.env;
  ArrayRef U = c.output(0), l = c.output(1);
  ArrayRef X = gemm2(e, c.grad(0), U, false, true);
  Shape s = c.input_shape(0);
  Shape lead(s.begin(), s.end() - 2);
  int64_t n = s.back();
  Shape col = lead, row = lead;
  col.push_back(n);
  col.push_back(1);
  row.push_back(1);
  row.push_back(n);
  ArrayRef gap = sub(e, reshape(e, l, col), reshape(e, l, row));
  // the diagonal of X - X^T is zero: dividing it by 1 instead of 0 keeps it zero
  ArrayRef denom = mul_scalar(e, add(e, gap, diag_op(e, OpId::linalg_makediag, ones_like(e, l))), 2);
  ArrayRef Y = add(e, div(e, sub(e, X, swap_last(e, X)), denom), diag_op(e, OpId::linalg_makediag, c.grad(1)));
  return {gemm2(e, U, gemm2(e, Y, U, false, false), true, false)};
}

// ---- gelqf: A = L Q by Householder reflections (LAPACK's gelqf + orglq conventions) --------------------------

void infer_gelqf(const OpCall& c, OutSpecs& outs) {
  Batch b = batch_of(c.in[0], "linalg_gelqf");
  if (b.rows > b.cols) {
    throw_range("linalg_gelqf: the matrices must not have more rows than columns, got shape " + shape_str(c.in[0].shape));
  }
  outs.push_back({c.in[0].shape, c.in[0].dtype});
  outs.push_back({with_matrix(b.lead, b.rows, b.rows), c.in[0].dtype});
}

template <class T>
void lq_factor(const T* a, int64_t m, int64_t n, T* q, T* l) {
  std::vector<T> w(a, a + m * n), tau(static_cast<size_t>(m), T(0));
  for (int64_t i = 0; i < m; ++i) {
    T* r = w.data() + i * n;
    T alpha = r[i], xnorm = 0;
    for (int64_t k = i + 1; k < n; ++k) xnorm = std::hypot(xnorm, r[k]);
    if (xnorm == T(0)) continue;
    T beta = -std::copysign(std::hypot(alpha, xnorm), alpha);
    tau[i] = (beta - alpha) / beta;
    T scale = 1 / (alpha - beta);
    for (int64_t k = i + 1; k < n; ++k) r[k] *= scale;
    r[i] = beta;
    // apply H_i = I - tau v v^T (v = (1, r[i+1:])) to the rows below, from the right
    for (int64_t row = i + 1; row < m; ++row) {
      T* x = w.data() + row * n;
      T dotv = x[i];
      for (int64_t k = i + 1; k < n; ++k) dotv += x[k] * r[k];
      dotv *= tau[i];
      x[i] -= dotv;
      for (int64_t k = i + 1; k < n; ++k) x[k] -= dotv * r[k];
    }
  }
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < m; ++j) l[i * m + j] = j <= i ? w[i * n + j] : T(0);
  // Q: the first m rows of H_{m-1} ... H_0, built from the identity's rows.
  std::fill(q, q + m * n, T(0));
  for (int64_t i = 0; i < m; ++i) q[i * n + i] = T(1);
  for (int64_t i = m; i-- > 0;) {
    if (tau[i] == T(0)) continue;
    const T* v = w.data() + i * n;
    for (int64_t row = 0; row < m; ++row) {
      T* x = q + row * n;
      T dotv = x[i];
      for (int64_t k = i + 1; k < n; ++k) dotv += x[k] * v[k];
      dotv *= tau[i];
      x[i] -= dotv;
      for (int64_t k = i + 1; k < n; ++k) x[k] -= dotv * v[k];
    }
  }
}

void fwd_gelqf(OpCall& c) {
  Batch b = batch_of(c.in[0], "");
  int64_t m = b.rows, n = b.cols;
  each_matrix(c, b.count, [&](auto zero, size_t i) {
    using T = decltype(zero);
    lq_factor<T>(item<T>(c.in[0], i), m, n, item<T>(c.out[0], i), item<T>(c.out[1], i));
  });
}

// MXNet's gelqf_backward: dA = L^-T (dQ + copyLTU(M) Q), M = L^T dL - dQ Q^T.
Grads d_gelqf(BackwardCtx& c) {
  Runtime& e = c.env;
  ArrayRef Q = c.output(0), L = c.output(1), dQ = c.grad(0), dL = c.grad(1);
  ArrayRef M = sub(e, tri_op(e, OpId::linalg_trmm, L, dL, true, false, true), gemm2(e, dQ, Q, false, true));
  ArrayRef R = add(e, dQ, gemm2(e, copytri(e, M, true, 1), Q, false, false));
  return {tri_op(e, OpId::linalg_trsm, L, R, true, false, true)};
}

// ---- fields ---------------------------------------------------------------------------------------------

template <class P>
constexpr FieldDef kAlpha = field<&P::alpha>("alpha", "scale of the product").set_default(1);
constexpr FieldDef kAxis = field<&LaGemmParams::axis>("axis", "the axis of the matrices' rows (the op: -2; nd.linalg swaps another axis there)").set_default(-2);
const FieldDef kGemmFields[] = {
    field<&LaGemmParams::transpose_a>("transposeA", "use the transpose of A").alias("transpose_a"),
    field<&LaGemmParams::transpose_b>("transposeB", "use the transpose of B").alias("transpose_b"),
    kAlpha<LaGemmParams>,
    field<&LaGemmParams::beta>("beta", "scale of C").set_default(1),
    kAxis,
};
const FieldDef kGemm2Fields[] = {kGemmFields[0], kGemmFields[1], kAlpha<LaGemmParams>, kAxis};
constexpr FieldDef kLower = field<&LaTriParams::lower>("lower", "A is lower (else upper) triangular").set_default(1);
const FieldDef kTriFields[] = {
    field<&LaTriParams::transpose>("transpose", "use the transpose of A"),
    field<&LaTriParams::rightside>("rightside", "A multiplies from the right"),
    kLower,
    kAlpha<LaTriParams>,
};
const FieldDef kCholFields[] = {
    field<&LaCholParams::lower>("lower", "the factor is lower (else upper) triangular").set_default(1),
};
const FieldDef kSyrkFields[] = {
    field<&LaSyrkParams::transpose>("transpose", "alpha A^T A instead of alpha A A^T"),
    kAlpha<LaSyrkParams>,
};
const FieldDef kDiagLaFields[] = {
    field<&LaDiagParams::offset>("offset", "the diagonal: 0 the main one, > 0 above it, < 0 below"),
};
const FieldDef kCopyTriFields[] = {
    field<&LaCopyTriParams::lower>("lower", "the lower (else upper) triangle is the source").set_default(1),
    field<&LaCopyTriParams::mode>("mode", "0 keep, 1 mirror, 2 fold").range(0, 2),
};

}  // namespace

void define_la_ops(std::vector<OpDef>& table) {
  define_op(table, OpId::linalg_gemm, 3, infer_gemm<OpId::linalg_gemm>, fwd_gemm<OpId::linalg_gemm>, d_gemm<OpId::linalg_gemm>, kSaveInputs);
  define_op(table, OpId::linalg_gemm2, 2, infer_gemm<OpId::linalg_gemm2>, fwd_gemm<OpId::linalg_gemm2>, d_gemm<OpId::linalg_gemm2>,
            kSaveInputs);
  define_op(table, OpId::linalg_syrk, 1, infer_syrk, fwd_syrk, d_syrk, kSaveInputs);
  define_op(table, OpId::linalg_trmm, 2, infer_tri, fwd_trmm, d_trmm, kSaveInputs);
  define_op(table, OpId::linalg_trsm, 2, infer_tri, fwd_trsm, d_trsm, kSaveInputs | kSaveOutputs);
  define_op(table, OpId::linalg_potrf, 1, infer_square, fwd_potrf, d_potrf, kSaveOutputs);
  define_op(table, OpId::linalg_potri, 1, infer_square, fwd_potri, d_potri, kSaveInputs | kSaveOutputs);
  define_op(table, OpId::linalg_sumlogdiag, 1, infer_sumlogdiag, fwd_sumlogdiag, d_sumlogdiag, kSaveInputs);
  define_op(table, OpId::linalg_extractdiag, 1, infer_extractdiag, fwd_diag_la<true>, d_diag_la<OpId::linalg_makediag>, 0);
  define_op(table, OpId::linalg_makediag, 1, infer_makediag, fwd_diag_la<false>, d_diag_la<OpId::linalg_extractdiag>, 0);
  define_op(table, OpId::linalg_copytri, 1, infer_copytri, fwd_copytri, d_copytri, 0);
  define_op(table, OpId::linalg_inverse, 1, infer_square, fwd_inverse, d_inverse, kSaveOutputs);
  define_op(table, OpId::linalg_det, 1, infer_det<false>, fwd_det<false>, d_det<false>, kSaveInputs | kSaveOutputs);
  define_op(table, OpId::linalg_slogdet, 1, infer_det<true>, fwd_det<true>, d_det<true>, kSaveInputs);
  define_op(table, OpId::linalg_gelqf, 1, infer_gelqf, fwd_gelqf, d_gelqf, kSaveOutputs);
  define_op(table, OpId::linalg_syevd, 1, infer_syevd, fwd_syevd, d_syevd, kSaveOutputs);
  set_params<LaGemmParams>(table, OpId::linalg_gemm, kGemmFields);
  set_params<LaGemmParams>(table, OpId::linalg_gemm2, kGemm2Fields);
  set_params<LaSyrkParams>(table, OpId::linalg_syrk, kSyrkFields);
  set_params<LaTriParams>(table, OpId::linalg_trmm, kTriFields);
  set_params<LaTriParams>(table, OpId::linalg_trsm, kTriFields);
  set_params<LaCholParams>(table, OpId::linalg_potrf, kCholFields);
  set_params<LaCholParams>(table, OpId::linalg_potri, kCholFields);
  set_params<LaInverseParams>(table, OpId::linalg_inverse);
  set_params<LaDiagParams>(table, OpId::linalg_extractdiag, kDiagLaFields);
  set_params<LaDiagParams>(table, OpId::linalg_makediag, kDiagLaFields);
  set_params<LaCopyTriParams>(table, OpId::linalg_copytri, kCopyTriFields);
}

}  // namespace ndgrad

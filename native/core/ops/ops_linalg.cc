// dot: MXNet's contraction rule. The left operand is viewed as a matrix split before its last
// axis (after its first when transposed), the right one after its first axis (before its last
// when transposed); the output shape is the left "free" dims then the right ones.
#include <string>

#include "core/runtime/error.h"
#include "core/drivers/gemm.h"
#include "core/ops/ops.h"
#include "core/runtime/thread_pool.h"

namespace ndgrad {

namespace {

using namespace ops;

struct MatView {
  int64_t rows = 1, cols = 1;
  Shape free;
};

// Split `s` into (prod(s[:cut]), prod(s[cut:])), with the free dims on the side that survives.
MatView as_matrix(const Shape& s, bool split_after_first, bool free_is_head) {
  size_t cut = split_after_first ? 1 : s.size() - 1;
  MatView m;
  for (size_t i = 0; i < s.size(); ++i) {
    int64_t& side = i < cut ? m.rows : m.cols;
    side = checked_mul(side, s[i], "dot");
  }
  if (free_is_head) m.free.assign(s.begin(), s.begin() + static_cast<long>(cut));
  else m.free.assign(s.begin() + static_cast<long>(cut), s.end());
  return m;
}

struct DotPlan {
  MatView a, b;  // stored matrices
  int64_t m, n, k;
  Shape out;
};

DotPlan plan_dot(const Tensor& a, const Tensor& b, const DotParams& at) {
  if (a.dtype != b.dtype) {
    throw_type(std::string("dot: operands have different dtypes, lhs ") + dtype_name(a.dtype) + " and rhs " +
               dtype_name(b.dtype));
  }
  if ((a.ndim() == 1 && at.transpose_a) || (b.ndim() == 1 && at.transpose_b)) {
    throw_range("dot: Cannot transpose vectors (lhs " + shape_str(a.shape) + ", rhs " + shape_str(b.shape) + ")");
  }
  DotPlan p;
  // lhs: !ta -> (free..., k) split before last; ta -> (k, free...) split after first.
  p.a = as_matrix(a.shape, at.transpose_a, !at.transpose_a);
  // rhs: !tb -> (k, free...) split after first; tb -> (free..., k) split before last.
  p.b = as_matrix(b.shape, !at.transpose_b, at.transpose_b);
  p.m = at.transpose_a ? p.a.cols : p.a.rows;
  int64_t ka = at.transpose_a ? p.a.rows : p.a.cols;
  p.k = at.transpose_b ? p.b.cols : p.b.rows;
  p.n = at.transpose_b ? p.b.rows : p.b.cols;
  if (ka != p.k) {
    throw_range("dot: dot shape error: lhs " + shape_str(a.shape) + " X rhs " + shape_str(b.shape) +
                (at.transpose_a ? " (transposeA)" : "") + (at.transpose_b ? " (transposeB)" : ""));
  }
  p.out = p.a.free;
  p.out.insert(p.out.end(), p.b.free.begin(), p.b.free.end());
  if (p.out.empty()) p.out.push_back(1);
  return p;
}

void infer_dot(const OpCall& c, OutSpecs& outs) {
  outs.push_back({plan_dot(c.in[0], c.in[1], c.params<DotParams>()).out, c.in[0].dtype});
}

void fwd_dot(OpCall& c) {
  DotPlan p = plan_dot(c.in[0], c.in[1], c.params<DotParams>());
  gemm(c.env.thread_pool(), c.env.isa, c.in[0].dtype, c.params<DotParams>().transpose_a, c.params<DotParams>().transpose_b,
       static_cast<size_t>(p.m), static_cast<size_t>(p.n), static_cast<size_t>(p.k), c.in[0].raw(),
       static_cast<size_t>(p.a.cols), c.in[1].raw(), static_cast<size_t>(p.b.cols), c.out[0].raw(),
       static_cast<size_t>(p.n), false);
}

Grads d_dot(BackwardCtx& c) {
  Runtime& e = c.env;
  Tensor ta, tb;
  ta.shape = c.input_shape(0);
  tb.shape = c.input_shape(1);
  ta.dtype = tb.dtype = c.node.input_dtype(0);
  DotPlan p = plan_dot(ta, tb, c.params<DotParams>());
  ArrayRef A = reshape(e, c.input(0), {p.a.rows, p.a.cols});
  ArrayRef B = reshape(e, c.input(1), {p.b.rows, p.b.cols});
  ArrayRef G = reshape(e, c.grad(), {p.m, p.n});
  bool tA = c.params<DotParams>().transpose_a, tB = c.params<DotParams>().transpose_b;
  // An operand outside the graph (a batch of data) gets no gradient: its product is as large
  // as the forward's.
  Grads out(2);
  if (c.needs_grad(0)) {
    ArrayRef dA = !tA ? (tB ? dot(e, G, B, false, false) : dot(e, G, B, false, true))
                      : (tB ? dot(e, B, G, true, true) : dot(e, B, G, false, true));
    out[0] = reshape(e, dA, c.input_shape(0));
  }
  if (c.needs_grad(1)) {
    ArrayRef dB = !tB ? (tA ? dot(e, A, G, false, false) : dot(e, A, G, true, false))
                      : (tA ? dot(e, G, A, true, true) : dot(e, G, A, true, false));
    out[1] = reshape(e, dB, c.input_shape(1));
  }
  return out;
}

// ---- batch_dot: one matrix product per index of the leading (batch) axes ---------------------------
// lhs (B..., m, k) or, transposed, (B..., k, m); rhs (B..., k, n) or (B..., n, k); out (B..., m, n).

struct BatchPlan {
  int64_t batch = 1, m = 0, n = 0, k = 0;
  Shape out;
};

BatchPlan plan_batch_dot(const Shape& a, const Shape& b, DType da, DType db, const DotParams& at) {
  if (da != db) {
    throw_type(std::string("batch_dot: operands have different dtypes, lhs ") + dtype_name(da) + " and rhs " +
               dtype_name(db));
  }
  if (a.size() < 3 || a.size() != b.size()) {
    throw_range("batch_dot: batch_dot currently only support N-D*N-D array (N >= 3), got lhs " + shape_str(a) +
                " and rhs " + shape_str(b));
  }
  size_t nd = a.size();
  BatchPlan p;
  for (size_t i = 0; i + 2 < nd; ++i) {
    if (a[i] != b[i]) {
      throw_range("batch_dot: batch dimensions differ: lhs " + shape_str(a) + ", rhs " + shape_str(b));
    }
    p.batch *= a[i];
    p.out.push_back(a[i]);
  }
  p.m = at.transpose_a ? a[nd - 1] : a[nd - 2];
  int64_t ka = at.transpose_a ? a[nd - 2] : a[nd - 1];
  p.k = at.transpose_b ? b[nd - 1] : b[nd - 2];
  p.n = at.transpose_b ? b[nd - 2] : b[nd - 1];
  if (ka != p.k) {
    throw_range("batch_dot: shape error: lhs " + shape_str(a) + " X rhs " + shape_str(b) +
                (at.transpose_a ? " (transposeA)" : "") + (at.transpose_b ? " (transposeB)" : ""));
  }
  p.out.push_back(p.m);
  p.out.push_back(p.n);
  return p;
}

void infer_batch_dot(const OpCall& c, OutSpecs& outs) {
  outs.push_back({plan_batch_dot(c.in[0].shape, c.in[1].shape, c.in[0].dtype, c.in[1].dtype, c.params<DotParams>()).out,
                  c.in[0].dtype});
}

// Many batches: one whole product per task (the products' own splitting then runs inline);
// few: the products one after another, each split over the pool. Either way every product is
// computed by the same deterministic GEMM, so results do not depend on the thread count.
void fwd_batch_dot(OpCall& c) {
  const Tensor& A = c.in[0];
  const Tensor& B = c.in[1];
  BatchPlan p = plan_batch_dot(A.shape, B.shape, A.dtype, B.dtype, c.params<DotParams>());
  size_t es = dtype_size(A.dtype);
  size_t m = static_cast<size_t>(p.m), n = static_cast<size_t>(p.n), k = static_cast<size_t>(p.k);
  size_t lda = c.params<DotParams>().transpose_a ? m : k, ldb = c.params<DotParams>().transpose_b ? k : n;
  const char* a = static_cast<const char*>(A.raw());
  const char* b = static_cast<const char*>(B.raw());
  char* y = static_cast<char*>(c.out[0].raw());
  ThreadPool& pool = c.env.thread_pool();
  auto one = [&](size_t i) {
    gemm(pool, c.env.isa, A.dtype, c.params<DotParams>().transpose_a, c.params<DotParams>().transpose_b, m, n, k, a + i * m * k * es, lda,
         b + i * k * n * es, ldb, y + i * m * n * es, n, false);
  };
  size_t batch = static_cast<size_t>(p.batch);
  double flops = static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k);
  if (batch >= 2 * pool.num_threads() || flops < 1e6) {
    if (batch * flops < 1e5) for (size_t i = 0; i < batch; ++i) one(i);
    else pool.parallel_for(batch, one);
  } else {
    for (size_t i = 0; i < batch; ++i) one(i);
  }
}

ArrayRef batch_dot(Runtime& e, const ArrayRef& a, const ArrayRef& b, bool ta, bool tb) {
  return invoke1(e, OpId::batch_dot, {a, b}, DotParams{ta, tb});
}

// The matrix product rule of d_dot, per batch.
Grads d_batch_dot(BackwardCtx& c) {
  Runtime& e = c.env;
  ArrayRef A = c.input(0), B = c.input(1), G = c.grad();
  bool tA = c.params<DotParams>().transpose_a, tB = c.params<DotParams>().transpose_b;
  if (!tA && !tB) return {batch_dot(e, G, B, false, true), batch_dot(e, A, G, true, false)};
  if (tA && !tB) return {batch_dot(e, B, G, false, true), batch_dot(e, A, G, false, false)};
  if (!tA && tB) return {batch_dot(e, G, B, false, false), batch_dot(e, G, A, true, false)};
  return {batch_dot(e, B, G, true, true), batch_dot(e, G, A, true, true)};
}

const FieldDef kDotFields[] = {
    field<&DotParams::transpose_a>("transposeA", "use the transpose of lhs").alias("transpose_a"),
    field<&DotParams::transpose_b>("transposeB", "use the transpose of rhs").alias("transpose_b"),
};

}  // namespace

void define_linalg_ops(std::vector<OpDef>& table) {
  define_op(table, OpId::dot, 2, infer_dot, fwd_dot, d_dot, kSaveInputs);
  define_op(table, OpId::batch_dot, 2, infer_batch_dot, fwd_batch_dot, d_batch_dot, kSaveInputs);
  set_params<DotParams>(table, OpId::dot, kDotFields);
  set_params<DotParams>(table, OpId::batch_dot, kDotFields);
}

}  // namespace ndgrad

// dot: MXNet's contraction rule. The left operand is viewed as a matrix split before its last
// axis (after its first when transposed), the right one after its first axis (before its last
// when transposed); the output shape is the left "free" dims then the right ones.
#include <string>

#include "error.h"
#include "gemm.h"
#include "ops.h"

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
  for (size_t i = 0; i < s.size(); ++i) (i < cut ? m.rows : m.cols) *= s[i];
  if (free_is_head) m.free.assign(s.begin(), s.begin() + static_cast<long>(cut));
  else m.free.assign(s.begin() + static_cast<long>(cut), s.end());
  return m;
}

struct DotPlan {
  MatView a, b;  // stored matrices
  int64_t m, n, k;
  Shape out;
};

DotPlan plan_dot(const Tensor& a, const Tensor& b, const Attrs& at) {
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
  outs.push_back({plan_dot(c.in[0], c.in[1], c.attrs).out, c.in[0].dtype});
}

void fwd_dot(OpCall& c) {
  DotPlan p = plan_dot(c.in[0], c.in[1], c.attrs);
  gemm(c.env.pool_threads(), c.env.isa, c.in[0].dtype, c.attrs.transpose_a, c.attrs.transpose_b,
       static_cast<size_t>(p.m), static_cast<size_t>(p.n), static_cast<size_t>(p.k), c.in[0].raw(),
       static_cast<size_t>(p.a.cols), c.in[1].raw(), static_cast<size_t>(p.b.cols), c.out[0].raw(),
       static_cast<size_t>(p.n), false);
}

Grads d_dot(BackwardCtx& c) {
  Env& e = c.env;
  Tensor ta, tb;
  ta.shape = c.input_shape(0);
  tb.shape = c.input_shape(1);
  ta.dtype = tb.dtype = c.node.input_dtypes[0];
  DotPlan p = plan_dot(ta, tb, c.attrs);
  ArrayRef A = reshape(e, c.input(0), {p.a.rows, p.a.cols});
  ArrayRef B = reshape(e, c.input(1), {p.b.rows, p.b.cols});
  ArrayRef G = reshape(e, c.grad(), {p.m, p.n});
  bool tA = c.attrs.transpose_a, tB = c.attrs.transpose_b;
  ArrayRef dA, dB;
  if (!tA && !tB) {
    dA = dot(e, G, B, false, true);
    dB = dot(e, A, G, true, false);
  } else if (tA && !tB) {
    dA = dot(e, B, G, false, true);
    dB = dot(e, A, G, false, false);
  } else if (!tA && tB) {
    dA = dot(e, G, B, false, false);
    dB = dot(e, G, A, true, false);
  } else {
    dA = dot(e, B, G, true, true);
    dB = dot(e, G, A, true, true);
  }
  return {reshape(e, dA, c.input_shape(0)), reshape(e, dB, c.input_shape(1))};
}

}  // namespace

void define_linalg_ops(std::vector<OpDef>& table) {
  define_op(table, OpId::dot, 2, infer_dot, fwd_dot, d_dot, kSaveInputs);
}

}  // namespace ndgrad

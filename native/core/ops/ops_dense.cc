// The dense layer and the classification loss of a training step as one op each, as PyTorch's
// addmm and cross_entropy are: fully_connected (MXNet's FullyConnected on 2-D data: x . w^T + b)
// and softmax_ce_loss (gluon's SoftmaxCrossEntropyLoss along the last axis: -log softmax(pred)
// at each row's label), with softmax_ce_grad, its gradient g * (softmax(pred) - one_hot(label)).
// Each does what the composed ops did, in the same order of roundings, so the results are
// bitwise those of dot + add and of log_softmax + pick + negative (test/dense-fused.test.ts); what
// goes away is the per-op work around them: the calls, the result blocks, the recorded nodes
// and the backward formulas of the parts (the log_softmax gradient alone was five ops).
#include <cmath>
#include <string>
#include <type_traits>
#include <vector>

#include "core/drivers/elementwise.h"
#include "core/drivers/gemm.h"
#include "core/ops/indices.h"
#include "core/ops/ops.h"
#include "core/runtime/error.h"
#include "core/runtime/thread_pool.h"

namespace ndgrad {

namespace {

using namespace ops;
using kernels::Binary;
using kernels::Reduce;
using kernels::Unary;

// ---- fully_connected(data [m, k], weight [n, k], bias [n]?) -> [m, n] ---------------------------

// Below this many rows one of the two orientations may take the GEMM's direct kernel, whose sums
// run in another order: the transposed form is kept to shapes both orientations pack.
constexpr size_t kTransposedMinRows = 64;

void infer_fully_connected(const OpCall& c, OutSpecs& outs) {
  if (c.num_inputs != 2 && c.num_inputs != 3) {
    throw_type("fully_connected: takes data, weight and an optional bias, got " + std::to_string(c.num_inputs) + " inputs");
  }
  const Tensor& x = c.in[0];
  const Tensor& w = c.in[1];
  for (size_t i = 1; i < c.num_inputs; ++i) {
    if (c.in[i].dtype != x.dtype) {
      throw_type(std::string("fully_connected: ") + (i == 1 ? "weight" : "bias") + " is " + dtype_name(c.in[i].dtype) +
                 " but data is " + dtype_name(x.dtype));
    }
  }
  if (x.ndim() != 2 || w.ndim() != 2 || x.shape[1] != w.shape[1]) {
    throw_range("fully_connected: data must be (batch, k) and weight (numHidden, k), got data " + shape_str(x.shape) +
                " and weight " + shape_str(w.shape));
  }
  if (c.num_inputs == 3 && (c.in[2].ndim() != 1 || c.in[2].shape[0] != w.shape[0])) {
    throw_range("fully_connected: bias must have shape (" + std::to_string(w.shape[0]) + ",), got " + shape_str(c.in[2].shape));
  }
  outs.push_back({Shape{x.shape[0], w.shape[0]}, x.dtype});
}

// The product, then the bias added while the output is in cache (the same roundings as dot then
// add: the bias joins each finished dot product). With fewer rows than units (a batch of 64
// into 256 units) the product runs as y^T = w . x^T and is transposed after: the packed GEMM
// then packs the batch, not the whole weight, once per call (64x784 into 256: 0.26 against
// 0.35 ms at one thread). Each element is the same chain of multiply-adds either way.
void fwd_fully_connected(OpCall& c) {
  const Tensor& x = c.in[0];
  const Tensor& w = c.in[1];
  Tensor& y = c.out[0];
  size_t m = static_cast<size_t>(x.shape[0]), k = static_cast<size_t>(x.shape[1]), n = static_cast<size_t>(w.shape[0]);
  ThreadPool& pool = c.env.thread_pool();
  if (m >= kTransposedMinRows && m < n) {
    Tensor yt = c.env.empty({w.shape[0], x.shape[0]}, x.dtype);
    gemm(pool, c.env.isa, x.dtype, false, true, n, m, k, w.raw(), k, x.raw(), k, yt.raw(), m, false);
    transpose_into(c.env, yt, {1, 0}, y);
  } else {
    gemm(pool, c.env.isa, x.dtype, false, true, m, n, k, x.raw(), k, w.raw(), k, y.raw(), n, false);
  }
  if (c.num_inputs == 3) binary_into(c.env, Binary::Add, y, c.in[2], y);
}

// The data gradient only when data is in the graph: for a network's first layer it is a product
// as large as the forward's, for nothing.
Grads d_fully_connected(BackwardCtx& c) {
  Runtime& e = c.env;
  const ArrayRef& g = c.grad();
  Grads out(c.node.num_inputs());
  if (c.needs_grad(0)) out[0] = dot(e, g, c.input(1), false, false);
  if (c.needs_grad(1)) out[1] = dot(e, g, c.input(0), true, false);
  if (out.size() == 3 && c.needs_grad(2)) out[2] = invoke1(e, OpId::sum, {g}, ReduceParams{{0}, true, false});
  return out;
}

// ---- softmax_ce_loss(pred [..., C], label [...] or [..., 1]) -> [..., 1] -----------------------
// Rows along the last axis; a label is truncated and clipped into [0, C) as pick does.

void check_ce_inputs(const Tensor& pred, const Tensor& label, const char* op) {
  if (!dtype_is_float(pred.dtype)) throw_type(std::string(op) + ": pred must be float32 or float64, got " + dtype_name(pred.dtype));
  if (pred.ndim() == 0 || pred.shape.back() == 0) {
    throw_range(std::string(op) + ": pred must have a non-empty last (class) axis, got " + shape_str(pred.shape));
  }
  Shape rows(pred.shape.begin(), pred.shape.end() - 1);
  Shape keep = rows;
  keep.push_back(1);
  if (rows.empty()) rows.push_back(1);
  if (label.shape != rows && label.shape != keep) {
    throw_range(std::string(op) + ": label shape " + shape_str(label.shape) + " must be the pred shape " +
                shape_str(pred.shape) + " without its last axis, i.e. " + shape_str(rows));
  }
}

Shape loss_shape(const Shape& pred) {
  Shape s = pred;
  s.back() = 1;
  return s;
}

void infer_softmax_ce_loss(const OpCall& c, OutSpecs& outs) {
  check_ce_inputs(c.in[0], c.in[1], "softmax_ce_loss");
  outs.push_back({loss_shape(c.in[0].shape), c.in[0].dtype});
}

// One row's log-softmax as log_softmax computes it (fwd_softmax in ops_nn.cc): y = x - max, then
// y - log(sum(exp(y))); returns the log-sum-exp as the row's dtype and leaves y in `shifted`.
template <class T>
T shifted_row(const kernels::KernelTable& k, DType dt, const T* x, T* shifted, T* scratch, size_t r) {
  T m = static_cast<T>(k.reduce_contig(Reduce::Max, dt, x, r));
  k.binary(Binary::Sub, dt, x, 1, &m, 0, shifted, r);
  k.unary(Unary::Exp, dt, shifted, scratch, r);
  return static_cast<T>(std::log(k.reduce_contig(Reduce::Sum, dt, scratch, r)));
}

int64_t clip_label(int64_t l, size_t r) { return l < 0 ? 0 : (l >= static_cast<int64_t>(r) ? static_cast<int64_t>(r) - 1 : l); }

// Calls body(i, y, lse, label) for each row i of pred (rows along the last axis), y the row
// shifted by its maximum and lse its log-sum-exp, split over the pool when there are many rows.
template <class Body>
void ce_rows(OpCall& c, Body&& body) {
  const Tensor& pred = c.in[0];
  size_t r = static_cast<size_t>(pred.shape.back());
  size_t count = static_cast<size_t>(pred.size()) / r;
  std::vector<int64_t> labels = read_indices(c.in[1]);
  const kernels::KernelTable& k = *c.env.k;
  visit_dtype(pred.dtype, [&](auto zero) {
    using T = decltype(zero);
    if constexpr (std::is_floating_point_v<T>) {
      auto rows = [&](size_t r0, size_t r1) {
        std::vector<T> shifted(r), scratch(r);
        for (size_t i = r0; i < r1; ++i) {
          T lse = shifted_row(k, pred.dtype, pred.data<T>() + i * r, shifted.data(), scratch.data(), r);
          body(i, shifted.data(), lse, static_cast<size_t>(clip_label(labels[i], r)));
        }
      };
      size_t grain = r >= kParallelGrain ? 1 : kParallelGrain / r + 1;
      if (count < 2 * grain) rows(0, count);
      else c.env.thread_pool().parallel_range(count, grain, rows);
    }
  });
}

void fwd_softmax_ce_loss(OpCall& c) {
  ce_rows(c, [&](size_t i, auto* y, auto lse, size_t label) {
    using T = std::remove_pointer_t<decltype(y)>;
    c.out[0].data<T>()[i] = -(y[label] - lse);
  });
}

Grads d_softmax_ce_loss(BackwardCtx& c) {
  return {invoke1(c.env, OpId::softmax_ce_grad, {c.input(0), c.input(1), c.grad()}), ArrayRef()};
}

// ---- softmax_ce_grad(pred [..., C], label, g [..., 1]) -> [..., C] -------------------------------
// g * softmax(pred), minus g at each row's label: log_softmax's gradient of pick's one-hot
// gradient, with softmax as exp(log_softmax) and the same roundings.

void infer_softmax_ce_grad(const OpCall& c, OutSpecs& outs) {
  if (c.num_inputs != 3) throw_range("softmax_ce_grad: takes pred, label and the loss gradient");
  const Tensor& pred = c.in[0];
  check_ce_inputs(pred, c.in[1], "softmax_ce_grad");
  if (c.in[2].dtype != pred.dtype || c.in[2].shape != loss_shape(pred.shape)) {
    throw_range("softmax_ce_grad: the loss gradient must be " + std::string(dtype_name(pred.dtype)) + " " +
                shape_str(loss_shape(pred.shape)) + ", got " + dtype_name(c.in[2].dtype) + " " + shape_str(c.in[2].shape));
  }
  outs.push_back({pred.shape, pred.dtype});
}

void fwd_softmax_ce_grad(OpCall& c) {
  DType dt = c.in[0].dtype;
  size_t r = static_cast<size_t>(c.in[0].shape.back());
  const kernels::KernelTable& k = *c.env.k;
  ce_rows(c, [&](size_t i, auto* y, auto lse, size_t label) {
    using T = std::remove_pointer_t<decltype(y)>;
    const T* g = c.in[2].data<T>() + i;
    T* row = c.out[0].data<T>() + i * r;
    k.binary(Binary::Sub, dt, y, 1, &lse, 0, row, r);
    k.unary(Unary::Exp, dt, row, row, r);
    k.binary(Binary::Mul, dt, row, 1, g, 0, row, r);
    row[label] -= *g;
  });
}

// Second order, with h the gradient of dx: dpred = g p (h - sum(h p)), dg = sum(h (p - onehot)),
// the latter as softmax_ce_grad with a unit g. Registry ops, so it records again.
Grads d_softmax_ce_grad(BackwardCtx& c) {
  Runtime& e = c.env;
  ArrayRef pred = c.input(0), label = c.input(1), g = c.input(2);
  const ArrayRef& h = c.grad();
  ArrayRef p = invoke1(e, OpId::softmax, {pred}, SoftmaxParams{});
  ReduceParams rows{{-1}, true, true};
  ArrayRef hp = invoke1(e, OpId::sum, {mul(e, h, p)}, rows);
  ArrayRef dpred = mul(e, mul(e, p, sub(e, h, hp)), g);
  ArrayRef unit = invoke1(e, OpId::softmax_ce_grad, {pred, label, ones_like(e, g)});
  ArrayRef dg = invoke1(e, OpId::sum, {mul(e, h, unit)}, rows);
  return {dpred, ArrayRef(), dg};
}

}  // namespace

void define_dense_ops(std::vector<OpDef>& table) {
  define_op(table, OpId::fully_connected, -1, infer_fully_connected, fwd_fully_connected, d_fully_connected,
            kSaveInput0 | kSaveInput1);
  define_op(table, OpId::softmax_ce_loss, 2, infer_softmax_ce_loss, fwd_softmax_ce_loss, d_softmax_ce_loss, kSaveInputs);
  define_op(table, OpId::softmax_ce_grad, 3, infer_softmax_ce_grad, fwd_softmax_ce_grad, d_softmax_ce_grad, kSaveInputs);
}

}  // namespace ndgrad

// Neural-network ops: softmax and log_softmax along one axis with a temperature (MXNet's
// SoftmaxParam), dropout.
#include <cmath>
#include <string>
#include <type_traits>

#include "core/drivers/elementwise.h"
#include "core/runtime/error.h"
#include "core/ops/ops.h"

namespace ndgrad {

namespace {

using namespace ops;
using kernels::Binary;
using kernels::Reduce;
using kernels::Unary;

struct DropoutParams {
  double p = 0.5;  // the probability of zeroing an element
};

int softmax_axis(const Shape& shape, const SoftmaxParams& a, const char* op) {
  int64_t axis = a.has_axes && !a.axes.empty() ? a.axes[0] : -1;
  return normalize_axis(axis, shape.size(), op);
}

template <OpId Id>
void infer_softmax(const OpCall& c, OutSpecs& outs) {
  const char* name = op_def(Id).name;
  const Tensor& x = c.in[0];
  if (!dtype_is_float(x.dtype)) {
    throw_type(std::string(name) + ": input must be float32 or float64, got " + dtype_name(x.dtype));
  }
  const SoftmaxParams& p = c.params<SoftmaxParams>();
  if (p.has_axes && p.axes.size() != 1) throw_type(std::string(name) + ": axis must be a single integer");
  softmax_axis(x.shape, p, name);
  if (!(p.temperature > 0) || !std::isfinite(p.temperature)) {
    throw_range(std::string(name) + ": temperature must be a positive number, got " + std::to_string(p.temperature));
  }
  outs.push_back({x.shape, x.dtype});
}

// One row of length r, contiguous: y = softmax((x - max) / T), or its log.
void softmax_row(const kernels::KernelTable& k, DType dt, const void* x, void* y, size_t r, double inv_t, bool log) {
  double m = k.reduce_contig(Reduce::Max, dt, x, r);
  alignas(8) unsigned char mb[8], tb[8];
  k.fill(dt, mb, m, 1);
  k.fill(dt, tb, inv_t, 1);
  k.binary(Binary::Sub, dt, x, 1, mb, 0, y, r);
  k.binary(Binary::Mul, dt, y, 1, tb, 0, y, r);
  if (!log) {
    k.unary(Unary::Exp, dt, y, y, r);
    alignas(8) unsigned char sb[8];
    k.fill(dt, sb, 1.0 / k.reduce_contig(Reduce::Sum, dt, y, r), 1);
    k.binary(Binary::Mul, dt, y, 1, sb, 0, y, r);
    return;
  }
  // log-sum-exp of the shifted row, computed in a scratch row so y keeps the shifted values.
  std::vector<double> scratch((r * dtype_size(dt) + 7) / 8);
  k.unary(Unary::Exp, dt, y, scratch.data(), r);
  alignas(8) unsigned char lb[8];
  k.fill(dt, lb, std::log(k.reduce_contig(Reduce::Sum, dt, scratch.data(), r)), 1);
  k.binary(Binary::Sub, dt, y, 1, lb, 0, y, r);
}

template <bool Log>
void fwd_softmax(OpCall& c) {
  const Tensor& x = c.in[0];
  int axis = softmax_axis(x.shape, c.params<SoftmaxParams>(), "softmax");
  size_t nd = x.ndim();
  size_t r = static_cast<size_t>(x.shape[axis]);
  size_t n = static_cast<size_t>(x.size());
  if (n == 0) return;
  double inv_t = 1.0 / c.params<SoftmaxParams>().temperature;
  // Rows along the last axis run in place; any other axis goes through a transposed copy.
  bool last = static_cast<size_t>(axis) == nd - 1;
  std::vector<int64_t> perm;
  Tensor src = x, dst = c.out[0];
  if (!last) {
    for (size_t i = 0; i < nd; ++i)
      if (static_cast<int>(i) != axis) perm.push_back(static_cast<int64_t>(i));
    perm.push_back(axis);
    Shape pshape;
    for (int64_t p : perm) pshape.push_back(x.shape[static_cast<size_t>(p)]);
    src = c.env.empty(pshape, x.dtype);
    transpose_into(c.env, x, perm, src);
    dst = c.env.empty(pshape, x.dtype);
  }
  size_t es = dtype_size(x.dtype);
  const char* xp = static_cast<const char*>(src.raw());
  char* yp = static_cast<char*>(dst.raw());
  const kernels::KernelTable& k = *c.env.k;
  auto rows = [&](size_t r0, size_t r1) {
    for (size_t i = r0; i < r1; ++i) softmax_row(k, x.dtype, xp + i * r * es, yp + i * r * es, r, inv_t, Log);
  };
  size_t count = n / r;
  size_t grain = r >= kParallelGrain ? 1 : kParallelGrain / r + 1;
  if (count < 2 * grain) rows(0, count);
  else c.env.thread_pool().parallel_range(count, grain, rows);
  if (!last) {
    std::vector<int64_t> inv(nd);
    for (size_t i = 0; i < nd; ++i) inv[static_cast<size_t>(perm[i])] = static_cast<int64_t>(i);
    transpose_into(c.env, dst, inv, c.out[0]);
  }
}

ArrayRef sum_keep(BackwardCtx& c, const ArrayRef& v) {
  ReduceParams a;
  a.axes = {softmax_axis(c.input_shape(0), c.params<SoftmaxParams>(), "softmax")};
  a.has_axes = true;
  a.keepdims = true;
  return invoke1(c.env, OpId::sum, {v}, a);
}

// softmax: dx = y * (g - sum(g * y)) / T
Grads d_softmax(BackwardCtx& c) {
  ArrayRef y = c.output(0);
  ArrayRef inner = sub(c.env, c.grad(), sum_keep(c, mul(c.env, c.grad(), y)));
  return {div_scalar(c.env, mul(c.env, y, inner), c.params<SoftmaxParams>().temperature)};
}

// log_softmax: dx = (g - exp(y) * sum(g)) / T
Grads d_log_softmax(BackwardCtx& c) {
  ArrayRef p = unary(c.env, OpId::exp, c.output(0));
  return {div_scalar(c.env, sub(c.env, c.grad(), mul(c.env, p, sum_keep(c, c.grad()))), c.params<SoftmaxParams>().temperature)};
}

// ---- dropout (MXNet Dropout, mode 'training') ---------------------------------------------------
// Outputs (y, scaled mask). While autograd.isTraining(), each element is kept with probability
// 1 - p and scaled by 1 / (1 - p); otherwise y is a copy of x and the mask is all ones.

void infer_dropout(const OpCall& c, OutSpecs& outs) {
  const Tensor& x = c.in[0];
  if (!dtype_is_float(x.dtype)) throw_type(std::string("dropout: input must be float32 or float64, got ") + dtype_name(x.dtype));
  double p = c.params<DropoutParams>().p;
  if (!(p >= 0 && p < 1)) throw_range("dropout: p must be in [0, 1), got " + std::to_string(p));
  outs.push_back({x.shape, x.dtype});
  outs.push_back({x.shape, x.dtype});
}

void fwd_dropout(OpCall& c) {
  const Tensor& x = c.in[0];
  Tensor& y = c.out[0];
  Tensor& mask = c.out[1];
  double p = c.params<DropoutParams>().p;
  if (!c.env.training || p == 0) {
    fill_into(c.env, mask, 1.0);
    cast_into(c.env, x, y);
    return;
  }
  double scale = 1.0 / (1.0 - p);
  visit_dtype(x.dtype, [&](auto zero) {
    using T = decltype(zero);
    if constexpr (std::is_floating_point_v<T>) {
      T* m = mask.data<T>();
      for (int64_t i = 0; i < mask.size(); ++i) m[i] = c.env.rng.next_double() < p ? T(0) : static_cast<T>(scale);
    }
  });
  binary_into(c.env, Binary::Mul, x, mask, y);
}

Grads d_dropout(BackwardCtx& c) { return {mul(c.env, c.grad(), c.output(1))}; }

const FieldDef kSoftmaxFields[] = {
    axis_field<&SoftmaxParams::axes, &SoftmaxParams::has_axes>("axis", "the axis to normalise along").set_default(-1),
    field<&SoftmaxParams::temperature>("temperature", "divides the input first (MXNet temperature; null is 1)")
        .set_default(1).positive().allow_null(),
};
const FieldDef kDropoutFields[] = {
    field<&DropoutParams::p>("p", "the probability of zeroing an element").set_default(0.5).range_below(0, 1),
    ignored_field("cudnnOff", "MXNet's cuDNN switch; no effect on the CPU").alias("cudnn_off"),
};

}  // namespace

void define_nn_ops(std::vector<OpDef>& table) {
  define_op(table, OpId::dropout, 1, infer_dropout, fwd_dropout, d_dropout, kSaveOutput1);
  define_op(table, OpId::softmax, 1, infer_softmax<OpId::softmax>, fwd_softmax<false>, d_softmax, kSaveOutputs);
  define_op(table, OpId::log_softmax, 1, infer_softmax<OpId::log_softmax>, fwd_softmax<true>, d_log_softmax,
            kSaveOutputs);
  set_params<DropoutParams>(table, OpId::dropout, kDropoutFields);
  set_params<SoftmaxParams>(table, OpId::softmax, kSoftmaxFields);
  set_params<SoftmaxParams>(table, OpId::log_softmax, kSoftmaxFields);
}

}  // namespace ndgrad

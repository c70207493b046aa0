// Pooling (MXNet's Pooling): max, avg, sum and lp over 1 to 3 spatial axes of an (N, C, ...)
// array, global or windowed, 'valid' or 'full' convention; its gradient pooling_grad.
#include <atomic>
#include <climits>
#include <cmath>
#include <string>

#include "core/runtime/error.h"
#include "core/ops/ops.h"
#include "core/ops/poolnorm_common.h"

namespace ndgrad {

namespace {

using namespace ops;
using kernels::PoolGeom;
using kernels::PoolType;

struct PoolParams {
  Shape kernel;
  int pool_type = 0;  // max avg sum lp
  bool global_pool = false;
  int convention = 0;  // valid full
  Shape stride;
  Shape pad;
  int64_t p_value = 2;
  bool count_include_pad = true;
};

std::string list_str(const Shape& s) { return shape_str(s); }

const char* const kPoolNames[] = {"max", "avg", "sum", "lp"};

// The geometry of a call, checked: throws naming the op and the option.
PoolGeom pool_geom(const Tensor& x, const PoolParams& p, const char* op) {
  if (!dtype_is_float(x.dtype)) throw_type(std::string(op) + ": input must be float32 or float64, got " + dtype_name(x.dtype));
  if (x.ndim() < 3 || x.ndim() > 5) {
    throw_range(std::string(op) + ": input must be 3-D, 4-D or 5-D (N, C, spatial...), got shape " + shape_str(x.shape));
  }
  const size_t d = x.ndim() - 2;
  auto expect_len = [&](const Shape& s, const char* name) {
    if (!s.empty() && s.size() != d) {
      throw_range(std::string(op) + ": " + name + " must have " + std::to_string(d) + " entries for a " +
                  std::to_string(x.ndim()) + "-D input, got " + list_str(s));
    }
  };
  if (!p.global_pool) {
    if (p.kernel.empty()) throw_range(std::string(op) + ": kernel is required unless globalPool is true");
    expect_len(p.kernel, "kernel");
  }
  expect_len(p.stride, "stride");
  expect_len(p.pad, "pad");
  PoolGeom g{};
  g.type = static_cast<PoolType>(p.pool_type);
  g.p_value = static_cast<int>(p.p_value);
  g.count_include_pad = p.count_include_pad;
  for (int a = 0; a < 3; ++a) {
    g.in[a] = g.out[a] = g.k[a] = g.s[a] = 1;
    g.p[a] = 0;
  }
  for (size_t i = 0; i < d; ++i) {
    const int a = static_cast<int>(3 - d + i);
    const int64_t in = x.shape[2 + i];
    // An empty spatial axis leaves every window without an element (with pad, only padding):
    // MXNet 1.9 returns the lowest float for max and 0 for avg, sum and lp, ndgrad returned NaN
    // for a global avg; PyTorch raises. An error whatever the batch and channels (zero of those
    // with non-empty planes: an empty result).
    if (in == 0) {
      throw_range(std::string(op) + ": data of shape " + shape_str(x.shape) + " has size 0 on spatial axis " +
                  std::to_string(i) + " (dimension " + std::to_string(2 + i) + "): every " +
                  (p.global_pool ? "globalPool " : "") + "window would be empty, and " +
                  kPoolNames[static_cast<int>(g.type) & 3] + " pooling of no elements is not defined");
    }
    g.in[a] = in;
    if (p.global_pool) {
      g.k[a] = in;
      g.out[a] = 1;
      continue;
    }
    g.k[a] = p.kernel[i];
    g.s[a] = p.stride.empty() ? 1 : p.stride[i];
    g.p[a] = p.pad.empty() ? 0 : p.pad[i];
    if (g.k[a] < 1) throw_range(std::string(op) + ": kernel must be positive, got " + list_str(p.kernel));
    if (g.s[a] < 1) throw_range(std::string(op) + ": stride must be positive, got " + list_str(p.stride));
    if (g.p[a] < 0) throw_range(std::string(op) + ": pad must not be negative, got " + list_str(p.pad));
    const int64_t padded = in + 2 * g.p[a];
    if (g.k[a] > padded) {
      throw_range(std::string(op) + ": kernel " + list_str(p.kernel) + " is larger than the padded input (spatial axis " +
                  std::to_string(i) + ": " + std::to_string(in) + " + 2 * pad " + std::to_string(g.p[a]) + ")");
    }
    const int64_t span = padded - g.k[a];
    g.out[a] = 1 + (p.convention == 1 ? (span + g.s[a] - 1) / g.s[a] : span / g.s[a]);
  }
  return g;
}

Shape pooled_shape(const Tensor& x, const PoolGeom& g) {
  Shape s = {x.shape[0], x.shape[1]};
  for (size_t i = 0; i + 2 < x.ndim(); ++i) s.push_back(g.out[3 - (x.ndim() - 2) + i]);
  return s;
}

int64_t plane_size(const PoolGeom& g) { return g.in[0] * g.in[1] * g.in[2]; }

// Max pooling while recording also outputs, per window, the plane index of the element its
// gradient goes to (int32, -1 for a window wholly in the padding), so that the backward scatters
// dy without rereading x. Not recording (or a plane too large for int32), it outputs y alone.
bool records_index(const OpCall& c, const PoolGeom& g) {
  return g.type == PoolType::Max && c.env.recording && plane_size(g) <= INT32_MAX;
}

void infer_pooling(const OpCall& c, OutSpecs& outs) {
  const Tensor& x = c.in[0];
  PoolGeom g = pool_geom(x, c.params<PoolParams>(), "pooling");
  outs.push_back({pooled_shape(x, g), x.dtype});
  if (records_index(c, g)) outs.push_back({pooled_shape(x, g), DType::Int32});
}

// pooling_grad(dy, x[, index]) -> dx, for max, avg and sum pooling (lp's gradient is composed
// in d_pooling). With max pooling's recorded index, x gives only the shape.
// pooling_select(x, v) -> v at the first maximum of x in each window.
void infer_pooling_grad(const OpCall& c, OutSpecs& outs) {
  if (c.num_inputs != 2 && c.num_inputs != 3) {
    throw_type("pooling_grad: expected 2 or 3 inputs (dy, x, index), got " + std::to_string(c.num_inputs));
  }
  const Tensor& x = c.in[1];
  PoolGeom g = pool_geom(x, c.params<PoolParams>(), "pooling_grad");
  if (g.type == PoolType::Lp) throw_range("pooling_grad: lp pooling's gradient is composed of other ops");
  if (c.in[0].shape != pooled_shape(x, g) || c.in[0].dtype != x.dtype) {
    throw_range("pooling_grad: dy must have the pooled shape " + shape_str(pooled_shape(x, g)) + " and x's dtype");
  }
  if (c.num_inputs == 3) {
    if (g.type != PoolType::Max) throw_range("pooling_grad: an index is only for max pooling");
    if (c.in[2].shape != pooled_shape(x, g) || c.in[2].dtype != DType::Int32) {
      throw_range("pooling_grad: index must be int32 of the pooled shape " + shape_str(pooled_shape(x, g)) + ", got " +
                  dtype_name(c.in[2].dtype) + " " + shape_str(c.in[2].shape));
    }
  }
  outs.push_back({x.shape, x.dtype});
}

void infer_pooling_select(const OpCall& c, OutSpecs& outs) {
  const Tensor& x = c.in[0];
  PoolGeom g = pool_geom(x, c.params<PoolParams>(), "pooling_select");
  if (c.in[1].shape != x.shape || c.in[1].dtype != x.dtype) throw_range("pooling_select: v must have x's shape and dtype");
  outs.push_back({pooled_shape(x, g), x.dtype});
}

// Runs one plane kernel over every (n, c) plane: body(ops, plane index).
template <class Body>
void each_plane(OpCall& c, const Tensor& x, const PoolGeom& g, Body body) {
  const int64_t planes = x.shape[0] * x.shape[1];
  const auto& k = kernels::poolnorm_kernels(c.env.isa);
  visit_float(x.dtype, [&](auto zero) {
    using T = decltype(zero);
    const auto& ops = kernels_of<T>(k);
    over_rows(c.env, planes, g.in[0] * g.in[1] * g.in[2], [&](int64_t p) { body(ops, zero, p); });
  });
}

void fwd_pooling_grad(OpCall& c) {
  const Tensor& x = c.in[1];
  PoolGeom g = pool_geom(x, c.params<PoolParams>(), "pooling_grad");
  const int64_t in_plane = g.in[0] * g.in[1] * g.in[2], out_plane = g.out[0] * g.out[1] * g.out[2];
  if (c.num_inputs == 3) {
    std::atomic<bool> ok{true};
    each_plane(c, x, g, [&](const auto& ops, auto zero, int64_t p) {
      using T = decltype(zero);
      if (!ops.pool_bwd_index(g, c.in[0].data<T>() + p * out_plane, c.in[2].data<int32_t>() + p * out_plane,
                              c.out[0].data<T>() + p * in_plane))
        ok.store(false, std::memory_order_relaxed);
    });
    if (!ok.load()) throw_range("pooling_grad: index holds a value that is not -1 or an element of its window");
    return;
  }
  each_plane(c, x, g, [&](const auto& ops, auto zero, int64_t p) {
    using T = decltype(zero);
    ops.pool_bwd(g, c.in[0].data<T>() + p * out_plane, x.data<T>() + p * in_plane, c.out[0].data<T>() + p * in_plane);
  });
}

void fwd_pooling_select(OpCall& c) {
  const Tensor& x = c.in[0];
  PoolGeom g = pool_geom(x, c.params<PoolParams>(), "pooling_select");
  const int64_t in_plane = g.in[0] * g.in[1] * g.in[2], out_plane = g.out[0] * g.out[1] * g.out[2];
  each_plane(c, x, g, [&](const auto& ops, auto zero, int64_t p) {
    using T = decltype(zero);
    ops.pool_select(g, x.data<T>() + p * in_plane, c.in[1].data<T>() + p * in_plane, c.out[0].data<T>() + p * out_plane);
  });
}

void fwd_pooling(OpCall& c) {
  const Tensor& x = c.in[0];
  PoolGeom g = pool_geom(x, c.params<PoolParams>(), "pooling");
  int32_t* index = c.out.size() > 1 ? c.out[1].data<int32_t>() : nullptr;
  const int64_t in_plane = g.in[0] * g.in[1] * g.in[2], out_plane = g.out[0] * g.out[1] * g.out[2];
  each_plane(c, x, g, [&](const auto& ops, auto zero, int64_t p) {
    using T = decltype(zero);
    ops.pool_fwd(g, x.data<T>() + p * in_plane, c.out[0].data<T>() + p * out_plane,
                 index ? index + p * out_plane : nullptr);
  });
}

// lp: dx = x^(p-1) * (the sum pooling gradient of dy / y^(p-1)), 0 where y is 0 (MXNet's lp_grad).
Grads d_pooling(BackwardCtx& c) {
  const PoolParams& p = c.params<PoolParams>();
  if (c.node.num_outputs() == 2) return {invoke1(c.env, OpId::pooling_grad, {c.grad(), c.input(0), c.output(1)}, p)};
  if (p.pool_type != static_cast<int>(PoolType::Lp)) return {invoke1(c.env, OpId::pooling_grad, {c.grad(), c.input(0)}, p)};
  PoolParams sum = p;
  sum.pool_type = static_cast<int>(PoolType::Sum);
  ArrayRef x = c.input(0);
  if (p.p_value == 1) return {invoke1(c.env, OpId::pooling_grad, {c.grad(), x}, sum)};
  const double e = double(p.p_value - 1);
  ArrayRef y = c.output(0);
  ArrayRef scaled = invoke1(c.env, OpId::where, {scalar(c.env, OpId::equal_scalar, y, 0), zeros_like(c.env, y),
                                                 mul(c.env, c.grad(), pow_scalar(c.env, y, -e))});
  return {mul(c.env, pow_scalar(c.env, x, e), invoke1(c.env, OpId::pooling_grad, {scaled, x}, sum))};
}

// pooling_grad is linear in dy: its adjoint is avg or sum pooling itself, or for max the value at
// each window's first maximum (the element the index names). It does not depend on x (max:
// almost everywhere) nor on the index.
Grads d_pooling_grad(BackwardCtx& c) {
  const PoolParams& p = c.params<PoolParams>();
  Grads out(c.node.num_inputs());
  out[0] = p.pool_type == static_cast<int>(PoolType::Max) ? invoke1(c.env, OpId::pooling_select, {c.input(1), c.grad()}, p)
                                                          : invoke1(c.env, OpId::pooling, {c.grad()}, p);
  return out;
}

// pooling_select is linear in v, with max pooling's gradient as its adjoint.
Grads d_pooling_select(BackwardCtx& c) {
  return {nullptr, invoke1(c.env, OpId::pooling_grad, {c.grad(), c.input(0)}, c.params<PoolParams>())};
}

const FieldDef kPoolFields[] = {
    field<&PoolParams::kernel>("kernel", "the window: one size per spatial axis"),
    field<&PoolParams::pool_type>("poolType", "max, avg, sum or lp").alias("pool_type").one_of("max avg sum lp"),
    field<&PoolParams::global_pool>("globalPool", "pool each channel's whole plane (kernel not needed)").alias("global_pool"),
    field<&PoolParams::convention>("poolingConvention", "valid (floor) or full (ceil) output size")
        .alias("pooling_convention")
        .one_of("valid full"),
    field<&PoolParams::stride>("stride", "the step between windows per spatial axis (default 1)"),
    field<&PoolParams::pad>("pad", "zero padding before and after each spatial axis (default 0)"),
    field<&PoolParams::p_value>("pValue", "the p of lp pooling: 1, 2 or 3").alias("p_value").set_default(2).range(1, 3),
    field<&PoolParams::count_include_pad>("countIncludePad", "avg: divide by the window including its padding")
        .alias("count_include_pad")
        .set_default(1),
    ignored_field("cudnnOff", "MXNet's cuDNN switch; no effect on the CPU").alias("cudnn_off"),
};

}  // namespace

void define_pool_ops(std::vector<OpDef>& table) {
  define_op(table, OpId::pooling, 1, infer_pooling, fwd_pooling, d_pooling, kSaveInputs | kSaveOutputs);
  define_op(table, OpId::pooling_grad, -1, infer_pooling_grad, fwd_pooling_grad, d_pooling_grad, kSaveInputs);
  define_op(table, OpId::pooling_select, 2, infer_pooling_select, fwd_pooling_select, d_pooling_select, kSaveInputs);
  set_params<PoolParams>(table, OpId::pooling, kPoolFields);
  set_params<PoolParams>(table, OpId::pooling_grad, kPoolFields);
  set_params<PoolParams>(table, OpId::pooling_select, kPoolFields);
}

}  // namespace ndgrad

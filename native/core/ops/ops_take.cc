// Gathers along one axis and the scatter-adds that are their gradients:
//   take(x, indices)                  MXNet take: out = x with axis replaced by the indices' shape
//   take_grad(g, indices)             zeros of `shape`, g's slices added at the indices
//   take_along_axis(x, indices)       NumPy take_along_axis: one index per output element
//   take_along_axis_grad(g, indices)  its scatter-add (the gradient of topk and sort)
// Each scatter's gradient is its gather and the other way round, so gradients of gradients work.
// Indices may have any dtype (truncated toward zero); the indices themselves get no gradient.
#include <algorithm>
#include <cstring>
#include <sstream>
#include <string>
#include <type_traits>

#include "core/drivers/elementwise.h"
#include "core/runtime/error.h"
#include "core/tensor/indices.h"
#include "core/ops/ops.h"

namespace ndgrad {

namespace {

using namespace ops;

template <class P>
int single_axis(const P& a, int64_t fallback, size_t ndim, const char* op) {
  if (a.has_axes && a.axes.size() != 1) throw_type(std::string(op) + ": axis must be a single integer");
  return normalize_axis(a.has_axes ? a.axes[0] : fallback, ndim, op);
}

void check_axis_not_empty(const Shape& data, int axis, int64_t num_indices, const char* op) {
  if (data[axis] == 0 && num_indices > 0) {
    throw_range(std::string(op) + ": cannot index axis " + std::to_string(axis) + " of size 0 (shape " +
                shape_str(data) + ")");
  }
}

template <class T>
std::string index_text(T v) {
  std::ostringstream s;
  s << +v;
  return s.str();
}

// Wrapping addition for integers (no signed overflow), plain addition for floats.
template <class T>
T add_wrapping(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(static_cast<U>(a) + static_cast<U>(b)));
  } else {
    return a + b;
  }
}

// A gather's gradient is its scatter into the data's shape, a scatter's gradient its gather (with
// the same axis and mode); the indices get none.
template <class P, OpId Scatter>
Grads d_gather(BackwardCtx& c) {
  P a = c.params<P>();
  a.shape = c.input_shape(0);
  return {invoke1(c.env, Scatter, {c.grad(), c.input(1)}, a), ArrayRef()};
}

template <class P, OpId Gather>
Grads d_scatter(BackwardCtx& c) {
  return {invoke1(c.env, Gather, {c.grad(), c.input(1)}, c.params<P>()), ArrayRef()};
}

// The shape a scatter writes, validated.
template <class P>
const Shape& scatter_target(const P& a, const char* op) {
  check_shape(a.shape, op, "shape");
  if (a.shape.empty()) throw_range(std::string(op) + ": shape must have at least one dimension");
  return a.shape;
}

// ---- take: out[o, j..., i] = x[o, resolve(indices[j...]), i] ------------------------------------

struct TakeSpec {
  int axis;
  IndexMode mode;
};

// Validates axis and mode against the shape of the taken array.
TakeSpec take_spec(const Shape& data, const Tensor& indices, const TakeParams& a, const char* op) {
  int axis = single_axis(a, 0, data.size(), op);
  if (a.mode < 0 || a.mode > 2) {
    throw_range(std::string(op) + ": mode must be 'clip', 'wrap' or 'raise', got code " + std::to_string(a.mode));
  }
  check_axis_not_empty(data, axis, indices.size(), op);
  return {axis, static_cast<IndexMode>(a.mode)};
}

// 'raise' mode, checked by the shape rules before anything is allocated: every index, truncated,
// must lie in [0, n) (MXNet checks the same range; negative indices are out of bounds).
void check_raise(const TakeSpec& s, const Shape& data, const Tensor& indices, const char* op) {
  if (s.mode != IndexMode::Raise) return;
  int64_t n = data[s.axis];
  visit_dtype(indices.dtype, [&](auto zero) {
    using I = decltype(zero);
    const I* p = indices.data<I>();
    for (int64_t j = 0; j < indices.size(); ++j) {
      int64_t k = truncate_index(p[j]);
      if (k < 0 || k >= n) {
        throw_range(std::string(op) + ": index " + index_text(p[j]) + " is out of bounds for axis " +
                    std::to_string(s.axis) + " with size " + std::to_string(n) + " (mode 'raise')");
      }
    }
  });
}

Shape taken_shape(const Shape& data, int axis, const Shape& indices) {
  Shape out;
  for (int d = 0; d < axis; ++d) out.push_back(data[d]);
  for (int64_t d : indices) out.push_back(d);
  for (size_t d = static_cast<size_t>(axis) + 1; d < data.size(); ++d) out.push_back(data[d]);
  return out;
}

void infer_take(const OpCall& c, OutSpecs& outs) {
  TakeSpec s = take_spec(c.in[0].shape, c.in[1], c.params<TakeParams>(), "take");
  check_raise(s, c.in[0].shape, c.in[1], "take");
  outs.push_back({taken_shape(c.in[0].shape, s.axis, c.in[1].shape), c.in[0].dtype});
}

// Output slices p in [p0, p1) (p = o * num_indices + j), each Bytes bytes (0: `bytes`). Every
// value is a local copy, so the compiler need not reload it after each (char-typed) store.
template <size_t Bytes, IndexMode Mode, class I>
void gather_slices(const I* idx, size_t num_indices, size_t n, const char* src, char* dst, size_t bytes, size_t p0,
                   size_t p1) {
  const size_t slice = Bytes ? Bytes : bytes;
  const int64_t len = static_cast<int64_t>(n);
  for (size_t o = p0 / num_indices; o * num_indices < p1; ++o) {
    size_t j0 = o * num_indices < p0 ? p0 - o * num_indices : 0;
    size_t j1 = std::min(num_indices, p1 - o * num_indices);
    const char* from = src + o * n * slice;
    char* to = dst + o * num_indices * slice;
    for (size_t j = j0; j < j1; ++j) {
      size_t k = static_cast<size_t>(resolve_index(idx[j], len, Mode));
      std::memcpy(to + j * slice, from + k * slice, slice);
    }
  }
}

template <size_t Bytes, class I>
void gather_slices_in_mode(IndexMode mode, const I* idx, size_t num_indices, size_t n, const char* src, char* dst,
                           size_t bytes, size_t p0, size_t p1) {
  if (mode == IndexMode::Wrap) gather_slices<Bytes, IndexMode::Wrap>(idx, num_indices, n, src, dst, bytes, p0, p1);
  else gather_slices<Bytes, IndexMode::Clip>(idx, num_indices, n, src, dst, bytes, p0, p1);
}

void fwd_take(OpCall& c) {
  const Tensor& x = c.in[0];
  const Tensor& indices = c.in[1];
  TakeSpec s = take_spec(x.shape, indices, c.params<TakeParams>(), "take");
  AxisGeom g = axis_geom(x.shape, s.axis);
  size_t num_indices = static_cast<size_t>(indices.size());
  size_t total = g.outer * num_indices;
  if (total == 0 || g.inner == 0) return;
  size_t bytes = g.inner * dtype_size(x.dtype);
  const char* src = static_cast<const char*>(x.raw());
  char* dst = static_cast<char*>(c.out[0].raw());
  visit_dtype(indices.dtype, [&](auto zero) {
    using I = decltype(zero);
    const I* idx = indices.data<I>();
    auto body = [&](size_t p0, size_t p1) {
      switch (bytes) {
        case 1: return gather_slices_in_mode<1>(s.mode, idx, num_indices, g.n, src, dst, bytes, p0, p1);
        case 4: return gather_slices_in_mode<4>(s.mode, idx, num_indices, g.n, src, dst, bytes, p0, p1);
        case 8: return gather_slices_in_mode<8>(s.mode, idx, num_indices, g.n, src, dst, bytes, p0, p1);
        default: return gather_slices_in_mode<0>(s.mode, idx, num_indices, g.n, src, dst, bytes, p0, p1);
      }
    };
    size_t grain = bytes >= kParallelGrain ? 1 : kParallelGrain / bytes + 1;
    if (total < 2 * grain) body(0, total);
    else c.env.thread_pool().parallel_range(total, grain, body);
  });
}

// ---- take_grad: out = zeros(shape); out[o, resolve(indices[j...]), i] += g[o, j..., i] -----

void infer_take_grad(const OpCall& c, OutSpecs& outs) {
  const Shape& target = scatter_target(c.params<TakeParams>(), "take_grad");
  TakeSpec s = take_spec(target, c.in[1], c.params<TakeParams>(), "take_grad");
  check_raise(s, target, c.in[1], "take_grad");
  Shape expect = taken_shape(target, s.axis, c.in[1].shape);
  if (c.in[0].shape != expect) {
    throw_range("take_grad: gradient shape " + shape_str(c.in[0].shape) + " does not match " + shape_str(expect) +
                ", the shape take gives for " + shape_str(target) + " and indices " + shape_str(c.in[1].shape));
  }
  outs.push_back({target, c.in[0].dtype});
}

void fwd_take_grad(OpCall& c) {
  const Tensor& grad = c.in[0];
  const Tensor& indices = c.in[1];
  Tensor& out = c.out[0];
  fill_into(c.env, out, 0.0);
  TakeSpec s = take_spec(out.shape, indices, c.params<TakeParams>(), "take_grad");
  AxisGeom g = axis_geom(out.shape, s.axis);
  size_t num_indices = static_cast<size_t>(indices.size());
  int64_t n = static_cast<int64_t>(g.n);
  visit_dtype(indices.dtype, [&](auto izero) {
    using I = decltype(izero);
    const I* idx = indices.data<I>();
    visit_dtype(grad.dtype, [&](auto zero) {
      using T = decltype(zero);
      const T* src = grad.data<T>();
      T* dst = out.data<T>();
      for (size_t o = 0; o < g.outer; ++o) {
        for (size_t j = 0; j < num_indices; ++j) {
          size_t k = static_cast<size_t>(resolve_index(idx[j], n, s.mode));
          const T* from = src + (o * num_indices + j) * g.inner;
          T* to = dst + (o * g.n + k) * g.inner;
          for (size_t i = 0; i < g.inner; ++i) to[i] = add_wrapping(to[i], from[i]);
        }
      }
    });
  });
}


// ---- take_along_axis: out[o, j, i] = x[o, clip(indices[o, j, i]), i] -----------------------------
// indices has x's shape except on the axis (no broadcasting); the axis defaults to -1.

int along_axis(const Shape& data, const Shape& indices, const AlongParams& a, const char* op) {
  int axis = single_axis(a, -1, data.size(), op);
  bool ok = data.size() == indices.size();
  for (size_t d = 0; ok && d < data.size(); ++d) ok = static_cast<int>(d) == axis || data[d] == indices[d];
  if (!ok) {
    throw_range(std::string(op) + ": indices shape " + shape_str(indices) + " must equal the data shape " +
                shape_str(data) + " except on axis " + std::to_string(axis));
  }
  check_axis_not_empty(data, axis, shape_size(indices), op);
  return axis;
}

void infer_take_along_axis(const OpCall& c, OutSpecs& outs) {
  along_axis(c.in[0].shape, c.in[1].shape, c.params<AlongParams>(), "take_along_axis");
  outs.push_back({c.in[1].shape, c.in[0].dtype});
}

// Calls f(at, from) for every element of indices: `at` its offset, `from` the offset of the data
// element it selects in an array of the same shape with n entries on the axis (index clipped).
template <class F>
void for_each_along(const Tensor& indices, int axis, size_t n, F&& f) {
  AxisGeom g = axis_geom(indices.shape, axis);
  visit_dtype(indices.dtype, [&](auto zero) {
    using I = decltype(zero);
    const I* idx = indices.data<I>();
    for (size_t o = 0; o < g.outer; ++o)
      for (size_t j = 0; j < g.n; ++j)
        for (size_t i = 0; i < g.inner; ++i) {
          size_t at = (o * g.n + j) * g.inner + i;
          f(at, (o * n + static_cast<size_t>(clip_index(truncate_index(idx[at]), static_cast<int64_t>(n)))) * g.inner + i);
        }
  });
}

void fwd_take_along_axis(OpCall& c) {
  const Tensor& x = c.in[0];
  int axis = along_axis(x.shape, c.in[1].shape, c.params<AlongParams>(), "take_along_axis");
  size_t n = static_cast<size_t>(x.shape[axis]);
  visit_dtype(x.dtype, [&](auto zero) {
    using T = decltype(zero);
    const T* src = x.data<T>();
    T* dst = c.out[0].data<T>();
    for_each_along(c.in[1], axis, n, [&](size_t at, size_t from) { dst[at] = src[from]; });
  });
}


// ---- take_along_axis_grad: out = zeros(shape); out[o, clip(indices[o, j, i]), i] += g[o, j, i]

void infer_take_along_axis_grad(const OpCall& c, OutSpecs& outs) {
  const Shape& target = scatter_target(c.params<AlongParams>(), "take_along_axis_grad");
  if (c.in[0].shape != c.in[1].shape) {
    throw_range("take_along_axis_grad: gradient shape " + shape_str(c.in[0].shape) + " must equal the indices shape " +
                shape_str(c.in[1].shape));
  }
  along_axis(target, c.in[1].shape, c.params<AlongParams>(), "take_along_axis_grad");
  outs.push_back({target, c.in[0].dtype});
}

void fwd_take_along_axis_grad(OpCall& c) {
  Tensor& out = c.out[0];
  fill_into(c.env, out, 0.0);
  int axis = along_axis(out.shape, c.in[1].shape, c.params<AlongParams>(), "take_along_axis_grad");
  size_t n = static_cast<size_t>(out.shape[axis]);
  visit_dtype(out.dtype, [&](auto zero) {
    using T = decltype(zero);
    const T* src = c.in[0].data<T>();
    T* dst = out.data<T>();
    for_each_along(c.in[1], axis, n, [&](size_t at, size_t to) { dst[to] = add_wrapping(dst[to], src[at]); });
  });
}

constexpr FieldDef kTakeMode =
    field<&TakeParams::mode>("mode", "out-of-range indices: clamped, wrapped, or an error").one_of("clip wrap raise");
template <class P>
constexpr FieldDef kScatterShape = field<&P::shape>("shape", "the shape of the gathered array").require();
template <class P>
constexpr FieldDef kGatherAxis = axis_field<&P::axes, &P::has_axes>("axis", "the axis to take along");
template <class P>
constexpr FieldDef kScatterAxis = axis_field<&P::axes, &P::has_axes>("axis", "the axis taken along");
const FieldDef kTakeFields[] = {kGatherAxis<TakeParams>.set_default(0), kTakeMode};
const FieldDef kTakeGradFields[] = {kScatterShape<TakeParams>, kScatterAxis<TakeParams>.set_default(0), kTakeMode};
const FieldDef kAlongFields[] = {kGatherAxis<AlongParams>.set_default(-1)};
const FieldDef kAlongGradFields[] = {kScatterShape<AlongParams>, kScatterAxis<AlongParams>.set_default(-1)};

}  // namespace

void define_take_ops(std::vector<OpDef>& table) {
  define_op(table, OpId::take, 2, infer_take, fwd_take, d_gather<TakeParams, OpId::take_grad>, kSaveInput1);
  define_op(table, OpId::take_grad, 2, infer_take_grad, fwd_take_grad, d_scatter<TakeParams, OpId::take>, kSaveInput1);
  define_op(table, OpId::take_along_axis, 2, infer_take_along_axis, fwd_take_along_axis,
            d_gather<AlongParams, OpId::take_along_axis_grad>, kSaveInput1);
  define_op(table, OpId::take_along_axis_grad, 2, infer_take_along_axis_grad, fwd_take_along_axis_grad,
            d_scatter<AlongParams, OpId::take_along_axis>, kSaveInput1);
  set_params<TakeParams>(table, OpId::take, kTakeFields);
  set_params<TakeParams>(table, OpId::take_grad, kTakeGradFields);
  set_params<AlongParams>(table, OpId::take_along_axis, kAlongFields);
  set_params<AlongParams>(table, OpId::take_along_axis_grad, kAlongGradFields);
}

}  // namespace ndgrad

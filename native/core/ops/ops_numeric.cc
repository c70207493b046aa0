// The numeric toolkit next to the reductions: moments, std and var (with ddof), cumprod, diag,
// gather_nd / scatter_nd and reverse. Semantics follow MXNet 1.x (moments, diag, gather_nd,
// scatter_nd, reverse) and NumPy where MXNet 1.x nd has no such op (std, var, cumprod).
#include <algorithm>
#include <string>
#include <type_traits>

#include "core/drivers/elementwise.h"
#include "core/drivers/reduce.h"
#include "core/runtime/error.h"
#include "core/tensor/indices.h"
#include "core/ops/ops.h"
#include "core/ops/scan.h"

namespace ndgrad {

namespace {

using kernels::Binary;
using kernels::Reduce;
using namespace ops;

void require_float(const Tensor& x, const char* op) {
  if (!dtype_is_float(x.dtype)) throw_type(std::string(op) + ": input must be float32 or float64, got " + dtype_name(x.dtype));
}

// ---- moments, std, var ----------------------------------------------------------------------------

struct VarParams {
  std::vector<int64_t> axes;
  bool has_axes = false;
  bool keepdims = false;
  int64_t ddof = 0;
};

ReduceAxes var_plan(const Shape& s, const VarParams& a, const char* op) {
  return plan_reduce(s, a.axes, a.has_axes, a.keepdims, op);
}

// mean (kept shape) and sum((x - mean)^2) (into `sq`), two passes as NumPy's var.
void centered_sums(Runtime& env, const Tensor& x, const ReduceAxes& p, Tensor& mean, Tensor& sq) {
  reduce_into(env, Reduce::Sum, x, p, mean);
  binary_scalar_into(env, Binary::Div, mean, static_cast<double>(p.count), false, mean);
  Tensor kept = mean;
  kept.shape = p.kept_shape;
  Tensor diff = env.empty(x.shape, x.dtype);
  binary_into(env, Binary::Sub, x, kept, diff);
  reduce_into(env, Reduce::SumSquares, diff, p, sq);
}

template <OpId Id>
void infer_var(const OpCall& c, OutSpecs& outs) {
  const char* name = op_def(Id).name;
  require_float(c.in[0], name);
  const VarParams& a = c.params<VarParams>();
  ReduceAxes p = var_plan(c.in[0].shape, a, name);
  outs.push_back({p.out_shape, c.in[0].dtype});
  if (Id == OpId::moments) outs.push_back({p.out_shape, c.in[0].dtype});
}

template <OpId Id>
void fwd_var(OpCall& c) {
  const VarParams& a = c.params<VarParams>();
  const Tensor& x = c.in[0];
  ReduceAxes p = var_plan(x.shape, a, "");
  if (Id == OpId::moments) {
    centered_sums(c.env, x, p, c.out[0], c.out[1]);
    binary_scalar_into(c.env, Binary::Div, c.out[1], static_cast<double>(p.count), false, c.out[1]);
    return;
  }
  Tensor mean = c.env.empty(p.out_shape, x.dtype);
  centered_sums(c.env, x, p, mean, c.out[0]);
  // NumPy: a non-positive divisor gives inf or NaN, not an error.
  binary_scalar_into(c.env, Binary::Div, c.out[0], static_cast<double>(p.count - a.ddof), false, c.out[0]);
  if (Id == OpId::std) unary_into(c.env, kernels::Unary::Sqrt, c.out[0], c.out[0]);
}

ArrayRef spread_var(BackwardCtx& c, const ArrayRef& v) {
  ReduceAxes p = var_plan(c.input_shape(0), c.params<VarParams>(), "");
  return broadcast_to(c.env, reshape(c.env, v, p.kept_shape), c.input_shape(0));
}

// x - mean(x) over the reduced axes, recorded (so second derivatives see the mean's dependence).
ArrayRef centered(BackwardCtx& c) {
  const VarParams& a = c.params<VarParams>();
  ArrayRef x = c.input(0);
  ArrayRef mean = invoke1(c.env, OpId::mean, {x}, ReduceParams{a.axes, a.has_axes, false});
  return sub(c.env, x, spread_var(c, mean));
}

// d var / dx = 2 (x - mean) / (N - ddof); d std = d var / (2 std).
template <OpId Id>
Grads d_var(BackwardCtx& c) {
  const VarParams& a = c.params<VarParams>();
  ReduceAxes p = var_plan(c.input_shape(0), a, "");
  ArrayRef d = centered(c);
  double n = static_cast<double>(p.count - (Id == OpId::moments ? 0 : a.ddof));
  if (Id == OpId::std) return {div(c.env, mul(c.env, spread_var(c, div_scalar(c.env, c.grad(), n)), d), spread_var(c, c.output(0)))};
  ArrayRef gv = Id == OpId::moments ? c.grad(1) : c.grad(0);
  ArrayRef dx = mul(c.env, spread_var(c, mul_scalar(c.env, gv, 2.0 / n)), d);
  if (Id == OpId::moments) dx = add(c.env, dx, spread_var(c, div_scalar(c.env, c.grad(0), n)));
  return {dx};
}

// ---- cumprod ----------------------------------------------------------------------------------------

void infer_cumprod(const OpCall& c, OutSpecs& outs) {
  const Tensor& x = c.in[0];
  const CumsumParams& a = c.params<CumsumParams>();
  if (a.has_axes) normalize_axis(a.axes[0], x.ndim(), "cumprod");
  Shape out = a.has_axes ? x.shape : Shape{shape_size(x.shape)};
  outs.push_back({out, a.has_dtype ? a.dtype : x.dtype});
}

// Integers multiply as their unsigned type, which wraps by definition.
template <class T>
T mul_wrapping(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(static_cast<U>(a) * static_cast<U>(b)));
  } else {
    return a * b;
  }
}

void fwd_cumprod(OpCall& c) { scan_into(c, "cumprod", [](auto a, auto b) { return mul_wrapping(a, b); }); }

// dx_i = sum_{j >= i} g_j y_j / x_i: the running sum from the end of g*y, over x (x nonzero).
Grads d_cumprod(BackwardCtx& c) {
  Runtime& e = c.env;
  const CumsumParams& a = c.params<CumsumParams>();
  int64_t axis = a.has_axes ? a.axes[0] : 0;
  ArrayRef x = reshape(e, c.input(0), c.output(0)->t.shape);
  if (x->t.dtype != c.output(0)->t.dtype) x = invoke1(e, OpId::astype, {x}, AstypeParams{c.output(0)->t.dtype});
  ArrayRef gy = mul(e, c.grad(), c.output(0));
  ArrayRef total = invoke1(e, OpId::sum, {gy}, ReduceParams{{axis}, true, true});
  CumsumParams along;
  along.axes = {axis};
  along.has_axes = true;
  ArrayRef from_end = add(e, sub(e, total, invoke1(e, OpId::cumsum, {gy}, along)), gy);
  ArrayRef dx = reshape(e, div(e, from_end, x), c.input_shape(0));
  if (c.node.input_dtype(0) == dx->t.dtype) return {dx};
  return {invoke1(e, OpId::astype, {dx}, AstypeParams{c.node.input_dtype(0)})};
}

// ---- diag ---------------------------------------------------------------------------------------------
// 1-D: a square matrix with the vector on diagonal k. N-D: the diagonal k of the planes (axis1,
// axis2), as a new last axis (MXNet diag).

struct DiagParams {
  int64_t k = 0;
  int64_t axis1 = 0;
  int64_t axis2 = 1;
  Shape shape;  // diag_grad only: the shape of the matrix the diagonal came from
};

// Element offsets, in a row-major array of shape s, of the diagonal k of planes (axis1, axis2),
// ordered as the extracted array (other axes first, then position along the diagonal).
std::vector<int64_t> diag_offsets(const Shape& s, const DiagParams& a, const char* op, Shape* out_shape) {
  int ax1 = normalize_axis(a.axis1, s.size(), op), ax2 = normalize_axis(a.axis2, s.size(), op);
  if (ax1 == ax2) throw_range(std::string(op) + ": axis1 and axis2 cannot refer to the same axis " + std::to_string(ax1));
  std::vector<int64_t> stride(s.size(), 1);
  for (size_t d = s.size() - 1; d > 0; --d) stride[d - 1] = stride[d] * s[d];
  int64_t r = s[ax1], cols = s[ax2];
  int64_t len = a.k >= 0 ? std::min(r, cols - a.k) : std::min(r + a.k, cols);
  if (len < 0) len = 0;
  int64_t start = a.k >= 0 ? a.k * stride[ax2] : -a.k * stride[ax1];
  Shape other;
  std::vector<int64_t> other_stride;
  for (size_t d = 0; d < s.size(); ++d)
    if (static_cast<int>(d) != ax1 && static_cast<int>(d) != ax2) {
      other.push_back(s[d]);
      other_stride.push_back(stride[d]);
    }
  *out_shape = other;
  out_shape->push_back(len);
  std::vector<int64_t> offs;
  offs.reserve(static_cast<size_t>(shape_size(*out_shape)));
  std::vector<int64_t> idx(other.size(), 0);
  int64_t outer = shape_size(other);
  for (int64_t o = 0; o < outer; ++o) {
    int64_t base = start;
    for (size_t d = 0; d < other.size(); ++d) base += idx[d] * other_stride[d];
    for (int64_t i = 0; i < len; ++i) offs.push_back(base + i * (stride[ax1] + stride[ax2]));
    for (size_t d = other.size(); d-- > 0;) {
      if (++idx[d] < other[d]) break;
      idx[d] = 0;
    }
  }
  return offs;
}

Shape square_of(const Shape& v, int64_t k) {
  int64_t n = v[0] + (k < 0 ? -k : k);
  return {n, n};
}

void infer_diag(const OpCall& c, OutSpecs& outs) {
  const Tensor& x = c.in[0];
  const DiagParams& a = c.params<DiagParams>();
  if (x.ndim() == 0) throw_range("diag: input must have at least 1 dimension");
  Shape out;
  if (x.ndim() == 1) out = square_of(x.shape, a.k);
  else diag_offsets(x.shape, a, "diag", &out);
  outs.push_back({out, x.dtype});
}

// dst = zeros, then dst[offs[i]] = src[i] (scatter) or dst[i] = src[offs[i]] (gather).
void diag_copy(const Tensor& src, Tensor& dst, const std::vector<int64_t>& offs, bool scatter) {
  visit_dtype(src.dtype, [&](auto zero) {
    using T = decltype(zero);
    const T* s = src.data<T>();
    T* d = dst.data<T>();
    if (scatter) {
      std::fill(d, d + dst.size(), T(0));
      for (size_t i = 0; i < offs.size(); ++i) d[offs[i]] = s[i];
    } else {
      for (size_t i = 0; i < offs.size(); ++i) d[i] = s[offs[i]];
    }
  });
}

DiagParams plane_params(const DiagParams& a) {
  DiagParams p = a;
  p.axis1 = 0;
  p.axis2 = 1;
  return p;
}

void fwd_diag(OpCall& c) {
  const DiagParams& a = c.params<DiagParams>();
  Shape out;
  if (c.in[0].ndim() == 1) diag_copy(c.in[0], c.out[0], diag_offsets(c.out[0].shape, plane_params(a), "diag", &out), true);
  else diag_copy(c.in[0], c.out[0], diag_offsets(c.in[0].shape, a, "diag", &out), false);
}

Grads d_diag(BackwardCtx& c) {
  const DiagParams& a = c.params<DiagParams>();
  if (c.input_shape(0).size() == 1) return {invoke1(c.env, OpId::diag, {c.grad()}, plane_params(a))};
  DiagParams p = a;
  p.shape = c.input_shape(0);
  return {invoke1(c.env, OpId::diag_grad, {c.grad()}, p)};
}

void infer_diag_grad(const OpCall& c, OutSpecs& outs) {
  const DiagParams& a = c.params<DiagParams>();
  Shape expect;
  diag_offsets(a.shape, a, "diag_grad", &expect);
  if (expect != c.in[0].shape) {
    throw_range("diag_grad: the diagonal of " + shape_str(a.shape) + " has shape " + shape_str(expect) + ", got " + shape_str(c.in[0].shape));
  }
  outs.push_back({a.shape, c.in[0].dtype});
}

void fwd_diag_grad(OpCall& c) {
  Shape out;
  diag_copy(c.in[0], c.out[0], diag_offsets(c.params<DiagParams>().shape, c.params<DiagParams>(), "diag_grad", &out), true);
}

Grads d_diag_grad(BackwardCtx& c) { return {invoke1(c.env, OpId::diag, {c.grad()}, c.params<DiagParams>())}; }

// ---- gather_nd / scatter_nd ---------------------------------------------------------------------------
// indices (M, Y...) address the first M axes of the data; gather_nd(data) has shape Y + data[M:],
// scatter_nd(values, indices, shape) writes values of that shape into zeros of `shape`. Indices may
// be negative (counted from the end, MXNet); duplicates in scatter_nd add up.

struct ScatterNdParams {
  Shape shape;
};

struct NdPlan {
  int64_t m = 0, n = 1, slice = 1;  // indexed axes, index tuples, elements per addressed slice
  Shape out;
};

NdPlan plan_nd(const Shape& data, const Shape& idx, const char* op) {
  if (idx.empty()) throw_range(std::string(op) + ": indices must have at least 1 dimension, got shape ()");
  NdPlan p;
  p.m = idx[0];
  if (p.m > static_cast<int64_t>(data.size()) || p.m < 1) {
    throw_range(std::string(op) + ": indices.shape[0] (" + std::to_string(p.m) + ") must be between 1 and the data's rank " +
                std::to_string(data.size()) + " (data " + shape_str(data) + ")");
  }
  p.out.assign(idx.begin() + 1, idx.end());
  for (int64_t d : p.out) p.n *= d;
  for (size_t d = static_cast<size_t>(p.m); d < data.size(); ++d) {
    p.out.push_back(data[d]);
    p.slice *= data[d];
  }
  if (p.out.empty()) p.out.push_back(1);
  return p;
}

// The element offset of each index tuple's slice in `data`, checking the range.
std::vector<int64_t> nd_offsets(const Shape& data, const Tensor& idx, const NdPlan& p, const char* op) {
  std::vector<int64_t> offs(static_cast<size_t>(p.n), 0);
  visit_dtype(idx.dtype, [&](auto zero) {
    using T = decltype(zero);
    const T* ix = idx.data<T>();
    int64_t stride = p.slice;
    for (int64_t j = p.m; j-- > 0;) {
      int64_t size = data[static_cast<size_t>(j)];
      for (int64_t i = 0; i < p.n; ++i) {
        int64_t v = truncate_index(ix[j * p.n + i]);
        if (v < -size || v >= size) {
          throw_range(std::string(op) + ": index " + std::to_string(v) + " is out of bounds for axis " + std::to_string(j) +
                      " with size " + std::to_string(size));
        }
        offs[static_cast<size_t>(i)] += (v < 0 ? v + size : v) * stride;
      }
      stride *= size;
    }
  });
  return offs;
}

void infer_gather_nd(const OpCall& c, OutSpecs& outs) {
  outs.push_back({plan_nd(c.in[0].shape, c.in[1].shape, "gather_nd").out, c.in[0].dtype});
}

void fwd_gather_nd(OpCall& c) {
  NdPlan p = plan_nd(c.in[0].shape, c.in[1].shape, "gather_nd");
  std::vector<int64_t> offs = nd_offsets(c.in[0].shape, c.in[1], p, "gather_nd");
  visit_dtype(c.in[0].dtype, [&](auto zero) {
    using T = decltype(zero);
    const T* x = c.in[0].data<T>();
    T* y = c.out[0].data<T>();
    for (int64_t i = 0; i < p.n; ++i) std::copy(x + offs[i], x + offs[i] + p.slice, y + i * p.slice);
  });
}

void infer_scatter_nd(const OpCall& c, OutSpecs& outs) {
  const Shape& shape = c.params<ScatterNdParams>().shape;
  NdPlan p = plan_nd(shape, c.in[1].shape, "scatter_nd");
  if (p.out != c.in[0].shape) {
    throw_range("scatter_nd: data must have shape " + shape_str(p.out) + " for indices " + shape_str(c.in[1].shape) +
                " and shape " + shape_str(shape) + ", got " + shape_str(c.in[0].shape));
  }
  outs.push_back({shape, c.in[0].dtype});
}

void fwd_scatter_nd(OpCall& c) {
  const Shape& shape = c.params<ScatterNdParams>().shape;
  NdPlan p = plan_nd(shape, c.in[1].shape, "scatter_nd");
  std::vector<int64_t> offs = nd_offsets(shape, c.in[1], p, "scatter_nd");
  visit_dtype(c.in[0].dtype, [&](auto zero) {
    using T = decltype(zero);
    const T* x = c.in[0].data<T>();
    T* y = c.out[0].data<T>();
    std::fill(y, y + c.out[0].size(), T(0));
    for (int64_t i = 0; i < p.n; ++i)
      for (int64_t j = 0; j < p.slice; ++j) y[offs[i] + j] = static_cast<T>(y[offs[i] + j] + x[i * p.slice + j]);
  });
}

Grads d_gather_nd(BackwardCtx& c) {
  return {invoke1(c.env, OpId::scatter_nd, {c.grad(), c.input(1)}, ScatterNdParams{c.input_shape(0)}), ArrayRef()};
}

Grads d_scatter_nd(BackwardCtx& c) {
  return {invoke1(c.env, OpId::gather_nd, {c.grad(), c.input(1)}), ArrayRef()};
}

// ---- reverse ---------------------------------------------------------------------------------------------

std::vector<bool> reversed_axes(const Shape& s, const AxesParams& a) {
  std::vector<bool> flip(s.size(), false);
  for (int64_t ax : a.axes) {
    int d = normalize_axis(ax, s.size(), "reverse");
    if (flip[d]) throw_range("reverse: axis " + std::to_string(ax) + " is given twice");
    flip[d] = true;
  }
  return flip;
}

void infer_reverse(const OpCall& c, OutSpecs& outs) {
  if (c.in[0].ndim() == 0) throw_range("reverse: input must have at least 1 dimension");
  reversed_axes(c.in[0].shape, c.params<AxesParams>());
  outs.push_back({c.in[0].shape, c.in[0].dtype});
}

void fwd_reverse(OpCall& c) {
  const Shape& s = c.in[0].shape;
  std::vector<bool> flip = reversed_axes(s, c.params<AxesParams>());
  size_t nd = s.size();
  int64_t inner = s[nd - 1];
  std::vector<int64_t> stride(nd, 1);
  for (size_t d = nd - 1; d > 0; --d) stride[d - 1] = stride[d] * s[d];
  int64_t rows = inner == 0 ? 0 : c.in[0].size() / inner;
  visit_dtype(c.in[0].dtype, [&](auto zero) {
    using T = decltype(zero);
    const T* x = c.in[0].data<T>();
    T* y = c.out[0].data<T>();
    std::vector<int64_t> idx(nd, 0);
    for (int64_t r = 0; r < rows; ++r) {
      int64_t src = 0;
      for (size_t d = 0; d + 1 < nd; ++d) src += (flip[d] ? s[d] - 1 - idx[d] : idx[d]) * stride[d];
      T* row = y + r * inner;
      if (flip[nd - 1]) for (int64_t i = 0; i < inner; ++i) row[i] = x[src + inner - 1 - i];
      else std::copy(x + src, x + src + inner, row);
      for (size_t d = nd - 1; d-- > 0;) {
        if (++idx[d] < s[d]) break;
        idx[d] = 0;
      }
    }
  });
}

Grads d_reverse(BackwardCtx& c) { return {invoke1(c.env, OpId::reverse, {c.grad()}, c.params<AxesParams>())}; }

template <class P>
constexpr FieldDef kVarAxis =
    axis_field<&P::axes, &P::has_axes>("axis", "the axis or axes to reduce; null reduces all", FieldKind::Axes).allow_null();
const FieldDef kVarFields[] = {
    kVarAxis<VarParams>,
    field<&VarParams::keepdims>("keepdims", "keep reduced axes with size 1"),
    field<&VarParams::ddof>("ddof", "delta degrees of freedom: the divisor is N - ddof").non_negative(),
};
const FieldDef kMomentsFields[] = {
    axis_field<&VarParams::axes, &VarParams::has_axes>("axes", "the axes to reduce; null reduces all", FieldKind::Axes)
        .allow_null()
        .alias("axis"),
    field<&VarParams::keepdims>("keepdims", "keep reduced axes with size 1"),
};
const FieldDef kCumprodFields[] = {
    axis_field<&CumsumParams::axes, &CumsumParams::has_axes>("axis", "the axis to multiply along; null: the flattened array")
        .allow_null(),
    optional_dtype_field<&CumsumParams::dtype, &CumsumParams::has_dtype>("dtype", "the result's dtype (null: the input's)"),
};
const FieldDef kDiagFields[] = {
    field<&DiagParams::k>("k", "the diagonal: 0 the main one, > 0 above it, < 0 below"),
    field<&DiagParams::axis1>("axis1", "N-D input: the first axis of the planes").set_default(0),
    field<&DiagParams::axis2>("axis2", "N-D input: the second axis of the planes").set_default(1),
};
const FieldDef kDiagGradFields[] = {
    field<&DiagParams::shape>("shape", "the shape of the array the diagonal was taken from").require(),
    kDiagFields[0], kDiagFields[1], kDiagFields[2],
};
const FieldDef kScatterNdFields[] = {field<&ScatterNdParams::shape>("shape", "the shape of the result").require()};
const FieldDef kReverseFields[] = {
    axis_field<&AxesParams::axes, &AxesParams::has_axes>("axis", "the axis or axes to reverse", FieldKind::Axes).require(),
};

}  // namespace

void define_numeric_ops(std::vector<OpDef>& table) {
  define_op(table, OpId::moments, 1, infer_var<OpId::moments>, fwd_var<OpId::moments>, d_var<OpId::moments>, kSaveInputs);
  define_op(table, OpId::std, 1, infer_var<OpId::std>, fwd_var<OpId::std>, d_var<OpId::std>, kSaveInputs | kSaveOutputs);
  define_op(table, OpId::var, 1, infer_var<OpId::var>, fwd_var<OpId::var>, d_var<OpId::var>, kSaveInputs);
  define_op(table, OpId::cumprod, 1, infer_cumprod, fwd_cumprod, d_cumprod, kSaveInputs | kSaveOutputs, Domain::NonZero);
  define_op(table, OpId::diag, 1, infer_diag, fwd_diag, d_diag, 0);
  define_op(table, OpId::diag_grad, 1, infer_diag_grad, fwd_diag_grad, d_diag_grad, 0);
  define_op(table, OpId::gather_nd, 2, infer_gather_nd, fwd_gather_nd, d_gather_nd, kSaveInputs);
  define_op(table, OpId::scatter_nd, 2, infer_scatter_nd, fwd_scatter_nd, d_scatter_nd, kSaveInputs);
  define_op(table, OpId::reverse, 1, infer_reverse, fwd_reverse, d_reverse, 0);
  set_params<VarParams>(table, OpId::moments, kMomentsFields);
  set_params<VarParams>(table, OpId::std, kVarFields);
  set_params<VarParams>(table, OpId::var, kVarFields);
  set_params<CumsumParams>(table, OpId::cumprod, kCumprodFields);
  set_params<DiagParams>(table, OpId::diag, kDiagFields);
  set_params<DiagParams>(table, OpId::diag_grad, kDiagGradFields);
  set_params<ScatterNdParams>(table, OpId::scatter_nd, kScatterNdFields);
  set_params<AxesParams>(table, OpId::reverse, kReverseFields);
}

}  // namespace ndgrad

// Reductions: sum mean prod max min norm argmax argmin, and sum_to (the un-broadcasting of
// gradients). Shapes follow MXNet 1.x: no axis reduces everything to shape (1,).
#include <cmath>
#include <string>
#include <type_traits>

#include "core/drivers/elementwise.h"
#include "core/runtime/error.h"
#include "core/ops/ops.h"
#include "core/drivers/reduce.h"
#include "core/ops/scan.h"

namespace ndgrad {

namespace {

using kernels::Reduce;
using namespace ops;

// norm: the reductions' axes and keepdims, and which norm.
struct NormParams {
  std::vector<int64_t> axes;
  bool has_axes = false;
  bool keepdims = false;
  int64_t ord = 2;
};

template <class P>
ReduceAxes plan_of(const Shape& in, const P& a, const char* op) {
  return plan_reduce(in, a.axes, a.has_axes, a.keepdims, op);
}

template <OpId Id>
using ReduceParamsOf = std::conditional_t<Id == OpId::norm, NormParams, ReduceParams>;

template <OpId Id>
void infer_reduce(const OpCall& c, OutSpecs& outs) {
  const char* name = op_def(Id).name;
  const ReduceParamsOf<Id>& a = c.params<ReduceParamsOf<Id>>();
  ReduceAxes p = plan_of(c.in[0].shape, a, name);
  if ((Id == OpId::max || Id == OpId::min) && c.in[0].size() == 0) {
    throw_range(std::string(name) + ": Reduction input's size should > 0 (got shape " + shape_str(c.in[0].shape) + ")");
  }
  if constexpr (Id == OpId::norm) {
    if (a.ord != 1 && a.ord != 2) throw_range(std::string(name) + ": ord must be 1 or 2, got " + std::to_string(a.ord));
  }
  if (Id == OpId::norm && !dtype_is_float(c.in[0].dtype)) {
    throw_type(std::string(name) + ": input must be float32 or float64, got " + dtype_name(c.in[0].dtype));
  }
  outs.push_back({p.out_shape, c.in[0].dtype});
}

template <Reduce K>
void fwd_reduce(OpCall& c) {
  reduce_into(c.env, K, c.in[0], plan_of(c.in[0].shape, c.params<ReduceParams>(), ""), c.out[0]);
}

void fwd_mean(OpCall& c) {
  ReduceAxes p = plan_of(c.in[0].shape, c.params<ReduceParams>(), "mean");
  reduce_into(c.env, Reduce::Sum, c.in[0], p, c.out[0]);
  binary_scalar_into(c.env, kernels::Binary::Div, c.out[0], static_cast<double>(p.count), false, c.out[0]);
}

void fwd_norm(OpCall& c) {
  const NormParams& a = c.params<NormParams>();
  ReduceAxes p = plan_of(c.in[0].shape, a, "norm");
  if (a.ord == 1) {
    reduce_into(c.env, Reduce::SumAbs, c.in[0], p, c.out[0]);
  } else {
    reduce_into(c.env, Reduce::SumSquares, c.in[0], p, c.out[0]);
    unary_into(c.env, kernels::Unary::Sqrt, c.out[0], c.out[0]);
  }
}

// The output gradient (or output) reshaped to the keepdims shape and broadcast over the input.
template <class P = ReduceParams>
ArrayRef spread(BackwardCtx& c, const ArrayRef& v) {
  ReduceAxes p = plan_of(c.input_shape(0), c.params<P>(), "");
  return broadcast_to(c.env, reshape(c.env, v, p.kept_shape), c.input_shape(0));
}

Grads d_sum(BackwardCtx& c) { return {spread(c, c.grad())}; }

Grads d_mean(BackwardCtx& c) {
  ReduceAxes p = plan_of(c.input_shape(0), c.params<ReduceParams>(), "");
  return {div_scalar(c.env, spread(c, c.grad()), static_cast<double>(p.count))};
}

Grads d_prod(BackwardCtx& c) {
  return {div(c.env, mul(c.env, spread(c, c.grad()), spread(c, c.output(0))), c.input(0))};
}

Grads d_extreme(BackwardCtx& c) {
  ArrayRef mask = binary(c.env, OpId::equal, c.input(0), spread(c, c.output(0)));
  return {mul(c.env, spread(c, c.grad()), mask)};
}

Grads d_norm(BackwardCtx& c) {
  ArrayRef g = spread<NormParams>(c, c.grad());
  if (c.params<NormParams>().ord == 1) return {mul(c.env, g, unary(c.env, OpId::sign, c.input(0)))};
  return {div(c.env, mul(c.env, g, c.input(0)), spread<NormParams>(c, c.output(0)))};
}

// argmax/argmin: one axis (or none: the flat index), indices in the input dtype (MXNet).
template <OpId Id>
void infer_arg(const OpCall& c, OutSpecs& outs) {
  const char* name = op_def(Id).name;
  const Tensor& x = c.in[0];
  if (x.size() == 0) throw_range(std::string(name) + ": input of shape " + shape_str(x.shape) + " is empty");
  const ReduceParams& a = c.params<ReduceParams>();
  if (a.has_axes && a.axes.size() > 1) throw_type(std::string(name) + ": axis must be a single integer");
  Shape out;
  if (a.has_axes && !a.axes.empty()) {
    int axis = normalize_axis(a.axes[0], x.ndim(), name);
    for (size_t i = 0; i < x.ndim(); ++i) {
      if (static_cast<int>(i) != axis) out.push_back(x.shape[i]);
      else if (a.keepdims) out.push_back(1);
    }
    if (out.empty()) out.push_back(1);
  } else {
    out.assign(a.keepdims ? x.ndim() : 1, 1);
  }
  outs.push_back({out, x.dtype});
}

template <kernels::ArgReduce K>
void fwd_arg(OpCall& c) {
  const Tensor& x = c.in[0];
  int axis = -1;
  const ReduceParams& a = c.params<ReduceParams>();
  if (a.has_axes && !a.axes.empty()) axis = normalize_axis(a.axes[0], x.ndim(), "");
  arg_reduce_into(c.env, K, x, axis, c.out[0]);
}

// sum_to(shape): sums the leading extra dims and the dims where `shape` has 1.
void infer_sum_to(const OpCall& c, OutSpecs& outs) {
  const Shape& in = c.in[0].shape;
  const Shape& to = c.params<ShapeParams>().shape;
  if (to.size() > in.size() || broadcast_shapes(in, to, "sum_to") != in) {
    throw_range("sum_to: cannot sum shape " + shape_str(in) + " down to " + shape_str(to));
  }
  outs.push_back({to, c.in[0].dtype});
}

std::vector<int64_t> sum_to_axes(const Shape& in, const Shape& to) {
  std::vector<int64_t> axes;
  size_t lead = in.size() - to.size();
  for (size_t i = 0; i < in.size(); ++i)
    if (i < lead || (to[i - lead] == 1 && in[i] != 1)) axes.push_back(static_cast<int64_t>(i));
  return axes;
}

void fwd_sum_to(OpCall& c) {
  std::vector<int64_t> axes = sum_to_axes(c.in[0].shape, c.params<ShapeParams>().shape);
  if (axes.empty()) {
    cast_into(c.env, c.in[0], c.out[0]);
    return;
  }
  reduce_into(c.env, Reduce::Sum, c.in[0], plan_reduce(c.in[0].shape, axes, true, false, "sum_to"), c.out[0]);
}

Grads d_sum_to(BackwardCtx& c) { return {broadcast_to(c.env, c.grad(), c.input_shape(0))}; }

// ---- cumsum: running sums along one axis, or of the flattened array (NumPy, MXNet np.cumsum) ----

}  // namespace

ScanGeom scan_geom(const Shape& s, const CumsumParams& a, const char* op) {
  ScanGeom g;
  if (!a.has_axes) {
    g.n = static_cast<size_t>(shape_size(s));
    return g;
  }
  int axis = normalize_axis(a.axes[0], s.size(), op);
  for (int d = 0; d < axis; ++d) g.outer *= static_cast<size_t>(s[d]);
  g.n = static_cast<size_t>(s[axis]);
  for (size_t d = static_cast<size_t>(axis) + 1; d < s.size(); ++d) g.inner *= static_cast<size_t>(s[d]);
  return g;
}

namespace {

void infer_cumsum(const OpCall& c, OutSpecs& outs) {
  const Tensor& x = c.in[0];
  const CumsumParams& a = c.params<CumsumParams>();
  Shape out = a.has_axes ? x.shape : Shape{shape_size(x.shape)};
  outs.push_back({out, a.has_dtype ? a.dtype : x.dtype});
}

// Integers add as their unsigned type, which wraps by definition.
template <class T, bool = std::is_integral_v<T>>
struct ScanAcc {
  using type = T;
};
template <class T>
struct ScanAcc<T, true> {
  using type = std::make_unsigned_t<T>;
};

// Floats add in their own precision, in order (NumPy's add.accumulate).
void fwd_cumsum(OpCall& c) {
  scan_into(c, "cumsum", [](auto a, auto b) {
    using Acc = typename ScanAcc<decltype(a)>::type;
    return static_cast<decltype(a)>(static_cast<Acc>(a) + static_cast<Acc>(b));
  });
}

// The gradient of a running sum is the running sum from the end: total - cumsum(g) + g.
Grads d_cumsum(BackwardCtx& c) {
  Runtime& e = c.env;
  const ArrayRef& g = c.grad();
  const CumsumParams& a = c.params<CumsumParams>();
  int64_t axis = a.has_axes ? a.axes[0] : 0;
  ArrayRef total = invoke1(e, OpId::sum, {g}, ReduceParams{{axis}, true, true});
  CumsumParams along;
  along.axes = {axis};
  along.has_axes = true;
  ArrayRef from_end = add(e, sub(e, total, invoke1(e, OpId::cumsum, {g}, along)), g);
  ArrayRef shaped = reshape(e, from_end, c.input_shape(0));
  if (c.node.input_dtype(0) == g->t.dtype) return {shaped};
  return {invoke1(e, OpId::astype, {shaped}, AstypeParams{c.node.input_dtype(0)})};
}

template <class P>
constexpr FieldDef kReduceAxis =
    axis_field<&P::axes, &P::has_axes>("axis", "the axis or axes to reduce; null reduces all", FieldKind::Axes)
        .allow_null();
template <class P>
constexpr FieldDef kKeepdims = field<&P::keepdims>("keepdims", "keep reduced axes with size 1");
const FieldDef kReduceFields[] = {kReduceAxis<ReduceParams>, kKeepdims<ReduceParams>};
const FieldDef kNormFields[] = {kReduceAxis<NormParams>, kKeepdims<NormParams>,
                                field<&NormParams::ord>("ord", "1 (sum of magnitudes) or 2 (Euclidean)").set_default(2).range(1, 2)};
const FieldDef kArgFields[] = {
    axis_field<&ReduceParams::axes, &ReduceParams::has_axes>("axis", "the axis to search (one); null searches the flattened array",
                                                FieldKind::Axes)
        .allow_null(),
    kKeepdims<ReduceParams>};
const FieldDef kCumsumFields[] = {
    axis_field<&CumsumParams::axes, &CumsumParams::has_axes>("axis", "the axis to sum along; null sums the flattened array").allow_null(),
    optional_dtype_field<&CumsumParams::dtype, &CumsumParams::has_dtype>("dtype", "the result's dtype (null: the input's)"),
};
const FieldDef kSumToFields[] = {field<&ShapeParams::shape>("shape", "the shape to sum down to").require()};

}  // namespace

void define_reduce_ops(std::vector<OpDef>& table) {
  define_op(table, OpId::sum, 1, infer_reduce<OpId::sum>, fwd_reduce<Reduce::Sum>, d_sum, 0);
  define_op(table, OpId::mean, 1, infer_reduce<OpId::mean>, fwd_mean, d_mean, 0);
  define_op(table, OpId::prod, 1, infer_reduce<OpId::prod>, fwd_reduce<Reduce::Prod>, d_prod,
            kSaveInputs | kSaveOutputs, Domain::NonZero);
  define_op(table, OpId::max, 1, infer_reduce<OpId::max>, fwd_reduce<Reduce::Max>, d_extreme, kSaveInputs | kSaveOutputs);
  define_op(table, OpId::min, 1, infer_reduce<OpId::min>, fwd_reduce<Reduce::Min>, d_extreme, kSaveInputs | kSaveOutputs);
  define_op(table, OpId::norm, 1, infer_reduce<OpId::norm>, fwd_norm, d_norm, kSaveInputs | kSaveOutputs);
  define_op(table, OpId::argmax, 1, infer_arg<OpId::argmax>, fwd_arg<kernels::ArgReduce::ArgMax>, nullptr, kNoGrad);
  define_op(table, OpId::argmin, 1, infer_arg<OpId::argmin>, fwd_arg<kernels::ArgReduce::ArgMin>, nullptr, kNoGrad);
  define_op(table, OpId::sum_to, 1, infer_sum_to, fwd_sum_to, d_sum_to, 0);
  define_op(table, OpId::cumsum, 1, infer_cumsum, fwd_cumsum, d_cumsum, 0);
  set_params<CumsumParams>(table, OpId::cumsum, kCumsumFields);
  for (OpId id : {OpId::sum, OpId::mean, OpId::prod, OpId::max, OpId::min}) set_params<ReduceParams>(table, id, kReduceFields);
  set_params<NormParams>(table, OpId::norm, kNormFields);
  set_params<ReduceParams>(table, OpId::argmax, kArgFields);
  set_params<ReduceParams>(table, OpId::argmin, kArgFields);
  set_params<ShapeParams>(table, OpId::sum_to, kSumToFields);
}

}  // namespace ndgrad

// Layout ops: reshape and row slices (views that share storage), transpose (a copy, as MXNet),
// broadcast_to, astype and copy.
#include <string>

#include "core/drivers/elementwise.h"
#include "core/runtime/error.h"
#include "core/ops/ops.h"

namespace ndgrad {

namespace {

using namespace ops;

// ---- transpose ----------------------------------------------------------------------------

std::vector<int64_t> permutation(const Tensor& x, const AxesParams& a) {
  size_t nd = x.ndim();
  std::vector<int64_t> perm;
  if (!a.has_axes || a.axes.empty()) {
    for (size_t i = nd; i-- > 0;) perm.push_back(static_cast<int64_t>(i));
    return perm;
  }
  if (a.axes.size() != nd) {
    throw_range("transpose: axes " + shape_str(a.axes) + " must list all " + std::to_string(nd) +
                " axes of the input " + shape_str(x.shape));
  }
  std::vector<bool> seen(nd, false);
  for (int64_t ax : a.axes) {
    int n = normalize_axis(ax, nd, "transpose", "axes entry");
    if (seen[n]) throw_range("transpose: axes " + shape_str(a.axes) + " repeat an axis");
    seen[n] = true;
    perm.push_back(n);
  }
  return perm;
}

void infer_transpose(const OpCall& c, OutSpecs& outs) {
  std::vector<int64_t> perm = permutation(c.in[0], c.params<AxesParams>());
  Shape out;
  for (int64_t p : perm) out.push_back(c.in[0].shape[static_cast<size_t>(p)]);
  outs.push_back({out, c.in[0].dtype});
}

void fwd_transpose(OpCall& c) {
  std::vector<int64_t> perm = permutation(c.in[0], c.params<AxesParams>());
  transpose_into(c.env, c.in[0], perm, c.out[0]);
}

Grads d_transpose(BackwardCtx& c) {
  Tensor probe;
  probe.shape = c.input_shape(0);
  std::vector<int64_t> perm = permutation(probe, c.params<AxesParams>());
  std::vector<int64_t> inv(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) inv[static_cast<size_t>(perm[i])] = static_cast<int64_t>(i);
  return {transpose(c.env, c.grad(), inv)};
}

// ---- reshape (view) -------------------------------------------------------------------------

Shape reshape_target(const Shape& in, const ReshapeParams& a) {
  if (!a.literal_shape) return infer_reshape(in, a.shape, a.reverse, "reshape");
  check_shape(a.shape, "reshape", "shape");
  if (shape_size(a.shape) != shape_size(in)) {
    throw_range("reshape: cannot reshape array of size " + std::to_string(shape_size(in)) + " into shape " +
                shape_str(a.shape));
  }
  return a.shape;
}

void infer_reshape_op(const OpCall& c, OutSpecs& outs) {
  outs.push_back({reshape_target(c.in[0].shape, c.params<ReshapeParams>()), c.in[0].dtype});
}

void fwd_view_as_spec(OpCall& c) {
  OutSpecs specs;
  infer_reshape_op(c, specs);
  Tensor v = c.in[0];
  v.shape = specs[0].shape;
  c.out.push_back(std::move(v));
}

Grads d_reshape(BackwardCtx& c) { return {reshape(c.env, c.grad(), c.input_shape(0))}; }

// ---- slice_rows: x[begin:end] along axis 0 (view) -------------------------------------------

// slice_rows and its gradient slice_rows_grad (shape: the sliced array's; the gradient only).
struct RowsParams {
  int64_t begin = 0, end = 0;
  Shape shape;
};

void check_rows(const Shape& in, const RowsParams& a, const char* op) {
  if (in.empty()) throw_range(std::string(op) + ": cannot slice an array with no dimensions");
  if (a.begin < 0 || a.end > in[0] || a.begin > a.end) {
    throw_range(std::string(op) + ": rows [" + std::to_string(a.begin) + ", " + std::to_string(a.end) +
                ") are out of range for shape " + shape_str(in));
  }
}

Shape rows_shape(const Shape& in, const RowsParams& a) {
  Shape out = in;
  out[0] = a.end - a.begin;
  return out;
}

void infer_slice_rows(const OpCall& c, OutSpecs& outs) {
  check_rows(c.in[0].shape, c.params<RowsParams>(), "slice");
  outs.push_back({rows_shape(c.in[0].shape, c.params<RowsParams>()), c.in[0].dtype});
}

void fwd_slice_rows(OpCall& c) {
  Tensor v = c.in[0];
  int64_t row = c.in[0].shape[0] == 0 ? 0 : c.in[0].size() / c.in[0].shape[0];
  v.offset += c.params<RowsParams>().begin * row;
  v.shape = rows_shape(c.in[0].shape, c.params<RowsParams>());
  c.out.push_back(std::move(v));
}

Grads d_slice_rows(BackwardCtx& c) {
  RowsParams a = c.params<RowsParams>();
  a.shape = c.input_shape(0);
  return {invoke1(c.env, OpId::slice_rows_grad, {c.grad()}, a)};
}

// slice_rows_grad: zeros of `shape` with the input written into rows [begin, end).
void infer_slice_rows_grad(const OpCall& c, OutSpecs& outs) {
  check_rows(c.params<RowsParams>().shape, c.params<RowsParams>(), "slice_rows_grad");
  if (rows_shape(c.params<RowsParams>().shape, c.params<RowsParams>()) != c.in[0].shape) {
    throw_range("slice_rows_grad: gradient shape " + shape_str(c.in[0].shape) + " does not match rows of " +
                shape_str(c.params<RowsParams>().shape));
  }
  outs.push_back({c.params<RowsParams>().shape, c.in[0].dtype});
}

void fwd_slice_rows_grad(OpCall& c) {
  Tensor& out = c.out[0];
  fill_into(c.env, out, 0.0);
  Tensor rows = out;
  int64_t row = out.shape[0] == 0 ? 0 : out.size() / out.shape[0];
  rows.offset += c.params<RowsParams>().begin * row;
  rows.shape = c.in[0].shape;
  cast_into(c.env, c.in[0], rows);
}

Grads d_slice_rows_grad(BackwardCtx& c) {
  return {invoke1(c.env, OpId::slice_rows, {c.grad()}, c.params<RowsParams>())};
}

// ---- broadcast_to -----------------------------------------------------------------------------

Shape broadcast_target(const Shape& in, const Shape& want) {
  Shape target = want;
  bool ok = want.size() >= in.size();
  size_t lead = ok ? want.size() - in.size() : 0;
  for (size_t i = 0; ok && i < in.size(); ++i) {
    int64_t& t = target[lead + i];
    if (t == 0) t = in[i];  // MXNet: 0 keeps the input dim
    if (in[i] != 1 && in[i] != t) ok = false;
  }
  if (!ok) {
    throw_range("broadcast_to: operands could not be broadcast together with remapped shapes "
                "[original->remapped]: " + shape_str(in) + " and requested shape " + shape_str(want));
  }
  check_shape(target, "broadcast_to", "shape");
  return target;
}

void infer_broadcast_to(const OpCall& c, OutSpecs& outs) {
  outs.push_back({broadcast_target(c.in[0].shape, c.params<ShapeParams>().shape), c.in[0].dtype});
}

void fwd_broadcast_to(OpCall& c) { broadcast_into(c.env, c.in[0], c.out[0]); }

Grads d_broadcast_to(BackwardCtx& c) { return {sum_to(c.env, c.grad(), c.input_shape(0))}; }

// ---- astype / copy ------------------------------------------------------------------------------

void infer_astype(const OpCall& c, OutSpecs& outs) { outs.push_back({c.in[0].shape, c.params<AstypeParams>().dtype}); }
void infer_copy(const OpCall& c, OutSpecs& outs) { outs.push_back({c.in[0].shape, c.in[0].dtype}); }
void fwd_cast(OpCall& c) { cast_into(c.env, c.in[0], c.out[0]); }

Grads d_astype(BackwardCtx& c) {
  return {invoke1(c.env, OpId::astype, {c.grad()}, AstypeParams{c.node.input_dtype(0)})};
}

Grads d_copy(BackwardCtx& c) { return {c.grad()}; }

const FieldDef kTransposeFields[] = {
    axis_field<&AxesParams::axes, &AxesParams::has_axes>("axes", "the new order of the axes; none reverses them", FieldKind::Axes).allow_null(),
};
const FieldDef kReshapeFields[] = {
    field<&ReshapeParams::shape>("shape", "the new shape, with MXNet's codes 0, -1, -2, -3, -4").require(),
    field<&ReshapeParams::reverse>("reverse", "resolve the codes from the right"),
    field<&ReshapeParams::literal_shape>("literal", "the shape is exact, without codes (for shapes the library computed)"),
};
constexpr FieldDef kRowBegin = field<&RowsParams::begin>("begin", "the first row");
constexpr FieldDef kRowEnd = field<&RowsParams::end>("end", "the row after the last");
const FieldDef kSliceRowsFields[] = {kRowBegin, kRowEnd};
const FieldDef kSliceRowsGradFields[] = {field<&RowsParams::shape>("shape", "the sliced array's shape").require(), kRowBegin, kRowEnd};
const FieldDef kBroadcastFields[] = {field<&ShapeParams::shape>("shape", "the target shape (0 keeps the input's dim)").require()};
const FieldDef kAstypeFields[] = {field<&AstypeParams::dtype>("dtype", "the new dtype").require()};

}  // namespace

void define_shape_ops(std::vector<OpDef>& table) {
  define_op(table, OpId::transpose, 1, infer_transpose, fwd_transpose, d_transpose, 0);
  define_op(table, OpId::reshape, 1, infer_reshape_op, fwd_view_as_spec, d_reshape, kView);
  define_op(table, OpId::slice_rows, 1, infer_slice_rows, fwd_slice_rows, d_slice_rows, kView);
  define_op(table, OpId::slice_rows_grad, 1, infer_slice_rows_grad, fwd_slice_rows_grad, d_slice_rows_grad, 0);
  define_op(table, OpId::broadcast_to, 1, infer_broadcast_to, fwd_broadcast_to, d_broadcast_to, 0);
  define_op(table, OpId::astype, 1, infer_astype, fwd_cast, d_astype, 0);
  define_op(table, OpId::copy, 1, infer_copy, fwd_cast, d_copy, 0);
  set_params<AxesParams>(table, OpId::transpose, kTransposeFields);
  set_params<ReshapeParams>(table, OpId::reshape, kReshapeFields);
  set_params<RowsParams>(table, OpId::slice_rows, kSliceRowsFields);
  set_params<RowsParams>(table, OpId::slice_rows_grad, kSliceRowsGradFields);
  set_params<ShapeParams>(table, OpId::broadcast_to, kBroadcastFields);
  set_params<AstypeParams>(table, OpId::astype, kAstypeFields);
}

}  // namespace ndgrad

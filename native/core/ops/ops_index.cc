// Index ops: one_hot(indices, depth) and pick(data, index, axis) (MXNet's clip mode: indices are
// truncated to integers and clamped into range). pick's gradient is written with one_hot, so it
// can be recorded again (createGraph).
#include <cmath>
#include <cstring>
#include <string>

#include "core/drivers/elementwise.h"
#include "core/runtime/error.h"
#include "core/ops/indices.h"
#include "core/ops/ops.h"

namespace ndgrad {

namespace {

using namespace ops;

// ---- one_hot: out[..., k] = on if k == index else off (out-of-range rows are all off) ----------

struct OneHotParams {
  int64_t depth = 0;
  double on_value = 1, off_value = 0;
  DType dtype = DType::Float32;
};

void infer_one_hot(const OpCall& c, OutSpecs& outs) {
  const OneHotParams& p = c.params<OneHotParams>();
  if (p.depth <= 0) throw_range("one_hot: depth must be a positive integer, got " + std::to_string(p.depth));
  Shape out = c.in[0].shape;
  out.push_back(p.depth);
  check_shape(out, "one_hot", "output shape");
  outs.push_back({out, p.dtype});
}

void fwd_one_hot(OpCall& c) {
  Tensor& out = c.out[0];
  const OneHotParams& p = c.params<OneHotParams>();
  int64_t depth = p.depth;
  double on = p.on_value, off = p.off_value;
  fill_into(c.env, out, off);
  std::vector<int64_t> idx = read_indices(c.in[0]);
  size_t es = dtype_size(out.dtype);
  char* base = static_cast<char*>(out.raw());
  for (size_t i = 0; i < idx.size(); ++i)
    if (idx[i] >= 0 && idx[i] < depth) c.env.k->fill(out.dtype, base + (i * static_cast<size_t>(depth) + static_cast<size_t>(idx[i])) * es, on, 1);
}

// ---- pick: out[i..., j...] = data[i..., clip(index[i..., j...]), j...] --------------------------

struct PickParams {
  std::vector<int64_t> axes;  // one axis, default -1
  bool has_axes = false;
  bool keepdims = false;
};

int pick_axis(const Shape& s, const PickParams& a) {
  return normalize_axis(a.has_axes && !a.axes.empty() ? a.axes[0] : -1, s.size(), "pick");
}

Shape picked_shape(const Shape& data, int axis, bool keepdims) {
  Shape out;
  for (size_t i = 0; i < data.size(); ++i) {
    if (static_cast<int>(i) != axis) out.push_back(data[i]);
    else if (keepdims) out.push_back(1);
  }
  if (out.empty()) out.push_back(1);
  return out;
}

void infer_pick(const OpCall& c, OutSpecs& outs) {
  const Tensor& data = c.in[0];
  const Tensor& index = c.in[1];
  if (data.ndim() == 0) throw_range("pick: data must have at least one dimension");
  int axis = pick_axis(data.shape, c.params<PickParams>());
  Shape expect = picked_shape(data.shape, axis, false);
  Shape expect_keep = picked_shape(data.shape, axis, true);
  if (index.shape != expect && index.shape != expect_keep) {
    throw_range("pick: index shape " + shape_str(index.shape) + " must be the data shape " + shape_str(data.shape) +
                " without axis " + std::to_string(axis) + ", i.e. " + shape_str(expect));
  }
  // Clamping into an empty axis gives -1: no element to pick (NumPy's take_along_axis raises too).
  if (data.shape[axis] == 0 && index.size() > 0) {
    throw_range("pick: cannot pick from axis " + std::to_string(axis) + " of size 0 (shape " + shape_str(data.shape) + ")");
  }
  outs.push_back({picked_shape(data.shape, axis, c.params<PickParams>().keepdims), data.dtype});
}

void fwd_pick(OpCall& c) {
  const Tensor& data = c.in[0];
  int axis = pick_axis(data.shape, c.params<PickParams>());
  size_t outer = 1, inner = 1, r = static_cast<size_t>(data.shape[axis]);
  for (int i = 0; i < axis; ++i) outer *= static_cast<size_t>(data.shape[i]);
  for (size_t i = static_cast<size_t>(axis) + 1; i < data.ndim(); ++i) inner *= static_cast<size_t>(data.shape[i]);
  std::vector<int64_t> idx = read_indices(c.in[1]);
  visit_dtype(data.dtype, [&](auto zero) {
    using T = decltype(zero);
    const T* x = data.data<T>();
    T* y = c.out[0].data<T>();
    for (size_t o = 0; o < outer; ++o) {
      for (size_t j = 0; j < inner; ++j) {
        int64_t k = idx[o * inner + j];
        k = k < 0 ? 0 : (k >= static_cast<int64_t>(r) ? static_cast<int64_t>(r) - 1 : k);
        y[o * inner + j] = x[(o * r + static_cast<size_t>(k)) * inner + j];
      }
    }
  });
}

// d data = g (expanded on axis) * one_hot(clip(index)) moved to axis; the index gets none.
Grads d_pick(BackwardCtx& c) {
  Runtime& e = c.env;
  const Shape& ds = c.input_shape(0);
  int axis = pick_axis(ds, c.params<PickParams>());
  int64_t n = ds[axis];
  ArrayRef index = c.input(1);
  ArrayRef clipped = scalar(e, OpId::maximum_scalar, scalar(e, OpId::minimum_scalar, index, static_cast<double>(n - 1)), 0.0);
  OneHotParams oh;
  oh.depth = n;
  oh.dtype = c.node.input_dtype(0);
  ArrayRef hot = invoke1(e, OpId::one_hot, {reshape(e, clipped, picked_shape(ds, axis, false))}, oh);
  // one_hot puts the depth axis last; move it to `axis`.
  size_t nd = ds.size();
  if (static_cast<size_t>(axis) != nd - 1) {
    // Build the permutation explicitly: output dim d takes hot dim src[d].
    std::vector<int64_t> src;
    for (size_t d = 0, h = 0; d < nd; ++d) src.push_back(static_cast<int>(d) == axis ? static_cast<int64_t>(nd - 1) : static_cast<int64_t>(h++));
    hot = transpose(e, hot, src);
  }
  ArrayRef g = reshape(e, c.grad(), picked_shape(ds, axis, true));
  return {mul(e, hot, g), ArrayRef()};
}

// ---- where(cond, x, y): x where cond != 0, else y ---------------------------------------------
// cond has x's shape, or is 1-D with x.shape[0] entries selecting whole rows (MXNet).

void infer_where(const OpCall& c, OutSpecs& outs) {
  const Tensor& cond = c.in[0];
  const Tensor& x = c.in[1];
  const Tensor& y = c.in[2];
  if (x.shape != y.shape || x.dtype != y.dtype) {
    throw_range("where: x and y must have the same shape and dtype, got " + std::string(dtype_name(x.dtype)) + " " +
                shape_str(x.shape) + " and " + dtype_name(y.dtype) + " " + shape_str(y.shape));
  }
  bool rows = cond.ndim() == 1 && x.ndim() >= 1 && cond.shape[0] == x.shape[0];
  if (cond.shape != x.shape && !rows) {
    throw_range("where: condition shape " + shape_str(cond.shape) + " must equal the shape of x " + shape_str(x.shape) +
                " or be 1-D with " + (x.ndim() ? std::to_string(x.shape[0]) : std::string("0")) + " entries");
  }
  outs.push_back({x.shape, x.dtype});
}

void fwd_where(OpCall& c) {
  const Tensor& cond = c.in[0];
  const Tensor& x = c.in[1];
  const Tensor& y = c.in[2];
  Tensor& out = c.out[0];
  size_t n = static_cast<size_t>(out.size());
  if (n == 0) return;
  size_t per_cond = cond.shape == x.shape ? 1 : n / static_cast<size_t>(cond.size());
  std::vector<uint8_t> pick_x(static_cast<size_t>(cond.size()));
  visit_dtype(cond.dtype, [&](auto zero) {
    using C = decltype(zero);
    const C* p = cond.data<C>();
    for (size_t i = 0; i < pick_x.size(); ++i) pick_x[i] = p[i] != C(0);
  });
  size_t es = dtype_size(out.dtype);
  const char* xp = static_cast<const char*>(x.raw());
  const char* yp = static_cast<const char*>(y.raw());
  char* op = static_cast<char*>(out.raw());
  for (size_t i = 0; i < pick_x.size(); ++i) {
    size_t at = i * per_cond * es;
    std::memcpy(op + at, (pick_x[i] ? xp : yp) + at, per_cond * es);
  }
}

// dx = g where cond != 0, dy = g where cond == 0, dcond = 0; written with `where` itself.
Grads d_where(BackwardCtx& c) {
  ArrayRef zeros = zeros_like(c.env, c.grad());
  ArrayRef cond = c.input(0);
  return {ArrayRef(), invoke1(c.env, OpId::where, {cond, c.grad(), zeros}),
          invoke1(c.env, OpId::where, {cond, zeros, c.grad()})};
}

const FieldDef kOneHotFields[] = {
    field<&OneHotParams::depth>("depth", "the length of the new last axis").require().positive(),
    field<&OneHotParams::on_value>("onValue", "the value at each index").alias("on_value").set_default(1),
    field<&OneHotParams::off_value>("offValue", "the value elsewhere").alias("off_value").set_default(0),
    field<&OneHotParams::dtype>("dtype", "the result's dtype"),
};
const FieldDef kPickFields[] = {
    axis_field<&PickParams::axes, &PickParams::has_axes>("axis", "the axis to pick along").set_default(-1),
    field<&PickParams::keepdims>("keepdims", "keep the picked axis with size 1"),
};

}  // namespace

void define_index_ops(std::vector<OpDef>& table) {
  define_op(table, OpId::where, 3, infer_where, fwd_where, d_where, kSaveInput0);
  define_op(table, OpId::one_hot, 1, infer_one_hot, fwd_one_hot, nullptr, kNoGrad);
  define_op(table, OpId::pick, 2, infer_pick, fwd_pick, d_pick, kSaveInput1);
  set_params<OneHotParams>(table, OpId::one_hot, kOneHotFields);
  set_params<PickParams>(table, OpId::pick, kPickFields);
}

}  // namespace ndgrad

// Strided slices: slice (per-axis begin/end/step, None entries) and slice_axis (one axis, MXNet's
// checks), both copies as in MXNet; slice_grad writes a gradient back into zeros. Bounds follow
// NumPy's slice rules (negatives count from the end, out-of-range bounds clamp, an empty range
// gives an empty axis), which agree with MXNet's on every non-empty slice.
#include <cstring>
#include <string>
#include <type_traits>

#include "core/drivers/elementwise.h"
#include "core/runtime/error.h"
#include "core/ops/ops.h"
#include "core/runtime/thread_pool.h"

namespace ndgrad {

namespace {

using namespace ops;

// One axis of a resolved slice: indices begin, begin + step, ... (count of them).
struct Range {
  int64_t begin = 0, step = 1, count = 0;
};
using Plan = std::vector<Range>;

std::string entry(const char* what, size_t i) { return std::string(what) + "[" + std::to_string(i) + "]"; }

// Python's slice.indices(len) for one axis; kNoIndex is None.
Range resolve_axis(int64_t len, int64_t b, int64_t e, int64_t step) {
  Range r;
  r.step = step;
  if (step > 0) {
    b = b == kNoIndex ? 0 : (b < 0 ? std::max<int64_t>(b + len, 0) : std::min(b, len));
    e = e == kNoIndex ? len : (e < 0 ? std::max<int64_t>(e + len, 0) : std::min(e, len));
    r.count = e > b ? (e - b + step - 1) / step : 0;
  } else {
    b = b == kNoIndex ? len - 1 : (b < 0 ? std::max<int64_t>(b + len, -1) : std::min(b, len - 1));
    e = e == kNoIndex ? -1 : (e < 0 ? std::max<int64_t>(e + len, -1) : std::min(e, len - 1));
    r.count = b > e ? (b - e - 1) / (-step) + 1 : 0;
  }
  r.begin = r.count > 0 ? b : 0;
  return r;
}

// slice(begin, end, step): lists of at most ndim entries; axes past them are taken whole.
// slice_axis(axis, begin, end): begins[0] and ends[0] (MXNet's scalars; end null is the length).
struct SliceAxisParams {
  std::vector<int64_t> axes;
  bool has_axes = false;
  std::vector<int64_t> begins, ends;
};

Plan plan_slice(const Shape& s, const SliceParams& a, const char* op) {
  if (a.begins.size() != a.ends.size()) {
    throw_range(std::string(op) + ": begin and end must have the same length, got " + std::to_string(a.begins.size()) +
                " and " + std::to_string(a.ends.size()));
  }
  if (!a.steps.empty() && a.steps.size() != a.begins.size()) {
    throw_range(std::string(op) + ": step must be empty or as long as begin (" + std::to_string(a.begins.size()) +
                "), got " + std::to_string(a.steps.size()) + " entries");
  }
  if (a.begins.size() > s.size()) {
    throw_range(std::string(op) + ": begin has " + std::to_string(a.begins.size()) + " entries but the input " +
                shape_str(s) + " has " + std::to_string(s.size()) + " dimensions");
  }
  Plan plan(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    int64_t step = i < a.steps.size() && a.steps[i] != kNoIndex ? a.steps[i] : 1;
    if (step == 0) throw_range(std::string(op) + ": " + entry("step", i) + " cannot be 0");
    if (i < a.begins.size()) plan[i] = resolve_axis(s[i], a.begins[i], a.ends[i], step);
    else plan[i] = resolve_axis(s[i], kNoIndex, kNoIndex, 1);
  }
  return plan;
}

// slice_axis(axis, begin, end): MXNet requires 0 <= begin < end <= length after adding the
// length to negative bounds; end None is the length.
Plan plan_slice_axis(const Shape& s, const SliceAxisParams& a) {
  if (s.empty()) throw_range("slice_axis: the input must have at least one dimension");
  int axis = normalize_axis(a.has_axes && !a.axes.empty() ? a.axes[0] : 0, s.size(), "slice_axis");
  int64_t len = s[axis];
  int64_t b = a.begins.empty() ? 0 : a.begins[0];
  int64_t e = a.ends.empty() ? kNoIndex : a.ends[0];
  if (b == kNoIndex) b = 0;
  int64_t rb = b < 0 ? b + len : b;
  int64_t re = e == kNoIndex ? len : (e < 0 ? e + len : e);
  if (rb < 0 || re > len || rb >= re) {
    throw_range("slice_axis: invalid begin " + std::to_string(b) + ", end " +
                (e == kNoIndex ? std::string("null") : std::to_string(e)) + " for axis " + std::to_string(axis) +
                " of length " + std::to_string(len) + " (need 0 <= begin < end <= length after negatives add the length)");
  }
  Plan plan(s.size());
  for (size_t i = 0; i < s.size(); ++i) plan[i] = resolve_axis(s[i], kNoIndex, kNoIndex, 1);
  plan[axis] = Range{rb, 1, re - rb};
  return plan;
}

Shape counts(const Plan& p) {
  Shape out;
  for (const Range& r : p) out.push_back(r.count);
  return out;
}

// The options of `slice` that reproduce a resolved plan exactly.
SliceParams plan_params(const Plan& p) {
  SliceParams a;
  for (const Range& r : p) {
    a.begins.push_back(r.begin);
    int64_t end = r.count == 0 ? r.begin : r.begin + r.count * r.step;
    a.ends.push_back(end < 0 ? kNoIndex : end);
    a.steps.push_back(r.step);
  }
  return a;
}

// Copies between `big` (the sliced array) and the contiguous `small` (its slice): gather reads
// big into small, otherwise small is written into big.
void strided_copy(Runtime& env, const Tensor& big, const Plan& plan, const Tensor& small, bool gather) {
  size_t n = static_cast<size_t>(small.size());
  if (n == 0) return;
  size_t nd = plan.size();
  std::vector<int64_t> stride = contiguous_strides(big.shape);
  int64_t base = 0;
  for (size_t d = 0; d < nd; ++d) base += plan[d].begin * stride[d];
  size_t inner = static_cast<size_t>(plan[nd - 1].count);
  int64_t inner_step = plan[nd - 1].step;
  size_t rows = n / inner;
  visit_dtype(big.dtype, [&](auto zero) {
    using T = decltype(zero);
    T* b = big.data<T>();
    T* s = small.data<T>();
    auto body = [&](size_t r0, size_t r1) {
      // Odometer over the outer axes, started at row r0.
      std::vector<int64_t> idx(nd, 0);
      int64_t off = base;
      for (size_t d = nd - 1, r = r0; d-- > 0;) {
        idx[d] = static_cast<int64_t>(r % static_cast<size_t>(plan[d].count));
        r /= static_cast<size_t>(plan[d].count);
        off += idx[d] * plan[d].step * stride[d];
      }
      for (size_t row = r0; row < r1; ++row) {
        T* sp = s + row * inner;
        T* bp = b + off;
        if (inner_step == 1) {
          if (gather) std::memcpy(sp, bp, inner * sizeof(T));
          else std::memcpy(bp, sp, inner * sizeof(T));
        } else if (gather) {
          for (size_t j = 0; j < inner; ++j) sp[j] = bp[static_cast<int64_t>(j) * inner_step];
        } else {
          for (size_t j = 0; j < inner; ++j) bp[static_cast<int64_t>(j) * inner_step] = sp[j];
        }
        for (size_t d = nd - 1; d-- > 0;) {
          off += plan[d].step * stride[d];
          if (++idx[d] < plan[d].count) break;
          off -= plan[d].count * plan[d].step * stride[d];
          idx[d] = 0;
        }
      }
    };
    if (n < kParallelGrain || rows < 2) body(0, rows);
    else env.thread_pool().parallel_range(rows, kParallelGrain / inner + 1, body);
  });
}

Plan plan_of(const Shape& s, const SliceAxisParams& a) { return plan_slice_axis(s, a); }
Plan plan_of(const Shape& s, const SliceParams& a) { return plan_slice(s, a, "slice"); }

void infer_slice(const OpCall& c, OutSpecs& outs) {
  if (c.in[0].ndim() == 0) throw_range("slice: the input must have at least one dimension");
  outs.push_back({counts(plan_slice(c.in[0].shape, c.params<SliceParams>(), "slice")), c.in[0].dtype});
}

void infer_slice_axis(const OpCall& c, OutSpecs& outs) {
  outs.push_back({counts(plan_slice_axis(c.in[0].shape, c.params<SliceAxisParams>())), c.in[0].dtype});
}

void fwd_slice(OpCall& c) { strided_copy(c.env, c.in[0], plan_slice(c.in[0].shape, c.params<SliceParams>(), "slice"), c.out[0], true); }

void fwd_slice_axis(OpCall& c) { strided_copy(c.env, c.in[0], plan_slice_axis(c.in[0].shape, c.params<SliceAxisParams>()), c.out[0], true); }

template <OpId kId>
Grads d_slice(BackwardCtx& c) {
  using P = std::conditional_t<kId == OpId::slice_axis, SliceAxisParams, SliceParams>;
  SliceParams a = plan_params(plan_of(c.input_shape(0), c.params<P>()));
  a.shape = c.input_shape(0);
  return {invoke1(c.env, OpId::slice_grad, {c.grad()}, a)};
}

// slice_grad: zeros of `shape` with the input written at the slice's positions.
void infer_slice_grad(const OpCall& c, OutSpecs& outs) {
  const SliceParams& a = c.params<SliceParams>();
  check_shape(a.shape, "slice_grad", "shape");
  if (a.shape.empty()) throw_range("slice_grad: shape must have at least one dimension");
  Shape want = counts(plan_slice(a.shape, a, "slice_grad"));
  if (want != c.in[0].shape) {
    throw_range("slice_grad: gradient shape " + shape_str(c.in[0].shape) + " does not match the slice shape " +
                shape_str(want));
  }
  outs.push_back({a.shape, c.in[0].dtype});
}

void fwd_slice_grad(OpCall& c) {
  fill_into(c.env, c.out[0], 0.0);
  const SliceParams& a = c.params<SliceParams>();
  strided_copy(c.env, c.out[0], plan_slice(a.shape, a, "slice_grad"), c.in[0], false);
}

Grads d_slice_grad(BackwardCtx& c) {
  SliceParams a = c.params<SliceParams>();
  a.shape = Shape();
  return {invoke1(c.env, OpId::slice, {c.grad()}, a)};
}

template <class P>
constexpr FieldDef kBegin = field<&P::begins>("begin", "the first index per axis (null: from the start)").as(FieldKind::IndexList);
template <class P>
constexpr FieldDef kEnd = field<&P::ends>("end", "the end per axis, excluded (null: to the end)").as(FieldKind::IndexList);
constexpr FieldDef kStep = field<&SliceParams::steps>("step", "the stride per axis (null: 1)").as(FieldKind::IndexList);
const FieldDef kSliceFields[] = {kBegin<SliceParams>.require(), kEnd<SliceParams>.require(), kStep};
const FieldDef kSliceAxisFields[] = {
    axis_field<&SliceAxisParams::axes, &SliceAxisParams::has_axes>("axis", "the axis to slice").set_default(0),
    kBegin<SliceAxisParams>.require(),
    kEnd<SliceAxisParams>.require().allow_null(),
};
const FieldDef kSliceGradFields[] = {field<&SliceParams::shape>("shape", "the shape of the sliced array").require(),
                                     kBegin<SliceParams>.require(), kEnd<SliceParams>.require(), kStep};

}  // namespace

void define_slice_ops(std::vector<OpDef>& table) {
  define_op(table, OpId::slice, 1, infer_slice, fwd_slice, d_slice<OpId::slice>, 0);
  define_op(table, OpId::slice_axis, 1, infer_slice_axis, fwd_slice_axis, d_slice<OpId::slice_axis>, 0);
  define_op(table, OpId::slice_grad, 1, infer_slice_grad, fwd_slice_grad, d_slice_grad, 0);
  set_params<SliceParams>(table, OpId::slice, kSliceFields);
  set_params<SliceAxisParams>(table, OpId::slice_axis, kSliceAxisFields);
  set_params<SliceParams>(table, OpId::slice_grad, kSliceGradFields);
}

}  // namespace ndgrad

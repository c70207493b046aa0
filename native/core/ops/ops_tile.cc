// tile(reps) and repeat(repeats, axis): both are broadcasts of the input into an interleaved view
// of the output, so their gradients are sums over the repeated axes of a reshaped gradient.
//   tile:   x viewed as (1, s0, 1, s1, ...)      -> out viewed as (r0, s0, r1, s1, ...)
//   repeat: x viewed as (outer, n, 1, inner)     -> out viewed as (outer, n, repeats, inner)
// (repeat without an axis works on the flattened input: outer = inner = 1.)
#include <string>

#include "core/drivers/elementwise.h"
#include "core/runtime/error.h"
#include "core/ops/ops.h"

namespace ndgrad {

namespace {

using namespace ops;

// ---- tile ------------------------------------------------------------------------------------------

struct TilePlan {
  Shape src;    // (1, s0, 1, s1, ...)
  Shape wide;   // (r0, s0, r1, s1, ...)
  Shape out;    // (r0*s0, r1*s1, ...)
  std::vector<int64_t> rep_axes;  // 0, 2, 4, ...
};

// NumPy/MXNet: the shorter of the input shape and reps is padded with leading 1s.
struct TileParams {
  Shape reps;
};

struct RepeatParams {
  int64_t repeats = 1;
  std::vector<int64_t> axes;  // one axis; none repeats the flattened array
  bool has_axes = false;
};

TilePlan plan_tile(const Shape& x, const TileParams& a) {
  const Shape& reps = a.reps;
  for (size_t i = 0; i < reps.size(); ++i)
    if (reps[i] < 0) throw_range("tile: reps[" + std::to_string(i) + "] must be non-negative, got " + std::to_string(reps[i]));
  size_t nd = std::max(x.size(), reps.size());
  TilePlan p;
  for (size_t i = 0; i < nd; ++i) {
    int64_t s = i + x.size() < nd ? 1 : x[i + x.size() - nd];
    int64_t r = i + reps.size() < nd ? 1 : reps[i + reps.size() - nd];
    p.src.push_back(1);
    p.src.push_back(s);
    p.wide.push_back(r);
    p.wide.push_back(s);
    p.out.push_back(checked_mul(r, s, "tile"));
    p.rep_axes.push_back(static_cast<int64_t>(2 * i));
  }
  return p;
}

void infer_tile(const OpCall& c, OutSpecs& outs) { outs.push_back({plan_tile(c.in[0].shape, c.params<TileParams>()).out, c.in[0].dtype}); }

// out viewed with another shape of the same size (outputs are contiguous).
Tensor viewed(const Tensor& t, const Shape& shape) {
  Tensor v = t;
  v.shape = shape;
  return v;
}

void fwd_tile(OpCall& c) {
  TilePlan p = plan_tile(c.in[0].shape, c.params<TileParams>());
  Tensor wide = viewed(c.out[0], p.wide);
  broadcast_into(c.env, viewed(c.in[0], p.src), wide);
}

ReduceParams sum_over(const std::vector<int64_t>& axes) {
  ReduceParams a;
  a.axes = axes;
  a.has_axes = true;
  return a;
}

Grads d_tile(BackwardCtx& c) {
  TilePlan p = plan_tile(c.input_shape(0), c.params<TileParams>());
  if (p.rep_axes.empty()) return {c.grad()};  // a 0-d input with no reps: the identity
  ArrayRef g = invoke1(c.env, OpId::sum, {reshape(c.env, c.grad(), p.wide)}, sum_over(p.rep_axes));
  return {reshape(c.env, g, c.input_shape(0))};
}

// ---- repeat ----------------------------------------------------------------------------------------

struct RepeatPlan {
  Shape src, wide, out;
};

RepeatPlan plan_repeat(const Shape& x, const RepeatParams& a) {
  int64_t r = a.repeats;
  if (r < 0) throw_range("repeat: repeats must be non-negative, got " + std::to_string(r));
  int64_t outer = 1, n = shape_size(x), inner = 1;
  RepeatPlan p;
  if (a.has_axes && !a.axes.empty()) {
    if (x.empty()) throw_range("repeat: a 0-d input has no axis to repeat along");
    int axis = normalize_axis(a.axes[0], x.size(), "repeat");
    for (int d = 0; d < axis; ++d) outer *= x[d];
    n = x[axis];
    for (size_t d = static_cast<size_t>(axis) + 1; d < x.size(); ++d) inner *= x[d];
    p.out = x;
    p.out[axis] = checked_mul(n, r, "repeat");
  } else {
    p.out = {checked_mul(n, r, "repeat")};
  }
  p.src = {outer, n, 1, inner};
  p.wide = {outer, n, r, inner};
  return p;
}

void infer_repeat(const OpCall& c, OutSpecs& outs) { outs.push_back({plan_repeat(c.in[0].shape, c.params<RepeatParams>()).out, c.in[0].dtype}); }

void fwd_repeat(OpCall& c) {
  RepeatPlan p = plan_repeat(c.in[0].shape, c.params<RepeatParams>());
  Tensor wide = viewed(c.out[0], p.wide);
  broadcast_into(c.env, viewed(c.in[0], p.src), wide);
}

Grads d_repeat(BackwardCtx& c) {
  RepeatPlan p = plan_repeat(c.input_shape(0), c.params<RepeatParams>());
  ArrayRef g = invoke1(c.env, OpId::sum, {reshape(c.env, c.grad(), p.wide)}, sum_over({2}));
  return {reshape(c.env, g, c.input_shape(0))};
}

const FieldDef kTileFields[] = {
    field<&TileParams::reps>("reps", "how many copies along each axis").require().non_negative(),
};
const FieldDef kRepeatFields[] = {
    field<&RepeatParams::repeats>("repeats", "the copies of each element").require().non_negative(),
    axis_field<&RepeatParams::axes, &RepeatParams::has_axes>("axis", "the axis to repeat along; null repeats the flattened array").allow_null(),
};

}  // namespace

void define_tile_ops(std::vector<OpDef>& table) {
  define_op(table, OpId::tile, 1, infer_tile, fwd_tile, d_tile, 0);
  define_op(table, OpId::repeat, 1, infer_repeat, fwd_repeat, d_repeat, 0);
  set_params<TileParams>(table, OpId::tile, kTileFields);
  set_params<RepeatParams>(table, OpId::repeat, kRepeatFields);
}

}  // namespace ndgrad

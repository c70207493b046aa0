// Joining and splitting along one axis: concat (MXNet's default dim=1), stack (a new axis) and
// split (equal parts, optionally squeezing the axis). All three move contiguous blocks: for
// every index of the axes before `axis`, each part owns one run of (its extent * inner) elements.
// Each one's gradient is another of them (or slice_axis), so they can be recorded again.
#include <cstring>
#include <string>
#include <vector>

#include "core/drivers/elementwise.h"
#include "core/runtime/error.h"
#include "core/ops/ops.h"
#include "core/runtime/thread_pool.h"

namespace ndgrad {

namespace {

using namespace ops;

// Copies between `whole` and its parts along `axis`: gather (parts -> whole, concat) or scatter
// (whole -> parts, split). Every part has whole's shape except on `axis`; the parts' extents sum
// to whole's.
void move_blocks(Runtime& env, const Tensor& whole, const Tensor* parts, size_t count, size_t axis, bool gather) {
  size_t es = dtype_size(whole.dtype);
  size_t outer = 1, inner = 1;
  for (size_t d = 0; d < axis; ++d) outer *= static_cast<size_t>(whole.shape[d]);
  for (size_t d = axis + 1; d < whole.ndim(); ++d) inner *= static_cast<size_t>(whole.shape[d]);
  size_t row = static_cast<size_t>(whole.shape[axis]) * inner * es;  // bytes of whole per outer index
  if (outer == 0 || row == 0) return;
  char* w = static_cast<char*>(whole.raw());
  // A part's bytes per outer index; parts with none are skipped.
  auto run_of = [&](size_t p) { return static_cast<size_t>(parts[p].shape[axis]) * inner * es; };
  size_t nonempty = 0;
  for (size_t p = 0; p < count; ++p) nonempty += run_of(p) != 0;
  // Runs of a few cache lines or more: whole is walked once, in order (every part's run of an
  // outer index in turn), so that a result in a cold block (left to the collector) is written
  // as one stream, not once per part with gaps between the runs (`concat 2x1000x500 dim1`, CPU
  // per no-dispose call 460-833 -> 298-409 us). Shorter runs go part by part, each part read as
  // one stream (64 parts of 16-byte runs: 0.95-1.27 ms, against 1.6-2.0 walking whole in order).
  constexpr size_t kInOrderRun = 256;
  const bool in_order = row >= kInOrderRun * nonempty;
  // Part p's run of outer indices [o0, o1), starting `off` bytes into each row of whole.
  auto move = [&](size_t p, size_t off, size_t o0, size_t o1) {
    size_t run = run_of(p);
    char* q = static_cast<char*>(parts[p].raw());
    for (size_t o = o0; o < o1; ++o) {
      if (gather) std::memcpy(w + o * row + off, q + o * run, run);
      else std::memcpy(q + o * run, w + o * row + off, run);
    }
  };
  auto body = [&](size_t o0, size_t o1) {
    if (in_order) {
      for (size_t o = o0; o < o1; ++o) {
        size_t off = 0;
        for (size_t p = 0; p < count; off += run_of(p), ++p) move(p, off, o, o + 1);
      }
    } else {
      size_t off = 0;
      for (size_t p = 0; p < count; off += run_of(p), ++p) move(p, off, o0, o1);
    }
  };
  size_t bytes = outer * row;
  constexpr size_t kParallelBytes = size_t{1} << 20;
  if (bytes < kParallelBytes || outer < 2) body(0, outer);
  else env.thread_pool().parallel_range(outer, (kParallelBytes / 4) / row + 1, body);
}

// The joining axis, MXNet style: negative counts from the end.
struct SplitParams {
  std::vector<int64_t> axes;  // one axis, default 1
  bool has_axes = false;
  int64_t num_outputs = 1;
  bool squeeze_axis = false;
};

template <class P>
int join_axis(const P& a, size_t ndim, int64_t fallback, const char* op, const char* arg) {
  return normalize_axis(a.has_axes && !a.axes.empty() ? a.axes[0] : fallback, ndim, op, arg);
}

Shape with_axis(const Shape& s, size_t axis, int64_t extent) {
  Shape out;
  for (size_t d = 0; d <= s.size(); ++d) {
    if (d == axis) out.push_back(extent);
    if (d < s.size()) out.push_back(s[d]);
  }
  return out;
}

Shape without_axis(const Shape& s, size_t axis) {
  Shape out;
  for (size_t d = 0; d < s.size(); ++d)
    if (d != axis) out.push_back(s[d]);
  return out;
}

std::string input_desc(size_t i, const Tensor& t) {
  return "input " + std::to_string(i) + " (" + dtype_name(t.dtype) + " " + shape_str(t.shape) + ")";
}

void check_joinable(const OpCall& c, const char* op) {
  if (c.num_inputs == 0) throw_range(std::string(op) + ": needs at least one input array");
  for (size_t i = 1; i < c.num_inputs; ++i) {
    if (c.in[i].dtype != c.in[0].dtype) {
      throw_type(std::string(op) + ": all inputs must have the same dtype, " + input_desc(i, c.in[i]) +
                 " differs from " + input_desc(0, c.in[0]));
    }
    if (c.in[i].ndim() != c.in[0].ndim()) {
      throw_range(std::string(op) + ": all inputs must have the same number of dimensions, " + input_desc(i, c.in[i]) +
                  " differs from " + input_desc(0, c.in[0]));
    }
  }
}

// ---- concat --------------------------------------------------------------------------------------

void infer_concat(const OpCall& c, OutSpecs& outs) {
  check_joinable(c, "concat");
  const Shape& s0 = c.in[0].shape;
  if (s0.empty()) throw_range("concat: inputs must have at least one dimension");
  int axis = join_axis(c.params<AxesParams>(), s0.size(), 1, "concat", "dim");
  Shape out = s0;
  for (size_t i = 1; i < c.num_inputs; ++i) {
    const Shape& s = c.in[i].shape;
    for (size_t d = 0; d < s.size(); ++d) {
      if (static_cast<int>(d) != axis && s[d] != s0[d]) {
        throw_range("concat: " + input_desc(i, c.in[i]) + " does not match " + input_desc(0, c.in[0]) +
                    " outside dimension " + std::to_string(axis));
      }
    }
    out[axis] += s[axis];
  }
  outs.push_back({out, c.in[0].dtype});
}

void fwd_concat(OpCall& c) {
  int axis = join_axis(c.params<AxesParams>(), c.in[0].ndim(), 1, "concat", "dim");
  move_blocks(c.env, c.out[0], c.in, c.num_inputs, static_cast<size_t>(axis), true);
}

// Each input's gradient is its slab of g (a slice, which also handles empty inputs).
Grads d_concat(BackwardCtx& c) {
  size_t n = c.node.num_inputs();
  size_t axis = static_cast<size_t>(join_axis(c.params<AxesParams>(), c.input_shape(0).size(), 1, "concat", "dim"));
  Grads grads;
  int64_t begin = 0;
  for (size_t i = 0; i < n; ++i) {
    int64_t extent = c.input_shape(i)[axis];
    SliceParams a;
    a.begins.assign(axis + 1, kNoIndex);
    a.ends.assign(axis + 1, kNoIndex);
    a.begins[axis] = begin;
    a.ends[axis] = begin + extent;
    grads.push_back(invoke1(c.env, OpId::slice, {c.grad()}, a));
    begin += extent;
  }
  return grads;
}

// ---- stack: a new axis of length n ---------------------------------------------------------------

void infer_stack(const OpCall& c, OutSpecs& outs) {
  check_joinable(c, "stack");
  const Shape& s0 = c.in[0].shape;
  for (size_t i = 1; i < c.num_inputs; ++i) {
    if (c.in[i].shape != s0) {
      throw_range("stack: all inputs must have the same shape, " + input_desc(i, c.in[i]) + " differs from " +
                  input_desc(0, c.in[0]));
    }
  }
  int axis = join_axis(c.params<AxesParams>(), s0.size() + 1, 0, "stack", "axis");
  outs.push_back({with_axis(s0, static_cast<size_t>(axis), static_cast<int64_t>(c.num_inputs)), c.in[0].dtype});
}

void fwd_stack(OpCall& c) {
  size_t axis = static_cast<size_t>(join_axis(c.params<AxesParams>(), c.in[0].ndim() + 1, 0, "stack", "axis"));
  // Each input is a part of extent 1 on the new axis.
  SmallVec<Tensor, 4> parts;
  for (size_t i = 0; i < c.num_inputs; ++i) {
    Tensor v = c.in[i];
    v.shape = with_axis(v.shape, axis, 1);
    parts.push_back(std::move(v));
  }
  move_blocks(c.env, c.out[0], parts.data(), parts.size(), axis, true);
}

Grads d_stack(BackwardCtx& c) {
  size_t n = c.node.num_inputs();
  SplitParams a;
  a.axes = {join_axis(c.params<AxesParams>(), c.input_shape(0).size() + 1, 0, "stack", "axis")};
  a.has_axes = true;
  a.num_outputs = static_cast<int64_t>(n);
  a.squeeze_axis = true;
  ArrayList parts = invoke(c.env, OpId::split, {c.grad()}, a);
  return Grads(parts.begin(), parts.end());
}

// ---- split: num_outputs equal parts along axis (default 1) -----------------------------------------

void infer_split(const OpCall& c, OutSpecs& outs) {
  const Shape& s = c.in[0].shape;
  if (s.empty()) throw_range("split: the input must have at least one dimension");
  int axis = join_axis(c.params<SplitParams>(), s.size(), 1, "split", "axis");
  int64_t n = c.params<SplitParams>().num_outputs;
  if (n < 1) throw_range("split: numOutputs must be a positive integer, got " + std::to_string(n));
  if (s[axis] % n != 0) {
    throw_range("split: numOutputs " + std::to_string(n) + " does not evenly divide the length " + std::to_string(s[axis]) +
                " of axis " + std::to_string(axis) + " of the input " + shape_str(s));
  }
  if (n > 4096) throw_range("split: numOutputs " + std::to_string(n) + " is more than 4096");
  if (c.params<SplitParams>().squeeze_axis && s[axis] != n) {
    throw_range("split: squeezeAxis needs numOutputs equal to the length " + std::to_string(s[axis]) + " of axis " +
                std::to_string(axis) + ", got " + std::to_string(n));
  }
  Shape part = s;
  part[axis] = s[axis] / n;
  // No 0-d arrays: squeezing a 1-D input's only axis leaves parts of shape [1].
  if (c.params<SplitParams>().squeeze_axis && s.size() > 1) part = without_axis(s, static_cast<size_t>(axis));
  for (int64_t i = 0; i < n; ++i) outs.push_back({part, c.in[0].dtype});
}

void fwd_split(OpCall& c) {
  const Shape& s = c.in[0].shape;
  size_t axis = static_cast<size_t>(join_axis(c.params<SplitParams>(), s.size(), 1, "split", "axis"));
  SmallVec<Tensor, 4> parts;
  for (Tensor& o : c.out) {
    Tensor v = o;
    v.shape = s;
    v.shape[axis] = s[axis] / c.params<SplitParams>().num_outputs;
    parts.push_back(std::move(v));
  }
  move_blocks(c.env, c.in[0], parts.data(), parts.size(), axis, false);
}

// The input's gradient joins the outputs' gradients (squeezed parts get their axis back).
Grads d_split(BackwardCtx& c) {
  const Shape& s = c.input_shape(0);
  int axis = join_axis(c.params<SplitParams>(), s.size(), 1, "split", "axis");
  ArrayList gs;
  for (const ArrayRef& g : c.out_grads) gs.push_back(g);
  bool squeezed = c.params<SplitParams>().squeeze_axis && s.size() > 1;
  return {invoke1(c.env, squeezed ? OpId::stack : OpId::concat, gs, AxesParams{{axis}, true})};
}

const FieldDef kConcatFields[] = {
    axis_field<&AxesParams::axes, &AxesParams::has_axes>("dim", "the axis to join along").alias("axis").set_default(1),
    ignored_field("numArgs", "MXNet's input count; taken from the inputs").alias("num_args"),
};
const FieldDef kStackFields[] = {
    axis_field<&AxesParams::axes, &AxesParams::has_axes>("axis", "the new axis's position").set_default(0),
    ignored_field("numArgs", "MXNet's input count; taken from the inputs").alias("num_args"),
};
const FieldDef kSplitFields[] = {
    field<&SplitParams::num_outputs>("numOutputs", "the number of equal parts").alias("num_outputs").require().positive(),
    axis_field<&SplitParams::axes, &SplitParams::has_axes>("axis", "the axis to split").set_default(1),
    field<&SplitParams::squeeze_axis>("squeezeAxis", "drop the split axis (its parts must have size 1)").alias("squeeze_axis"),
};

}  // namespace

void define_tile_ops(std::vector<OpDef>& table);
void define_slice_ops(std::vector<OpDef>& table);

void define_join_ops(std::vector<OpDef>& table) {
  define_op(table, OpId::concat, -1, infer_concat, fwd_concat, d_concat, 0);
  define_op(table, OpId::stack, -1, infer_stack, fwd_stack, d_stack, 0);
  define_op(table, OpId::split, 1, infer_split, fwd_split, d_split, 0);
  set_params<AxesParams>(table, OpId::concat, kConcatFields);
  set_params<AxesParams>(table, OpId::stack, kStackFields);
  set_params<SplitParams>(table, OpId::split, kSplitFields);
  define_tile_ops(table);
  define_slice_ops(table);
}

}  // namespace ndgrad

// Convolution family (MXNet's Convolution and Deconvolution, src/operator/nn/convolution-inl.h
// and deconvolution-inl.h): 1-D, 2-D and 3-D, channels first, stride, dilation, padding, groups.
// The three ops are each other's gradients: convolution's data gradient is a deconvolution, the
// deconvolution's is a convolution, and both weight gradients are conv_weight_grad, whose own
// gradients are again a deconvolution and a convolution (so createGraph works). Backward calls
// pass explicit padding and adj (ConvParams), never targetShape. convolution_relu is
// relu(convolution(...)) in one pass over the output (gluon's Conv layers with activation
// 'relu'); its shape errors name convolution, the op it extends.
#include <string>
#include <utility>

#include "core/drivers/conv.h"
#include "core/runtime/error.h"
#include "core/ops/ops.h"

namespace ndgrad {

namespace {

using namespace ops;

enum class Kind { Conv, Deconv, WeightGrad };

const char* layout_names[] = {"None", "NCW", "NCHW", "NCDHW", "NHWC", "NDHWC"};

std::string tuple_str(const Shape& v) {
  std::string s = "(";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
  return s + ")";
}

// One value per spatial axis: the option as given, one value repeated, or the default.
Shape per_axis(const Shape& v, size_t nd, int64_t def, const char* op, const char* name) {
  if (v.empty()) return Shape(nd, def);
  if (v.size() == 1) return Shape(nd, v[0]);
  if (v.size() != nd) {
    throw_range(std::string(op) + ": " + name + " " + tuple_str(v) + " must have 1 or " + std::to_string(nd) +
                " values for a " + std::to_string(nd) + "-D input");
  }
  return v;
}

struct Plan {
  ConvGeom g;
  Shape out;        // the op's output shape
  size_t nd = 0;    // spatial axes
};

// Checks what every kind shares (ranks, dtypes, options) and fills the geometry's kernel,
// stride, dilation and groups. `data` is the op's first input, `second` its second.
Plan start_plan(const char* op, const Tensor& data, const Tensor& second, const ConvParams& p) {
  const Shape& xs = data.shape;
  if (xs.size() < 3 || xs.size() > 5) {
    throw_range(std::string(op) + ": data must be 3-D, 4-D or 5-D (NCW, NCHW or NCDHW), got shape " + shape_str(xs));
  }
  if (!dtype_is_float(data.dtype)) {
    throw_type(std::string(op) + ": data must be float32 or float64, got " + dtype_name(data.dtype));
  }
  if (second.dtype != data.dtype) {
    throw_type(std::string(op) + ": the second input is " + dtype_name(second.dtype) + " but data is " +
               dtype_name(data.dtype));
  }
  Plan pl;
  pl.nd = xs.size() - 2;
  if (p.layout != 0 && p.layout != static_cast<int>(pl.nd)) {
    throw_range(std::string(op) + ": layout '" + layout_names[p.layout] + "' is not supported for a " +
                std::to_string(pl.nd) + "-D input (only " + layout_names[pl.nd] + ", channels first)");
  }
  if (p.kernel.empty()) throw_range(std::string(op) + ": kernel is required");
  Shape k = per_axis(p.kernel, pl.nd, 1, op, "kernel");
  Shape s = per_axis(p.stride, pl.nd, 1, op, "stride");
  Shape d = per_axis(p.dilate, pl.nd, 1, op, "dilate");
  if (p.num_group < 1) throw_range(std::string(op) + ": numGroup must be at least 1, got " + std::to_string(p.num_group));
  size_t lead = 3 - pl.nd;
  for (const auto& [name, v] : {std::pair<const char*, const Shape&>{"kernel", k}, {"stride", s}, {"dilate", d}}) {
    for (int64_t e : v)
      if (e < 1) throw_range(std::string(op) + ": " + name + " must be positive, got " + tuple_str(v));
  }
  for (size_t a = 0; a < pl.nd; ++a) {
    pl.g.k[lead + a] = static_cast<size_t>(k[a]);
    pl.g.stride[lead + a] = static_cast<size_t>(s[a]);
    pl.g.dilate[lead + a] = static_cast<size_t>(d[a]);
  }
  pl.g.groups = static_cast<size_t>(p.num_group);
  pl.g.n = static_cast<size_t>(xs[0]);
  return pl;
}

void check_divisible(const char* op, const char* what, int64_t channels, int64_t groups) {
  if (channels % groups != 0) {
    throw_range(std::string(op) + ": " + what + " " + std::to_string(channels) + " is not divisible by numGroup " +
                std::to_string(groups));
  }
}

void check_weight(const char* op, const Shape& w, int64_t rows, int64_t cols, const Plan& pl) {
  Shape want = {rows, cols};
  for (size_t a = 0; a < pl.nd; ++a) want.push_back(static_cast<int64_t>(pl.g.k[3 - pl.nd + a]));
  if (w != want) {
    throw_range(std::string(op) + ": weight shape " + shape_str(w) + " does not match the expected " +
                shape_str(want) + " (numFilter, kernel, numGroup and the data's channels)");
  }
}

int64_t dilated(const ConvGeom& g, size_t a) { return static_cast<int64_t>(g.dilate[a] * (g.k[a] - 1) + 1); }

// Convolution output extents from the big array's, checking that the kernel fits.
void conv_extents(const char* op, Plan& pl, const Shape& big, const Shape& pad) {
  for (size_t a = 0; a < pl.nd; ++a) {
    size_t ax = 3 - pl.nd + a;
    int64_t n = big[2 + a], padded = n + 2 * pad[a], dk = dilated(pl.g, ax);
    if (dk > padded) {
      throw_range(std::string(op) + ": kernel " + std::to_string(pl.g.k[ax]) + " (dilated " + std::to_string(dk) +
                  ") is larger than the padded input " + std::to_string(padded) + " along spatial axis " +
                  std::to_string(a) + " (input " + std::to_string(n) + ", pad " + std::to_string(pad[a]) + ")");
    }
    pl.g.in[ax] = static_cast<size_t>(n);
    pl.g.pad[ax] = static_cast<size_t>(pad[a]);
    pl.g.out[ax] = static_cast<size_t>((padded - dk) / static_cast<int64_t>(pl.g.stride[ax]) + 1);
  }
}

Shape pads_of(const char* op, const ConvParams& p, size_t nd) {
  Shape pad = per_axis(p.pad, nd, 0, op, "pad");
  for (int64_t v : pad)
    if (v < 0) throw_range(std::string(op) + ": pad must be non-negative, got " + tuple_str(pad));
  return pad;
}

// The channel counts of a convolution or deconvolution layer and its weight's shape:
// [numFilter, C / numGroup, ...kernel], or [C, numFilter / numGroup, ...kernel] for deconvolution.
void check_layer(const char* op, const Tensor& x, const Tensor& w, const ConvParams& p, const Plan& pl, bool deconv) {
  if (p.num_filter < 1) throw_range(std::string(op) + ": numFilter is required (at least 1)");
  check_divisible(op, "the data's channels", x.shape[1], p.num_group);
  check_divisible(op, "numFilter", p.num_filter, p.num_group);
  if (deconv) check_weight(op, w.shape, x.shape[1], p.num_filter / p.num_group, pl);
  else check_weight(op, w.shape, p.num_filter, x.shape[1] / p.num_group, pl);
}

Plan plan_conv(const Tensor& x, const Tensor& w, const ConvParams& p) {
  const char* op = "convolution";
  Plan pl = start_plan(op, x, w, p);
  check_layer(op, x, w, p, pl, false);
  conv_extents(op, pl, x.shape, pads_of(op, p, pl.nd));
  pl.g.c = static_cast<size_t>(x.shape[1]);
  pl.g.f = static_cast<size_t>(p.num_filter);
  pl.out = {x.shape[0], p.num_filter};
  for (size_t a = 0; a < pl.nd; ++a) pl.out.push_back(static_cast<int64_t>(pl.g.out[3 - pl.nd + a]));
  return pl;
}

// Deconvolution: x is the small array [n, c, ...]; the big one [n, numFilter, ...] is the output.
Plan plan_deconv(const Tensor& x, const Tensor& w, const ConvParams& p) {
  const char* op = "deconvolution";
  Plan pl = start_plan(op, x, w, p);
  check_layer(op, x, w, p, pl, true);
  Shape pad = pads_of(op, p, pl.nd);
  Shape adj = per_axis(p.adj, pl.nd, 0, op, "adj");
  bool use_target = false;
  for (int64_t t : p.target_shape) use_target = use_target || t != 0;
  Shape target = use_target ? per_axis(p.target_shape, pl.nd, 0, op, "targetShape") : Shape();
  pl.out = {x.shape[0], p.num_filter};
  for (size_t a = 0; a < pl.nd; ++a) {
    size_t ax = 3 - pl.nd + a;
    int64_t n = x.shape[2 + a], s = static_cast<int64_t>(pl.g.stride[ax]), full = s * (n - 1) + dilated(pl.g, ax);
    if (use_target) {  // MXNet's InferPad: the padding that gives the target, odd remainders in adj
      if (target[a] > full) {
        throw_range(std::string(op) + ": targetShape " + tuple_str(target) + " is too big for the input " +
                    shape_str(x.shape) + " (at most " + std::to_string(full) + " along spatial axis " +
                    std::to_string(a) + ")");
      }
      int64_t total = full - target[a];
      adj[a] = total % 2;
      pad[a] = (total + 1) / 2;
    }
    if (adj[a] < 0 || adj[a] >= s) {
      throw_range(std::string(op) + ": adj " + tuple_str(adj) + " must be non-negative and smaller than stride " +
                  std::to_string(s) + " along spatial axis " + std::to_string(a));
    }
    int64_t m = full - 2 * pad[a] + adj[a];
    if (m < 1) {
      throw_range(std::string(op) + ": pad " + tuple_str(pad) + " leaves no output along spatial axis " +
                  std::to_string(a) + " (input " + std::to_string(n) + ", kernel " + std::to_string(pl.g.k[ax]) + ")");
    }
    pl.g.in[ax] = static_cast<size_t>(m);
    pl.g.out[ax] = static_cast<size_t>(n);
    pl.g.pad[ax] = static_cast<size_t>(pad[a]);
    pl.out.push_back(m);
  }
  pl.g.c = static_cast<size_t>(p.num_filter);
  pl.g.f = static_cast<size_t>(x.shape[1]);
  return pl;
}

// conv_weight_grad(big, small): the weight gradient of the convolution from big to small.
Plan plan_weight_grad(const Tensor& big, const Tensor& small, const ConvParams& p) {
  const char* op = "conv_weight_grad";
  Plan pl = start_plan(op, big, small, p);
  if (small.shape.size() != big.shape.size() || small.shape[0] != big.shape[0]) {
    throw_range(std::string(op) + ": the output gradient " + shape_str(small.shape) + " does not match data " +
                shape_str(big.shape));
  }
  check_divisible(op, "the data's channels", big.shape[1], p.num_group);
  check_divisible(op, "the output gradient's channels", small.shape[1], p.num_group);
  conv_extents(op, pl, big.shape, pads_of(op, p, pl.nd));
  for (size_t a = 0; a < pl.nd; ++a) {
    if (static_cast<int64_t>(pl.g.out[3 - pl.nd + a]) != small.shape[2 + a]) {
      throw_range(std::string(op) + ": the output gradient " + shape_str(small.shape) +
                  " is not the convolution's output shape for data " + shape_str(big.shape));
    }
  }
  pl.g.c = static_cast<size_t>(big.shape[1]);
  pl.g.f = static_cast<size_t>(small.shape[1]);
  pl.out = {small.shape[1], big.shape[1] / p.num_group};
  for (size_t a = 0; a < pl.nd; ++a) pl.out.push_back(static_cast<int64_t>(pl.g.k[3 - pl.nd + a]));
  return pl;
}

template <Kind K>
Plan plan_of(const Tensor* in, const ConvParams& p) {
  if constexpr (K == Kind::Conv) return plan_conv(in[0], in[1], p);
  else if constexpr (K == Kind::Deconv) return plan_deconv(in[0], in[1], p);
  else return plan_weight_grad(in[0], in[1], p);
}

template <Kind K>
void infer(const OpCall& c, OutSpecs& outs) {
  const char* op = op_def(K == Kind::Conv     ? OpId::convolution
                          : K == Kind::Deconv ? OpId::deconvolution
                                              : OpId::conv_weight_grad)
                       .name;
  const ConvParams& p = c.params<ConvParams>();
  size_t want = K == Kind::WeightGrad || p.no_bias ? 2 : 3;
  if (c.num_inputs != want) {
    throw_type(std::string(op) + ": expected " + std::to_string(want) + " inputs (data, weight" +
               (want == 3 ? ", bias" : "") + ") with noBias " + (p.no_bias ? "true" : "false") + ", got " +
               std::to_string(c.num_inputs));
  }
  Plan pl = plan_of<K>(c.in, p);
  if (want == 3) {
    const Tensor& b = c.in[2];
    int64_t f = pl.out[1];
    if (b.dtype != c.in[0].dtype || b.shape != Shape{f}) {
      throw_range(std::string(op) + ": bias must be " + dtype_name(c.in[0].dtype) + " of shape (" +
                  std::to_string(f) + ",), got " + dtype_name(b.dtype) + " " + shape_str(b.shape));
    }
  }
  outs.push_back({pl.out, c.in[0].dtype});
}

ConvRun run_of(OpCall& c) { return {c.env.thread_pool(), c.env.isa, c.in[0].dtype}; }
const void* bias_of(const OpCall& c) { return c.num_inputs == 3 ? c.in[2].raw() : nullptr; }

void fwd_conv(OpCall& c) {
  Plan pl = plan_conv(c.in[0], c.in[1], c.params<ConvParams>());
  conv_forward(run_of(c), pl.g, c.in[0].raw(), c.in[1].raw(), bias_of(c), c.out[0].raw());
}

void fwd_conv_relu(OpCall& c) {
  Plan pl = plan_conv(c.in[0], c.in[1], c.params<ConvParams>());
  conv_forward(run_of(c), pl.g, c.in[0].raw(), c.in[1].raw(), bias_of(c), c.out[0].raw(), true);
}

void fwd_deconv(OpCall& c) {
  Plan pl = plan_deconv(c.in[0], c.in[1], c.params<ConvParams>());
  conv_backward_data(run_of(c), pl.g, c.in[0].raw(), c.in[1].raw(), bias_of(c), c.out[0].raw());
}

void fwd_weight_grad(OpCall& c) {
  Plan pl = plan_weight_grad(c.in[0], c.in[1], c.params<ConvParams>());
  conv_backward_weight(run_of(c), pl.g, c.in[0].raw(), c.in[1].raw(), c.out[0].raw());
}

// The options of a backward call: the geometry's kernel, stride, dilation, padding and groups
// spelled out, no bias; adj and numFilter are set by the caller.
ConvParams explicit_params(const ConvGeom& g, size_t nd) {
  ConvParams p;
  for (size_t a = 3 - nd; a < 3; ++a) {
    p.kernel.push_back(static_cast<int64_t>(g.k[a]));
    p.stride.push_back(static_cast<int64_t>(g.stride[a]));
    p.dilate.push_back(static_cast<int64_t>(g.dilate[a]));
    p.pad.push_back(static_cast<int64_t>(g.pad[a]));
    p.adj.push_back(0);
  }
  p.num_group = static_cast<int64_t>(g.groups);
  p.no_bias = true;
  return p;
}

// The transposed convolution of small with w back to the big array's extents.
ArrayRef to_big(Runtime& env, const ArrayRef& small, const ArrayRef& w, const ConvGeom& g, size_t nd) {
  ConvParams p = explicit_params(g, nd);
  p.num_filter = static_cast<int64_t>(g.c);
  for (size_t a = 0; a < nd; ++a) {
    size_t ax = 3 - nd + a;
    int64_t reach = static_cast<int64_t>(g.stride[ax] * (g.out[ax] - 1)) + dilated(g, ax) - 2 * static_cast<int64_t>(g.pad[ax]);
    p.adj[a] = static_cast<int64_t>(g.in[ax]) - reach;
  }
  return invoke1(env, OpId::deconvolution, {small, w}, p);
}

ArrayRef to_small(Runtime& env, const ArrayRef& big, const ArrayRef& w, const ConvGeom& g, size_t nd) {
  ConvParams p = explicit_params(g, nd);
  p.num_filter = static_cast<int64_t>(g.f);
  return invoke1(env, OpId::convolution, {big, w}, p);
}

ArrayRef weight_grad(Runtime& env, const ArrayRef& big, const ArrayRef& small, const ConvGeom& g, size_t nd) {
  return invoke1(env, OpId::conv_weight_grad, {big, small}, explicit_params(g, nd));
}

// The bias gradient: the output gradient summed over every axis but the channels. Over the batch
// first (whole rows added column by column), then over each channel's plane: one sum over the
// batch and spatial axes together walked the short rows of every (image, channel) plane and took
// 3x (256x6x24x24) to 7x (256x16x10x10) as long.
ArrayRef bias_grad(Runtime& env, const ArrayRef& g) {
  ArrayRef per_channel = invoke1(env, OpId::sum, {g}, ReduceParams{{0}, true, false});
  ReduceParams r;
  r.has_axes = true;
  for (size_t a = 1; a + 1 < g->t.ndim(); ++a) r.axes.push_back(static_cast<int64_t>(a));
  return invoke1(env, OpId::sum, {per_channel}, r);
}

template <Kind K>
Plan replan(BackwardCtx& c) {
  ArrayRef a = c.input(0), b = c.input(1);
  Tensor in[2] = {a->t, b->t};
  return plan_of<K>(in, c.params<ConvParams>());
}

// Whether input i is in a graph: the gradients of the others are never computed (a first layer's
// data gradient costs as much as its weight gradient).
bool wanted(const BackwardCtx& c, size_t i) { return c.node.inputs[i].live(); }

// The convolution's gradients for the output gradient g.
Grads conv_grads(BackwardCtx& c, const ArrayRef& g) {
  Plan pl = replan<Kind::Conv>(c);
  Grads out(c.node.num_inputs());
  if (wanted(c, 0)) out[0] = to_big(c.env, g, c.input(1), pl.g, pl.nd);
  if (wanted(c, 1)) out[1] = weight_grad(c.env, c.input(0), g, pl.g, pl.nd);
  if (out.size() == 3 && wanted(c, 2)) out[2] = bias_grad(c.env, g);
  return out;
}

Grads d_conv(BackwardCtx& c) { return conv_grads(c, c.grad()); }

// relu's gradient first, as d_relu writes it (relu_grad: g * sign(y), 0 where y is 0, NaN where y
// is NaN).
Grads d_conv_relu(BackwardCtx& c) { return conv_grads(c, invoke1(c.env, OpId::relu_grad, {c.grad(), c.output(0)})); }

Grads d_deconv(BackwardCtx& c) {
  Plan pl = replan<Kind::Deconv>(c);
  Grads out(c.node.num_inputs());
  if (wanted(c, 0)) out[0] = to_small(c.env, c.grad(), c.input(1), pl.g, pl.nd);
  if (wanted(c, 1)) out[1] = weight_grad(c.env, c.grad(), c.input(0), pl.g, pl.nd);
  if (out.size() == 3 && wanted(c, 2)) out[2] = bias_grad(c.env, c.grad());
  return out;
}

// conv_weight_grad is bilinear in (big, small): against a weight-shaped gradient h, big's
// gradient is the transposed convolution of small with h and small's the convolution of big with h.
Grads d_weight_grad(BackwardCtx& c) {
  Plan pl = replan<Kind::WeightGrad>(c);
  Grads out(2);
  if (wanted(c, 0)) out[0] = to_big(c.env, c.input(1), c.grad(), pl.g, pl.nd);
  if (wanted(c, 1)) out[1] = to_small(c.env, c.input(0), c.grad(), pl.g, pl.nd);
  return out;
}

constexpr FieldDef kKernel =
    field<&ConvParams::kernel>("kernel", "the kernel's extent along each spatial axis (one number: all)")
        .require();
constexpr FieldDef kStride = field<&ConvParams::stride>("stride", "the step between windows (default 1)");
constexpr FieldDef kDilate =
    field<&ConvParams::dilate>("dilate", "the spacing between kernel taps (default 1)");
constexpr FieldDef kPad =
    field<&ConvParams::pad>("pad", "zero padding on both sides of each spatial axis (default 0)").non_negative();
constexpr FieldDef kNumGroup = field<&ConvParams::num_group>("numGroup", "groups of channels convolved separately")
                                   .alias("num_group")
                                   .set_default(1)
                                   .range(1, 1 << 30);
constexpr FieldDef kNumFilter =
    field<&ConvParams::num_filter>("numFilter", "output channels").alias("num_filter").require().range(1, 1 << 30);
constexpr FieldDef kLayout =
    field<&ConvParams::layout>("layout", "channels first only: NCW, NCHW or NCDHW (None: by the data's rank)")
        .one_of("None NCW NCHW NCDHW NHWC NDHWC");
constexpr FieldDef kWorkspace = ignored_field("workspace", "MXNet's workspace limit in MB; unused");
constexpr FieldDef kCudnnTune =
    ignored_field("cudnnTune", "MXNet's cuDNN algorithm choice; no effect on the CPU").alias("cudnn_tune");
constexpr FieldDef kCudnnOff = ignored_field("cudnnOff", "MXNet's cuDNN switch; no effect on the CPU").alias("cudnn_off");

const FieldDef kConvFields[] = {
    kKernel, kStride, kDilate, kPad, kNumGroup, kNumFilter, kLayout, kWorkspace, kCudnnTune, kCudnnOff,
    field<&ConvParams::no_bias>("noBias", "no bias input").alias("no_bias").set_default(0),
};

const FieldDef kDeconvFields[] = {
    kKernel, kStride, kDilate, kPad, kNumGroup, kNumFilter, kLayout, kWorkspace, kCudnnTune, kCudnnOff,
    field<&ConvParams::no_bias>("noBias", "no bias input (MXNet's default: true)").alias("no_bias").set_default(1),
    field<&ConvParams::adj>("adj", "extra output rows at the end of each spatial axis, below stride").non_negative(),
    field<&ConvParams::target_shape>("targetShape", "the output's spatial extents; sets pad and adj")
        .alias("target_shape")
        .non_negative(),
};

const FieldDef kWeightGradFields[] = {kKernel, kStride, kDilate, kPad, kNumGroup};

}  // namespace

void define_conv_ops(std::vector<OpDef>& table) {
  define_op(table, OpId::convolution, -1, infer<Kind::Conv>, fwd_conv, d_conv, kSaveInputs);
  define_op(table, OpId::deconvolution, -1, infer<Kind::Deconv>, fwd_deconv, d_deconv, kSaveInputs);
  define_op(table, OpId::conv_weight_grad, 2, infer<Kind::WeightGrad>, fwd_weight_grad, d_weight_grad, kSaveInputs);
  define_op(table, OpId::convolution_relu, -1, infer<Kind::Conv>, fwd_conv_relu, d_conv_relu, kSaveInputs | kSaveOutputs);
  set_params<ConvParams>(table, OpId::convolution, kConvFields);
  set_params<ConvParams>(table, OpId::deconvolution, kDeconvFields);
  set_params<ConvParams>(table, OpId::conv_weight_grad, kWeightGradFields);
  set_params<ConvParams>(table, OpId::convolution_relu, kConvFields);
}

}  // namespace ndgrad

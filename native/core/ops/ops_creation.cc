// Ops with no inputs: fills, ranges and random draws (from the instance's seeded stream).
#include <cmath>
#include <string>

#include "core/drivers/elementwise.h"
#include "core/runtime/error.h"
#include "core/ops/ops.h"

namespace ndgrad {

namespace {

// zeros, ones, full (zeros and ones take no value).
struct FillParams {
  Shape shape;
  DType dtype = DType::Float32;
  double value = 0;
};
// random.uniform and random.randint: values in [low, high).
struct UniformParams {
  Shape shape;
  DType dtype = DType::Float32;
  double low = 0, high = 1;
};
struct NormalParams {
  Shape shape;
  DType dtype = DType::Float32;
  double loc = 0, scale = 1;
};
struct ArangeParams {
  double start = 0, stop = 0, step = 1;
  DType dtype = DType::Float32;
};
struct LinspaceParams {
  double start = 0, stop = 0;
  int64_t num = 0;
  bool endpoint = true;
  DType dtype = DType::Float32;
};

template <class P, OpId Id>
void infer_created(const OpCall& c, OutSpecs& outs) {
  const P& p = c.params<P>();
  check_shape(p.shape, op_def(Id).name, "shape");
  outs.push_back({p.shape, p.dtype});
}

void fwd_zeros(OpCall& c) { fill_into(c.env, c.out[0], 0.0); }
void fwd_ones(OpCall& c) { fill_into(c.env, c.out[0], 1.0); }
void fwd_full(OpCall& c) { fill_into(c.env, c.out[0], c.params<FillParams>().value); }

// arange: ceil((stop - start) / step) values.
int64_t arange_count(const ArangeParams& a) {
  double start = a.start, stop = a.stop, step = a.step;
  if (!std::isfinite(start) || !std::isfinite(stop) || !std::isfinite(step)) {
    throw_range("arange: start, stop and step must be finite numbers");
  }
  if (step == 0) throw_range("arange: step must not be zero");
  double n = std::ceil((stop - start) / step);
  if (n <= 0) return 0;
  if (n > static_cast<double>(kMaxElements)) throw_range("arange: the range has too many elements");
  return static_cast<int64_t>(n);
}

void infer_arange(const OpCall& c, OutSpecs& outs) {
  const ArangeParams& p = c.params<ArangeParams>();
  outs.push_back({Shape{arange_count(p)}, p.dtype});
}

template <class Draw>
void fill_drawn(OpCall& c, Draw&& draw) {
  Tensor& out = c.out[0];
  visit_dtype(out.dtype, [&](auto zero) {
    using T = decltype(zero);
    T* y = out.data<T>();
    int64_t n = out.size();
    for (int64_t i = 0; i < n; ++i) {
      double v = draw(i);
      y[i] = static_cast<T>(v);
    }
  });
}

void fwd_arange(OpCall& c) {
  // Integer dtypes get exact values (MXNet's test: arange(0, 10000**2, step=10001, dtype=int32)).
  double start = c.params<ArangeParams>().start, step = c.params<ArangeParams>().step;
  fill_drawn(c, [&](int64_t i) { return start + static_cast<double>(i) * step; });
}

// linspace: NumPy's
// start + i * step, with the last value exactly stop when endpoint.
void infer_linspace(const OpCall& c, OutSpecs& outs) {
  const LinspaceParams& a = c.params<LinspaceParams>();
  if (!std::isfinite(a.start) || !std::isfinite(a.stop)) throw_range("linspace: start and stop must be finite numbers");
  if (a.num < 0) throw_range("linspace: num must be non-negative, got " + std::to_string(a.num));
  Shape s{a.num};
  check_shape(s, "linspace", "num");
  outs.push_back({s, a.dtype});
}

void fwd_linspace(OpCall& c) {
  const LinspaceParams& a = c.params<LinspaceParams>();
  bool endpoint = a.endpoint;
  int64_t n = a.num;
  double div = static_cast<double>(endpoint ? n - 1 : n);
  double step = div > 0 ? (a.stop - a.start) / div : 0.0;
  fill_drawn(c, [&](int64_t i) {
    if (endpoint && i == n - 1 && n > 1) return a.stop;
    return a.start + static_cast<double>(i) * step;
  });
}

// randint: integers in [low, high).
void check_randint(const OpCall& c, OutSpecs& outs) {
  const UniformParams& p = c.params<UniformParams>();
  double low = p.low, high = p.high;
  if (!(low < high) || std::floor(low) != low || std::floor(high) != high || std::fabs(low) > 2147483648.0 ||
      std::fabs(high) > 2147483648.0) {
    throw_range("random.randint: low and high must be integers with low < high, got low=" + std::to_string(low) +
                " high=" + std::to_string(high));
  }
  if (p.dtype != DType::Int32 && p.dtype != DType::Float32 && p.dtype != DType::Float64) {
    throw_type("random.randint: dtype must be int32, float32 or float64");
  }
  infer_created<UniformParams, OpId::random_randint>(c, outs);
}

void fwd_randint(OpCall& c) {
  double low = c.params<UniformParams>().low;
  uint64_t span = static_cast<uint64_t>(c.params<UniformParams>().high - low);
  Rng& rng = c.env.rng;
  fill_drawn(c, [&](int64_t) { return low + static_cast<double>(rng.next_u64() % span); });
}

void fwd_uniform(OpCall& c) {
  const UniformParams& p = c.params<UniformParams>();
  double low = p.low, high = p.high;
  Rng& rng = c.env.rng;
  if (dtype_is_float(p.dtype)) {
    fill_drawn(c, [&](int64_t) {
      double v = low + (high - low) * rng.next_double();
      return v < high ? v : low;  // keep [low, high) after float32 rounding too
    });
  } else {
    fill_drawn(c, [&](int64_t) { return std::floor(low + (high - low) * rng.next_double()); });
  }
  if (p.dtype == DType::Float32) {
    float* y = c.out[0].data<float>();
    for (int64_t i = 0; i < c.out[0].size(); ++i)
      if (!(y[i] < static_cast<float>(high))) y[i] = static_cast<float>(low);
  }
}

void fwd_normal(OpCall& c) {
  double loc = c.params<NormalParams>().loc, scale = c.params<NormalParams>().scale;
  Rng& rng = c.env.rng;
  fill_drawn(c, [&](int64_t) { return loc + scale * rng.next_normal(); });
}

void check_uniform(const OpCall& c, OutSpecs& outs) {
  const UniformParams& p = c.params<UniformParams>();
  if (!(p.low <= p.high) || !std::isfinite(p.low) || !std::isfinite(p.high)) {
    throw_range("random.uniform: low must be <= high and both finite, got low=" + std::to_string(p.low) +
                " high=" + std::to_string(p.high));
  }
  infer_created<UniformParams, OpId::random_uniform>(c, outs);
}

void check_normal(const OpCall& c, OutSpecs& outs) {
  const NormalParams& p = c.params<NormalParams>();
  if (!(p.scale >= 0) || !std::isfinite(p.loc) || !std::isfinite(p.scale)) {
    throw_range("random.normal: scale must be >= 0 and both loc and scale finite, got loc=" + std::to_string(p.loc) +
                " scale=" + std::to_string(p.scale));
  }
  infer_created<NormalParams, OpId::random_normal>(c, outs);
}

template <class P>
constexpr FieldDef kShape = field<&P::shape>("shape", "the shape of the result").require();
template <class P>
constexpr FieldDef kRandomShape = field<&P::shape>("shape", "the shape of the result").set_default(1);
template <class P>
constexpr FieldDef kDType = field<&P::dtype>("dtype", "the dtype of the result");
constexpr FieldDef kCtx = ignored_field("ctx", "the device (cpu only; checked by the JS layer)");
const FieldDef kFilledFields[] = {kShape<FillParams>, kDType<FillParams>, kCtx};
const FieldDef kFullFields[] = {kShape<FillParams>, field<&FillParams::value>("value", "the fill value").alias("val").require(),
                                kDType<FillParams>, kCtx};
const FieldDef kArangeFields[] = {
    field<&ArangeParams::start>("start", "the first value"),
    field<&ArangeParams::stop>("stop", "the end, excluded").require(),
    field<&ArangeParams::step>("step", "the spacing").set_default(1),
    kDType<ArangeParams>,
    kCtx,
};
const FieldDef kLinspaceFields[] = {
    field<&LinspaceParams::start>("start", "the first value").require(),
    field<&LinspaceParams::stop>("stop", "the last value (or the end, without endpoint)").require(),
    field<&LinspaceParams::num>("num", "how many values").require().non_negative(),
    field<&LinspaceParams::endpoint>("endpoint", "include stop").set_default(1),
    kDType<LinspaceParams>,
    kCtx,
};
const FieldDef kUniformFields[] = {
    field<&UniformParams::low>("low", "the lower bound, included"),
    field<&UniformParams::high>("high", "the upper bound, excluded").set_default(1),
    kRandomShape<UniformParams>, kDType<UniformParams>, kCtx,
};
const FieldDef kNormalFields[] = {
    field<&NormalParams::loc>("loc", "the mean"),
    field<&NormalParams::scale>("scale", "the standard deviation").set_default(1),
    kRandomShape<NormalParams>, kDType<NormalParams>, kCtx,
};
const FieldDef kRandintFields[] = {
    field<&UniformParams::low>("low", "the lower bound, included").require(),
    field<&UniformParams::high>("high", "the upper bound, excluded").require(),
    kRandomShape<UniformParams>, kDType<UniformParams>.set_default(static_cast<int>(DType::Int32)), kCtx,
};

}  // namespace

void define_creation_ops(std::vector<OpDef>& table) {
  define_op(table, OpId::zeros, 0, infer_created<FillParams, OpId::zeros>, fwd_zeros, nullptr, kCreation | kNoGrad);
  define_op(table, OpId::ones, 0, infer_created<FillParams, OpId::ones>, fwd_ones, nullptr, kCreation | kNoGrad);
  define_op(table, OpId::full, 0, infer_created<FillParams, OpId::full>, fwd_full, nullptr, kCreation | kNoGrad);
  define_op(table, OpId::arange, 0, infer_arange, fwd_arange, nullptr, kCreation | kNoGrad);
  define_op(table, OpId::linspace, 0, infer_linspace, fwd_linspace, nullptr, kCreation | kNoGrad);
  define_op(table, OpId::random_randint, 0, check_randint, fwd_randint, nullptr, kCreation | kNoGrad);
  define_op(table, OpId::random_uniform, 0, check_uniform, fwd_uniform, nullptr, kCreation | kNoGrad);
  define_op(table, OpId::random_normal, 0, check_normal, fwd_normal, nullptr, kCreation | kNoGrad);
  for (OpId id : {OpId::zeros, OpId::ones}) set_params<FillParams>(table, id, kFilledFields);
  set_params<FillParams>(table, OpId::full, kFullFields);
  set_params<ArangeParams>(table, OpId::arange, kArangeFields);
  set_params<LinspaceParams>(table, OpId::linspace, kLinspaceFields);
  set_params<UniformParams>(table, OpId::random_uniform, kUniformFields);
  set_params<NormalParams>(table, OpId::random_normal, kNormalFields);
  set_params<UniformParams>(table, OpId::random_randint, kRandintFields);
}

}  // namespace ndgrad

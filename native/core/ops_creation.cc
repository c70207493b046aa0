// Ops with no inputs: fills, ranges and random draws (from the instance's seeded stream).
#include <cmath>
#include <string>

#include "elementwise.h"
#include "error.h"
#include "ops.h"

namespace ndgrad {

namespace {

template <OpId Id>
void infer_created(const OpCall& c, OutSpecs& outs) {
  check_shape(c.params<Attrs>().shape, op_def(Id).name, "shape");
  outs.push_back({c.params<Attrs>().shape, c.params<Attrs>().dtype});
}

void fwd_zeros(OpCall& c) { fill_into(c.env, c.out[0], 0.0); }
void fwd_ones(OpCall& c) { fill_into(c.env, c.out[0], 1.0); }
void fwd_full(OpCall& c) { fill_into(c.env, c.out[0], c.params<Attrs>().scalar); }

// arange(start = scalar, stop = scalar2, step = scalar3): ceil((stop - start) / step) values.
int64_t arange_count(const Attrs& a) {
  double start = a.scalar, stop = a.scalar2, step = a.scalar3;
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
  outs.push_back({Shape{arange_count(c.params<Attrs>())}, c.params<Attrs>().dtype});
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
  double start = c.params<Attrs>().scalar, step = c.params<Attrs>().scalar3;
  fill_drawn(c, [&](int64_t i) { return start + static_cast<double>(i) * step; });
}

// linspace(start = scalar, stop = scalar2, num = depth, endpoint): NumPy's
// start + i * step, with the last value exactly stop when endpoint.
void infer_linspace(const OpCall& c, OutSpecs& outs) {
  const Attrs& a = c.params<Attrs>();
  if (!std::isfinite(a.scalar) || !std::isfinite(a.scalar2)) throw_range("linspace: start and stop must be finite numbers");
  if (a.depth < 0) throw_range("linspace: num must be non-negative, got " + std::to_string(a.depth));
  Shape s{a.depth};
  check_shape(s, "linspace", "num");
  outs.push_back({s, a.dtype});
}

void fwd_linspace(OpCall& c) {
  const Attrs& a = c.params<Attrs>();
  bool endpoint = a.endpoint;
  int64_t n = a.depth;
  double div = static_cast<double>(endpoint ? n - 1 : n);
  double step = div > 0 ? (a.scalar2 - a.scalar) / div : 0.0;
  fill_drawn(c, [&](int64_t i) {
    if (endpoint && i == n - 1 && n > 1) return a.scalar2;
    return a.scalar + static_cast<double>(i) * step;
  });
}

// randint(low = scalar, high = scalar2): integers in [low, high).
void check_randint(const OpCall& c, OutSpecs& outs) {
  double low = c.params<Attrs>().scalar, high = c.params<Attrs>().scalar2;
  if (!(low < high) || std::floor(low) != low || std::floor(high) != high || std::fabs(low) > 2147483648.0 ||
      std::fabs(high) > 2147483648.0) {
    throw_range("random.randint: low and high must be integers with low < high, got low=" + std::to_string(low) +
                " high=" + std::to_string(high));
  }
  if (c.params<Attrs>().dtype != DType::Int32 && c.params<Attrs>().dtype != DType::Float32 && c.params<Attrs>().dtype != DType::Float64) {
    throw_type("random.randint: dtype must be int32, float32 or float64");
  }
  infer_created<OpId::random_randint>(c, outs);
}

void fwd_randint(OpCall& c) {
  double low = c.params<Attrs>().scalar;
  uint64_t span = static_cast<uint64_t>(c.params<Attrs>().scalar2 - low);
  Rng& rng = c.env.rng;
  fill_drawn(c, [&](int64_t) { return low + static_cast<double>(rng.next_u64() % span); });
}

void fwd_uniform(OpCall& c) {
  double low = c.params<Attrs>().scalar, high = c.params<Attrs>().scalar2;
  Rng& rng = c.env.rng;
  if (dtype_is_float(c.params<Attrs>().dtype)) {
    fill_drawn(c, [&](int64_t) {
      double v = low + (high - low) * rng.next_double();
      return v < high ? v : low;  // keep [low, high) after float32 rounding too
    });
  } else {
    fill_drawn(c, [&](int64_t) { return std::floor(low + (high - low) * rng.next_double()); });
  }
  if (c.params<Attrs>().dtype == DType::Float32) {
    float* y = c.out[0].data<float>();
    for (int64_t i = 0; i < c.out[0].size(); ++i)
      if (!(y[i] < static_cast<float>(high))) y[i] = static_cast<float>(low);
  }
}

void fwd_normal(OpCall& c) {
  double loc = c.params<Attrs>().scalar, scale = c.params<Attrs>().scalar2;
  Rng& rng = c.env.rng;
  fill_drawn(c, [&](int64_t) { return loc + scale * rng.next_normal(); });
}

void check_uniform(const OpCall& c, OutSpecs& outs) {
  if (!(c.params<Attrs>().scalar <= c.params<Attrs>().scalar2) || !std::isfinite(c.params<Attrs>().scalar) || !std::isfinite(c.params<Attrs>().scalar2)) {
    throw_range("random.uniform: low must be <= high and both finite, got low=" + std::to_string(c.params<Attrs>().scalar) +
                " high=" + std::to_string(c.params<Attrs>().scalar2));
  }
  infer_created<OpId::random_uniform>(c, outs);
}

void check_normal(const OpCall& c, OutSpecs& outs) {
  if (!(c.params<Attrs>().scalar2 >= 0) || !std::isfinite(c.params<Attrs>().scalar) || !std::isfinite(c.params<Attrs>().scalar2)) {
    throw_range("random.normal: scale must be >= 0 and both loc and scale finite, got loc=" +
                std::to_string(c.params<Attrs>().scalar) + " scale=" + std::to_string(c.params<Attrs>().scalar2));
  }
  infer_created<OpId::random_normal>(c, outs);
}

constexpr FieldDef kShape = field<&Attrs::shape>("shape", "the shape of the result").require();
constexpr FieldDef kRandomShape = field<&Attrs::shape>("shape", "the shape of the result").set_default(1);
constexpr FieldDef kDType = field<&Attrs::dtype>("dtype", "the dtype of the result");
constexpr FieldDef kCtx = ignored_field("ctx", "the device (cpu only; checked by the JS layer)");
const FieldDef kFilledFields[] = {kShape, kDType, kCtx};
const FieldDef kFullFields[] = {kShape, field<&Attrs::scalar>("value", "the fill value").alias("val").require(), kDType, kCtx};
const FieldDef kArangeFields[] = {
    field<&Attrs::scalar>("start", "the first value"),
    field<&Attrs::scalar2>("stop", "the end, excluded").require(),
    field<&Attrs::scalar3>("step", "the spacing").set_default(1),
    kDType,
    kCtx,
};
const FieldDef kLinspaceFields[] = {
    field<&Attrs::scalar>("start", "the first value").require(),
    field<&Attrs::scalar2>("stop", "the last value (or the end, without endpoint)").require(),
    field<&Attrs::depth>("num", "how many values").require().non_negative(),
    field<&Attrs::endpoint>("endpoint", "include stop").set_default(1),
    kDType,
    kCtx,
};
const FieldDef kUniformFields[] = {
    field<&Attrs::scalar>("low", "the lower bound, included"),
    field<&Attrs::scalar2>("high", "the upper bound, excluded").set_default(1),
    kRandomShape, kDType, kCtx,
};
const FieldDef kNormalFields[] = {
    field<&Attrs::scalar>("loc", "the mean"),
    field<&Attrs::scalar2>("scale", "the standard deviation").set_default(1),
    kRandomShape, kDType, kCtx,
};
const FieldDef kRandintFields[] = {
    field<&Attrs::scalar>("low", "the lower bound, included").require(),
    field<&Attrs::scalar2>("high", "the upper bound, excluded").require(),
    kRandomShape, kDType.set_default(static_cast<int>(DType::Int32)), kCtx,
};

}  // namespace

void define_creation_ops(std::vector<OpDef>& table) {
  define_op(table, OpId::zeros, 0, infer_created<OpId::zeros>, fwd_zeros, nullptr, kCreation | kNoGrad);
  define_op(table, OpId::ones, 0, infer_created<OpId::ones>, fwd_ones, nullptr, kCreation | kNoGrad);
  define_op(table, OpId::full, 0, infer_created<OpId::full>, fwd_full, nullptr, kCreation | kNoGrad);
  define_op(table, OpId::arange, 0, infer_arange, fwd_arange, nullptr, kCreation | kNoGrad);
  define_op(table, OpId::linspace, 0, infer_linspace, fwd_linspace, nullptr, kCreation | kNoGrad);
  define_op(table, OpId::random_randint, 0, check_randint, fwd_randint, nullptr, kCreation | kNoGrad);
  define_op(table, OpId::random_uniform, 0, check_uniform, fwd_uniform, nullptr, kCreation | kNoGrad);
  define_op(table, OpId::random_normal, 0, check_normal, fwd_normal, nullptr, kCreation | kNoGrad);
  for (OpId id : {OpId::zeros, OpId::ones}) set_params<Attrs>(table, id, kFilledFields);
  set_params<Attrs>(table, OpId::full, kFullFields);
  set_params<Attrs>(table, OpId::arange, kArangeFields);
  set_params<Attrs>(table, OpId::linspace, kLinspaceFields);
  set_params<Attrs>(table, OpId::random_uniform, kUniformFields);
  set_params<Attrs>(table, OpId::random_normal, kNormalFields);
  set_params<Attrs>(table, OpId::random_randint, kRandintFields);
}

}  // namespace ndgrad

// Activations and elementwise additions (MXNet Activation, LeakyReLU, erfinv, gamma, gammaln,
// softrelu, smooth_l1, add_n) and polygamma, the gradient of gamma and gammaln. Forwards run the
// SIMD unary kernels (activation, the unary ops) or threaded loops of their own (leaky_relu,
// smooth_l1, polygamma); backwards are written with registry ops, so they can be recorded.
#include <cmath>
#include <string>

#include "core/drivers/elementwise.h"
#include "core/runtime/error.h"
#include "core/ops/ops.h"

namespace ndgrad {

namespace {

using namespace ops;
using kernels::Unary;

constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
constexpr double kSeluLambda = 1.0507009873554804934193349852946;

// ---- shared pieces -----------------------------------------------------------------------------

void require_float(const Tensor& x, const char* op, const char* arg) {
  if (!dtype_is_float(x.dtype)) {
    throw_type(std::string(op) + ": " + arg + " must be float32 or float64, got " + dtype_name(x.dtype));
  }
}

template <class F>
void visit_float(DType dt, F&& f) {
  if (dt == DType::Float32) f(float{});
  else f(double{});
}

// body(i0, i1) over [0, n), split over the pool when n is large.
template <class F>
void for_range(Runtime& env, size_t n, F&& body) {
  if (n < 2 * kParallelGrain) body(size_t{0}, n);
  else env.thread_pool().parallel_range(n, kParallelGrain, body);
}

void infer_same(const OpCall& c, OutSpecs& outs) { outs.push_back({c.in[0].shape, c.in[0].dtype}); }

void infer_same_float(const OpCall& c, OutSpecs& outs) {
  require_float(c.in[0], c.def.name, "data");
  infer_same(c, outs);
}

template <Unary K>
void fwd_unary(OpCall& c) { unary_into(c.env, K, c.in[0], c.out[0]); }

ArrayRef positive(Runtime& e, const ArrayRef& v) { return scalar(e, OpId::greater_scalar, v, 0.0); }

// ---- polygamma: the n-th derivative of digamma (n = 0: digamma) -------------------------------
// The recurrence psi(n, x) = psi(n, x + 1) - (-1)^n n! / x^(n+1) moves x above 20, where the
// asymptotic series with Bernoulli numbers B2..B14 is accurate to double precision; digamma
// reflects negative x first. Below -1e5 (n >= 1) the recurrence would take too long: NaN.

struct PolygammaParams {
  int64_t n = 0;
};

double polygamma_of(int64_t n, double x) {
  static const double kB[] = {1.0 / 6, -1.0 / 30, 1.0 / 42, -1.0 / 30, 5.0 / 66, -691.0 / 2730, 7.0 / 6};
  if (std::isnan(x)) return x;
  if (x <= 0 && x == std::floor(x)) return NAN;  // a pole
  if (n == 0 && x < 0) return polygamma_of(0, 1 - x) - M_PI / std::tan(M_PI * x);
  if (x < -1e5) return NAN;
  const double nf = static_cast<double>(n);
  double shift = 0;  // sum over the recurrence steps, without the (-1)^(n+1) n! factor
  for (; x < 20; x += 1) shift += n == 0 ? -1 / x : std::pow(x, -(nf + 1));
  if (n == 0) {
    double s = std::log(x) - 0.5 / x, x2 = 1 / (x * x), p = x2;
    for (int k = 1; k <= 7; ++k, p *= x2) s -= kB[k - 1] / (2 * k) * p;
    return s + shift;
  }
  // sum_{j>=0} (x + j)^-(n+1) ~ x^-n / n + x^-(n+1) / 2 + sum_k B2k (2k+n-1)! / ((2k)! n!) x^-(2k+n)
  double s = std::pow(x, -nf) / nf + 0.5 * std::pow(x, -nf - 1);
  double coef = 1;  // (2k+n-1)! / ((2k)! n!), updated from k-1 to k
  for (int k = 1; k <= 7; ++k) {
    coef *= (k == 1) ? (nf + 1) / 2 : (2 * k + nf - 2) * (2 * k + nf - 1) / ((2 * k - 1) * (2.0 * k));
    s += kB[k - 1] * coef * std::pow(x, -(2 * k + nf));
  }
  double factorial = std::tgamma(nf + 1);
  return ((n % 2) ? 1 : -1) * factorial * (s + shift);
}

void infer_polygamma(const OpCall& c, OutSpecs& outs) { infer_same_float(c, outs); }

void fwd_polygamma(OpCall& c) {
  int64_t n = c.params<PolygammaParams>().n;
  visit_float(c.in[0].dtype, [&](auto zero) {
    using T = decltype(zero);
    const T* x = c.in[0].data<T>();
    T* y = c.out[0].data<T>();
    for_range(c.env, static_cast<size_t>(c.in[0].size()), [&](size_t i0, size_t i1) {
      for (size_t i = i0; i < i1; ++i) y[i] = static_cast<T>(polygamma_of(n, x[i]));
    });
  });
}

ArrayRef polygamma(Runtime& e, const ArrayRef& x, int64_t n) {
  return invoke1(e, OpId::polygamma, {x}, PolygammaParams{n});
}

Grads d_polygamma(BackwardCtx& c) {
  return {mul(c.env, c.grad(), polygamma(c.env, c.input(0), c.params<PolygammaParams>().n + 1))};
}

// ---- the unary ops ----------------------------------------------------------------------------

// erfinv' = sqrt(pi)/2 exp(erfinv(x)^2)
Grads d_erfinv(BackwardCtx& c) {
  Runtime& e = c.env;
  return {mul(e, c.grad(), mul_scalar(e, unary(e, OpId::exp, unary(e, OpId::square, c.output(0))), 0.886226925452758))};
}
Grads d_gamma(BackwardCtx& c) {
  Runtime& e = c.env;
  return {mul(e, c.grad(), mul(e, c.output(0), polygamma(e, c.input(0), 0)))};
}
Grads d_gammaln(BackwardCtx& c) { return {mul(c.env, c.grad(), polygamma(c.env, c.input(0), 0))}; }
// softrelu' = sigmoid(x) = 1 - exp(-softrelu(x))
Grads d_softrelu(BackwardCtx& c) {
  Runtime& e = c.env;
  return {mul(e, c.grad(), neg(e, unary(e, OpId::expm1, neg(e, c.output(0)))))};
}

// ---- smooth_l1: 0.5 (s x)^2 where |x| < 1/s^2, else |x| - 0.5/s^2 ----------------------------

struct SmoothL1Params {
  double scalar = 1;
};

void fwd_smooth_l1(OpCall& c) {
  double s = c.params<SmoothL1Params>().scalar;
  visit_float(c.in[0].dtype, [&](auto zero) {
    using T = decltype(zero);
    const T bsq = static_cast<T>(s * s), ibsq = static_cast<T>(1 / (s * s));
    const T* x = c.in[0].data<T>();
    T* y = c.out[0].data<T>();
    for_range(c.env, static_cast<size_t>(c.in[0].size()), [&](size_t i0, size_t i1) {
      for (size_t i = i0; i < i1; ++i) {
        T a = x[i];
        y[i] = a > ibsq ? a - T(0.5) * ibsq : (a < -ibsq ? -a - T(0.5) * ibsq : T(0.5) * a * a * bsq);
      }
    });
  });
}

// s^2 x inside, sign(x) outside.
Grads d_smooth_l1(BackwardCtx& c) {
  Runtime& e = c.env;
  double s = c.params<SmoothL1Params>().scalar;
  ArrayRef x = c.input(0);
  ArrayRef inside = scalar(e, OpId::lesser_equal_scalar, unary(e, OpId::abs, x), 1 / (s * s));
  ArrayRef quad = mul(e, inside, mul_scalar(e, x, s * s));
  ArrayRef lin = mul(e, rsub_scalar(e, inside, 1.0), unary(e, OpId::sign, x));
  return {mul(e, c.grad(), add(e, quad, lin))};
}

// ---- add_n: the sum of same-shape arrays ------------------------------------------------------

void infer_add_n(const OpCall& c, OutSpecs& outs) {
  if (c.num_inputs == 0) throw_range("add_n: needs at least one array");
  for (size_t i = 1; i < c.num_inputs; ++i) {
    if (c.in[i].shape != c.in[0].shape || c.in[i].dtype != c.in[0].dtype) {
      throw_range("add_n: array " + std::to_string(i) + " is " + dtype_name(c.in[i].dtype) + " " +
                  shape_str(c.in[i].shape) + ", array 0 is " + dtype_name(c.in[0].dtype) + " " +
                  shape_str(c.in[0].shape) + " (all must match)");
    }
  }
  outs.push_back({c.in[0].shape, c.in[0].dtype});
}

void fwd_add_n(OpCall& c) {
  Tensor& y = c.out[0];
  cast_into(c.env, c.in[0], y);
  for (size_t i = 1; i < c.num_inputs; ++i) binary_into(c.env, kernels::Binary::Add, y, c.in[i], y);
}

Grads d_add_n(BackwardCtx& c) { return Grads(c.node.num_inputs(), c.grad()); }

// ---- activation (MXNet Activation) --------------------------------------------------------------

enum Act : int { kRelu, kSigmoid, kTanh, kSoftrelu, kSoftsign };

struct ActivationParams {
  int act_type = kRelu;
};

void fwd_activation(OpCall& c) {
  static const Unary kKernel[] = {Unary::Relu, Unary::Sigmoid, Unary::Tanh, Unary::Softrelu, Unary::Softsign};
  unary_into(c.env, kKernel[c.params<ActivationParams>().act_type], c.in[0], c.out[0]);
}

Grads d_activation(BackwardCtx& c) {
  Runtime& e = c.env;
  const ArrayRef& g = c.grad();
  switch (c.params<ActivationParams>().act_type) {
    case kRelu: return {invoke1(e, OpId::relu_grad, {g, c.output(0)})};
    case kSigmoid: return {mul(e, g, mul(e, c.output(0), rsub_scalar(e, c.output(0), 1.0)))};
    case kTanh: return {mul(e, g, rsub_scalar(e, unary(e, OpId::square, c.output(0)), 1.0))};
    case kSoftrelu: return {mul(e, g, neg(e, unary(e, OpId::expm1, neg(e, c.output(0)))))};
    default: return {div(e, g, unary(e, OpId::square, add_scalar(e, unary(e, OpId::abs, c.input(0)), 1.0)))};
  }
}

// ---- leaky_relu (MXNet LeakyReLU) ---------------------------------------------------------------
// Outputs y and, for rrelu, the slope of every element (drawn while training, else the mean of
// the bounds), which its backward reads. prelu takes the learned slopes gamma as input 1.

enum Leaky : int { kLeaky, kElu, kSelu, kGelu, kPrelu, kRrelu };

struct LeakyReluParams {
  int act_type = kLeaky;
  double slope = 0.25;
  double lower_bound = 0.125;
  double upper_bound = 0.334;
};

// gamma's shape as it broadcasts against x (MXNet's expand_shape): its axes, from the last, lie on
// x's axes 1 and 0 where the sizes match or gamma's is 1; every other axis is 1.
Shape prelu_gamma_shape(const Shape& gamma, const Shape& x) {
  Shape out(x.size(), 1);
  int s = static_cast<int>(gamma.size()) - 1;
  for (int i = static_cast<int>(x.size()) - 1; i >= 0; --i) {
    if (s >= 0 && i <= 1 && (x[i] == gamma[s] || gamma[s] == 1)) out[i] = gamma[s--];
  }
  if (s != -1) {
    throw_range("leaky_relu: gamma " + shape_str(gamma) + " does not broadcast to data " + shape_str(x) +
                " (one slope per channel: shape (" + (x.size() > 1 ? std::to_string(x[1]) : std::to_string(x[0])) +
                ",) or (1,))");
  }
  return out;
}

void infer_leaky_relu(const OpCall& c, OutSpecs& outs) {
  const LeakyReluParams& p = c.params<LeakyReluParams>();
  const Tensor& x = c.in[0];
  size_t want = p.act_type == kPrelu ? 2 : 1;
  if (c.num_inputs != want) {
    throw_range(std::string("leaky_relu: actType '") + (p.act_type == kPrelu ? "prelu" : "other than prelu") +
                "' takes " + std::to_string(want) + " input(s) (data" + (want == 2 ? ", gamma" : "") + "), got " +
                std::to_string(c.num_inputs));
  }
  require_float(x, "leaky_relu", "data");
  if (x.ndim() == 0) throw_range("leaky_relu: data must have at least one axis");
  if (p.act_type == kPrelu) {
    if (c.in[1].dtype != x.dtype) {
      throw_type(std::string("leaky_relu: gamma is ") + dtype_name(c.in[1].dtype) + ", data " + dtype_name(x.dtype));
    }
    prelu_gamma_shape(c.in[1].shape, x.shape);
  }
  if (p.act_type == kRrelu && !(p.lower_bound <= p.upper_bound)) {
    throw_range("leaky_relu: lowerBound " + std::to_string(p.lower_bound) + " is above upperBound " +
                std::to_string(p.upper_bound));
  }
  outs.push_back({x.shape, x.dtype});
  if (p.act_type == kRrelu) outs.push_back({x.shape, x.dtype});
}

template <class T>
void leaky_loop(Runtime& env, const LeakyReluParams& p, const T* x, T* y, size_t n) {
  const T s = static_cast<T>(p.slope);
  const T la = static_cast<T>(kSeluLambda * kSeluAlpha), l = static_cast<T>(kSeluLambda);
  for_range(env, n, [&](size_t i0, size_t i1) {
    switch (p.act_type) {
      case kLeaky:
        for (size_t i = i0; i < i1; ++i) y[i] = x[i] > T(0) ? x[i] : s * x[i];
        break;
      case kElu:
        for (size_t i = i0; i < i1; ++i) y[i] = x[i] > T(0) ? x[i] : s * std::expm1(x[i]);
        break;
      default:  // selu
        for (size_t i = i0; i < i1; ++i) y[i] = x[i] > T(0) ? l * x[i] : la * std::expm1(x[i]);
        break;
    }
  });
}

void fwd_leaky_relu(OpCall& c) {
  const LeakyReluParams& p = c.params<LeakyReluParams>();
  const Tensor& x = c.in[0];
  size_t n = static_cast<size_t>(x.size());
  visit_float(x.dtype, [&](auto zero) {
    using T = decltype(zero);
    const T* xs = x.data<T>();
    T* ys = c.out[0].data<T>();
    if (p.act_type == kPrelu) {
      // x as (a, b, rest) over axes 0, 1 and the others; gamma indexed by (a, b) where it varies.
      Shape gs = prelu_gamma_shape(c.in[1].shape, x.shape);
      size_t a_n = static_cast<size_t>(x.shape[0]), b_n = x.ndim() > 1 ? static_cast<size_t>(x.shape[1]) : 1;
      size_t rest = a_n * b_n == 0 ? 0 : n / (a_n * b_n);
      bool ga = gs[0] > 1, gb = gs.size() > 1 && gs[1] > 1;
      const T* gamma = c.in[1].data<T>();
      for_range(c.env, a_n * b_n, [&](size_t r0, size_t r1) {
        for (size_t r = r0; r < r1; ++r) {
          size_t a = r / b_n, b = r % b_n;
          T slope = gamma[(ga ? a : 0) * (gb ? b_n : 1) + (gb ? b : 0)];
          for (size_t i = r * rest; i < (r + 1) * rest; ++i) ys[i] = xs[i] > T(0) ? xs[i] : slope * xs[i];
        }
      });
      return;
    }
    if (p.act_type == kRrelu) {
      T* mask = c.out[1].data<T>();
      double lo = p.lower_bound, width = p.upper_bound - p.lower_bound;
      // Drawn in order from the seeded stream, so a seed gives the same slopes on any thread count.
      if (c.env.training) {
        for (size_t i = 0; i < n; ++i) mask[i] = static_cast<T>(lo + width * c.env.rng.next_double());
      } else {
        for (size_t i = 0; i < n; ++i) mask[i] = static_cast<T>(lo + width / 2);
      }
      for_range(c.env, n, [&](size_t i0, size_t i1) {
        for (size_t i = i0; i < i1; ++i) ys[i] = xs[i] > T(0) ? xs[i] : mask[i] * xs[i];
      });
      return;
    }
    if (p.act_type == kGelu) unary_into(c.env, Unary::Gelu, x, c.out[0]);
    else leaky_loop(c.env, p, xs, ys, n);
  });
}

Grads d_leaky_relu(BackwardCtx& c) {
  Runtime& e = c.env;
  const LeakyReluParams& p = c.params<LeakyReluParams>();
  const ArrayRef& g = c.grad();
  switch (p.act_type) {
    case kLeaky: {  // 1 where y > 0, else slope
      ArrayRef pos = positive(e, c.output(0));
      return {mul(e, g, add_scalar(e, mul_scalar(e, pos, 1 - p.slope), p.slope))};
    }
    case kElu:  // 1 where y > 0, else y + slope (= slope exp(x))
    case kSelu: {  // lambda where y > 0, else y + lambda alpha (= lambda alpha exp(x))
      bool elu = p.act_type == kElu;
      ArrayRef y = c.output(0);
      ArrayRef pos = positive(e, y);
      ArrayRef neg_part = mul(e, rsub_scalar(e, pos, 1.0), add_scalar(e, y, elu ? p.slope : kSeluLambda * kSeluAlpha));
      return {mul(e, g, add(e, elu ? pos : mul_scalar(e, pos, kSeluLambda), neg_part))};
    }
    case kGelu: {  // 0.5 (1 + erf(x / sqrt 2)) + x exp(-x^2 / 2) / sqrt(2 pi)
      ArrayRef x = c.input(0);
      ArrayRef cdf = mul_scalar(e, add_scalar(e, unary(e, OpId::erf, mul_scalar(e, x, M_SQRT1_2)), 1.0), 0.5);
      ArrayRef pdf = mul_scalar(e, unary(e, OpId::exp, mul_scalar(e, unary(e, OpId::square, x), -0.5)), 0.3989422804014327);
      return {mul(e, g, add(e, cdf, mul(e, x, pdf)))};
    }
    case kRrelu: {
      ArrayRef pos = positive(e, c.output(0));
      ArrayRef slope = add(e, pos, mul(e, rsub_scalar(e, pos, 1.0), c.output(1)));
      return {mul(e, g, slope)};
    }
    default: {  // prelu: dx = g where x > 0, else g gamma; dgamma = sum of g x where x <= 0
      ArrayRef x = c.input(0);
      Shape gs = prelu_gamma_shape(c.input_shape(1), c.input_shape(0));
      ArrayRef gamma = reshape(e, c.input(1), gs);
      ArrayRef pos = positive(e, x);
      ArrayRef not_pos = rsub_scalar(e, pos, 1.0);
      ArrayRef dx = mul(e, g, add(e, pos, mul(e, not_pos, gamma)));
      ArrayRef dgamma = reshape(e, sum_to(e, mul(e, g, mul(e, x, not_pos)), gs), c.input_shape(1));
      return {dx, dgamma};
    }
  }
}

// ---- field tables -------------------------------------------------------------------------------

const FieldDef kPolygammaFields[] = {
    field<&PolygammaParams::n>("n", "the order of the derivative of digamma (0: digamma)").set_default(0).non_negative(),
};
const FieldDef kSmoothL1Fields[] = {
    field<&SmoothL1Params::scalar>("scalar", "sigma: the quadratic part covers |x| < 1/sigma^2").set_default(1).positive(),
};
const FieldDef kActivationFields[] = {
    field<&ActivationParams::act_type>("actType", "the activation function")
        .one_of("relu sigmoid tanh softrelu softsign")
        .alias("act_type")
        .require(),
};
const FieldDef kLeakyReluFields[] = {
    field<&LeakyReluParams::act_type>("actType", "the activation function")
        .one_of("leaky elu selu gelu prelu rrelu")
        .alias("act_type")
        .set_default(kLeaky),
    field<&LeakyReluParams::slope>("slope", "the slope below zero (leaky) or the scale of exp(x) - 1 (elu)")
        .set_default(0.25),
    field<&LeakyReluParams::lower_bound>("lowerBound", "rrelu: the lowest random slope")
        .alias("lower_bound")
        .set_default(0.125),
    field<&LeakyReluParams::upper_bound>("upperBound", "rrelu: the random slopes lie below this")
        .alias("upper_bound")
        .set_default(0.334),
};

}  // namespace

void define_activation_ops(std::vector<OpDef>& table) {
  define_op(table, OpId::erfinv, 1, infer_same, fwd_unary<Unary::Erfinv>, d_erfinv, kSaveOutputs, Domain::Unit);
  define_op(table, OpId::gamma, 1, infer_same, fwd_unary<Unary::Gamma>, d_gamma, kSaveInputs | kSaveOutputs, Domain::Positive);
  define_op(table, OpId::gammaln, 1, infer_same, fwd_unary<Unary::Gammaln>, d_gammaln, kSaveInputs, Domain::Positive);
  define_op(table, OpId::softrelu, 1, infer_same, fwd_unary<Unary::Softrelu>, d_softrelu, kSaveOutputs);
  define_op(table, OpId::polygamma, 1, infer_polygamma, fwd_polygamma, d_polygamma, kSaveInputs, Domain::Positive);
  set_params<PolygammaParams>(table, OpId::polygamma, kPolygammaFields);
  define_op(table, OpId::smooth_l1, 1, infer_same_float, fwd_smooth_l1, d_smooth_l1, kSaveInputs);
  set_params<SmoothL1Params>(table, OpId::smooth_l1, kSmoothL1Fields);
  define_op(table, OpId::add_n, -1, infer_add_n, fwd_add_n, d_add_n, 0);
  define_op(table, OpId::activation, 1, infer_same_float, fwd_activation, d_activation, kSaveInputs | kSaveOutputs);
  set_params<ActivationParams>(table, OpId::activation, kActivationFields);
  define_op(table, OpId::leaky_relu, -1, infer_leaky_relu, fwd_leaky_relu, d_leaky_relu, kSaveInputs | kSaveOutputs);
  set_params<LeakyReluParams>(table, OpId::leaky_relu, kLeakyReluFields);
}

}  // namespace ndgrad

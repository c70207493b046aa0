// Normalizations (MXNet's BatchNorm, LayerNorm, InstanceNorm, GroupNorm, L2Normalization) and
// the in-place moving-average update of batch-norm statistics.
//
// Every one views its input as (P, C, Q) and takes statistics over one pattern of those axes:
// per (p, c) over q (instance and group norm, layer norm along the last axis), per c over p and q
// (batch norm), per (p, q) over c (layer norm along an inner axis, l2 'channel'). The forward is
// a statistics pass (one read, shifted sums) and an affine pass; the backward is written with
// registry ops, so it can itself be recorded.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/runtime/error.h"
#include "core/ops/ops.h"
#include "core/ops/poolnorm_common.h"

namespace ndgrad {

namespace {

using namespace ops;

enum class StatMode { Inner, Channel, Middle };

struct NormLayout {
  int64_t P = 1, C = 1, Q = 1;
  StatMode mode = StatMode::Inner;
  bool gamma_on_q = false;  // scale and shift index q (layer norm along the last axis), else c

  int64_t stats() const { return mode == StatMode::Inner ? P * C : mode == StatMode::Channel ? C : P * Q; }
  int64_t count() const { return mode == StatMode::Inner ? Q : mode == StatMode::Channel ? P * Q : C; }
  Shape stat_shape3() const {
    return mode == StatMode::Inner ? Shape{P, C, 1} : mode == StatMode::Channel ? Shape{1, C, 1} : Shape{P, 1, Q};
  }
  std::vector<int64_t> reduce_axes() const {
    return mode == StatMode::Inner ? std::vector<int64_t>{2} : mode == StatMode::Channel ? std::vector<int64_t>{0, 2} : std::vector<int64_t>{1};
  }
};

struct BatchNormParams {
  double eps = 1e-3;
  double momentum = 0.9;
  bool fix_gamma = true;
  bool use_global_stats = false;
  bool output_mean_var = false;
  std::vector<int64_t> axes;
  bool has_axes = false;
};

struct LayerNormParams {
  std::vector<int64_t> axes;
  bool has_axes = false;
  double eps = 1e-5;
  bool output_mean_var = false;
};

struct InstanceNormParams {
  double eps = 1e-3;
};

struct GroupNormParams {
  int64_t num_groups = 1;
  double eps = 1e-5;
  bool output_mean_var = false;
};

struct L2NormParams {
  double eps = 1e-10;
  int mode = 0;  // instance channel spatial
};

struct MovingAverageParams {
  double momentum = 0.9;
};

int64_t prod(const Shape& s, size_t b, size_t e) {
  int64_t n = 1;
  for (size_t i = b; i < e; ++i) n *= s[i];
  return n;
}

void check_float(const Tensor& x, const char* op) {
  if (!dtype_is_float(x.dtype)) throw_type(std::string(op) + ": input must be float32 or float64, got " + dtype_name(x.dtype));
}

void check_param(const Tensor& t, const Shape& want, DType dt, const char* op, const char* name) {
  if (t.shape != want) {
    throw_range(std::string(op) + ": " + name + " must have shape " + shape_str(want) + ", got " + shape_str(t.shape));
  }
  if (t.dtype != dt) throw_type(std::string(op) + ": " + name + " must be " + dtype_name(dt) + " like the input, got " + dtype_name(t.dtype));
}

// Batch statistics: mean and biased variance per statistic, in double.
template <class T>
void batch_stats(Runtime& env, const kernels::PoolNormOps<T>& k, const NormLayout& L, const T* x, bool centered,
                 std::vector<double>& mean, std::vector<double>& var) {
  const int64_t S = L.stats(), N = L.count();
  mean.assign(static_cast<size_t>(S), 0);
  var.assign(static_cast<size_t>(S), 0);
  auto finish = [&](int64_t s, double s1, double s2, double shift) {
    double m = s1 / double(N);
    mean[size_t(s)] = centered ? shift + m : 0;
    double v = centered ? s2 / double(N) - m * m : s2;
    var[size_t(s)] = v > 0 ? v : 0;
  };
  switch (L.mode) {
    case StatMode::Inner:
      over_rows(env, S, L.Q, [&](int64_t r) {
        const T* row = x + r * L.Q;
        T shift = centered && L.Q > 0 ? row[0] : T(0);
        double s1 = 0, s2 = 0;
        k.moments(row, size_t(L.Q), shift, &s1, &s2);
        finish(r, s1, s2, double(shift));
      });
      break;
    case StatMode::Channel:
      over_rows(env, L.C, L.P * L.Q, [&](int64_t c) {
        T shift = centered && L.Q * L.P > 0 ? x[c * L.Q] : T(0);
        double s1 = 0, s2 = 0;
        for (int64_t p = 0; p < L.P; ++p) k.moments(x + (p * L.C + c) * L.Q, size_t(L.Q), shift, &s1, &s2);
        finish(c, s1, s2, double(shift));
      });
      break;
    case StatMode::Middle:
      over_rows(env, L.P, L.C * L.Q, [&](int64_t p) {
        std::vector<double> s1(size_t(L.Q), 0), s2(size_t(L.Q), 0);
        std::vector<T> shift(size_t(L.Q), T(0));
        const T* base = x + p * L.C * L.Q;
        if (centered) shift.assign(base, base + L.Q);
        for (int64_t c = 0; c < L.C; ++c) k.moments_cols(base + c * L.Q, size_t(L.Q), shift.data(), s1.data(), s2.data());
        for (int64_t q = 0; q < L.Q; ++q) finish(p * L.Q + q, s1[size_t(q)], s2[size_t(q)], double(shift[size_t(q)]));
      });
      break;
  }
}

// y = (x - mean) * rstd * gamma + beta with the statistics of layout L (gamma null: 1, beta
// null: 0).
template <class T>
void apply_norm(Runtime& env, const kernels::PoolNormOps<T>& k, const NormLayout& L, const T* x, T* y,
                const std::vector<double>& mean, const std::vector<double>& rstd, const T* gamma, const T* beta) {
  auto G = [&](int64_t i) { return gamma ? gamma[i] : T(1); };
  auto B = [&](int64_t i) { return beta ? beta[i] : T(0); };
  if (L.mode == StatMode::Middle) {
    std::vector<T> m(mean.begin(), mean.end()), r(rstd.begin(), rstd.end());
    over_rows(env, L.P * L.C, L.Q, [&](int64_t row) {
      const int64_t p = row / L.C, c = row % L.C;
      k.norm_cols(x + row * L.Q, y + row * L.Q, size_t(L.Q), m.data() + p * L.Q, r.data() + p * L.Q, G(c), B(c));
    });
    return;
  }
  if (L.gamma_on_q) {
    std::vector<T> ones, zeros;
    if (!gamma) ones.assign(size_t(L.Q), T(1));
    if (!beta) zeros.assign(size_t(L.Q), T(0));
    const T* g = gamma ? gamma : ones.data();
    const T* b = beta ? beta : zeros.data();
    over_rows(env, L.P * L.C, L.Q, [&](int64_t row) {
      k.norm_gamma_cols(x + row * L.Q, y + row * L.Q, size_t(L.Q), T(mean[size_t(row)]), T(rstd[size_t(row)]), g, b);
    });
    return;
  }
  over_rows(env, L.P * L.C, L.Q, [&](int64_t row) {
    const int64_t c = row % L.C;
    const size_t s = size_t(L.mode == StatMode::Inner ? row : c);
    const double a = rstd[s] * double(G(c));
    k.affine(x + row * L.Q, y + row * L.Q, size_t(L.Q), T(a), T(double(B(c)) - mean[s] * a));
  });
}

template <class T>
void store(const std::vector<double>& v, Tensor& t) {
  T* p = t.data<T>();
  for (size_t i = 0; i < v.size(); ++i) p[i] = T(v[i]);
}

// The normalization forward shared by batch, layer, instance and group norm: outputs y, mean and
// var (batch norm) or std = sqrt(var + eps) (the others, as MXNet). `given` holds batch norm's
// moving statistics when they are used instead of the batch's.
void forward_norm(OpCall& c, const NormLayout& L, double eps, bool fix_gamma, bool std_out, const Tensor* given_mean,
                  const Tensor* given_var) {
  const Tensor& x = c.in[0];
  const auto& kk = kernels::poolnorm_kernels(c.env.isa);
  visit_float(x.dtype, [&](auto zero) {
    using T = decltype(zero);
    const auto& k = kernels_of<T>(kk);
    std::vector<double> mean, var;
    if (given_mean) {
      mean.assign(given_mean->data<T>(), given_mean->data<T>() + given_mean->size());
      var.assign(given_var->data<T>(), given_var->data<T>() + given_var->size());
    } else {
      batch_stats(c.env, k, L, x.data<T>(), true, mean, var);
    }
    std::vector<double> rstd(var.size()), out2(var.size());
    for (size_t i = 0; i < var.size(); ++i) {
      rstd[i] = 1.0 / std::sqrt(var[i] + eps);
      out2[i] = std_out ? std::sqrt(var[i] + eps) : var[i];
    }
    apply_norm(c.env, k, L, x.data<T>(), c.out[0].data<T>(), mean, rstd, fix_gamma ? nullptr : c.in[1].data<T>(),
               c.in[2].data<T>());
    store<T>(mean, c.out[1]);
    store<T>(out2, c.out[2]);
  });
}

ArrayRef reduce_axes(Runtime& env, OpId id, const ArrayRef& v, const std::vector<int64_t>& axes) {
  ReduceParams p;
  p.axes = axes;
  p.has_axes = true;
  p.keepdims = true;
  return invoke1(env, id, {v}, p);
}

// norm_grad(dy, x, gamma, mean, spread, dmean, dspread) -> (dx, dgamma, dbeta): the backward
// of forward_norm in two passes over dy and x, for the Inner and Channel layouts. Backward
// formulas call it when the backward is not itself being recorded; under createGraph they use
// the registry-op form (backward_norm), which it equals.
struct NormGradParams {
  NormLayout layout;
  double eps = 0;
  bool fix_gamma = false;
  bool std_out = false;
  bool batch_stats_used = true;
};

// The kernel indexes its inputs by the layout in its parameters, which a registry call from JS
// leaves at its default (P = C = Q = 1): every input must have the size that layout gives it.
void check_norm_grad_inputs(const OpCall& c) {
  const NormLayout& L = c.params<NormGradParams>().layout;
  const int64_t x = L.P * L.C * L.Q, gamma = L.gamma_on_q ? L.Q : L.C, stats = L.stats();
  const char* names[7] = {"dy", "x", "gamma", "mean", "spread", "dmean", "dspread"};
  const int64_t want[7] = {x, x, gamma, stats, stats, stats, stats};
  for (size_t i = 0; i < 7; ++i) {
    const Tensor& t = c.in[i];
    if (t.size() != want[i] || t.dtype != c.in[1].dtype || (!dtype_is_float(t.dtype))) {
      throw_error("norm_grad: " + std::string(names[i]) + " must be float32 or float64 of " + std::to_string(want[i]) +
                  " elements with x's dtype (the layout of the normalization it differentiates), got " +
                  dtype_name(t.dtype) + " " + shape_str(t.shape));
    }
  }
}

void infer_norm_grad(const OpCall& c, OutSpecs& outs) {
  check_norm_grad_inputs(c);
  outs.push_back({c.in[1].shape, c.in[1].dtype});
  outs.push_back({c.in[2].shape, c.in[2].dtype});
  outs.push_back({c.in[2].shape, c.in[2].dtype});
}

void fwd_norm_grad(OpCall& c) {
  const NormGradParams& p = c.params<NormGradParams>();
  const NormLayout& L = p.layout;
  const auto& kk = kernels::poolnorm_kernels(c.env.isa);
  visit_float(c.in[1].dtype, [&](auto zero) {
    using T = decltype(zero);
    const auto& k = kernels_of<T>(kk);
    const T *dy = c.in[0].data<T>(), *x = c.in[1].data<T>(), *gamma = p.fix_gamma ? nullptr : c.in[2].data<T>();
    const T *mean = c.in[3].data<T>(), *spread = c.in[4].data<T>(), *gm = c.in[5].data<T>(), *gs = c.in[6].data<T>();
    T *dx = c.out[0].data<T>(), *dgamma = c.out[1].data<T>(), *dbeta = c.out[2].data<T>();
    const int64_t S = L.stats(), rows = L.P * L.C;
    const double n = double(L.count());
    std::vector<double> rstd(static_cast<size_t>(S), 0.0), A(static_cast<size_t>(S), 0.0), B(static_cast<size_t>(S), 0.0);
    for (int64_t s = 0; s < S; ++s) rstd[size_t(s)] = p.std_out ? 1.0 / double(spread[s]) : 1.0 / std::sqrt(double(spread[s]) + p.eps);
    const T* gq = L.gamma_on_q ? gamma : nullptr;
    const int64_t G = c.out[1].size();
    std::vector<double> dg(size_t(G), 0.0), db(size_t(G), 0.0);
    // Pass 1: per statistic, A = sum(dy * w) and B = sum(dy * w * x) (w: gamma along q, else 1).
    if (L.mode == StatMode::Channel) {
      over_rows(c.env, L.C, L.P * L.Q, [&](int64_t ch) {
        for (int64_t pp = 0; pp < L.P; ++pp) {
          const int64_t off = (pp * L.C + ch) * L.Q;
          k.grad_sums(dy + off, x + off, nullptr, size_t(L.Q), &A[size_t(ch)], &B[size_t(ch)]);
        }
      });
    } else if (!L.gamma_on_q) {
      over_rows(c.env, rows, L.Q, [&](int64_t r) {
        k.grad_sums(dy + r * L.Q, x + r * L.Q, gq, size_t(L.Q), &A[size_t(r)], &B[size_t(r)]);
      });
    } else {
      // Gamma and beta per column, in the same pass: a fixed number of row chunks (so the sums
      // do not depend on the thread count), each into its own partial columns.
      const int64_t chunks = std::max<int64_t>(1, std::min<int64_t>(rows, 16));
      std::vector<double> part(size_t(2 * chunks * L.Q), 0.0);
      over_rows(c.env, chunks, rows / chunks * L.Q, [&](int64_t ci) {
        double* pb = part.data() + 2 * ci * L.Q;
        for (int64_t r = rows * ci / chunks; r < rows * (ci + 1) / chunks; ++r) {
          k.grad_sums(dy + r * L.Q, x + r * L.Q, gq, size_t(L.Q), &A[size_t(r)], &B[size_t(r)]);
          k.grad_cols(dy + r * L.Q, x + r * L.Q, size_t(L.Q), mean[r], T(rstd[size_t(r)]), pb, pb + L.Q);
        }
      });
      for (int64_t ci = 0; ci < chunks; ++ci)
        for (int64_t q = 0; q < L.Q; ++q) {
          db[size_t(q)] += part[size_t(2 * ci * L.Q + q)];
          dg[size_t(q)] += part[size_t((2 * ci + 1) * L.Q + q)];
        }
    }
    // Pass 2: dx = s * w * dy + beta * x + c per row.
    over_rows(c.env, rows, L.Q, [&](int64_t r) {
      const int64_t ch = r % L.C;
      const size_t s = size_t(L.mode == StatMode::Channel ? ch : r);
      const double g = L.gamma_on_q || !gamma ? 1.0 : double(gamma[ch]);
      const double rs = rstd[s], m = double(mean[s]);
      double beta = 0, off = 0;
      if (p.batch_stats_used) {
        const double k2 = p.std_out ? rs / n : 2.0 / n;
        beta = -rs * rs * rs * g * (B[s] - m * A[s]) / n + double(gs[s]) * k2;
        off = -rs * g * A[s] / n + double(gm[s]) / n - beta * m;
      }
      k.grad_apply(dy + r * L.Q, x + r * L.Q, dx + r * L.Q, size_t(L.Q), gq, T(rs * g), T(beta), T(off));
    });
    // Gamma and beta per channel from the sums (along q they were summed in pass 1).
    if (!L.gamma_on_q) {
      for (int64_t r = 0; r < (L.mode == StatMode::Channel ? L.C : rows); ++r) {
        const int64_t ch = r % L.C;
        dg[size_t(ch)] += rstd[size_t(r)] * (B[size_t(r)] - double(mean[r]) * A[size_t(r)]);
        db[size_t(ch)] += A[size_t(r)];
      }
    }
    for (int64_t i = 0; i < G; ++i) {
      dgamma[i] = p.fix_gamma ? T(0) : T(dg[size_t(i)]);
      dbeta[i] = T(db[size_t(i)]);
    }
  });
}

Grads d_norm_grad(BackwardCtx&) {
  throw_error("norm_grad: not differentiable; a recorded backward pass uses the registry-op form");
}

// The gradients of forward_norm's (x, gamma, beta) written with registry ops. stat_grads: the
// statistics were the batch's, so dy reaches x through them too, and the gradients of the mean
// and var/std outputs flow back.
Grads backward_norm(BackwardCtx& c, const NormLayout& L, double eps, bool fix_gamma, bool std_out, bool batch_stats_used) {
  Runtime& e = c.env;
  if (!e.recording && L.mode != StatMode::Middle) {
    NormGradParams p{L, eps, fix_gamma, std_out, batch_stats_used};
    ArrayList g = invoke(e, OpId::norm_grad,
                         {c.grad(0), c.input(0), c.input(1), c.output(1), c.output(2), c.grad(1), c.grad(2)}, p);
    return {g[0], g[1], g[2]};
  }
  const Shape xs = c.input_shape(0);
  const Shape s3 = L.stat_shape3();
  const Shape x3 = {L.P, L.C, L.Q};
  const Shape g3 = L.gamma_on_q ? Shape{1, 1, L.Q} : Shape{1, L.C, 1};
  const std::vector<int64_t> gaxes = L.gamma_on_q ? std::vector<int64_t>{0, 1} : std::vector<int64_t>{0, 2};
  const double n = double(L.count());
  ArrayRef x = reshape(e, c.input(0), x3);
  ArrayRef dy = reshape(e, c.grad(0), x3);
  ArrayRef mean = reshape(e, c.output(1), s3);
  ArrayRef spread = reshape(e, c.output(2), s3);
  ArrayRef rstd = std_out ? pow_scalar(e, spread, -1) : pow_scalar(e, add_scalar(e, spread, eps), -0.5);
  ArrayRef xhat = mul(e, sub(e, x, mean), rstd);
  ArrayRef gy = fix_gamma ? dy : mul(e, dy, reshape(e, c.input(1), g3));
  ArrayRef dx;
  if (batch_stats_used) {
    ArrayRef inner = sub(e, sub(e, gy, reduce_axes(e, OpId::mean, gy, L.reduce_axes())),
                         mul(e, xhat, reduce_axes(e, OpId::mean, mul(e, gy, xhat), L.reduce_axes())));
    dx = mul(e, rstd, inner);
    dx = add(e, dx, div_scalar(e, reshape(e, c.grad(1), s3), n));
    ArrayRef dspread = reshape(e, c.grad(2), s3);
    // d std / dx = xhat / n; d var / dx = 2 (x - mean) / n.
    dx = add(e, dx, std_out ? mul(e, dspread, div_scalar(e, xhat, n))
                            : mul(e, dspread, div_scalar(e, mul_scalar(e, sub(e, x, mean), 2), n)));
  } else {
    dx = mul(e, gy, rstd);
  }
  const Shape gshape = c.input_shape(1);
  ArrayRef dgamma = fix_gamma ? zeros_like(e, c.input(1)) : reshape(e, reduce_axes(e, OpId::sum, mul(e, dy, xhat), gaxes), gshape);
  ArrayRef dbeta = reshape(e, reduce_axes(e, OpId::sum, dy, gaxes), gshape);
  return {reshape(e, dx, xs), dgamma, dbeta};
}

// ---- batch_norm(x, gamma, beta, moving_mean, moving_var) -> (y, mean, var) --------------------

NormLayout batch_layout(const Shape& s, const BatchNormParams& p) {
  const int axis = normalize_axis(p.has_axes && !p.axes.empty() ? p.axes[0] : 1, s.size(), "batch_norm", "axis");
  NormLayout L;
  L.P = prod(s, 0, size_t(axis));
  L.C = s[size_t(axis)];
  L.Q = prod(s, size_t(axis) + 1, s.size());
  L.mode = StatMode::Channel;
  return L;
}

void infer_batch_norm(const OpCall& c, OutSpecs& outs) {
  const Tensor& x = c.in[0];
  check_float(x, "batch_norm");
  if (x.ndim() < 1) throw_range("batch_norm: input must have at least one axis");
  const NormLayout L = batch_layout(x.shape, c.params<BatchNormParams>());
  const char* names[] = {"gamma", "beta", "movingMean", "movingVar"};
  for (int i = 0; i < 4; ++i) check_param(c.in[1 + i], {L.C}, x.dtype, "batch_norm", names[i]);
  outs.push_back({x.shape, x.dtype});
  outs.push_back({{L.C}, x.dtype});
  outs.push_back({{L.C}, x.dtype});
}

void fwd_batch_norm(OpCall& c) {
  const BatchNormParams& p = c.params<BatchNormParams>();
  const NormLayout L = batch_layout(c.in[0].shape, p);
  if (p.use_global_stats) forward_norm(c, L, p.eps, p.fix_gamma, false, &c.in[3], &c.in[4]);
  else forward_norm(c, L, p.eps, p.fix_gamma, false, nullptr, nullptr);
}

Grads d_batch_norm(BackwardCtx& c) {
  const BatchNormParams& p = c.params<BatchNormParams>();
  Grads g = backward_norm(c, batch_layout(c.input_shape(0), p), p.eps, p.fix_gamma, false, !p.use_global_stats);
  g.push_back(nullptr);
  g.push_back(nullptr);
  return g;
}

// ---- layer_norm(x, gamma, beta) -> (y, mean, std) ---------------------------------------------

NormLayout layer_layout(const Shape& s, const LayerNormParams& p) {
  const int axis = normalize_axis(p.has_axes && !p.axes.empty() ? p.axes[0] : -1, s.size(), "layer_norm", "axis");
  NormLayout L;
  const int64_t outer = prod(s, 0, size_t(axis)), len = s[size_t(axis)], inner = prod(s, size_t(axis) + 1, s.size());
  if (inner == 1) {
    L.P = outer;
    L.Q = len;
    L.gamma_on_q = true;
  } else {
    L.P = outer;
    L.C = len;
    L.Q = inner;
    L.mode = StatMode::Middle;
  }
  return L;
}

void infer_layer_norm(const OpCall& c, OutSpecs& outs) {
  const Tensor& x = c.in[0];
  check_float(x, "layer_norm");
  if (x.ndim() < 1) throw_range("layer_norm: input must have at least one axis");
  const LayerNormParams& p = c.params<LayerNormParams>();
  const int axis = normalize_axis(p.has_axes && !p.axes.empty() ? p.axes[0] : -1, x.ndim(), "layer_norm", "axis");
  for (int i = 1; i < 3; ++i) check_param(c.in[i], {x.shape[size_t(axis)]}, x.dtype, "layer_norm", i == 1 ? "gamma" : "beta");
  Shape ms = x.shape;
  ms[size_t(axis)] = 1;
  outs.push_back({x.shape, x.dtype});
  outs.push_back({ms, x.dtype});
  outs.push_back({ms, x.dtype});
}

void fwd_layer_norm(OpCall& c) {
  const LayerNormParams& p = c.params<LayerNormParams>();
  forward_norm(c, layer_layout(c.in[0].shape, p), p.eps, false, true, nullptr, nullptr);
}

Grads d_layer_norm(BackwardCtx& c) {
  const LayerNormParams& p = c.params<LayerNormParams>();
  return backward_norm(c, layer_layout(c.input_shape(0), p), p.eps, false, true, true);
}

// ---- instance_norm and group_norm (x, gamma, beta) -> (y, mean, std) ----------------------------

NormLayout grouped_layout(const Shape& s, int64_t groups) {
  NormLayout L;
  L.P = s[0];
  L.C = groups;
  L.Q = prod(s, 1, s.size()) / groups;
  return L;
}

void infer_grouped(const OpCall& c, OutSpecs& outs, const char* op, int64_t groups, const char* groups_name) {
  const Tensor& x = c.in[0];
  check_float(x, op);
  if (x.ndim() < 3) throw_range(std::string(op) + ": input must be at least 3-D (N, C, spatial...), got shape " + shape_str(x.shape));
  if (groups < 1 || x.shape[1] % groups != 0) {
    throw_range(std::string(op) + ": " + groups_name + " " + std::to_string(groups) + " must divide the " +
                std::to_string(x.shape[1]) + " channels");
  }
  for (int i = 1; i < 3; ++i) check_param(c.in[i], {groups}, x.dtype, op, i == 1 ? "gamma" : "beta");
  outs.push_back({x.shape, x.dtype});
  outs.push_back({{x.shape[0], groups}, x.dtype});
  outs.push_back({{x.shape[0], groups}, x.dtype});
}

void infer_instance_norm(const OpCall& c, OutSpecs& outs) {
  if (c.in[0].ndim() < 2) throw_range("instance_norm: input must be at least 3-D (N, C, spatial...), got shape " + shape_str(c.in[0].shape));
  infer_grouped(c, outs, "instance_norm", c.in[0].shape[1], "channel count");
}

void fwd_instance_norm(OpCall& c) {
  forward_norm(c, grouped_layout(c.in[0].shape, c.in[0].shape[1]), c.params<InstanceNormParams>().eps, false, true, nullptr,
               nullptr);
}

Grads d_instance_norm(BackwardCtx& c) {
  const Shape s = c.input_shape(0);
  return backward_norm(c, grouped_layout(s, s[1]), c.params<InstanceNormParams>().eps, false, true, true);
}

void infer_group_norm(const OpCall& c, OutSpecs& outs) {
  infer_grouped(c, outs, "group_norm", c.params<GroupNormParams>().num_groups, "numGroups");
}

void fwd_group_norm(OpCall& c) {
  const GroupNormParams& p = c.params<GroupNormParams>();
  forward_norm(c, grouped_layout(c.in[0].shape, p.num_groups), p.eps, false, true, nullptr, nullptr);
}

Grads d_group_norm(BackwardCtx& c) {
  const GroupNormParams& p = c.params<GroupNormParams>();
  return backward_norm(c, grouped_layout(c.input_shape(0), p.num_groups), p.eps, false, true, true);
}

// ---- l2_normalization(x) -> (y, norm) ----------------------------------------------------------

NormLayout l2_layout(const Shape& s, int mode) {
  NormLayout L;
  L.P = s[0];
  if (mode == 0) {
    L.Q = prod(s, 1, s.size());
    return L;
  }
  L.C = s[1];
  L.Q = prod(s, 2, s.size());
  if (mode == 1) L.mode = StatMode::Middle;
  return L;
}

void infer_l2_normalization(const OpCall& c, OutSpecs& outs) {
  const Tensor& x = c.in[0];
  check_float(x, "l2_normalization");
  const int mode = c.params<L2NormParams>().mode;
  const size_t min_nd = mode == 0 ? 2 : 3;
  if (x.ndim() < min_nd) {
    throw_range(std::string("l2_normalization: mode '") + (mode == 0 ? "instance" : mode == 1 ? "channel" : "spatial") +
                "' needs an input of at least " + std::to_string(min_nd) + " axes, got shape " + shape_str(x.shape));
  }
  const NormLayout L = l2_layout(x.shape, mode);
  outs.push_back({x.shape, x.dtype});
  outs.push_back({mode == 0 ? Shape{L.P} : mode == 1 ? Shape{L.P, L.Q} : Shape{L.P, L.C}, x.dtype});
}

void fwd_l2_normalization(OpCall& c) {
  const Tensor& x = c.in[0];
  const L2NormParams& p = c.params<L2NormParams>();
  const NormLayout L = l2_layout(x.shape, p.mode);
  const auto& kk = kernels::poolnorm_kernels(c.env.isa);
  visit_float(x.dtype, [&](auto zero) {
    using T = decltype(zero);
    const auto& k = kernels_of<T>(kk);
    std::vector<double> zeros, sumsq;
    batch_stats(c.env, k, L, x.data<T>(), false, zeros, sumsq);
    std::vector<double> rnorm(sumsq.size()), norm(sumsq.size());
    for (size_t i = 0; i < sumsq.size(); ++i) {
      norm[i] = std::sqrt(sumsq[i] + p.eps);
      rnorm[i] = 1.0 / norm[i];
    }
    apply_norm<T>(c.env, k, L, x.data<T>(), c.out[0].data<T>(), zeros, rnorm, nullptr, nullptr);
    store<T>(norm, c.out[1]);
  });
}

// dx = (dy - y * sum(dy * y)) / norm + dnorm * y  (d norm / dx = x / norm = y).
Grads d_l2_normalization(BackwardCtx& c) {
  Runtime& e = c.env;
  const NormLayout L = l2_layout(c.input_shape(0), c.params<L2NormParams>().mode);
  const Shape x3 = {L.P, L.C, L.Q}, s3 = L.stat_shape3();
  ArrayRef y = reshape(e, c.output(0), x3);
  ArrayRef dy = reshape(e, c.grad(0), x3);
  ArrayRef norm = reshape(e, c.output(1), s3);
  ArrayRef proj = reduce_axes(e, OpId::sum, mul(e, dy, y), L.reduce_axes());
  ArrayRef dx = add(e, div(e, sub(e, dy, mul(e, y, proj)), norm), mul(e, reshape(e, c.grad(1), s3), y));
  return {reshape(e, dx, c.input_shape(0))};
}

// ---- moving_average_update(moving, stat): moving = moving * momentum + stat * (1 - momentum) ---

void infer_moving_average(const OpCall& c, OutSpecs&) {
  const Tensor& m = c.in[0];
  check_float(m, "moving_average_update");
  check_param(c.in[1], m.shape, m.dtype, "moving_average_update", "the statistic");
}

void fwd_moving_average(OpCall& c) {
  const double mom = c.params<MovingAverageParams>().momentum;
  visit_float(c.in[0].dtype, [&](auto zero) {
    using T = decltype(zero);
    T* m = c.in[0].data<T>();
    const T* s = c.in[1].data<T>();
    for (int64_t i = 0; i < c.in[0].size(); ++i) m[i] = T(double(m[i]) * mom + double(s[i]) * (1 - mom));
  });
}

const FieldDef kBatchNormFields[] = {
    field<&BatchNormParams::eps>("eps", "added to the variance").set_default(1e-3).non_negative(),
    field<&BatchNormParams::momentum>("momentum", "the moving statistics' decay").set_default(0.9).range(0, 1),
    field<&BatchNormParams::fix_gamma>("fixGamma", "treat gamma as 1 (its gradient 0)").alias("fix_gamma").set_default(1),
    field<&BatchNormParams::use_global_stats>("useGlobalStats", "normalize with the moving statistics")
        .alias("use_global_stats"),
    field<&BatchNormParams::output_mean_var>("outputMeanVar", "also return the mean and var used")
        .alias("output_mean_var"),
    axis_field<&BatchNormParams::axes, &BatchNormParams::has_axes>("axis", "the channel axis").set_default(1),
    ignored_field("cudnnOff", "MXNet's cuDNN switch; no effect on the CPU").alias("cudnn_off"),
};
const FieldDef kLayerNormFields[] = {
    axis_field<&LayerNormParams::axes, &LayerNormParams::has_axes>("axis", "the axis normalized").set_default(-1),
    field<&LayerNormParams::eps>("eps", "added to the variance").set_default(1e-5).non_negative(),
    field<&LayerNormParams::output_mean_var>("outputMeanVar", "also return the mean and std").alias("output_mean_var"),
};
const FieldDef kInstanceNormFields[] = {
    field<&InstanceNormParams::eps>("eps", "added to the variance").set_default(1e-3).non_negative(),
};
const FieldDef kGroupNormFields[] = {
    field<&GroupNormParams::num_groups>("numGroups", "the number of channel groups").alias("num_groups").set_default(1).positive(),
    field<&GroupNormParams::eps>("eps", "added to the variance").set_default(1e-5).non_negative(),
    field<&GroupNormParams::output_mean_var>("outputMeanVar", "also return the mean and std").alias("output_mean_var"),
};
const FieldDef kL2NormFields[] = {
    field<&L2NormParams::eps>("eps", "added to the sum of squares").set_default(1e-10).non_negative(),
    field<&L2NormParams::mode>("mode", "the axes of each norm: instance, channel or spatial").one_of("instance channel spatial"),
};
const FieldDef kMovingAverageFields[] = {
    field<&MovingAverageParams::momentum>("momentum", "the weight of the old value").set_default(0.9).range(0, 1),
};

}  // namespace

void define_norm_ops(std::vector<OpDef>& table) {
  const uint32_t saves = kSaveInputs | kSaveOutputs;
  define_op(table, OpId::batch_norm, 5, infer_batch_norm, fwd_batch_norm, d_batch_norm, saves);
  define_op(table, OpId::layer_norm, 3, infer_layer_norm, fwd_layer_norm, d_layer_norm, saves);
  define_op(table, OpId::instance_norm, 3, infer_instance_norm, fwd_instance_norm, d_instance_norm, saves);
  define_op(table, OpId::group_norm, 3, infer_group_norm, fwd_group_norm, d_group_norm, saves);
  define_op(table, OpId::l2_normalization, 1, infer_l2_normalization, fwd_l2_normalization, d_l2_normalization,
            kSaveOutputs);
  define_op(table, OpId::norm_grad, 7, infer_norm_grad, fwd_norm_grad, d_norm_grad, 0);
  set_params<NormGradParams>(table, OpId::norm_grad);
  define_op(table, OpId::moving_average_update, 2, infer_moving_average, fwd_moving_average, nullptr,
            kNoGrad | kMutates);
  set_params<BatchNormParams>(table, OpId::batch_norm, kBatchNormFields);
  set_params<LayerNormParams>(table, OpId::layer_norm, kLayerNormFields);
  set_params<InstanceNormParams>(table, OpId::instance_norm, kInstanceNormFields);
  set_params<GroupNormParams>(table, OpId::group_norm, kGroupNormFields);
  set_params<L2NormParams>(table, OpId::l2_normalization, kL2NormFields);
  set_params<MovingAverageParams>(table, OpId::moving_average_update, kMovingAverageFields);
}

}  // namespace ndgrad

// The optimizer update kernels, written once and compiled once per instruction set (as
// kernels_impl.inl; the including file defines NDGRAD_VEC_BYTES and NDGRAD_KERNEL_NS). Each
// update is one vector function of (weight, gradient, states) applied along the arrays; the
// formulas are MXNet 1.9's kernels, term for term, in the weight's dtype.
#include <math.h>

#include <cstdint>
#include <cstring>

#include "kernels/optim_kernels.h"

#if defined(__SSE2__) || defined(__FMA__)
#include <immintrin.h>
#endif

#if !defined(NDGRAD_VEC_BYTES) || !defined(NDGRAD_KERNEL_NS)
#error "define NDGRAD_VEC_BYTES and NDGRAD_KERNEL_NS before including optim_impl.inl"
#endif

namespace ndgrad {
namespace kernels {
namespace NDGRAD_KERNEL_NS {
namespace {

#include "kernels/vec_base.inl"

inline vf32 vsqrt(vf32 x) {
#if defined(__AVX512F__) && NDGRAD_VEC_BYTES == 64
  return (vf32)_mm512_maskz_sqrt_ps(__mmask16(0xffff), (__m512)x);  // (the unmasked form trips GCC 12 -Wmaybe-uninitialized)
#elif defined(__AVX__) && NDGRAD_VEC_BYTES == 32
  return (vf32)_mm256_sqrt_ps((__m256)x);
#elif defined(__SSE2__) && NDGRAD_VEC_BYTES == 16
  return (vf32)_mm_sqrt_ps((__m128)x);
#else
  for (size_t i = 0; i < kLanes<float>; ++i) x[i] = __builtin_sqrtf(x[i]);
  return x;
#endif
}

inline vf64 vsqrt(vf64 x) {
#if defined(__AVX512F__) && NDGRAD_VEC_BYTES == 64
  return (vf64)_mm512_maskz_sqrt_pd(__mmask8(0xff), (__m512d)x);
#elif defined(__AVX__) && NDGRAD_VEC_BYTES == 32
  return (vf64)_mm256_sqrt_pd((__m256d)x);
#elif defined(__SSE2__) && NDGRAD_VEC_BYTES == 16
  return (vf64)_mm_sqrt_pd((__m128d)x);
#else
  for (size_t i = 0; i < kLanes<double>; ++i) x[i] = __builtin_sqrt(x[i]);
  return x;
#endif
}

// mshadow_op::clip: x beyond +-bound becomes +-bound (NaN passes through).
template <class V>
inline V clip(V x, V bound) {
  return x > bound ? bound : (x < -bound ? -bound : x);
}

// mshadow_op::sign: 1, -1, or 0 (also for NaN).
template <class V>
inline V sign(V x) {
  const V one = V{} + 1, zero = V{};
  return (x > zero ? one : zero) - (x < zero ? one : zero);
}

// Applies f(w, g, s) along [begin, end): w, g and the NS states as vectors, f updates w and s in
// place. w is written back to out when the update has an output of its own (LAMB's phase one,
// which leaves the weight alone), else to the weight.
template <class T, int NS, class F>
void sweep(const UpdateArgs& a, size_t begin, size_t end, F f) {
  using V = Vec<T>;
  constexpr size_t L = kLanes<T>;
  const T* w = static_cast<const T*>(a.w);
  T* dst = static_cast<T*>(a.out ? a.out : a.w);
  const T* g = static_cast<const T*>(a.g);
  T* s[3] = {static_cast<T*>(a.s[0]), static_cast<T*>(a.s[1]), static_cast<T*>(a.s[2])};
  size_t i = begin;
  for (; i + L <= end; i += L) {
    V wv = load<V>(w + i), gv = load<V>(g + i), sv[NS > 0 ? NS : 1];
    for (int k = 0; k < NS; ++k) sv[k] = load<V>(s[k] + i);
    f(wv, gv, sv);
    store(dst + i, wv);
    for (int k = 0; k < NS; ++k) store(s[k] + i, sv[k]);
  }
  if (i < end) {
    const size_t n = end - i;
    V wv = load_part<V>(w + i, n, T(1)), gv = load_part<V>(g + i, n, T(1)), sv[NS > 0 ? NS : 1];
    for (int k = 0; k < NS; ++k) sv[k] = load_part<V>(s[k] + i, n, T(1));
    f(wv, gv, sv);
    store_part(dst + i, wv, n);
    for (int k = 0; k < NS; ++k) store_part(s[k] + i, sv[k], n);
  }
}

template <class T>
void update_typed(Update op, const UpdateArgs& a, size_t b, size_t e) {
  using V = Vec<T>;
  auto P = [&](int k) { return splat<V>(static_cast<T>(a.p[k])); };
  const V lr = P(0), wd = P(1), rg = P(2), c = P(3);
  const bool clipping = a.p[3] >= 0;
  const V one = splat<V>(T(1));
  switch (op) {
    case Update::Sgd: {
      const V keep = splat<V>(T(1) - static_cast<T>(a.p[0]) * static_cast<T>(a.p[1]));
      const V lr_rg = splat<V>(static_cast<T>(a.p[0]) * static_cast<T>(a.p[2]));
      if (clipping) return sweep<T, 0>(a, b, e, [&](V& w, V g, V*) { w = keep * w - lr * clip(rg * g, c); });
      return sweep<T, 0>(a, b, e, [&](V& w, V g, V*) { w = keep * w - lr_rg * g; });
    }
    case Update::SgdMom: {
      const V mu = P(4), lr_wd = lr * wd, lr_rg = lr * rg;
      return sweep<T, 1>(a, b, e, [&](V& w, V g, V* s) {
        s[0] = mu * s[0] - lr_wd * w - (clipping ? lr * clip(rg * g, c) : lr_rg * g);
        w = w + s[0];
      });
    }
    case Update::MultiSgd: {
      const V lr_wd = lr * wd, lr_rg = lr * rg;
      return sweep<T, 0>(a, b, e, [&](V& w, V g, V*) {
        w = w + (-(lr_wd * w) - (clipping ? lr * clip(rg * g, c) : lr_rg * g));
      });
    }
    case Update::Nag: {
      const V mu = P(4), mu1 = mu + one;
      return sweep<T, 1>(a, b, e, [&](V& w, V g, V* s) {
        const V gr = clipping ? clip(rg * g, c) : rg * g;
        s[0] = mu * s[0];
        const V step = lr * (gr + wd * w);
        w = w - s[0] + mu1 * (s[0] - step);
        s[0] = s[0] - step;
      });
    }
    case Update::Adam: {
      const V b1 = P(4), b2 = P(5), eps = P(6), nb1 = one - b1, nb2 = one - b2;
      return sweep<T, 2>(a, b, e, [&](V& w, V g, V* s) {
        V gr = g * rg + w * wd;
        if (clipping) gr = clip(gr, c);
        s[0] = b1 * s[0] + nb1 * gr;
        s[1] = b2 * s[1] + nb2 * gr * gr;
        w = w - lr * s[0] / (vsqrt(s[1]) + eps);
      });
    }
    case Update::AdamW: {
      const V b1 = P(4), b2 = P(5), eps = P(6), eta = P(7), nb1 = one - b1, nb2 = one - b2;
      return sweep<T, 2>(a, b, e, [&](V& w, V g, V* s) {
        V gr = rg * g;
        if (clipping) gr = clip(gr, c);
        s[0] = b1 * s[0] + nb1 * gr;
        s[1] = b2 * s[1] + nb2 * (gr * gr);
        w = w - eta * (lr * s[0] / (vsqrt(s[1]) + eps) + wd * w);
      });
    }
    case Update::MultiAdamW: {
      const V b1 = P(4), b2 = P(5), eps = P(6), eta = P(7);
      return sweep<T, 2>(a, b, e, [&](V& w, V g, V* s) {
        V gr = rg * g;
        if (clipping) gr = clip(gr, c);
        s[0] = b1 * (s[0] - gr) + gr;
        const V adj = gr * gr;
        s[1] = b2 * (s[1] - adj) + adj;
        w = w - eta * (lr * s[0] / (vsqrt(s[1]) + eps) + wd * w);
      });
    }
    case Update::RmsProp: {
      const V g1 = P(4), eps = P(5), cw = P(6), ng1 = one - g1;
      const bool clip_w = a.p[6] >= 0;
      return sweep<T, 1>(a, b, e, [&](V& w, V g, V* s) {
        V gr = rg * g + wd * w;
        if (clipping) gr = clip(gr, c);
        s[0] = ng1 * (gr * gr) + g1 * s[0];
        w = w - lr * (gr / vsqrt(s[0] + eps));
        if (clip_w) w = clip(w, cw);
      });
    }
    case Update::RmsPropAlex: {
      const V g1 = P(4), g2 = P(5), eps = P(6), cw = P(7), ng1 = one - g1;
      const bool clip_w = a.p[7] >= 0;
      return sweep<T, 3>(a, b, e, [&](V& w, V g, V* s) {
        V gr = rg * g + wd * w;
        if (clipping) gr = clip(gr, c);
        s[0] = ng1 * gr * gr + g1 * s[0];
        s[1] = ng1 * gr + g1 * s[1];
        s[2] = g2 * s[2] - (lr * gr / vsqrt(s[0] - s[1] * s[1] + eps));
        w = w + s[2];
        if (clip_w) w = clip(w, cw);
      });
    }
    case Update::AdaGrad: {
      // MXNet's dense AdaGrad step (optimizer.py), whose rows match its sparse kernel when wd = 0.
      const V eps = P(4), neg_lr = -lr;
      return sweep<T, 1>(a, b, e, [&](V& w, V g, V* s) {
        V gr = g * rg;
        if (clipping) gr = clip(gr, c);
        s[0] = s[0] + gr * gr;
        const V div = gr / vsqrt(s[0] + eps);
        w = w + (div + w * wd) * neg_lr;
      });
    }
    case Update::SignSgd: {
      const V keep = splat<V>(T(1) - static_cast<T>(a.p[0]) * static_cast<T>(a.p[1]));
      return sweep<T, 0>(a, b, e, [&](V& w, V g, V*) { w = keep * w - lr * sign(g); });
    }
    case Update::Signum: {
      const V mu = P(4), nmu = one - mu;
      const V keep = splat<V>(T(1) - static_cast<T>(a.p[0]) * static_cast<T>(a.p[5]));
      return sweep<T, 1>(a, b, e, [&](V& w, V g, V* s) {
        s[0] = mu * s[0] - nmu * wd * w - nmu * (clipping ? clip(rg * g, c) : rg * g);
        w = keep * w + lr * sign(s[0]);
      });
    }
    case Update::LambPhase1: {
      // Options shift by one: no lr. p = wd, rg, clip, beta1, beta2, epsilon, bias, beta1^t, beta2^t.
      const V wd1 = P(0), rg1 = P(1), c1 = P(2), b1 = P(3), b2 = P(4), eps = P(5);
      const bool clip1 = a.p[2] >= 0, bias = a.p[6] != 0;
      const V nb1 = one - b1, nb2 = one - b2;
      const V corr1 = splat<V>(static_cast<T>(1. - static_cast<T>(a.p[7])));
      const V corr2 = splat<V>(T(1) - static_cast<T>(a.p[8]));
      return sweep<T, 2>(a, b, e, [&](V& w, V g, V* s) {
        V gr = g * rg1;
        if (clip1) gr = clip(gr, c1);
        s[0] = b1 * s[0] + nb1 * gr;
        s[1] = b2 * s[1] + nb2 * gr * gr;
        if (bias) {
          w = (s[0] / corr1) / (vsqrt(s[1] / corr2) + eps) + wd1 * w;
        } else {
          w = s[0] / (vsqrt(s[1]) + eps) + wd1 * w;
        }
      });
    }
    case Update::LambPhase2:
      return sweep<T, 0>(a, b, e, [&](V& w, V g, V*) { w = w - lr * g; });
    case Update::Ftrl: {
      const V l1 = P(4), beta = P(5), zero = V{};
      return sweep<T, 2>(a, b, e, [&](V& w, V g, V* s) {
        V gr = g * rg;
        if (clipping) gr = clip(gr, c);
        // s[0] = z, s[1] = n
        s[0] = s[0] + (gr - (vsqrt(s[1] + gr * gr) - vsqrt(s[1])) * w / lr);
        s[1] = s[1] + gr * gr;
        const V active = abs_bits(s[0]) > l1 ? one : zero;
        w = (sign(s[0]) * l1 - s[0]) / ((beta + vsqrt(s[1])) / lr + wd) * active;
      });
    }
    case Update::Count: return;
  }
}

void update(Update op, DType dt, const UpdateArgs& a, size_t begin, size_t end) {
  if (dt == DType::Float64) return update_typed<double>(op, a, begin, end);
  update_typed<float>(op, a, begin, end);
}

}  // namespace

constexpr OptimKernels make_optim_kernels(Isa isa) { return OptimKernels{isa, &update}; }

}  // namespace NDGRAD_KERNEL_NS
}  // namespace kernels
}  // namespace ndgrad

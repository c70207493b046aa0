// Pooling and normalization row kernels, written once and compiled once per instruction set.
// The including file defines NDGRAD_VEC_BYTES and NDGRAD_KERNEL_NS (see kernels_impl.inl for
// why everything here has internal linkage and calls no std:: templates).
#include <math.h>

#include <cstdint>
#include <cstring>

#include "kernels/poolnorm_kernels.h"

#if defined(__FMA__)
#include <immintrin.h>
#endif

#if !defined(NDGRAD_VEC_BYTES) || !defined(NDGRAD_KERNEL_NS)
#error "define NDGRAD_VEC_BYTES and NDGRAD_KERNEL_NS before including poolnorm.inl"
#endif

namespace ndgrad {
namespace kernels {
namespace NDGRAD_KERNEL_NS {
namespace {

#include "kernels/vec_base.inl"

inline int64_t imax(int64_t a, int64_t b) { return a > b ? a : b; }
inline int64_t imin(int64_t a, int64_t b) { return a < b ? a : b; }

// One window along the three axes: [lo, hi) clipped to the input, and the size MXNet divides an
// average by (the window clipped to the padded input, or to the input).
struct Window {
  int64_t lo[3], hi[3];
  int64_t size;
};

inline Window window(const PoolGeom& g, const int64_t (&o)[3]) {
  Window w;
  int64_t padded = 1, clipped = 1;
  for (int a = 0; a < 3; ++a) {
    int64_t start = o[a] * g.s[a] - g.p[a];
    int64_t end = imin(start + g.k[a], g.in[a] + g.p[a]);
    padded *= imax(end - start, 0);
    w.lo[a] = imax(start, 0);
    w.hi[a] = imin(end, g.in[a]);
    clipped *= imax(w.hi[a] - w.lo[a], 0);
  }
  w.size = g.count_include_pad ? padded : clipped;
  return w;
}

template <class T>
inline T lowest() {
  return sizeof(T) == 4 ? T(-__FLT_MAX__) : T(-__DBL_MAX__);
}

template <class T>
inline T lp_pow(T v, int p) {
  return p == 1 ? v : p == 2 ? v * v : v * v * v;
}

template <class T>
inline T lp_root(T v, int p) {
  return p == 1 ? v : p == 2 ? T(sqrt(double(v))) : T(cbrt(double(v)));
}

// Max pooling with a 2x2 window and stride 2 over whole rows: the layer of most CNNs.
inline bool is_max_2x2(const PoolGeom& g) {
  return g.out[0] == 1 && g.k[0] == 1 && g.p[0] == 0 && g.k[1] == 2 && g.k[2] == 2 && g.s[1] == 2 && g.s[2] == 2 &&
         g.p[1] == 0 && g.p[2] == 0 && g.out[1] * 2 <= g.in[1] && g.out[2] * 2 <= g.in[2];
}

template <class T>
bool pool_max_2x2(const PoolGeom& g, const T* x, T* y) {
  if (!is_max_2x2(g)) return false;
  const int64_t w_in = g.in[2], w_out = g.out[2];
  for (int64_t oh = 0; oh < g.out[1]; ++oh) {
    const T* r0 = x + 2 * oh * w_in;
    const T* r1 = r0 + w_in;
    T* yr = y + oh * w_out;
    for (int64_t ow = 0; ow < w_out; ++ow) {
      T a = r0[2 * ow], b = r0[2 * ow + 1], c = r1[2 * ow], d = r1[2 * ow + 1];
      T m = a;
      if (b > m) m = b;
      if (c > m) m = c;
      if (d > m) m = d;
      yr[ow] = m;
    }
  }
  return true;
}

template <class T>
T row_sum(const T* x, size_t n) {
  using V = Vec<T>;
  constexpr size_t L = kLanes<T>;
  V a0 = splat<V>(T(0)), a1 = a0;
  size_t i = 0;
  for (; i + 2 * L <= n; i += 2 * L) {
    a0 += load<V>(x + i);
    a1 += load<V>(x + i + L);
  }
  for (; i + L <= n; i += L) a0 += load<V>(x + i);
  if (i < n) a0 += load_part<V>(x + i, n - i, T(0));
  a0 += a1;
  T s = 0;
  for (size_t l = 0; l < L; ++l) s += a0[l];
  return s;
}

template <class T>
void pool_fwd(const PoolGeom& g, const T* x, T* y) {
  const int64_t plane = g.in[0] * g.in[1] * g.in[2];
  if (g.out[0] * g.out[1] * g.out[2] == 1 && g.type != PoolType::Max && g.type != PoolType::Lp &&
      g.k[0] == g.in[0] && g.k[1] == g.in[1] && g.k[2] == g.in[2] && g.p[0] + g.p[1] + g.p[2] == 0) {
    T s = row_sum(x, size_t(plane));
    y[0] = g.type == PoolType::Avg ? s / T(plane) : s;
    return;
  }
  if (g.type == PoolType::Max && pool_max_2x2(g, x, y)) return;
  int64_t o[3];
  for (o[0] = 0; o[0] < g.out[0]; ++o[0])
    for (o[1] = 0; o[1] < g.out[1]; ++o[1])
      for (o[2] = 0; o[2] < g.out[2]; ++o[2]) {
        Window w = window(g, o);
        T acc = g.type == PoolType::Max ? -__builtin_huge_val() : T(0);
        bool any = false;
        for (int64_t d = w.lo[0]; d < w.hi[0]; ++d)
          for (int64_t h = w.lo[1]; h < w.hi[1]; ++h) {
            const T* row = x + (d * g.in[1] + h) * g.in[2];
            for (int64_t c = w.lo[2]; c < w.hi[2]; ++c) {
              T v = row[c];
              any = true;
              if (g.type == PoolType::Max) acc = v > acc ? v : acc;
              else if (g.type == PoolType::Lp) acc += lp_pow(v, g.p_value);
              else acc += v;
            }
          }
        T out;
        // A window wholly in the padding ('full' convention): MXNet's MinValue.
        if (g.type == PoolType::Max) out = any ? acc : lowest<T>();
        else if (g.type == PoolType::Avg) out = w.size > 0 ? acc / T(w.size) : T(0);
        else if (g.type == PoolType::Lp) out = lp_root(acc, g.p_value);
        else out = acc;
        y[(o[0] * g.out[1] + o[1]) * g.out[2] + o[2]] = out;
      }
}

// The flat index of the first maximum of x in window w, or -1 for an empty window.
template <class T>
int64_t first_max(const PoolGeom& g, const Window& w, const T* x) {
  int64_t best = -1;
  T m = T(0);
  for (int64_t d = w.lo[0]; d < w.hi[0]; ++d)
    for (int64_t h = w.lo[1]; h < w.hi[1]; ++h)
      for (int64_t c = w.lo[2]; c < w.hi[2]; ++c) {
        const int64_t i = (d * g.in[1] + h) * g.in[2] + c;
        if (best < 0 || x[i] > m) {
          m = x[i];
          best = i;
        }
      }
  return best;
}

// The gradient of pool_max_2x2: each dy to the first maximum of its 2x2 window. Every input of a
// window is written (dy or 0) with selects instead of branches, which random data mispredicts.
template <class T>
void pool_max_2x2_bwd(const PoolGeom& g, const T* dy, const T* x, T* dx) {
  const int64_t w_in = g.in[2], w_out = g.out[2];
  for (int64_t oh = 0; oh < g.out[1]; ++oh) {
    const T* r0 = x + 2 * oh * w_in;
    const T* r1 = r0 + w_in;
    T* d0 = dx + 2 * oh * w_in;
    T* d1 = d0 + w_in;
    const T* gy = dy + oh * w_out;
    for (int64_t ow = 0; ow < w_out; ++ow) {
      const T a = r0[2 * ow], b = r0[2 * ow + 1], c = r1[2 * ow], d = r1[2 * ow + 1];
      T m = a;
      int idx = 0;
      idx = b > m ? 1 : idx;
      m = b > m ? b : m;
      idx = c > m ? 2 : idx;
      m = c > m ? c : m;
      idx = d > m ? 3 : idx;
      const T v = gy[ow];
      d0[2 * ow] = idx == 0 ? v : T(0);
      d0[2 * ow + 1] = idx == 1 ? v : T(0);
      d1[2 * ow] = idx == 2 ? v : T(0);
      d1[2 * ow + 1] = idx == 3 ? v : T(0);
    }
  }
}

template <class T>
void pool_bwd(const PoolGeom& g, const T* dy, const T* x, T* dx) {
  const int64_t plane = g.in[0] * g.in[1] * g.in[2];
  if (g.type == PoolType::Max && is_max_2x2(g)) {
    // The windows cover all but an odd last row or column, which get no gradient.
    if (g.out[1] * 2 != g.in[1] || g.out[2] * 2 != g.in[2]) memset(dx, 0, size_t(plane) * sizeof(T));
    pool_max_2x2_bwd(g, dy, x, dx);
    return;
  }
  memset(dx, 0, size_t(plane) * sizeof(T));
  int64_t o[3];
  for (o[0] = 0; o[0] < g.out[0]; ++o[0])
    for (o[1] = 0; o[1] < g.out[1]; ++o[1])
      for (o[2] = 0; o[2] < g.out[2]; ++o[2]) {
        const T gy = dy[(o[0] * g.out[1] + o[1]) * g.out[2] + o[2]];
        const Window w = window(g, o);
        if (g.type == PoolType::Max) {
          const int64_t best = first_max(g, w, x);
          if (best >= 0) dx[best] += gy;
          continue;
        }
        const T v = g.type == PoolType::Avg ? (w.size > 0 ? gy / T(w.size) : T(0)) : gy;
        for (int64_t d = w.lo[0]; d < w.hi[0]; ++d)
          for (int64_t h = w.lo[1]; h < w.hi[1]; ++h) {
            T* row = dx + (d * g.in[1] + h) * g.in[2];
            for (int64_t c = w.lo[2]; c < w.hi[2]; ++c) row[c] += v;
          }
      }
}

template <class T>
void pool_select(const PoolGeom& g, const T* x, const T* v, T* y) {
  int64_t o[3];
  for (o[0] = 0; o[0] < g.out[0]; ++o[0])
    for (o[1] = 0; o[1] < g.out[1]; ++o[1])
      for (o[2] = 0; o[2] < g.out[2]; ++o[2]) {
        const int64_t best = first_max(g, window(g, o), x);
        y[(o[0] * g.out[1] + o[1]) * g.out[2] + o[2]] = best >= 0 ? v[best] : T(0);
      }
}

template <class T>
void moments(const T* x, size_t n, T shift, double* s1, double* s2) {
  using V = Vec<T>;
  constexpr size_t L = kLanes<T>;
  const V sh = splat<V>(shift);
  V a = splat<V>(T(0)), b = a, a1 = a, b1 = a;
  size_t i = 0;
  for (; i + 2 * L <= n; i += 2 * L) {
    V d0 = load<V>(x + i) - sh, d1 = load<V>(x + i + L) - sh;
    a += d0;
    a1 += d1;
    b = fmadd(d0, d0, b);
    b1 = fmadd(d1, d1, b1);
  }
  for (; i + L <= n; i += L) {
    V d = load<V>(x + i) - sh;
    a += d;
    b = fmadd(d, d, b);
  }
  if (i < n) {
    V d = load_part<V>(x + i, n - i, shift) - sh;
    a += d;
    b = fmadd(d, d, b);
  }
  a += a1;
  b += b1;
  double t1 = 0, t2 = 0;
  for (size_t l = 0; l < L; ++l) {
    t1 += double(a[l]);
    t2 += double(b[l]);
  }
  *s1 += t1;
  *s2 += t2;
}

template <class T>
void moments_cols(const T* x, size_t n, const T* shift, double* s1, double* s2) {
  for (size_t q = 0; q < n; ++q) {
    double d = double(x[q]) - double(shift[q]);
    s1[q] += d;
    s2[q] += d * d;
  }
}

template <class T>
void affine(const T* x, T* y, size_t n, T a, T b) {
  using V = Vec<T>;
  constexpr size_t L = kLanes<T>;
  const V va = splat<V>(a), vb = splat<V>(b);
  size_t i = 0;
  for (; i + L <= n; i += L) store(y + i, fmadd(load<V>(x + i), va, vb));
  if (i < n) store_part(y + i, fmadd(load_part<V>(x + i, n - i, T(0)), va, vb), n - i);
}

template <class T>
void norm_cols(const T* x, T* y, size_t n, const T* m, const T* r, T g, T b) {
  using V = Vec<T>;
  constexpr size_t L = kLanes<T>;
  const V vg = splat<V>(g), vb = splat<V>(b);
  size_t i = 0;
  for (; i + L <= n; i += L) store(y + i, fmadd((load<V>(x + i) - load<V>(m + i)) * load<V>(r + i), vg, vb));
  for (; i < n; ++i) y[i] = (x[i] - m[i]) * r[i] * g + b;
}

template <class T>
void norm_gamma_cols(const T* x, T* y, size_t n, T m, T r, const T* g, const T* b) {
  using V = Vec<T>;
  constexpr size_t L = kLanes<T>;
  const V vm = splat<V>(m), vr = splat<V>(r);
  size_t i = 0;
  for (; i + L <= n; i += L) store(y + i, fmadd((load<V>(x + i) - vm) * vr, load<V>(g + i), load<V>(b + i)));
  for (; i < n; ++i) y[i] = (x[i] - m) * r * g[i] + b[i];
}

template <class T>
void grad_sums(const T* dy, const T* x, const T* g, size_t n, double* a, double* b) {
  using V = Vec<T>;
  constexpr size_t L = kLanes<T>;
  V va = splat<V>(T(0)), vb = va;
  size_t i = 0;
  if (g) {
    for (; i + L <= n; i += L) {
      V w = load<V>(dy + i) * load<V>(g + i);
      va += w;
      vb = fmadd(w, load<V>(x + i), vb);
    }
  } else {
    for (; i + L <= n; i += L) {
      V d = load<V>(dy + i);
      va += d;
      vb = fmadd(d, load<V>(x + i), vb);
    }
  }
  double ta = 0, tb = 0;
  for (size_t l = 0; l < L; ++l) {
    ta += double(va[l]);
    tb += double(vb[l]);
  }
  for (; i < n; ++i) {
    double w = double(dy[i]) * (g ? double(g[i]) : 1.0);
    ta += w;
    tb += w * double(x[i]);
  }
  *a += ta;
  *b += tb;
}

template <class T>
void grad_cols(const T* dy, const T* x, size_t n, T m, T r, double* a, double* b) {
  for (size_t q = 0; q < n; ++q) {
    a[q] += double(dy[q]);
    b[q] += double(dy[q]) * (double(x[q]) - double(m)) * double(r);
  }
}

template <class T>
void grad_apply(const T* dy, const T* x, T* dx, size_t n, const T* g, T s, T b, T c) {
  using V = Vec<T>;
  constexpr size_t L = kLanes<T>;
  const V vs = splat<V>(s), vb = splat<V>(b), vc = splat<V>(c);
  size_t i = 0;
  if (g) {
    for (; i + L <= n; i += L) store(dx + i, fmadd(vs * load<V>(g + i), load<V>(dy + i), fmadd(vb, load<V>(x + i), vc)));
    for (; i < n; ++i) dx[i] = s * g[i] * dy[i] + b * x[i] + c;
  } else {
    for (; i + L <= n; i += L) store(dx + i, fmadd(vs, load<V>(dy + i), fmadd(vb, load<V>(x + i), vc)));
    for (; i < n; ++i) dx[i] = s * dy[i] + b * x[i] + c;
  }
}

template <class T>
constexpr PoolNormOps<T> make_ops() {
  return PoolNormOps<T>{&pool_fwd<T>, &pool_bwd<T>, &pool_select<T>, &moments<T>, &moments_cols<T>, &affine<T>, &norm_cols<T>,
                        &norm_gamma_cols<T>, &grad_sums<T>, &grad_cols<T>, &grad_apply<T>};
}

}  // namespace

constexpr PoolNormKernels make_poolnorm_kernels(Isa isa) {
  return PoolNormKernels{isa, make_ops<float>(), make_ops<double>()};
}

}  // namespace NDGRAD_KERNEL_NS
}  // namespace kernels
}  // namespace ndgrad

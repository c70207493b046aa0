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

// The offset in its window (0 to 3, row-major) of the first maximum of a 2x2 window, and that
// maximum. A NaN in the first place is kept, one elsewhere never taken (no comparison with it is
// true). Without branches, which random data mispredicts: the maximum by the same selects as
// the forward without an index (max instructions), then the offset as the first element equal
// to it (or the NaN in the first place), by counting trailing zeros.
template <class T>
inline int first_max_2x2(T a, T b, T c, T d, T& m) {
  m = a;
  m = b > m ? b : m;
  m = c > m ? c : m;
  m = d > m ? d : m;
  const unsigned first = unsigned((a == m) | (a != a)), second = unsigned(b == m), third = unsigned(c == m);
  return __builtin_ctz(first | second << 1 | third << 2 | 8u);
}

template <int Bytes>
struct BitsOf;
template <>
struct BitsOf<4> {
  using type = uint32_t;
};
template <>
struct BitsOf<8> {
  using type = uint64_t;
};

// v where keep is true, else +0, without a branch (a multiply would turn an infinite v into NaN).
template <class T>
inline T keep_if(T v, bool keep) {
  using U = typename BitsOf<sizeof(T)>::type;
  U bits;
  __builtin_memcpy(&bits, &v, sizeof(T));
  bits &= U(0) - U(keep);
  __builtin_memcpy(&v, &bits, sizeof(T));
  return v;
}

typedef float v4f32 __attribute__((vector_size(16)));
typedef int32_t v4i32 __attribute__((vector_size(16)));

// pool_max_2x2's float32 row, four windows at a time (pooled rows are short: 12 and 5 windows in
// a LeNet, so wider vectors would mostly run the scalar tail): the rows' even and odd columns
// deinterleaved, then the maximum and its offset (first_max_2x2's rules) lane by lane. Returns
// the windows done; the caller finishes the row.
template <class T>
int64_t max_2x2_row_vec(const T* r0, const T* r1, T* yr, int32_t* ir, int64_t w_out, int32_t at0, int32_t w_in) {
  if constexpr (sizeof(T) != 4) {
    return 0;
  } else {
    using V = v4f32;
    using I = v4i32;
    constexpr int64_t L = 4;
    I even, odd;
    for (int64_t l = 0; l < L; ++l) {
      even[l] = int32_t(2 * l);
      odd[l] = int32_t(2 * l + 1);
    }
    const I zero = splat<I>(0), one = splat<I>(1), down = splat<I>(w_in), diag = splat<I>(w_in + 1);
    int64_t ow = 0;
    for (; ow + L <= w_out; ow += L) {
      const V p0 = load<V>(r0 + 2 * ow), p1 = load<V>(r0 + 2 * ow + L);
      const V q0 = load<V>(r1 + 2 * ow), q1 = load<V>(r1 + 2 * ow + L);
      const V a = __builtin_shuffle(p0, p1, even), b = __builtin_shuffle(p0, p1, odd);
      const V c = __builtin_shuffle(q0, q1, even), d = __builtin_shuffle(q0, q1, odd);
      V m = a;
      m = b > m ? b : m;
      m = c > m ? c : m;
      m = d > m ? d : m;
      store(yr + ow, m);
      if (!ir) continue;
      const I off = (a == m) | (a != a) ? zero : b == m ? one : c == m ? down : diag;
      store(ir + ow, splat<I>(at0 + int32_t(2 * ow)) + even + off);
    }
    return ow;
  }
}

template <class T>
bool pool_max_2x2(const PoolGeom& g, const T* x, T* y, int32_t* idx) {
  if (!is_max_2x2(g)) return false;
  const int64_t w_in = g.in[2], w_out = g.out[2];
  for (int64_t oh = 0; oh < g.out[1]; ++oh) {
    const T* r0 = x + 2 * oh * w_in;
    const T* r1 = r0 + w_in;
    T* yr = y + oh * w_out;
    const int64_t done = max_2x2_row_vec(r0, r1, yr, idx ? idx + oh * w_out : nullptr, w_out,
                                         int32_t(2 * oh * w_in), int32_t(w_in));
    if (!idx) {
      for (int64_t ow = done; ow < w_out; ++ow) {
        T a = r0[2 * ow], b = r0[2 * ow + 1], c = r1[2 * ow], d = r1[2 * ow + 1];
        T m = a;
        if (b > m) m = b;
        if (c > m) m = c;
        if (d > m) m = d;
        yr[ow] = m;
      }
      continue;
    }
    int32_t* ir = idx + oh * w_out;
    const int32_t row0 = int32_t(2 * oh * w_in);
    for (int64_t ow = done; ow < w_out; ++ow) {
      T m;
      const int k = first_max_2x2(r0[2 * ow], r0[2 * ow + 1], r1[2 * ow], r1[2 * ow + 1], m);
      yr[ow] = m;
      ir[ow] = row0 + int32_t(2 * ow) + (k & 1) + (-(k >> 1) & int32_t(w_in));
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

template <class T>
void pool_fwd(const PoolGeom& g, const T* x, T* y, int32_t* idx) {
  const int64_t plane = g.in[0] * g.in[1] * g.in[2];
  if (g.out[0] * g.out[1] * g.out[2] == 1 && g.type != PoolType::Max && g.type != PoolType::Lp &&
      g.k[0] == g.in[0] && g.k[1] == g.in[1] && g.k[2] == g.in[2] && g.p[0] + g.p[1] + g.p[2] == 0) {
    T s = row_sum(x, size_t(plane));
    y[0] = g.type == PoolType::Avg ? s / T(plane) : s;
    return;
  }
  if (g.type == PoolType::Max && pool_max_2x2(g, x, y, idx)) return;
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
        const int64_t at = (o[0] * g.out[1] + o[1]) * g.out[2] + o[2];
        y[at] = out;
        if (idx) idx[at] = int32_t(first_max(g, w, x));
      }
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
      T m;
      const int idx = first_max_2x2(r0[2 * ow], r0[2 * ow + 1], r1[2 * ow], r1[2 * ow + 1], m);
      const T v = gy[ow];
      d0[2 * ow] = keep_if(v, idx == 0);
      d0[2 * ow + 1] = keep_if(v, idx == 1);
      d1[2 * ow] = keep_if(v, idx == 2);
      d1[2 * ow + 1] = keep_if(v, idx == 3);
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

// pool_max_2x2_bwd from the recorded indices: each window's four inputs written (dy or 0).
template <class T>
bool pool_max_2x2_bwd_index(const PoolGeom& g, const T* dy, const int32_t* idx, T* dx) {
  const int64_t w_in = g.in[2], w_out = g.out[2];
  bool bad = false;
  for (int64_t oh = 0; oh < g.out[1]; ++oh) {
    T* d0 = dx + 2 * oh * w_in;
    T* d1 = d0 + w_in;
    const T* gy = dy + oh * w_out;
    const int32_t* ir = idx + oh * w_out;
    for (int64_t ow = 0; ow < w_out; ++ow) {
      const int64_t off = ir[ow] - (2 * oh * w_in + 2 * ow);
      const bool k0 = off == 0, k1 = off == 1, k2 = off == w_in, k3 = off == w_in + 1;
      bad |= !(k0 | k1 | k2 | k3);
      const T v = gy[ow];
      d0[2 * ow] = keep_if(v, k0);
      d0[2 * ow + 1] = keep_if(v, k1);
      d1[2 * ow] = keep_if(v, k2);
      d1[2 * ow + 1] = keep_if(v, k3);
    }
  }
  return !bad;
}

template <class T>
bool pool_bwd_index(const PoolGeom& g, const T* dy, const int32_t* idx, T* dx) {
  const int64_t plane = g.in[0] * g.in[1] * g.in[2];
  if (is_max_2x2(g)) {
    if (g.out[1] * 2 != g.in[1] || g.out[2] * 2 != g.in[2]) memset(dx, 0, size_t(plane) * sizeof(T));
    return pool_max_2x2_bwd_index(g, dy, idx, dx);
  }
  memset(dx, 0, size_t(plane) * sizeof(T));
  bool ok = true;
  int64_t o[3];
  for (o[0] = 0; o[0] < g.out[0]; ++o[0])
    for (o[1] = 0; o[1] < g.out[1]; ++o[1])
      for (o[2] = 0; o[2] < g.out[2]; ++o[2]) {
        const int64_t at = (o[0] * g.out[1] + o[1]) * g.out[2] + o[2], i = idx[at];
        if (i == -1) continue;
        const Window w = window(g, o);
        const int64_t d = i / (g.in[1] * g.in[2]), h = i / g.in[2] % g.in[1], c = i % g.in[2];
        if (i < 0 || d < w.lo[0] || d >= w.hi[0] || h < w.lo[1] || h >= w.hi[1] || c < w.lo[2] || c >= w.hi[2]) {
          ok = false;
          continue;
        }
        dx[i] += dy[at];
      }
  return ok;
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
  return PoolNormOps<T>{&pool_fwd<T>, &pool_bwd<T>, &pool_bwd_index<T>, &pool_select<T>, &moments<T>, &moments_cols<T>, &affine<T>, &norm_cols<T>,
                        &norm_gamma_cols<T>, &grad_sums<T>, &grad_cols<T>, &grad_apply<T>};
}

}  // namespace

constexpr PoolNormKernels make_poolnorm_kernels(Isa isa) {
  return PoolNormKernels{isa, make_ops<float>(), make_ops<double>()};
}

}  // namespace NDGRAD_KERNEL_NS
}  // namespace kernels
}  // namespace ndgrad

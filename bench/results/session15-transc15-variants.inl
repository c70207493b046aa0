// Variants of log_f32 and tanh_f32 tried in session 15 (see session15-transc15.md); included
// by session15-transc15-harness.cc inside its namespace, after main's vec_base/vec_math.
// Second-order Horner: the even and odd coefficient pairs fused, then Horner in x^2. The same
// number of fmas as polynomial(), half the dependency chain.
template <class V, class S, size_t N>
inline V polynomial2_v(V x, V x2, const S (&c)[N]) {
  V p = (N % 2) ? splat<V>(c[N - 1]) : fmadd(splat<V>(c[N - 1]), x, splat<V>(c[N - 2]));
  for (size_t i = (N % 2) ? N - 1 : N - 2; i >= 2; i -= 2)
    p = fmadd(p, x2, fmadd(splat<V>(c[i - 1]), x, splat<V>(c[i - 2])));
  return p;
}

inline bool any_lane_fast(vi32 m) {
#if NDGRAD_VEC_BYTES == 64
  return _mm512_test_epi32_mask((__m512i)m, (__m512i)m) != 0;
#elif NDGRAD_VEC_BYTES == 32
  return !_mm256_testz_si256((__m256i)m, (__m256i)m);
#else
  return _mm_movemask_epi8((__m128i)m) != 0;
#endif
}

inline vf32 log_f32_normal(vf32 x) {
  static constexpr float kQ[] = {3.333333135e-01f,  -2.499999702e-01f, 2.000071555e-01f,
                                 -1.666780263e-01f, 1.424905807e-01f,  -1.242568716e-01f,
                                 1.168541983e-01f,  -1.147973388e-01f, 6.971611828e-02f};
  constexpr float kLn2Hi = 0x1.63p-1f;
  constexpr float kLn2Lo = -0x1.bd0106p-13f;
  vi32 offset = (vi32)((vu32)x - 0x3f3504f3u);
  vi32 exponent = offset >> 23;
  vf32 m = (vf32)(((vu32)offset & 0x007fffffu) + 0x3f3504f3u);
  vf32 e = __builtin_convertvector(exponent, vf32);
  vf32 f = m - 1.0f;
  vf32 f2 = f * f;
#if defined(LOGC)
  vf32 yc = fmadd(f2, fmadd(f, polynomial2_v(f, f2, kQ), splat<vf32>(-0.5f)), e * kLn2Lo);
  return fmadd(e, splat<vf32>(kLn2Hi), f + yc);
#endif
#if defined(LOGB)
  vf32 yb = f2 * fmadd(f, polynomial2_v(f, f2, kQ), splat<vf32>(-0.5f));
  return fmadd(e, splat<vf32>(0x1.62e43p-1f), f + yb);
#endif
#ifdef EST
  vf32 y = f * f2 * polynomial2_v(f, f2, kQ);
#else
  vf32 y = f * f2 * polynomial(f, kQ);
#endif
#if defined(LOGA)
  // single-term ln2 (fma exact product)
  y = fmadd(f2, splat<vf32>(-0.5f), y);
  return fmadd(e, splat<vf32>(0x1.62e43p-1f), f + y);
#else
  y = fmadd(e, splat<vf32>(kLn2Lo), y);
  y = fmadd(f2, splat<vf32>(-0.5f), y);
  return fmadd(e, splat<vf32>(kLn2Hi), f + y);
#endif
}

inline vf32 log_f32_new(vf32 x) {
  // x + 0x7f800000 (wrapping) is below 0xff000000 as signed exactly for normal positive finite x.
  vi32 special = (vi32)((vu32)x + 0x7f800000u) >= -0x01000000;
  if (__builtin_expect(any_lane_fast(special), 0)) return log_f32(x);
  return log_f32_normal(x);
}

inline vf32 tanh_f32_new(vf32 x) {
  // u = expm1(2t)/2 with t = |x| = n ln2/2 + r: u = 2^n (r + r^2 Q(r)) + (2^n - 1)/2.
  static constexpr float kQ[] = {1.0f, 6.666666865e-01f, 3.333317041e-01f, 1.333329678e-01f,
                                 4.458793998e-02f, 1.273029111e-02f};
  constexpr float kRoundMagicBiased = kRoundMagicF + 127.0f;
  vf32 ax = abs_bits(x);
  vf32 t = ax > 9.1f ? splat<vf32>(9.1f) : ax;
  vf32 shifted = fmadd(t, splat<vf32>(0x1.715476p+1f), splat<vf32>(kRoundMagicBiased));
  vf32 n = shifted - kRoundMagicBiased;
  vf32 r = fmadd(n, splat<vf32>(-0x1.62e43p-2f), t);
  vf32 r2 = r * r;
#ifdef EST
  vf32 h = r2 * polynomial2_v(r, r2, kQ);
#else
  vf32 h = r2 * polynomial(r, kQ);
#endif
  vf32 s = (vf32)((vu32)shifted << 23);
#ifdef FUSED
  vf32 u = fmadd(s, fmadd(r2, polynomial2_v(r, r2, kQ), r), fmadd(s, splat<vf32>(0.5f), splat<vf32>(-0.5f)));
#else
  vf32 u = fmadd(s, r + h, fmadd(s, splat<vf32>(0.5f), splat<vf32>(-0.5f)));
#endif
  vf32 q = u / (u + 1.0f);
#ifndef NOSMALL
  // tanh = u/(1+u) = u - u q; for n = 0, u = t + h and t - (u q - h) rounds once.
  vf32 small = fmadd(-u, q, h) + t;
  q = t < 0.17f ? small : q;
#endif
  return (vf32)((vu32)q | ((vu32)x & 0x80000000u));
}

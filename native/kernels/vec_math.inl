// Vectorised transcendentals (a fragment of kernels_impl.inl, inside the per-ISA namespace).
//
// Each function reduces its argument with Cody–Waite splitting (constants with trailing zero bits
// so that n*C is exact) and evaluates a polynomial fitted for this code by Chebyshev
// interpolation at 50 digits (mpmath.chebyfit) on the reduced range. Special values are handled
// with lane selects, never branches, except sin/cos, whose large arguments go to libm lane by
// lane. Measured error bounds are in docs/kernels.md and asserted by test_kernels.cc.

// Rounding to the nearest integer by adding and subtracting 1.5*2^23 (2^52 for double): valid
// for |t| < 2^22, and the integer is then read straight out of the low mantissa bits.
constexpr float kRoundMagicF = 12582912.0f;
constexpr uint32_t kRoundMagicBitsF = 0x4b400000u;
constexpr double kRoundMagicD = 6755399441055744.0;
constexpr uint64_t kRoundMagicBitsD = 0x4338000000000000ull;

// 2^n for n in [-126, 127], built from the exponent field.
inline vf32 pow2_f32(vi32 n) { return (vf32)((vu32)(n + 127) << 23); }
inline vf64 pow2_f64(vi64 n) { return (vf64)((vu64)(n + 1023) << 52); }

inline vf32 exp_f32(vf32 x) {
  // e^r - 1 - r ~ r^2 * P(r) on |r| <= ln2/2.
  static constexpr float kP[] = {5.000000000e-01f, 1.666657776e-01f, 4.166655615e-02f,
                                 8.363173343e-03f, 1.392617589e-03f};
  constexpr float kLn2Hi = 0x1.63p-1f;  // 9 significant bits: n * kLn2Hi is exact
  constexpr float kLn2Lo = -0x1.bd0106p-13f;
  // Beyond these bounds the result is inf or 0 anyway; clamping keeps n small. The ternaries
  // (unlike min/max) let NaN through, and NaN then propagates through the polynomial.
  x = x > 89.0f ? splat<vf32>(89.0f) : x;
  x = x < -104.0f ? splat<vf32>(-104.0f) : x;
  vf32 shifted = x * 0x1.715476p+0f + kRoundMagicF;
  vf32 n = shifted - kRoundMagicF;
  vi32 ni = (vi32)((vu32)shifted - kRoundMagicBitsF);
  vf32 r = fmadd(n, splat<vf32>(-kLn2Hi), x);
  r = fmadd(n, splat<vf32>(-kLn2Lo), r);
  vf32 p = fmadd(r * r, polynomial(r, kP), r) + 1.0f;
  // Two half scales so results down in the subnormal range round only once.
  vi32 n_half = ni >> 1;
  return p * pow2_f32(n_half) * pow2_f32(ni - n_half);
}

// log1p(f) for m = 1 + f in [sqrt(1/2), sqrt(2)) and the exponent e, both from the bits of a
// normal x (offset by the bits of sqrt(1/2), so f is small on both sides of 1 and needs no extra
// correction); exponent_bias is subtracted from e (23 for subnormals scaled by 2^23).
inline vf32 log_f32_reduced(vf32 x, vi32 exponent_bias) {
  // log1p(f) - f + f^2/2 ~ f^3 * Q(f) on [sqrt(1/2)-1, sqrt(2)-1].
  static constexpr float kQ[] = {3.333333135e-01f,  -2.499999702e-01f, 2.000071555e-01f,
                                 -1.666780263e-01f, 1.424905807e-01f,  -1.242568716e-01f,
                                 1.168541983e-01f,  -1.147973388e-01f, 6.971611828e-02f};
  constexpr float kLn2Hi = 0x1.63p-1f;  // 9 significant bits: e * kLn2Hi is exact
  constexpr float kLn2Lo = -0x1.bd0106p-13f;
  vi32 offset = (vi32)((vu32)x - 0x3f3504f3u);
  vi32 exponent = (offset >> 23) - exponent_bias;
  vf32 m = (vf32)(((vu32)offset & 0x007fffffu) + 0x3f3504f3u);
  vf32 e = __builtin_convertvector(exponent, vf32);
  vf32 f = m - 1.0f;
  vf32 f2 = f * f;
  // f^2 (f Q(f) - 1/2): the inner fma rounds a value in [0.36, 0.6] that f^2 <= 0.18 then scales,
  // so folding -1/2 in costs under 0.1 ulp and saves two operations; e * kLn2Lo joins in the
  // same fma. The large terms enter last: f + y, then e * kLn2Hi exactly inside the fma.
  vf32 y = fmadd(f2, fmadd(f, polynomial2(f, f2, kQ), splat<vf32>(-0.5f)), e * kLn2Lo);
  return fmadd(e, splat<vf32>(kLn2Hi), f + y);
}

inline vf32 log_f32(vf32 x) {
  // Normal positive finite x (the common case) go straight to the reduction: x's bits plus
  // 0x7f800000 (wrapping) are, as signed integers, below -2^24 exactly for those. Any other lane
  // (0, subnormal, negative, inf, NaN) sends the whole vector down the general path, which gives
  // the normal lanes the same bits.
  vi32 special = (vi32)((vu32)x + 0x7f800000u) >= -0x01000000;
  if (__builtin_expect(!any_lane(special), 1)) return log_f32_reduced(x, vi32{});
  vi32 subnormal = (x < 0x1p-126f) & (x > 0.0f);
  vf32 result = log_f32_reduced(subnormal ? x * 0x1p23f : x, subnormal & 23);
  const vf32 inf = splat<vf32>(__builtin_inff());
  result = x == 0.0f ? -inf : result;
  result = x == inf ? inf : result;
  result = x < 0.0f ? splat<vf32>(__builtin_nanf("")) : result;
  return x != x ? x : result;
}

// Arguments above this go to libm: the four-part pi/2 below reduces exactly only while
// n = round(x * 2/pi) fits in 13 bits.
constexpr float kTrigVectorLimit = 8192.0f;

// sin (quadrant_offset 0) or cos (quadrant_offset 1) through sin(x) = ±sin(r) or ±cos(r).
inline vf32 sincos_f32(vf32 x, uint32_t quadrant_offset) {
  // sin r - r ~ r^3 S(r^2), cos r - 1 + r^2/2 ~ r^4 C(r^2), |r| <= pi/4.
  static constexpr float kS[] = {-1.666666716e-01f, 8.333331905e-03f, -1.984008704e-04f,
                                 2.724992555e-06f};
  static constexpr float kC[] = {4.166666791e-02f, -1.388888806e-03f, 2.480059993e-05f,
                                 -2.730095900e-07f};
  // pi/2 = kPio2A + kPio2B + kPio2C + kPio2D, the first three with 11 significant bits.
  constexpr float kPio2A = 0x1.92p+0f;
  constexpr float kPio2B = 0x1.fb4p-12f;
  constexpr float kPio2C = 0x1.444p-24f;
  constexpr float kPio2D = 0x1.68c234p-39f;
  vf32 shifted = x * 0x1.45f306p-1f + kRoundMagicF;
  vf32 n = shifted - kRoundMagicF;
  vu32 quadrant = (vu32)shifted - kRoundMagicBitsF + quadrant_offset;
  // The first two steps are exact (n * kPio2A, n * kPio2B and the differences all fit in 24
  // bits). The rounding of the third is recovered exactly (Fast2Sum), and the reduced argument
  // is carried as r + r_lo, which takes sin/cos from ~2.3 ulp to ~1 ulp near multiples of pi/2.
  vf32 r2 = fmadd(n, splat<vf32>(-kPio2B), fmadd(n, splat<vf32>(-kPio2A), x));
  vf32 c_part = n * kPio2C;
  vf32 r3 = r2 - c_part;
  vf32 correction = ((r2 - r3) - c_part) - n * kPio2D;
  vf32 r = r3 + correction;
  vf32 r_lo = (r3 - r) + correction;
  vf32 z = r * r;
  // sin(r + r_lo) = sin r + r_lo cos r, cos(r + r_lo) = cos r - r_lo sin r, to first order.
  vf32 sin_r = r + fmadd(r * z, polynomial(z, kS), fmadd(r_lo * z, splat<vf32>(-0.5f), r_lo));
  vf32 cos_r = fmadd(z * z, polynomial(z, kC), fmadd(z, splat<vf32>(-0.5f), splat<vf32>(1.0f))) -
               r * r_lo;
  vf32 pick = (quadrant & 1u) != 0u ? cos_r : sin_r;
  vf32 result = (vf32)((vu32)pick ^ ((quadrant & 2u) << 30));
  // sin(-0) = -0, which the polynomial's final +0 would lose.
  if (quadrant_offset == 0) result = x == 0.0f ? x : result;
  vi32 outside = ~(abs_bits(x) <= kTrigVectorLimit);  // also NaN and inf
  if (__builtin_expect(any_lane(outside), 0)) {
    for (size_t i = 0; i < kLanes<float>; ++i) {
      if (outside[i]) result[i] = quadrant_offset ? ::cosf(x[i]) : ::sinf(x[i]);
    }
  }
  return result;
}

inline vf32 sin_f32(vf32 x) { return sincos_f32(x, 0); }
inline vf32 cos_f32(vf32 x) { return sincos_f32(x, 1); }

inline vf32 tanh_f32(vf32 x) {
  // One formula for every |x|: tanh t = u / (1 + u) with u = expm1(2t) / 2, t = |x| clamped to
  // 9.1 (tanh is 1.0f from 9.01 on), the sign or-ed in last. With t = n ln2/2 + r, |r| <= ln2/4:
  // u = 2^n (r + r^2 Q(r)) + (2^n - 1)/2, where r + r^2 Q(r) ~ expm1(2r)/2 (Chebyshev, relative
  // error 1.5e-9) and 2^n - 1 is exact, so u keeps its relative accuracy near 0 (no 1 - 1
  // cancellation) and no blend of two formulas is needed. Error: the roundings of u, 1 + u and
  // the quotient, each up to one ulp of the result near 0 (2.43 ulp measured over every float).
  static constexpr float kQ[] = {1.0f,           6.666666865e-01f, 3.333317041e-01f,
                                 1.333329678e-01f, 4.458793998e-02f, 1.273029111e-02f};
  // With 127 added to the rounding constant, the low bits of `shifted` hold n + 127: shifting
  // them into the exponent field makes 2^n in one step.
  constexpr float kRoundMagicBiased = kRoundMagicF + 127.0f;
  vf32 ax = abs_bits(x);
  // A minimum that keeps NaN (the comparison is false for it), which then runs through to the end.
  vf32 t = ax > 9.1f ? splat<vf32>(9.1f) : ax;
  vf32 shifted = fmadd(t, splat<vf32>(0x1.715476p+1f), splat<vf32>(kRoundMagicBiased));
  vf32 n = shifted - kRoundMagicBiased;
  // One term of ln2/2: its rounding error times n <= 26 moves u by a relative 5e-8 at most, which
  // u / (1 + u) shrinks by 1 + u >= 2^n / 2.
  vf32 r = fmadd(n, splat<vf32>(-0x1.62e43p-2f), t);
  vf32 r2 = r * r;
  vf32 scale = (vf32)((vu32)shifted << 23);  // 2^n
  vf32 u = fmadd(scale, fmadd(r2, polynomial2(r, r2, kQ), r),
                 fmadd(scale, splat<vf32>(0.5f), splat<vf32>(-0.5f)));
  // u >= 0 and 1 + u rounds to at least u, so the quotient is never above 1.
  vf32 magnitude = u / (u + 1.0f);
  return (vf32)((vu32)magnitude | ((vu32)x & 0x80000000u));
}

inline vf32 sigmoid_f32(vf32 x) {
  // e^-|x| never overflows, and for x < 0 the e/(1+e) form keeps the subnormal tail.
  vf32 e = exp_f32(-abs_bits(x));
  return (x >= 0.0f ? splat<vf32>(1.0f) : e) / (1.0f + e);
}

// gelu(x) = x Phi(x), Phi(x) = erfc(-x/sqrt 2) / 2, with erfc(z) = t exp(-z^2 + E(t)),
// t = 1/(1 + z/2): the Chebyshev fit of Numerical Recipes' erfcc (relative error below 1.2e-7
// for all z >= 0). z^2 = x^2/2 is carried in two parts, the larger exact; beyond
// |x| = 15 the result is x or a signed zero.
inline vf32 gelu_f32(vf32 x) {
  static constexpr float kE[] = {-1.26551223f, 1.00002368f, 0.37409196f,  0.09678418f,  -0.18628806f,
                                 0.27886807f,  -1.13520398f, 1.48851587f, -0.82215223f, 0.17087277f};
  vf32 ax = abs_bits(x);
  vf32 t = 1.0f / fmadd(ax, splat<vf32>(0.35355339f), splat<vf32>(1.0f));
  // x^2 = sq + sq_lo with sq exact: x's top 12 bits square without rounding (an fma would do
  // it too, but the scalar table has none).
  vf32 xh = (vf32)((vu32)x & 0xfffff000u);
  vf32 sq = xh * xh;
  vf32 sq_lo = (x - xh) * (xh + x);
  // Two exps: -x^2/2 is exact and goes to exp_f32 alone, since a float sum with the polynomial
  // would round away up to 4e-6 of an exponent near -70.
  vf32 small = exp_f32(fmadd(sq_lo, splat<vf32>(-0.5f), polynomial(t, kE)));
  vf32 tail = 0.5f * t * small * exp_f32(-0.5f * sq);  // Phi(-|x|)
  vf32 y = x * (x >= 0.0f ? 1.0f - tail : tail);
  return ax > 15.0f ? (x > 0.0f ? x : x * 0.0f) : y;
}

inline vf64 exp_f64(vf64 x) {
  // e^r - 1 - r ~ r^2 * P(r) on |r| <= ln2/2.
  static constexpr double kP[] = {0.5,
                                  0.1666666666666667,
                                  0.04166666666666667,
                                  0.008333333333326141,
                                  0.0013888888888883752,
                                  0.00019841269874800493,
                                  2.4801587325533363e-05,
                                  2.7557255425746435e-06,
                                  2.7557273661348637e-07,
                                  2.510520637395701e-08,
                                  2.0914679376583935e-09};
  constexpr double kLn2Hi = 0x1.62e42feep-1;  // 32 significant bits: n * kLn2Hi is exact
  constexpr double kLn2Lo = 0x1.a39ef35793c76p-33;
  x = x > 710.0 ? splat<vf64>(710.0) : x;
  x = x < -746.0 ? splat<vf64>(-746.0) : x;
  vf64 shifted = x * 0x1.71547652b82fep+0 + kRoundMagicD;
  vf64 n = shifted - kRoundMagicD;
  vi64 ni = (vi64)((vu64)shifted - kRoundMagicBitsD);
  vf64 r = fmadd(n, splat<vf64>(-kLn2Hi), x);
  r = fmadd(n, splat<vf64>(-kLn2Lo), r);
  vf64 p = fmadd(r * r, polynomial(r, kP), r) + 1.0;
  vi64 n_half = ni >> 1;
  return p * pow2_f64(n_half) * pow2_f64(ni - n_half);
}

inline vf64 log_f64(vf64 x) {
  // With s = f/(2+f): log1p(f) = 2s + s*R(s^2), R(z) ~ z * Q(z) on s^2 <= (3-2*sqrt(2))^2.
  static constexpr double kQ[] = {0.666666666666667,   0.39999999999899505, 0.28571428625975487,
                                  0.2222221113479508,  0.18182889125261723, 0.15331721600556042,
                                  0.14616449685043406};
  constexpr double kLn2Hi = 0x1.62e42feep-1;
  constexpr double kLn2Lo = 0x1.a39ef35793c76p-33;
  vi64 subnormal = (x < 0x1p-1022) & (x > 0.0);
  vf64 scaled = subnormal ? x * 0x1p54 : x;
  vi64 offset = (vi64)((vu64)scaled - 0x3fe6a09e667f3bcdull);
  vi64 exponent = (offset >> 52) - (subnormal & 54);
  vf64 m = (vf64)(((vu64)offset & 0x000fffffffffffffull) + 0x3fe6a09e667f3bcdull);
  vf64 e = __builtin_convertvector(exponent, vf64);
  vf64 f = m - 1.0;
  vf64 s = f / (2.0 + f);
  vf64 z = s * s;
  vf64 half_f2 = 0.5 * f * f;
  vf64 tail = z * polynomial(z, kQ);
  // log1p(f) = f - (f^2/2 - s*(f^2/2 + R)): the large terms enter last, each exactly.
  vf64 result =
      fmadd(e, splat<vf64>(kLn2Hi), -((half_f2 - fmadd(s, half_f2 + tail, e * kLn2Lo)) - f));
  const vf64 inf = splat<vf64>(__builtin_inf());
  result = x == 0.0 ? -inf : result;
  result = x == inf ? inf : result;
  result = x < 0.0 ? splat<vf64>(__builtin_nan("")) : result;
  return x != x ? x : result;
}

inline vf64 sigmoid_f64(vf64 x) {
  vf64 e = exp_f64(-abs_bits(x));
  return (x >= 0.0 ? splat<vf64>(1.0) : e) / (1.0 + e);
}

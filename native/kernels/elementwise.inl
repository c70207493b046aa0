// Elementwise unary and binary kernels (a fragment of kernels_impl.inl, inside the per-ISA
// namespace).

// ---- loop shapes ---------------------------------------------------------------------------

// A thread's chunk of kPrefetchMinBytes or more of output reads its lines into L2
// kPrefetchAheadBytes ahead of the stores (prefetcht1 on x86): a line no other core holds arrives
// exclusive, so the store that follows needs no read-for-ownership of its own. A result left to
// the collector lands in a block written a ring of results ago (8 blocks of 4 MB at the 32 MiB
// pace, more than the L3 with the inputs), and without the prefetch each store missed to memory
// in turn (docs/dev/memory.md, item 14: a ring of 8 `a.add(b)` 1e6 results, CPU per call 0.81x,
// the chain c = a.add(b); c.mul(2) 0.90x; a write prefetch, prefetchw, made the chain 5-8%
// slower). It never changes a value, so every instruction set does the same. Binary ops only
// (map2_vec). Not below 1 MiB, the L2 of a Zen 4 core: an output that fits there is often hot,
// and the prefetches cost a hot 800 KB add 8% (27.1 -> 29.4 us, 1 thread) where the same adds
// left to the collector gained 15% (47.5 -> 40.5); a hot 4 MB one (in L3) costs nothing.
constexpr size_t kPrefetchMinBytes = size_t{1} << 20;
constexpr size_t kPrefetchAheadBytes = 4096;

// Prefetches the lines of the `bytes` (a vector step) at p; at least one line.
template <class T>
inline void prefetch_step(const T* p, size_t bytes) {
  const char* line = reinterpret_cast<const char*>(p);
  for (size_t b = 0; b < bytes || b == 0; b += 64) __builtin_prefetch(line + b, 0, 2);
}

// y = f(x) one vector at a time. All four loads of an unrolled step come before its stores, so
// y == x is safe. No prefetch here (session 16): an f of many cycles per vector (exp, log, tanh)
// hides the cold stores in its arithmetic (a ring of 8 `exp 1e6` results costs what one does),
// and the prefetches cost it 0.5-1.5% and relu 7-20% (docs/dev/memory.md, session 16).
template <class T, class F>
void map_vec(const T* x, T* y, size_t n, F f) {
  using V = Vec<T>;
  constexpr size_t L = kLanes<T>;
  size_t i = 0;
  for (; i + 4 * L <= n; i += 4 * L) {
    V a0 = load<V>(x + i), a1 = load<V>(x + i + L), a2 = load<V>(x + i + 2 * L),
      a3 = load<V>(x + i + 3 * L);
    store(y + i, f(a0));
    store(y + i + L, f(a1));
    store(y + i + 2 * L, f(a2));
    store(y + i + 3 * L, f(a3));
  }
  for (; i + L <= n; i += L) store(y + i, f(load<V>(x + i)));
  if (i < n) store_part(y + i, f(load_part<V>(x + i, n - i, T(1))), n - i);
}

// Scalar loops for ops without a vector form here (libm calls, rounding). Separate in-place and
// disjoint versions let the compiler vectorise both: with two possibly-overlapping pointers its
// runtime overlap check would send the in-place case down the scalar fallback.
template <class T, class F>
void map_scalar_disjoint(const T* __restrict x, T* __restrict y, size_t n, F f) {
  for (size_t i = 0; i < n; ++i) y[i] = f(x[i]);
}

template <class T, class F>
void map_scalar_inplace(T* y, size_t n, F f) {
  for (size_t i = 0; i < n; ++i) y[i] = f(y[i]);
}

template <class T, class F>
void map_scalar(const T* x, T* y, size_t n, F f) {
  if (x == y) {
    map_scalar_inplace(y, n, f);
  } else {
    map_scalar_disjoint(x, y, n, f);
  }
}

// y[i] = f(a[i or 0], b[i or 0]). A step-0 operand is read once before the loop, so an output
// aliasing it still sees the original value.
template <bool kAStep, bool kBStep, class T, class F>
void map2_vec(const T* a, const T* b, T* y, size_t n, F f) {
  using V = Vec<T>;
  constexpr size_t L = kLanes<T>;
  const V a_splat = splat<V>(a[0]), b_splat = splat<V>(b[0]);
  auto at = [&](const T* p, const V& fixed, bool stepped, size_t i) {
    return stepped ? load<V>(p + i) : fixed;
  };
  constexpr size_t kAhead = kPrefetchAheadBytes / sizeof(T);
  const size_t prefetch_end = n * sizeof(T) >= kPrefetchMinBytes ? n - kAhead : 0;
  size_t i = 0;
  for (; i + 2 * L <= n; i += 2 * L) {
    if (i + 2 * L <= prefetch_end) prefetch_step(y + i + kAhead, 2 * sizeof(V));
    V a0 = at(a, a_splat, kAStep, i), a1 = at(a, a_splat, kAStep, i + L);
    V b0 = at(b, b_splat, kBStep, i), b1 = at(b, b_splat, kBStep, i + L);
    store(y + i, f(a0, b0));
    store(y + i + L, f(a1, b1));
  }
  for (; i + L <= n; i += L) store(y + i, f(at(a, a_splat, kAStep, i), at(b, b_splat, kBStep, i)));
  if (i < n) {
    V a_tail = kAStep ? load_part<V>(a + i, n - i, T(1)) : a_splat;
    V b_tail = kBStep ? load_part<V>(b + i, n - i, T(1)) : b_splat;
    store_part(y + i, f(a_tail, b_tail), n - i);
  }
}

template <bool kAStep, bool kBStep, class T, class F>
void map2_scalar(const T* a, const T* b, T* y, size_t n, F f) {
  const T a_fixed = a[0], b_fixed = b[0];
  for (size_t i = 0; i < n; ++i) y[i] = f(kAStep ? a[i] : a_fixed, kBStep ? b[i] : b_fixed);
}

// ---- scalar helpers with defined integer semantics -----------------------------------------

// int32 arithmetic wraps: computing in uint32 keeps overflow defined.
inline int32_t wrap_i32(uint32_t v) { return static_cast<int32_t>(v); }
inline vi32 vadd(vi32 a, vi32 b) { return (vi32)((vu32)a + (vu32)b); }
inline vi32 vsub(vi32 a, vi32 b) { return (vi32)((vu32)a - (vu32)b); }
inline vi32 vmul(vi32 a, vi32 b) { return (vi32)((vu32)a * (vu32)b); }
template <class V>
inline V vadd(V a, V b) { return a + b; }
template <class V>
inline V vsub(V a, V b) { return a - b; }
template <class V>
inline V vmul(V a, V b) { return a * b; }

// Truncating division, 0 for a zero divisor (NumPy also yields 0, with a warning);
// INT32_MIN / -1 wraps to INT32_MIN as in NumPy.
inline int32_t int_div(int32_t a, int32_t b) {
  return b == 0 ? 0 : wrap_i32(static_cast<uint32_t>(static_cast<int64_t>(a) / b));
}
inline uint8_t int_div(uint8_t a, uint8_t b) { return b == 0 ? 0 : static_cast<uint8_t>(a / b); }

// Remainder with the sign of the divisor; 0 for a zero divisor.
inline int32_t int_mod(int32_t a, int32_t b) {
  if (b == 0) return 0;
  int64_t r = static_cast<int64_t>(a) % b;
  if (r != 0 && ((r < 0) != (b < 0))) r += b;
  return static_cast<int32_t>(r);
}
inline uint8_t int_mod(uint8_t a, uint8_t b) { return b == 0 ? 0 : static_cast<uint8_t>(a % b); }

// Integer power by squaring, wrapping like repeated multiplication. Negative exponents give 0
// except for bases 1 and -1 (NumPy raises there; a defined value keeps kernels total).
template <class T>
inline T int_pow(T base, T exponent) {
  if constexpr (std::is_signed_v<T>) {
    if (exponent < 0) {
      if (base == 1) return 1;
      if (base == -1) return (exponent & 1) ? -1 : 1;
      return 0;
    }
  }
  using U = std::make_unsigned_t<T>;
  U result = 1, b = static_cast<U>(base);
  for (U e = static_cast<U>(exponent); e != 0; e >>= 1) {
    if (e & 1) result = static_cast<U>(result * b);
    b = static_cast<U>(b * b);
  }
  return static_cast<T>(result);
}

// NumPy's floating remainder: fmod, moved into the divisor's sign; a zero result takes the
// divisor's sign.
template <class T>
inline T float_mod(T a, T b) {
  T r;
  if constexpr (std::is_same_v<T, float>) {
    r = ::fmodf(a, b);
  } else {
    r = ::fmod(a, b);
  }
  if (b == 0) return r;
  if (r != 0) {
    if ((r < 0) != (b < 0)) r += b;
  } else {
    r = __builtin_copysign(T(0), b);
  }
  return r;
}

#define NDGRAD_LIBM_OVERLOADS(name)                           \
  inline float libm_##name(float v) { return ::name##f(v); } \
  inline double libm_##name(double v) { return ::name(v); }
NDGRAD_LIBM_OVERLOADS(exp)
NDGRAD_LIBM_OVERLOADS(expm1)
NDGRAD_LIBM_OVERLOADS(log1p)
NDGRAD_LIBM_OVERLOADS(log2)
NDGRAD_LIBM_OVERLOADS(log10)
NDGRAD_LIBM_OVERLOADS(sin)
NDGRAD_LIBM_OVERLOADS(cos)
NDGRAD_LIBM_OVERLOADS(tan)
NDGRAD_LIBM_OVERLOADS(asin)
NDGRAD_LIBM_OVERLOADS(acos)
NDGRAD_LIBM_OVERLOADS(atan)
NDGRAD_LIBM_OVERLOADS(sinh)
NDGRAD_LIBM_OVERLOADS(cosh)
NDGRAD_LIBM_OVERLOADS(tanh)
NDGRAD_LIBM_OVERLOADS(erf)
NDGRAD_LIBM_OVERLOADS(tgamma)
#undef NDGRAD_LIBM_OVERLOADS
// lgamma's reentrant form: plain lgamma writes the global signgam, a race between pool threads.
inline float libm_lgamma(float v) {
  int sign;
  return ::lgammaf_r(v, &sign);
}
inline double libm_lgamma(double v) {
  int sign;
  return ::lgamma_r(v, &sign);
}

// The inverse error function in double: Giles' single-precision approximation ("Approximating
// the erfinv function", GPU Computing Gems, 2011) refined by two Halley steps on erf (erfc for
// |y| > 0.5, where 1 - |y| is exact), which carry its 1e-7 relative error past double precision.
inline double erfinv_f64(double y) {
  double a = __builtin_fabs(y);
  if (!(a <= 1)) return __builtin_nan("");
  if (a == 1) return __builtin_copysign(__builtin_inf(), y);
  if (y == 0) return y;
  double w = -::log((1 - a) * (1 + a)), p;
  if (w < 5) {
    w -= 2.5;
    static constexpr double kCentral[] = {3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
                                          -0.00125372503, -0.00417768164, 0.246640727, 1.50140941};
    p = 2.81022636e-08;
    for (double c : kCentral) p = c + p * w;
  } else {
    w = __builtin_sqrt(w) - 3;
    static constexpr double kTail[] = {0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
                                       -0.0076224613, 0.00943887047, 1.00167406, 2.83297682};
    p = -0.000200214257;
    for (double c : kTail) p = c + p * w;
  }
  double z = p * a;
  for (int i = 0; i < 2; ++i) {
    double f = a <= 0.5 ? ::erf(z) - a : (1 - a) - ::erfc(z);
    double d = 1.1283791670955126 * ::exp(-z * z);  // 2/sqrt(pi) exp(-z^2)
    z -= f / (d + z * f);
  }
  return __builtin_copysign(z, y);
}

// 0.5 x erfc(-x/sqrt 2) in double. The argument's rounding error d would cost a relative 2 z d
// for large |z|, so it is computed (1/sqrt 2 as a double-double, the product's low half by an
// fma) and corrected for to first order: erfc(z + d) = erfc(z) - d 2/sqrt(pi) exp(-z^2).
inline double gelu_f64(double v) {
  constexpr double kHi = 0.70710678118654757, kLo = -4.8336466567264567e-17;
  double z = -v * kHi;
  double d = __builtin_fma(-v, kHi, -z) - v * kLo;
  if (!__builtin_isfinite(d)) d = 0;  // +-inf and NaN: erfc(z) alone is right
  return 0.5 * v * (::erfc(z) - d * 1.1283791670955126 * ::exp(-z * z));
}

// log(1 + exp(x)); above 20 it is x to float precision (MXNet's threshold).
template <class T>
inline T softrelu_of(T v) {
  return v > T(20) ? v : libm_log1p(libm_exp(v));
}

inline float libm_pow(float a, float b) { return ::powf(a, b); }
inline double libm_pow(double a, double b) { return ::pow(a, b); }

#define NDGRAD_BUILTIN_OVERLOADS(name)                                        \
  inline float name##_of(float v) { return __builtin_##name##f(v); }        \
  inline double name##_of(double v) { return __builtin_##name(v); }
NDGRAD_BUILTIN_OVERLOADS(sqrt)
NDGRAD_BUILTIN_OVERLOADS(floor)
NDGRAD_BUILTIN_OVERLOADS(ceil)
NDGRAD_BUILTIN_OVERLOADS(trunc)
NDGRAD_BUILTIN_OVERLOADS(fabs)
#undef NDGRAD_BUILTIN_OVERLOADS

// Half away from zero, exact for every input: the fractional part v - trunc(v) is exact.
template <class T>
inline T round_half_away(T v) {
  T t = trunc_of(v);
  return fabs_of(v - t) >= T(0.5) ? t + (v < 0 ? T(-1) : T(1)) : t;
}

// ---- unary ---------------------------------------------------------------------------------

template <class T>
void unary_float(Unary op, const T* x, T* y, size_t n) {
  using V = Vec<T>;
  constexpr bool kF32 = std::is_same_v<T, float>;
  const V one = splat<V>(T(1)), zero = splat<V>(T(0));
  switch (op) {
    case Unary::Neg: return map_vec(x, y, n, [](V a) { return -a; });
    case Unary::Abs: return map_vec(x, y, n, [](V a) { return abs_bits(a); });
    case Unary::Sign:
      return map_vec(x, y, n, [&](V a) { return a > T(0) ? one : (a < T(0) ? -one : a); });
    case Unary::Square: return map_vec(x, y, n, [](V a) { return a * a; });
    case Unary::Sqrt: return map_scalar(x, y, n, [](T v) { return sqrt_of(v); });
    case Unary::Rsqrt: return map_scalar(x, y, n, [](T v) { return T(1) / sqrt_of(v); });
    case Unary::Reciprocal: return map_vec(x, y, n, [&](V a) { return one / a; });
    case Unary::Exp:
      if constexpr (kF32) return map_vec(x, y, n, [](V a) { return exp_f32(a); });
      else return map_vec(x, y, n, [](V a) { return exp_f64(a); });
    case Unary::Expm1: return map_scalar(x, y, n, [](T v) { return libm_expm1(v); });
    case Unary::Log:
      if constexpr (kF32) return map_vec(x, y, n, [](V a) { return log_f32(a); });
      else return map_vec(x, y, n, [](V a) { return log_f64(a); });
    case Unary::Log1p: return map_scalar(x, y, n, [](T v) { return libm_log1p(v); });
    case Unary::Log2: return map_scalar(x, y, n, [](T v) { return libm_log2(v); });
    case Unary::Log10: return map_scalar(x, y, n, [](T v) { return libm_log10(v); });
    case Unary::Sin:
      if constexpr (kF32) return map_vec(x, y, n, [](V a) { return sin_f32(a); });
      else return map_scalar(x, y, n, [](T v) { return libm_sin(v); });
    case Unary::Cos:
      if constexpr (kF32) return map_vec(x, y, n, [](V a) { return cos_f32(a); });
      else return map_scalar(x, y, n, [](T v) { return libm_cos(v); });
    case Unary::Tan: return map_scalar(x, y, n, [](T v) { return libm_tan(v); });
    case Unary::Arcsin: return map_scalar(x, y, n, [](T v) { return libm_asin(v); });
    case Unary::Arccos: return map_scalar(x, y, n, [](T v) { return libm_acos(v); });
    case Unary::Arctan: return map_scalar(x, y, n, [](T v) { return libm_atan(v); });
    case Unary::Sinh: return map_scalar(x, y, n, [](T v) { return libm_sinh(v); });
    case Unary::Cosh: return map_scalar(x, y, n, [](T v) { return libm_cosh(v); });
    case Unary::Tanh:
      if constexpr (kF32) return map_vec(x, y, n, [](V a) { return tanh_f32(a); });
      else return map_scalar(x, y, n, [](T v) { return libm_tanh(v); });
    case Unary::Sigmoid:
      if constexpr (kF32) return map_vec(x, y, n, [](V a) { return sigmoid_f32(a); });
      else return map_vec(x, y, n, [](V a) { return sigmoid_f64(a); });
    case Unary::Relu:
      return map_vec(x, y, n, [&](V a) { return (a > T(0)) | (a != a) ? a : zero; });
    case Unary::Softsign: return map_vec(x, y, n, [&](V a) { return a / (one + abs_bits(a)); });
    case Unary::Floor: return map_scalar(x, y, n, [](T v) { return floor_of(v); });
    case Unary::Ceil: return map_scalar(x, y, n, [](T v) { return ceil_of(v); });
    case Unary::Round: return map_scalar(x, y, n, [](T v) { return round_half_away(v); });
    case Unary::Trunc: return map_scalar(x, y, n, [](T v) { return trunc_of(v); });
    case Unary::Erf: return map_scalar(x, y, n, [](T v) { return libm_erf(v); });
    case Unary::Erfinv: return map_scalar(x, y, n, [](T v) { return static_cast<T>(erfinv_f64(v)); });
    case Unary::Gamma: return map_scalar(x, y, n, [](T v) { return libm_tgamma(v); });
    case Unary::Gammaln: return map_scalar(x, y, n, [](T v) { return libm_lgamma(v); });
    case Unary::Softrelu: return map_scalar(x, y, n, [](T v) { return softrelu_of(v); });
    case Unary::Gelu:
      if constexpr (kF32) return map_vec(x, y, n, [](V a) { return gelu_f32(a); });
      else return map_scalar(x, y, n, [](T v) { return gelu_f64(v); });
    case Unary::Count: return;
  }
}

// Ops with exact integer meaning wrap like the binary ops (neg(x) == 0 - x); everything else is
// computed in double, block by block, and converted back with saturation.
template <class T>
void unary_int(Unary op, const T* x, T* y, size_t n) {
  using U = std::make_unsigned_t<T>;
  switch (op) {
    case Unary::Neg:
      return map_scalar(x, y, n, [](T v) { return static_cast<T>(static_cast<U>(U(0) - U(v))); });
    case Unary::Abs:
      return map_scalar(x, y, n, [](T v) {
        return v < 0 ? static_cast<T>(static_cast<U>(U(0) - U(v))) : v;
      });
    case Unary::Sign:
      return map_scalar(x, y, n, [](T v) { return static_cast<T>((v > 0) - (v < 0)); });
    case Unary::Square:
      return map_scalar(x, y, n, [](T v) { return static_cast<T>(static_cast<U>(U(v) * U(v))); });
    case Unary::Relu: return map_scalar(x, y, n, [](T v) { return v > 0 ? v : T(0); });
    case Unary::Floor:
    case Unary::Ceil:
    case Unary::Round:
    case Unary::Trunc:
      if (x != y) std::memmove(y, x, n * sizeof(T));
      return;
    default: break;
  }
  constexpr size_t kBlock = 256;
  double buffer[kBlock];
  for (size_t start = 0; start < n; start += kBlock) {
    size_t m = n - start < kBlock ? n - start : kBlock;
    cast_run(x + start, buffer, m);
    unary_float(op, buffer, buffer, m);
    cast_run(buffer, y + start, m);
  }
}

void unary(Unary op, DType dt, const void* x, void* y, size_t n) {
  with_dtype(dt, [&](auto tag) {
    using T = Elem<decltype(tag)>;
    if constexpr (std::is_floating_point_v<T>) {
      unary_float(op, static_cast<const T*>(x), static_cast<T*>(y), n);
    } else {
      unary_int(op, static_cast<const T*>(x), static_cast<T*>(y), n);
    }
  });
}

// ---- binary --------------------------------------------------------------------------------

template <bool kAStep, bool kBStep, class T>
void binary_stepped(Binary op, const T* a, const T* b, T* y, size_t n) {
  using V = Vec<T>;
  constexpr bool kFloat = std::is_floating_point_v<T>;
  const V one = splat<V>(T(1)), zero = splat<V>(T(0));
  auto vec = [&](auto f) { map2_vec<kAStep, kBStep>(a, b, y, n, f); };
  auto scalar = [&](auto f) { map2_scalar<kAStep, kBStep>(a, b, y, n, f); };
  switch (op) {
    case Binary::Add: return vec([](V p, V q) { return vadd(p, q); });
    case Binary::Sub: return vec([](V p, V q) { return vsub(p, q); });
    case Binary::Mul: return vec([](V p, V q) { return vmul(p, q); });
    case Binary::Div:
      if constexpr (kFloat) return vec([](V p, V q) { return p / q; });
      else return scalar([](T p, T q) { return int_div(p, q); });
    case Binary::Pow:
      if constexpr (kFloat) return scalar([](T p, T q) { return libm_pow(p, q); });
      else return scalar([](T p, T q) { return int_pow(p, q); });
    case Binary::Mod:
      if constexpr (kFloat) return scalar([](T p, T q) { return float_mod(p, q); });
      else return scalar([](T p, T q) { return int_mod(p, q); });
    case Binary::Maximum: return vec([](V p, V q) { return (p != p) | (p > q) ? p : q; });
    case Binary::Minimum: return vec([](V p, V q) { return (p != p) | (p < q) ? p : q; });
    case Binary::Equal: return vec([&](V p, V q) { return p == q ? one : zero; });
    case Binary::NotEqual: return vec([&](V p, V q) { return p != q ? one : zero; });
    case Binary::Greater: return vec([&](V p, V q) { return p > q ? one : zero; });
    case Binary::GreaterEqual: return vec([&](V p, V q) { return p >= q ? one : zero; });
    case Binary::Lesser: return vec([&](V p, V q) { return p < q ? one : zero; });
    case Binary::LesserEqual: return vec([&](V p, V q) { return p <= q ? one : zero; });
    // sign(q) as Unary::Sign writes it (NaN and zeros kept), then the product
    case Binary::MulSign: return vec([&](V p, V q) { return vmul(p, q > zero ? one : (q < zero ? -one : q)); });
    case Binary::Count: return;
  }
}

void binary(Binary op, DType dt, const void* a, size_t a_step, const void* b, size_t b_step,
            void* y, size_t n) {
  if (n == 0) return;
  with_dtype(dt, [&](auto tag) {
    using T = Elem<decltype(tag)>;
    const T* pa = static_cast<const T*>(a);
    const T* pb = static_cast<const T*>(b);
    T* py = static_cast<T*>(y);
    if (a_step && b_step) {
      binary_stepped<true, true>(op, pa, pb, py, n);
    } else if (a_step) {
      binary_stepped<true, false>(op, pa, pb, py, n);
    } else if (b_step) {
      binary_stepped<false, true>(op, pa, pb, py, n);
    } else {
      binary_stepped<false, false>(op, pa, pb, py, n);
    }
  });
}

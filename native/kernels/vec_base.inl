// Vector types and memory helpers. A fragment of kernels_impl.inl: it is included inside that
// file's per-ISA anonymous namespace, with NDGRAD_VEC_BYTES giving the register width.
//
// GCC vector extensions (not intrinsics) keep one source for every width and for arm64; the only
// intrinsics are the fused multiply-adds, because contraction of a*b+c depends on -ffp-contract,
// which differs between -std=c++17 and -std=gnu++17 and would make speed depend on the dialect,
// and the mask tests of any_lane.

constexpr size_t kVecBytes = NDGRAD_VEC_BYTES;

typedef float vf32 __attribute__((vector_size(kVecBytes)));
typedef double vf64 __attribute__((vector_size(kVecBytes)));
typedef int32_t vi32 __attribute__((vector_size(kVecBytes)));
typedef uint32_t vu32 __attribute__((vector_size(kVecBytes)));
typedef int64_t vi64 __attribute__((vector_size(kVecBytes)));
typedef uint64_t vu64 __attribute__((vector_size(kVecBytes)));
typedef uint8_t vu8 __attribute__((vector_size(kVecBytes)));

template <class T>
struct VecOf;
template <>
struct VecOf<float> {
  typedef vf32 type;
};
template <>
struct VecOf<double> {
  typedef vf64 type;
};
template <>
struct VecOf<int32_t> {
  typedef vi32 type;
};
template <>
struct VecOf<uint8_t> {
  typedef vu8 type;
};
template <class T>
using Vec = typename VecOf<T>::type;

template <class T>
constexpr size_t kLanes = kVecBytes / sizeof(T);

// Loads and stores go through memcpy: unaligned, and free of strict-aliasing assumptions, which
// matters because outputs may alias inputs exactly.
template <class V, class T>
inline V load(const T* p) {
  V v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}

template <class T, class V>
inline void store(T* p, const V& v) {
  __builtin_memcpy(p, &v, sizeof v);
}

template <class V, class T>
inline V splat(T s) {
  return V{} + s;
}

// The tail of a loop runs as one vector whose unused lanes hold `pad`, chosen so the op stays
// harmless there (1 for division and logarithms, the identity for reductions).
template <class V, class T>
inline V load_part(const T* p, size_t count, T pad) {
  V v = splat<V>(pad);
  __builtin_memcpy(&v, p, count * sizeof(T));
  return v;
}

template <class T, class V>
inline void store_part(T* p, const V& v, size_t count) {
  __builtin_memcpy(p, &v, count * sizeof(T));
}

// True if any bit of the mask is set: one test instruction with AVX2 and AVX-512 (the portable
// loop of ors costs them several extracts: a fifth of log_f32's time when it guarded the fast
// path). The builds with 32- and 64-byte vectors have FMA, so <immintrin.h> is included.
template <class M>
inline bool any_lane(M mask) {
#if NDGRAD_VEC_BYTES == 64 && defined(__AVX512F__)
  return _mm512_test_epi64_mask((__m512i)mask, (__m512i)mask) != 0;
#elif NDGRAD_VEC_BYTES == 32 && defined(__AVX__)
  return !_mm256_testz_si256((__m256i)mask, (__m256i)mask);
#else
  vu64 words = (vu64)mask;
  uint64_t acc = 0;
  for (size_t i = 0; i < kVecBytes / 8; ++i) acc |= words[i];
  return acc != 0;
#endif
}

inline vf32 fmadd(vf32 a, vf32 b, vf32 c) {
#if defined(__FMA__) && NDGRAD_VEC_BYTES == 64
  return (vf32)_mm512_fmadd_ps((__m512)a, (__m512)b, (__m512)c);
#elif defined(__FMA__) && NDGRAD_VEC_BYTES == 32
  return (vf32)_mm256_fmadd_ps((__m256)a, (__m256)b, (__m256)c);
#elif defined(__FMA__) && NDGRAD_VEC_BYTES == 16
  return (vf32)_mm_fmadd_ps((__m128)a, (__m128)b, (__m128)c);
#else
  return a * b + c;
#endif
}

inline vf64 fmadd(vf64 a, vf64 b, vf64 c) {
#if defined(__FMA__) && NDGRAD_VEC_BYTES == 64
  return (vf64)_mm512_fmadd_pd((__m512d)a, (__m512d)b, (__m512d)c);
#elif defined(__FMA__) && NDGRAD_VEC_BYTES == 32
  return (vf64)_mm256_fmadd_pd((__m256d)a, (__m256d)b, (__m256d)c);
#elif defined(__FMA__) && NDGRAD_VEC_BYTES == 16
  return (vf64)_mm_fmadd_pd((__m128d)a, (__m128d)b, (__m128d)c);
#else
  return a * b + c;
#endif
}

// Horner evaluation; coefficients are listed from the constant term up.
template <class V, class S, size_t N>
inline V polynomial(V x, const S (&c)[N]) {
  V p = splat<V>(c[N - 1]);
  for (size_t i = N - 1; i-- > 0;) p = fmadd(p, x, splat<V>(c[i]));
  return p;
}

// Second-order Horner: each pair of coefficients folded with one fma in x, then Horner in x^2.
// As many fmas as polynomial() but half the dependency chain, which lets the kernels that end in
// a long polynomial keep more vectors in flight. x2 is x * x, usually needed by the caller anyway.
template <class V, class S, size_t N>
inline V polynomial2(V x, V x2, const S (&c)[N]) {
  static_assert(N >= 2, "polynomial2 needs at least two coefficients");
  V p = (N % 2) ? splat<V>(c[N - 1]) : fmadd(splat<V>(c[N - 1]), x, splat<V>(c[N - 2]));
  for (size_t i = (N % 2) ? N - 1 : N - 2; i >= 2; i -= 2)
    p = fmadd(p, x2, fmadd(splat<V>(c[i - 1]), x, splat<V>(c[i - 2])));
  return p;
}

inline vf32 abs_bits(vf32 v) { return (vf32)((vu32)v & 0x7fffffffu); }
inline vf64 abs_bits(vf64 v) { return (vf64)((vu64)v & 0x7fffffffffffffffull); }

// |magnitude| with the sign of `sign`.
inline vf32 copy_sign(vf32 magnitude, vf32 sign) {
  return (vf32)(((vu32)magnitude & 0x7fffffffu) | ((vu32)sign & 0x80000000u));
}
inline vf64 copy_sign(vf64 magnitude, vf64 sign) {
  return (vf64)(((vu64)magnitude & 0x7fffffffffffffffull) | ((vu64)sign & 0x8000000000000000ull));
}

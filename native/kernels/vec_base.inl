// Vector types and memory helpers. A fragment of kernels_impl.inl: it is included inside that
// file's per-ISA anonymous namespace, with NDGRAD_VEC_BYTES giving the register width.
//
// GCC vector extensions (not intrinsics) keep one source for every width and for arm64; the only
// intrinsics are the fused multiply-adds, because contraction of a*b+c depends on -ffp-contract,
// which differs between -std=c++17 and -std=gnu++17 and would make speed depend on the dialect.

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

template <class M>
inline bool any_lane(M mask) {
  vu64 words = (vu64)mask;
  uint64_t acc = 0;
  for (size_t i = 0; i < kVecBytes / 8; ++i) acc |= words[i];
  return acc != 0;
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

inline vf32 abs_bits(vf32 v) { return (vf32)((vu32)v & 0x7fffffffu); }
inline vf64 abs_bits(vf64 v) { return (vf64)((vu64)v & 0x7fffffffffffffffull); }

// |magnitude| with the sign of `sign`.
inline vf32 copy_sign(vf32 magnitude, vf32 sign) {
  return (vf32)(((vu32)magnitude & 0x7fffffffu) | ((vu32)sign & 0x80000000u));
}
inline vf64 copy_sign(vf64 magnitude, vf64 sign) {
  return (vf64)(((vu64)magnitude & 0x7fffffffffffffffull) | ((vu64)sign & 0x8000000000000000ull));
}

// The AVX-512 quicksort (16 keys a vector; partitions by compress).
// GCC 12's AVX-512 headers fill the unused operand of the unmasked min/max/permute intrinsics
// from a self-initialised variable, which -Wuninitialized reports once per inlined call.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <cstdint>

namespace ndgrad {
namespace kernels {
namespace avx512 {
namespace {

struct SortVec {
  using reg = __m512i;
  static constexpr int N = 16;
  static __mmask16 first(int c) { return __mmask16((1u << c) - 1); }
  static reg load(const uint32_t* p) { return _mm512_loadu_si512(p); }
  static void store(uint32_t* p, reg v) { _mm512_storeu_si512(p, v); }
  static reg load_pad(const uint32_t* p, int c) { return _mm512_mask_loadu_epi32(set1(~0u), first(c), p); }
  static void store_n(uint32_t* p, int c, reg v) { _mm512_mask_storeu_epi32(p, first(c), v); }
  static reg set1(uint32_t x) { return _mm512_set1_epi32(int(x)); }
  static reg min(reg a, reg b) { return _mm512_min_epu32(a, b); }
  static reg max(reg a, reg b) { return _mm512_max_epu32(a, b); }
  static uint32_t hmax(reg v) { return _mm512_reduce_max_epu32(v); }
  template <int M>
  static reg xor_perm(reg v) {
    if constexpr (M < 4) {
      return _mm512_shuffle_epi32(v, _MM_PERM_ENUM(((3 ^ M) << 6) | ((2 ^ M) << 4) | ((1 ^ M) << 2) | (0 ^ M)));
    } else {
      const reg idx = _mm512_setr_epi32(0 ^ M, 1 ^ M, 2 ^ M, 3 ^ M, 4 ^ M, 5 ^ M, 6 ^ M, 7 ^ M, 8 ^ M, 9 ^ M,
                                        10 ^ M, 11 ^ M, 12 ^ M, 13 ^ M, 14 ^ M, 15 ^ M);
      return _mm512_permutexvar_epi32(idx, v);
    }
  }
  template <int B>
  static constexpr __mmask16 lanes_with_bit() {
    unsigned m = 0;
    for (int l = 0; l < N; ++l) m |= (l & B) ? 1u << l : 0u;
    return __mmask16(m);
  }
  template <int B>
  static reg min_max(reg v, reg p) { return _mm512_mask_max_epu32(min(v, p), lanes_with_bit<B>(), v, p); }
  template <int B>
  static reg max_min(reg v, reg p) { return _mm512_mask_min_epu32(max(v, p), lanes_with_bit<B>(), v, p); }
  // 4 x 4 transposes of 32-bit keys in each 128-bit lane, then of the 128-bit blocks.
  static void transpose(reg* r) {
    reg t[16], u[16];
    for (int i = 0; i < 16; i += 4) {
      t[i] = _mm512_unpacklo_epi32(r[i], r[i + 1]);
      t[i + 1] = _mm512_unpackhi_epi32(r[i], r[i + 1]);
      t[i + 2] = _mm512_unpacklo_epi32(r[i + 2], r[i + 3]);
      t[i + 3] = _mm512_unpackhi_epi32(r[i + 2], r[i + 3]);
      u[i] = _mm512_unpacklo_epi64(t[i], t[i + 2]);
      u[i + 1] = _mm512_unpackhi_epi64(t[i], t[i + 2]);
      u[i + 2] = _mm512_unpacklo_epi64(t[i + 1], t[i + 3]);
      u[i + 3] = _mm512_unpackhi_epi64(t[i + 1], t[i + 3]);
    }
    for (int j = 0; j < 4; ++j) {
      const reg v0 = _mm512_shuffle_i32x4(u[j], u[4 + j], 0x44), v1 = _mm512_shuffle_i32x4(u[j], u[4 + j], 0xEE);
      const reg v2 = _mm512_shuffle_i32x4(u[8 + j], u[12 + j], 0x44), v3 = _mm512_shuffle_i32x4(u[8 + j], u[12 + j], 0xEE);
      r[j] = _mm512_shuffle_i32x4(v0, v2, 0x88);
      r[4 + j] = _mm512_shuffle_i32x4(v0, v2, 0xDD);
      r[8 + j] = _mm512_shuffle_i32x4(v1, v3, 0x88);
      r[12 + j] = _mm512_shuffle_i32x4(v1, v3, 0xDD);
    }
  }
  static int partition_store(reg v, reg pivot, uint32_t* left, uint32_t* right_end) {
    const __mmask16 ge = _mm512_cmpge_epu32_mask(v, pivot);
    const int c = _mm_popcnt_u32(ge);
    _mm512_mask_compressstoreu_epi32(left, __mmask16(~ge), v);
    _mm512_mask_compressstoreu_epi32(right_end - c, ge, v);
    return c;
  }
  // The masked stores touch no key outside the two parts: the last vector needs nothing else.
  static int partition_store_tail(reg v, reg pivot, uint32_t* left, uint32_t* right_end) {
    return partition_store(v, pivot, left, right_end);
  }
};

}  // namespace
}  // namespace avx512
}  // namespace kernels
}  // namespace ndgrad

#define NDGRAD_KERNEL_NS avx512
#include "kernels/sort.inl"

namespace ndgrad {
namespace kernels {
extern const SortKernels kSortAvx512 = avx512::make_sort_kernels(Isa::Avx512);
}  // namespace kernels
}  // namespace ndgrad

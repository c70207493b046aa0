// The AVX2 quicksort (8 keys a vector; partitions by a permutation from a table of the 256
// comparison masks).
#include <immintrin.h>

#include <array>
#include <cstdint>

namespace ndgrad {
namespace kernels {
namespace avx2 {
namespace {

// For each mask of the lanes >= the pivot: those lanes' indices after the others', each group in
// lane order.
constexpr std::array<std::array<int32_t, 8>, 256> make_partition_table() {
  std::array<std::array<int32_t, 8>, 256> t{};
  for (int m = 0; m < 256; ++m) {
    int at = 0;
    for (int l = 0; l < 8; ++l)
      if (!(m >> l & 1)) t[m][at++] = l;
    for (int l = 0; l < 8; ++l)
      if (m >> l & 1) t[m][at++] = l;
  }
  return t;
}
alignas(32) constexpr std::array<std::array<int32_t, 8>, 256> kPartitionTable = make_partition_table();

struct SortVec {
  using reg = __m256i;
  static constexpr int N = 8;
  static reg first(int c) { return _mm256_cmpgt_epi32(_mm256_set1_epi32(c), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)); }
  static reg load(const uint32_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }
  static void store(uint32_t* p, reg v) { _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v); }
  static reg load_pad(const uint32_t* p, int c) {
    const reg m = first(c);
    return _mm256_blendv_epi8(set1(~0u), _mm256_maskload_epi32(reinterpret_cast<const int*>(p), m), m);
  }
  static void store_n(uint32_t* p, int c, reg v) { _mm256_maskstore_epi32(reinterpret_cast<int*>(p), first(c), v); }
  static reg set1(uint32_t x) { return _mm256_set1_epi32(int(x)); }
  static reg min(reg a, reg b) { return _mm256_min_epu32(a, b); }
  static reg max(reg a, reg b) { return _mm256_max_epu32(a, b); }
  static uint32_t hmax(reg v) {
    v = max(v, _mm256_permute2x128_si256(v, v, 1));
    v = max(v, _mm256_shuffle_epi32(v, 0x4E));
    v = max(v, _mm256_shuffle_epi32(v, 0xB1));
    return uint32_t(_mm256_cvtsi256_si32(v));
  }
  template <int M>
  static reg xor_perm(reg v) {
    if constexpr (M < 4) {
      return _mm256_shuffle_epi32(v, ((3 ^ M) << 6) | ((2 ^ M) << 4) | ((1 ^ M) << 2) | (0 ^ M));
    } else if constexpr (M == 4) {
      return _mm256_permute2x128_si256(v, v, 1);
    } else {
      return _mm256_permutevar8x32_epi32(v, _mm256_setr_epi32(0 ^ M, 1 ^ M, 2 ^ M, 3 ^ M, 4 ^ M, 5 ^ M, 6 ^ M, 7 ^ M));
    }
  }
  template <int B>
  static constexpr int lanes_with_bit() {
    int m = 0;
    for (int l = 0; l < N; ++l) m |= (l & B) ? 1 << l : 0;
    return m;
  }
  template <int B>
  static reg min_max(reg v, reg p) { return _mm256_blend_epi32(min(v, p), max(v, p), lanes_with_bit<B>()); }
  template <int B>
  static reg max_min(reg v, reg p) { return _mm256_blend_epi32(max(v, p), min(v, p), lanes_with_bit<B>()); }
  // 4 x 4 transposes of 32-bit keys in each 128-bit half, then of the halves.
  static void transpose(reg* r) {
    reg u[8];
    for (int i = 0; i < 8; i += 4) {
      const reg t0 = _mm256_unpacklo_epi32(r[i], r[i + 1]), t1 = _mm256_unpackhi_epi32(r[i], r[i + 1]);
      const reg t2 = _mm256_unpacklo_epi32(r[i + 2], r[i + 3]), t3 = _mm256_unpackhi_epi32(r[i + 2], r[i + 3]);
      u[i] = _mm256_unpacklo_epi64(t0, t2);
      u[i + 1] = _mm256_unpackhi_epi64(t0, t2);
      u[i + 2] = _mm256_unpacklo_epi64(t1, t3);
      u[i + 3] = _mm256_unpackhi_epi64(t1, t3);
    }
    for (int j = 0; j < 4; ++j) {
      r[j] = _mm256_permute2x128_si256(u[j], u[4 + j], 0x20);
      r[4 + j] = _mm256_permute2x128_si256(u[j], u[4 + j], 0x31);
    }
  }
  // v with its lanes < pivot first and the count of the others.
  static reg partitioned(reg v, reg pivot, int* c) {
    const int ge = _mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpeq_epi32(max(v, pivot), v)));
    *c = _mm_popcnt_u32(unsigned(ge));
    return _mm256_permutevar8x32_epi32(v, load(reinterpret_cast<const uint32_t*>(kPartitionTable[ge].data())));
  }
  static int partition_store(reg v, reg pivot, uint32_t* left, uint32_t* right_end) {
    int c;
    const reg p = partitioned(v, pivot, &c);
    store(left, p);
    store(right_end - N, p);
    return c;
  }
  static int partition_store_tail(reg v, reg pivot, uint32_t* left, uint32_t* right_end) {
    int c;
    const reg p = partitioned(v, pivot, &c);
    const reg lt = first(N - c);
    _mm256_maskstore_epi32(reinterpret_cast<int*>(left), lt, p);
    _mm256_maskstore_epi32(reinterpret_cast<int*>(right_end - N), _mm256_xor_si256(lt, set1(~0u)), p);
    return c;
  }
};

}  // namespace
}  // namespace avx2
}  // namespace kernels
}  // namespace ndgrad

#define NDGRAD_KERNEL_NS avx2
#include "kernels/sort.inl"

namespace ndgrad {
namespace kernels {
extern const SortKernels kSortAvx2 = avx2::make_sort_kernels(Isa::Avx2);
}  // namespace kernels
}  // namespace ndgrad

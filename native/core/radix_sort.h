// Stable least-significant-digit radix sort of (key, index) pairs, and the keys that make it
// order numbers as the ordering ops do: NaN above every number, -0 equal to +0. It is the full
// sort of sort/argsort/topk(k = whole axis); an 8-bit digit per pass, passes in which every key
// has the same digit skipped (the high bytes of small integers, the sign of positive floats).
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>

namespace ndgrad {

// The unsigned key type of T and the order-preserving map to it.
template <class T>
using SortKeyOf = std::conditional_t<sizeof(T) == 8, uint64_t, uint32_t>;

template <class T>
SortKeyOf<T> sort_key(T v) {
  using K = SortKeyOf<T>;
  if constexpr (std::is_floating_point_v<T>) {
    constexpr K kSign = K(1) << (8 * sizeof(K) - 1);
    if (v != v) return ~K(0);  // every NaN, after every number
    if (v == 0) return kSign;  // -0 and +0 tie, as the comparison does
    K u;
    std::memcpy(&u, &v, sizeof(u));
    return (u & kSign) ? ~u : (u | kSign);
  } else if constexpr (std::is_signed_v<T>) {
    return static_cast<K>(static_cast<uint32_t>(v) ^ 0x80000000u);
  } else {
    return static_cast<K>(v);
  }
}

// Sorts keys[0, n) ascending, carrying idx along; equal keys keep their order. key_tmp and
// idx_tmp are scratch of n elements each.
template <class K>
void radix_sort_pairs(K* keys, K* key_tmp, uint32_t* idx, uint32_t* idx_tmp, size_t n) {
  constexpr int kDigits = sizeof(K);
  if (n < 2) return;
  std::array<std::array<uint32_t, 256>, kDigits> count{};
  for (size_t i = 0; i < n; ++i) {
    K k = keys[i];
    for (int d = 0; d < kDigits; ++d) ++count[d][(k >> (8 * d)) & 0xFF];
  }
  K* src = keys;
  K* dst = key_tmp;
  uint32_t* isrc = idx;
  uint32_t* idst = idx_tmp;
  for (int d = 0; d < kDigits; ++d) {
    std::array<uint32_t, 256>& pos = count[d];
    if (pos[(src[0] >> (8 * d)) & 0xFF] == n) continue;  // one digit for all: nothing moves
    uint32_t sum = 0;
    for (uint32_t& c : pos) {
      uint32_t here = c;
      c = sum;
      sum += here;
    }
    for (size_t i = 0; i < n; ++i) {
      K k = src[i];
      uint32_t p = pos[(k >> (8 * d)) & 0xFF]++;
      dst[p] = k;
      idst[p] = isrc[i];
    }
    std::swap(src, dst);
    std::swap(isrc, idst);
  }
  if (src != keys) {
    std::memcpy(keys, src, n * sizeof(K));
    std::memcpy(idx, isrc, n * sizeof(uint32_t));
  }
}

}  // namespace ndgrad

// Stable least-significant-digit radix sort of (key, index) pairs, and the keys that make it
// order numbers as the ordering ops do: NaN above every number, -0 equal to +0. It is the full
// sort of sort/argsort/topk(k = whole axis); an 8-bit digit per pass, passes in which every key
// has the same digit skipped (the high bytes of small integers, the sign of positive floats).
// Values without indices sort the keys alone (half the data to move), only over the bits in
// which they differ, long lines split first on their top bits so the rest happens in cache.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>
#include <vector>

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

// The number whose key is k (for NaN and zero keys: a NaN, +0).
template <class T>
T from_sort_key(SortKeyOf<T> k) {
  using K = SortKeyOf<T>;
  if constexpr (std::is_floating_point_v<T>) {
    constexpr K kSign = K(1) << (8 * sizeof(K) - 1);
    const K u = (k & kSign) ? (k & ~kSign) : ~k;
    T v;
    std::memcpy(&v, &u, sizeof(v));
    return v;
  } else if constexpr (std::is_signed_v<T>) {
    return static_cast<T>(static_cast<uint32_t>(k) ^ 0x80000000u);
  } else {
    return static_cast<T>(k);
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

// ---- keys alone (sort without indices) ---------------------------------------------------

// The bits in which keys[0, n) differ from ref.
template <class K>
K differing_bits(const K* keys, size_t n, K ref) {
  K diff = 0;
  for (size_t i = 0; i < n; ++i) diff |= keys[i] ^ ref;
  return diff;
}

// The range [lo, hi) spanned by the set bits of diff, empty (lo == hi) when there are none.
template <class K>
std::pair<int, int> bit_range(K diff) {
  if (diff == 0) return {0, 0};
  constexpr int kBits = 8 * sizeof(K);
  return {__builtin_ctzll(diff), kBits - (__builtin_clzll(diff) - (64 - kBits))};
}

// Sorts keys[0, n) ascending by their bits [lo, hi) (the others being equal), in digits of at
// most kMaxBits bits, every histogram from one read; tmp is scratch of n keys. Equal keys are
// indistinguishable, so this need not be stable.
template <class K>
void radix_sort_key_bits(K* keys, K* tmp, size_t n, int lo, int hi) {
  constexpr int kMaxBits = 8;
  constexpr int kMaxPasses = 8 * sizeof(K) / kMaxBits;
  if (n < 2 || hi <= lo) return;
  if (n <= 16) {
    for (size_t i = 1; i < n; ++i) {
      const K v = keys[i];
      size_t j = i;
      for (; j > 0 && keys[j - 1] > v; --j) keys[j] = keys[j - 1];
      keys[j] = v;
    }
    return;
  }
  const int passes = (hi - lo + kMaxBits - 1) / kMaxBits;
  const int width = (hi - lo + passes - 1) / passes;
  const K mask = (K(1) << width) - 1;
  // Only the counters in use are cleared: a short line would spend longer clearing all of them.
  uint32_t count[kMaxPasses][1 << kMaxBits];
  for (int d = 0; d < passes; ++d) std::memset(count[d], 0, (size_t(mask) + 1) * sizeof(uint32_t));
  if (passes == 1) {
    for (size_t i = 0; i < n; ++i) ++count[0][(keys[i] >> lo) & mask];
  } else if (passes == 2) {
    for (size_t i = 0; i < n; ++i) {
      const K k = keys[i] >> lo;
      ++count[0][k & mask];
      ++count[1][(k >> width) & mask];
    }
  } else {
    for (size_t i = 0; i < n; ++i) {
      const K k = keys[i] >> lo;
      for (int d = 0; d < passes; ++d) ++count[d][(k >> (d * width)) & mask];
    }
  }
  K* src = keys;
  K* dst = tmp;
  for (int d = 0; d < passes; ++d) {
    uint32_t* pos = count[d];
    uint32_t sum = 0;
    for (size_t j = 0; j <= size_t(mask); ++j) {
      const uint32_t here = pos[j];
      pos[j] = sum;
      sum += here;
    }
    const int shift = lo + d * width;
    for (size_t i = 0; i < n; ++i) {
      const K k = src[i];
      dst[pos[(k >> shift) & mask]++] = k;
    }
    std::swap(src, dst);
  }
  if (src != keys) std::memcpy(keys, src, n * sizeof(K));
}

// Sorts keys[0, n) ascending; tmp is scratch of n keys. A long line is first split on its top
// (at most 11) varying bits, one pass over memory, into buckets small enough to finish in cache;
// `run(tasks, fn)` runs fn(0) .. fn(tasks - 1), possibly in parallel, over `parts` parts.
template <class K, class Run>
void radix_sort_keys(K* keys, K* tmp, size_t n, size_t parts, const Run& run) {
  constexpr size_t kBucketedMin = size_t(1) << 14;
  constexpr int kTopBits = 11;
  std::vector<K> part_diff(parts);
  run(parts, [&](size_t t) {
    const size_t from = n * t / parts;
    part_diff[t] = differing_bits(keys + from, n * (t + 1) / parts - from, keys[0]);
  });
  K diff = 0;
  for (K d : part_diff) diff |= d;
  const auto [lo, hi] = bit_range(diff);
  if (n < kBucketedMin || hi - lo <= 8) {
    radix_sort_key_bits(keys, tmp, n, lo, hi);
    return;
  }
  const int top = std::max(lo, hi - kTopBits);
  const size_t buckets = size_t(1) << (hi - top);
  const K mask = K(buckets - 1);
  std::vector<uint32_t> count(parts * buckets + 1, 0);
  run(parts, [&](size_t t) {
    uint32_t* c = &count[t * buckets];
    for (size_t i = n * t / parts, end = n * (t + 1) / parts; i < end; ++i)
      ++c[(keys[i] >> top) & mask];
  });
  // Bucket b starts at start[b]; part t writes its share of it after the parts before it.
  std::vector<uint32_t> start(buckets + 1);
  uint32_t sum = 0;
  for (size_t b = 0; b < buckets; ++b) {
    start[b] = sum;
    for (size_t t = 0; t < parts; ++t) {
      const uint32_t here = count[t * buckets + b];
      count[t * buckets + b] = sum;
      sum += here;
    }
  }
  start[buckets] = sum;
  run(parts, [&](size_t t) {
    uint32_t* pos = &count[t * buckets];
    for (size_t i = n * t / parts, end = n * (t + 1) / parts; i < end; ++i) {
      const K k = keys[i];
      tmp[pos[(k >> top) & mask]++] = k;
    }
  });
  // Each part finishes the buckets that start in its share of the output.
  run(parts, [&](size_t t) {
    const size_t from = n * t / parts, to = n * (t + 1) / parts;
    size_t b = size_t(std::lower_bound(start.begin(), start.end() - 1, from) - start.begin());
    for (; b < buckets && start[b] < to; ++b) {
      const size_t begin = start[b], size = start[b + 1] - begin;
      radix_sort_key_bits(tmp + begin, keys + begin, size, lo, top);
      std::memcpy(keys + begin, tmp + begin, size * sizeof(K));
    }
  });
}

}  // namespace ndgrad

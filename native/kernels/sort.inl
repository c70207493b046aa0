// Vectorised quicksort of uint32 keys over a vector type SortVec of N lanes that the including
// file (sort_avx2.cc, sort_avx512.cc) defines in namespace NDGRAD_KERNEL_NS before including
// this. The design follows the published one of x86-simd-sort and vqsort: an in-place partition
// that keeps the first and last vector of the range in registers so that each vector read frees
// room for its own < and >= parts on both sides, and a bitonic sorting network over up to 16
// registers for the ranges of at most 16 N keys. SortVec provides:
//   reg, N; load, store, load_pad(p, c) (lanes >= c read as the largest key), store_n(p, c, v);
//   min, max, set1, hmax; xor_perm<M>(v) (lane l takes lane l ^ M), min_max<B>(v, p) (the larger
//   of v and p in the lanes l with l & B, the smaller elsewhere), max_min<B> (the other way
//   round); transpose(r) (of N registers as an N x N matrix); partition_store(v, pivot, left, right_end) -> the count c of lanes
//   >= pivot, writing the others to left[0, N - c) and these to right_end[-c, 0) (N free keys on
//   both sides may be overwritten); partition_store_tail, the same writing nothing else.
#include <algorithm>
#include <cstring>

#include "kernels/sort_kernels.h"

namespace ndgrad {
namespace kernels {
namespace NDGRAD_KERNEL_NS {
namespace {

using V = SortVec;
using reg = V::reg;
constexpr int N = V::N;
constexpr int kMaxRegs = 16;
constexpr size_t kSmall = size_t(kMaxRegs) * N;  // ranges the network sorts

// One compare-exchange step inside a register: lane l against lane l ^ M, the larger to the
// lanes with bit B set.
template <int M, int B>
inline reg cx(reg v) {
  return V::template min_max<B>(v, V::template xor_perm<M>(v));
}

// Half-cleaners at distances D, D / 2, .., 1: a register holding a bitonic sequence (or two
// sorted halves after a flip) comes out sorted.
template <int D>
inline reg clean_in(reg v) {
  if constexpr (D >= 1) return clean_in<D / 2>(cx<D, D>(v));
  else return v;
}

// The flip step of blocks of B lanes (lane l against B - 1 - l), then the half-cleaners.
template <int B>
inline reg sort_in(reg v) {
  if constexpr (B <= N) return sort_in<B * 2>(clean_in<B / 4>(cx<B - 1, B / 2>(v)));
  else return v;
}

inline reg reverse(reg v) { return V::template xor_perm<N - 1>(v); }

inline void cx_regs(reg* r, int i, int j) {
  const reg lo = r[i], hi = r[j];
  r[i] = V::min(lo, hi);
  r[j] = V::max(lo, hi);
}

// Half-cleaners between the registers of r[0, R) at distances D, D / 2, .., 1.
template <int R, int D>
inline void clean_across(reg* r) {
  if constexpr (D >= 1) {
#pragma GCC unroll 16
    for (int i = 0; i < R; ++i) {
      if (!(i & D)) cx_regs(r, i, i + D);
    }
    clean_across<R, D / 2>(r);
  }
}

// Half-cleaners between registers at distances D, D / 2, .., 1 registers, then inside each.
template <int R, int D>
inline void clean_regs(reg* r) {
  clean_across<R, D>(r);
#pragma GCC unroll 16
  for (int i = 0; i < R; ++i) r[i] = clean_in<N / 2>(r[i]);
}

// Merges the sorted blocks of B / 2 registers of r[0, R) into sorted blocks of B registers.
template <int R, int B>
inline void merge_regs(reg* r) {
#pragma GCC unroll 16
  for (int blk = 0; blk < R; blk += B) {
#pragma GCC unroll 16
    for (int i = 0; i < B / 2; ++i) {
      const reg lo = r[blk + i], hi = reverse(r[blk + B - 1 - i]);
      r[blk + i] = V::min(lo, hi);
      r[blk + B - 1 - i] = reverse(V::max(lo, hi));
    }
  }
  clean_regs<R, B / 4>(r);
}

// Sorts the R * N keys of r[0, R) (register i holding keys i N .. i N + N - 1).
template <int R>
inline void sort_regs(reg* r) {
#pragma GCC unroll 16
  for (int i = 0; i < R; ++i) r[i] = sort_in<2>(r[i]);
  if constexpr (R >= 2) merge_regs<R, 2>(r);
  if constexpr (R >= 4) merge_regs<R, 4>(r);
  if constexpr (R >= 8) merge_regs<R, 8>(r);
  if constexpr (R >= 16) merge_regs<R, 16>(r);
}

// Stage B (blocks of B keys) onwards of the network of sort_square.
template <int B>
inline void square_stage(reg* r) {
  if constexpr (B <= N) {
    // Blocks within a lane: compare-exchanges of whole registers.
#pragma GCC unroll 16
    for (int i = 0; i < N; ++i) {
      if (!(i & (B / 2))) cx_regs(r, i, i ^ (B - 1));
    }
    clean_across<N, B / 4>(r);
  } else {
    constexpr int L = B / N;  // the block's lanes: key l N + i pairs with the key at lane l ^ (L - 1), register N - 1 - i
#pragma GCC unroll 16
    for (int i = 0; i < N / 2; ++i) {
      const reg lo = r[i], hi = V::template xor_perm<L - 1>(r[N - 1 - i]);
      r[i] = V::template min_max<L / 2>(lo, hi);
      r[N - 1 - i] = V::template xor_perm<L - 1>(V::template max_min<L / 2>(lo, hi));
    }
#pragma GCC unroll 16
    for (int i = 0; i < N; ++i) r[i] = clean_in<L / 4>(r[i]);
    clean_across<N, N / 2>(r);
  }
  if constexpr (B < N * N) square_stage<B * 2>(r);
}

// Sorts the N * N keys of r[0, N) read lane-major (key l N + i in lane l of register i), then
// transposes them into register order. Read this way, the network's steps between keys less than
// N apart (26 of the 36 steps for N = 16) compare whole registers and need no permute; the input
// order does not matter, so only the result is transposed.
inline void sort_square(reg* r) {
  square_stage<2>(r);
  V::transpose(r);
}

// Sorts the R * N keys of r[0, R) into register order.
template <int R>
inline void sort_block(reg* r) {
  if constexpr (R == N) sort_square(r);
  else sort_regs<R>(r);
}

template <int R>
void sort_small_regs(uint32_t* a, size_t n) {
  reg r[R];
  for (int i = 0; i < R; ++i) {
    const size_t at = size_t(i) * N;
    if (at + N <= n) r[i] = V::load(a + at);
    else if (at < n) r[i] = V::load_pad(a + at, int(n - at));
    else r[i] = V::set1(~0u);
  }
  sort_block<R>(r);
  for (int i = 0; i < R; ++i) {
    const size_t at = size_t(i) * N;
    if (at + N <= n) V::store(a + at, r[i]);
    else if (at < n) V::store_n(a + at, int(n - at), r[i]);
  }
}

// n <= kSmall.
void sort_small(uint32_t* a, size_t n) {
  if (n <= 1) return;
  if (n <= size_t(N)) sort_small_regs<1>(a, n);
  else if (n <= size_t(2 * N)) sort_small_regs<2>(a, n);
  else if (n <= size_t(4 * N)) sort_small_regs<4>(a, n);
  else if (n <= size_t(8 * N)) sort_small_regs<8>(a, n);
  else sort_small_regs<16>(a, n);
}

// The median of R * N keys spread evenly over a[0, n) (n >= R * N).
template <int R>
uint32_t sample_median(const uint32_t* a, size_t n) {
  alignas(64) uint32_t s[R * N];
  const size_t step = n / (R * N);
  for (int i = 0; i < R * N; ++i) s[i] = a[size_t(i) * step + step / 2];
  reg r[R];
  for (int i = 0; i < R; ++i) r[i] = V::load(s + i * N);
  sort_block<R>(r);
  for (int i = 0; i < R; ++i) V::store(s + i * N, r[i]);
  return s[R * N / 2];
}

// The partition of a[0, n) below: the unread range [l, r) of whole vectors, the first and last
// U vectors kept in registers; < keys go to [ls, ..), >= keys to [.., rs).
template <int U>
struct Partition {
  uint32_t* a;
  reg pivot, vmax;
  size_t l, r, ls, rs;
  reg kept[2 * U];

  Partition(uint32_t* keys, size_t from, size_t to, reg p, reg most) : a(keys), pivot(p), vmax(most), ls(from), rs(to) {
    for (int j = 0; j < U; ++j) {
      kept[j] = V::load(a + from + size_t(j) * N);
      kept[U + j] = V::load(a + to - size_t(U - j) * N);
      vmax = V::max(vmax, V::max(kept[j], kept[U + j]));
    }
    l = from + size_t(U) * N;
    r = to - size_t(U) * N;
  }

  void put(reg v) {
    const int c = V::partition_store(v, pivot, a + ls, a + rs);
    ls += N - c;
    rs -= c;
  }

  // Reads M vectors from the side with less room (then both have M N free keys), stores them.
  template <int M>
  void step() {
    reg v[M];
    if (rs - r < l - ls) {
      r -= size_t(M) * N;
      for (int j = 0; j < M; ++j) v[j] = V::load(a + r + size_t(j) * N);
    } else {
      for (int j = 0; j < M; ++j) v[j] = V::load(a + l + size_t(j) * N);
      l += size_t(M) * N;
    }
    for (int j = 0; j < M; ++j) {
      vmax = V::max(vmax, v[j]);
      put(v[j]);
    }
  }

  size_t run(uint32_t* top) {
    while ((r - l) / N % U) step<1>();
    while (l < r) step<U>();
    for (int j = 0; j < 2 * U - 1; ++j) put(kept[j]);
    // The last store has exactly N free keys: both sides masked.
    const int c = V::partition_store_tail(kept[2 * U - 1], pivot, a + ls, a + rs);
    *top = V::hmax(vmax);
    return ls + N - c;
  }
};

constexpr int kUnroll = 4;

// std::sort's comparison as a type of this file's anonymous namespace: the sort's function
// templates instantiated with it have internal linkage, so the AVX2 and AVX-512 files each keep
// their own copy. With std::less they were inline functions of one name in both, and the linker
// (or link-time optimization, which merges them into one body) keeps one for both instruction
// sets, as kernels_impl.inl explains.
struct KeyLess {
  bool operator()(uint32_t x, uint32_t y) const { return x < y; }
};

// Moves the keys < pivot of a[0, n) (n >= 2 N) before the others; returns their count and sets
// *top to the largest key.
size_t partition(uint32_t* a, size_t n, uint32_t pivot, uint32_t* top) {
  size_t l = 0, r = n;
  uint32_t most = 0;
  // Shorten the unread range to whole vectors.
  for (size_t i = n % N; i > 0; --i) {
    const uint32_t v = a[l];
    most = v > most ? v : most;
    if (v >= pivot) {
      a[l] = a[--r];
      a[r] = v;
    } else {
      ++l;
    }
  }
  if (r - l >= size_t(2 * kUnroll) * N) return Partition<kUnroll>(a, l, r, V::set1(pivot), V::set1(most)).run(top);
  return Partition<1>(a, l, r, V::set1(pivot), V::set1(most)).run(top);
}

void quicksort(uint32_t* a, size_t n, int depth) {
  while (n > kSmall) {
    if (depth-- == 0) {
      std::sort(a, a + n, KeyLess{});
      return;
    }
    const uint32_t pivot = sample_median<2>(a, n);
    uint32_t top;
    size_t k = partition(a, n, pivot, &top);
    if (top == pivot) {  // the right part is all equal to the pivot
      n = k;
      continue;
    }
    if (k == 0) {  // the pivot is the smallest key: its copies go left, where they are in order
      k = partition(a, n, pivot + 1, &top);
      a += k;
      n -= k;
      continue;
    }
    // Recurse into the smaller part, loop on the larger: the stack stays logarithmic.
    if (k < n - k) {
      quicksort(a, k, depth);
      a += k;
      n -= k;
    } else {
      quicksort(a + k, n - k, depth);
      n = k;
    }
  }
  sort_small(a, n);
}

void sort_u32(uint32_t* a, size_t n) {
  int depth = 8;
  for (size_t m = n; m > 1; m /= 2) depth += 2;
  quicksort(a, n, depth);
}

size_t split_u32(uint32_t* a, size_t n) {
  if (n < 2 * kSmall) return 0;
  uint32_t top;
  const uint32_t pivot = sample_median<kMaxRegs>(a, n);
  const size_t k = partition(a, n, pivot, &top);
  if (k > 0 || top == pivot) return k;
  return partition(a, n, pivot + 1, &top);  // the pivot is the smallest key: split above it
}

// The branch-free forms of sort_key / from_sort_key (core/drivers/radix_sort.h) for float32,
// which the compiler vectorises.
void keys_from_f32(const float* __restrict x, uint32_t* __restrict k, size_t n, uint32_t flip) {
  for (size_t i = 0; i < n; ++i) {
    const float v = x[i];
    uint32_t u;
    std::memcpy(&u, &v, sizeof(u));
    uint32_t key = u ^ (uint32_t(int32_t(u) >> 31) | 0x80000000u);
    key = v != v ? ~0u : key;
    key = v == 0.0f ? 0x80000000u : key;
    k[i] = key ^ flip;
  }
}

void keys_to_f32(uint32_t* k, size_t n, uint32_t flip) {
  for (size_t i = 0; i < n; ++i) {
    const uint32_t key = k[i] ^ flip;
    k[i] = key ^ (~uint32_t(int32_t(key) >> 31) | 0x80000000u);
  }
}

}  // namespace

constexpr SortKernels make_sort_kernels(Isa isa) {
  return SortKernels{isa, sort_u32, split_u32, keys_from_f32, keys_to_f32};
}

}  // namespace NDGRAD_KERNEL_NS
}  // namespace kernels
}  // namespace ndgrad

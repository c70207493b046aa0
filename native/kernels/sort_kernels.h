// Vectorised quicksort of 32-bit sort keys (the order-preserving unsigned keys of
// core/drivers/radix_sort.h), compiled per instruction set from sort.inl (sort_avx2.cc,
// sort_avx512.cc). The ordering op (native/core/ops/ops_order.cc) owns the keys' meaning, the
// NaN and -0 rules and the threading; these functions only order and map plain arrays.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/kernels.h"

namespace ndgrad {
namespace kernels {

struct SortKernels {
  Isa isa;
  // Sorts k[0, n) ascending (not stable: equal keys are indistinguishable).
  void (*sort_u32)(uint32_t* k, size_t n);
  // Partitions k[0, n) around the median of a large sample: returns m with every k[0, m) below
  // every k[m, n); m is 0 or n only when all keys are equal. Splits one line between threads.
  size_t (*split_u32)(uint32_t* k, size_t n);
  // k[i] = sort_key(x[i]) ^ flip (every NaN the largest key, -0 and +0 the same key).
  void (*keys_from_f32)(const float* x, uint32_t* k, size_t n, uint32_t flip);
  // k[i] = the bits of the float whose key is k[i] ^ flip (NaN keys give a NaN, zero keys +0),
  // in place.
  void (*keys_to_f32)(uint32_t* k, size_t n, uint32_t flip);
};

// The vector sort for an instruction set (the best one below it this CPU has), or null where
// there is none (the scalar path keeps the radix sort).
const SortKernels* sort_kernels(Isa isa);

}  // namespace kernels
}  // namespace ndgrad

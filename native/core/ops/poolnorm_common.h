// What the pooling and normalization ops share: their per-ISA row kernels by element type, and
// running independent rows on the thread pool.
#pragma once

#include <cstdint>
#include <type_traits>

#include "core/drivers/elementwise.h"
#include "core/runtime/runtime.h"
#include "core/tensor/dtype.h"
#include "kernels/poolnorm_kernels.h"

namespace ndgrad {

template <class T>
const kernels::PoolNormOps<T>& kernels_of(const kernels::PoolNormKernels& k) {
  if constexpr (std::is_same_v<T, float>) return k.f32;
  else return k.f64;
}

// f(T{}) for a float dtype (callers have checked the dtype in their shape rule).
template <class F>
void visit_float(DType dt, F&& f) {
  if (dt == DType::Float64) f(double{});
  else f(float{});
}

// Runs body(i) for each of n independent rows of about `work` elements each, threaded when the
// whole is large enough.
template <class Body>
void over_rows(Runtime& env, int64_t n, int64_t work, Body body) {
  auto run = [&](size_t r0, size_t r1) {
    for (size_t r = r0; r < r1; ++r) body(static_cast<int64_t>(r));
  };
  const size_t w = static_cast<size_t>(work > 0 ? work : 1);
  const size_t grain = w >= kParallelGrain ? 1 : kParallelGrain / w + 1;
  if (static_cast<size_t>(n) < 2 * grain) run(0, static_cast<size_t>(n));
  else env.thread_pool().parallel_range(static_cast<size_t>(n), grain, run);
}

}  // namespace ndgrad

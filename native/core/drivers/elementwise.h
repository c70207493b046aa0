// Drivers that run the raw elementwise kernels over whole tensors: broadcasting, number
// operands and splitting large work over the thread pool.
#pragma once

#include "core/runtime/runtime.h"
#include "core/tensor/tensor.h"

namespace ndgrad {

// Elements per task below which work stays on the calling thread.
constexpr size_t kParallelGrain = size_t{1} << 15;

void unary_into(Runtime& env, kernels::Unary op, const Tensor& x, Tensor& out);
// out = op(a, b) with NumPy broadcasting; out has the broadcast shape.
void binary_into(Runtime& env, kernels::Binary op, const Tensor& a, const Tensor& b, Tensor& out);
// out = op(a, s) or, when scalar_left, op(s, a); s is converted to a's dtype first (MXNet).
void binary_scalar_into(Runtime& env, kernels::Binary op, const Tensor& a, double s, bool scalar_left,
                        Tensor& out);
// out = src broadcast to out's shape (same dtype).
void broadcast_into(Runtime& env, const Tensor& src, Tensor& out);
// out = src converted to out's dtype (same number of elements).
void cast_into(Runtime& env, const Tensor& src, Tensor& out);
void fill_into(Runtime& env, Tensor& out, double value);

}  // namespace ndgrad

namespace ndgrad {
// out = src with its axes permuted: out.shape[i] == src.shape[perm[i]].
void transpose_into(Runtime& env, const Tensor& src, const std::vector<int64_t>& perm, Tensor& out);
}  // namespace ndgrad

// Reading an index operand of any dtype (pick, one_hot, softmax_ce_loss): values truncated
// toward zero, NaN as -1 (out of range), huge values kept out of int64 overflow.
#pragma once

#include <cstdint>
#include <vector>

#include "core/tensor/tensor.h"

namespace ndgrad {

// Index i of an index array of any dtype, truncated toward zero (NaN -> -1, i.e. out of range).
template <class T>
inline int64_t index_at(const T* p, int64_t i) {
  double v = static_cast<double>(p[i]);
  if (!(v == v)) return -1;
  if (v > 9e15) return INT64_MAX / 2;
  if (v < -9e15) return -INT64_MAX / 2;
  return static_cast<int64_t>(v);
}

inline std::vector<int64_t> read_indices(const Tensor& t) {
  std::vector<int64_t> out(static_cast<size_t>(t.size()));
  visit_dtype(t.dtype, [&](auto zero) {
    using T = decltype(zero);
    const T* p = t.data<T>();
    for (size_t i = 0; i < out.size(); ++i) out[i] = index_at(p, static_cast<int64_t>(i));
  });
  return out;
}

}  // namespace ndgrad

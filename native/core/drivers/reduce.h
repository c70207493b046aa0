// Reductions over tensors: axis normalisation, the (outer, r, inner) layout, blocking that keeps
// results bitwise identical for any thread count, and the threaded drivers.
#pragma once

#include <vector>

#include "core/runtime/runtime.h"
#include "core/tensor/tensor.h"

namespace ndgrad {

struct ReduceAxes {
  std::vector<bool> reduced;  // per input dim
  Shape out_shape;            // as the op returns it (keepdims or not; never empty)
  Shape kept_shape;           // the reduced dims as size 1 (the keepdims shape)
  int64_t count = 1;          // elements folded into each output
};

// axes empty and !has_axes (or an empty list): every axis. Throws MXNet's messages for
// duplicates and out-of-range axes.
ReduceAxes plan_reduce(const Shape& in, const std::vector<int64_t>& axes, bool has_axes,
                       bool keepdims, const char* op);

// out (shape: any with the right element count) = fold of x over the planned axes, in x's dtype.
void reduce_into(Runtime& env, kernels::Reduce op, const Tensor& x, const ReduceAxes& plan, Tensor& out);

// idx[i] = position of the first extreme along `axis` (or over everything when axis < 0).
void arg_reduce_into(Runtime& env, kernels::ArgReduce op, const Tensor& x, int axis, Tensor& out);

}  // namespace ndgrad

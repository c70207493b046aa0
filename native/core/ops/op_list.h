// Every operator of the registry, by name. The entries themselves (shape rule, forward, backward)
// live in the ops_*.cc file of their family; this list only gives each one a stable id.
#pragma once

#define NDGRAD_UNARY_OPS(X)                                                                   \
  X(negative) X(abs) X(sign) X(square) X(sqrt) X(rsqrt) X(reciprocal) X(exp) X(expm1) X(log)  \
  X(log1p) X(log2) X(log10) X(sin) X(cos) X(tan) X(arcsin) X(arccos) X(arctan) X(sinh)       \
  X(cosh) X(tanh) X(sigmoid) X(relu) X(softsign) X(floor) X(ceil) X(round) X(trunc) \
  X(erf)

#define NDGRAD_BINARY_OPS(X)                                                                  \
  X(add) X(subtract) X(multiply) X(divide) X(power) X(mod) X(maximum) X(minimum) X(equal)    \
  X(not_equal) X(greater) X(greater_equal) X(lesser) X(lesser_equal)

#define NDGRAD_SCALAR_OPS(X)                                                                  \
  X(add_scalar) X(subtract_scalar) X(rsubtract_scalar) X(multiply_scalar) X(divide_scalar)    \
  X(rdivide_scalar) X(power_scalar) X(rpower_scalar) X(mod_scalar) X(rmod_scalar)            \
  X(maximum_scalar) X(minimum_scalar) X(equal_scalar) X(not_equal_scalar) X(greater_scalar)  \
  X(greater_equal_scalar) X(lesser_scalar) X(lesser_equal_scalar)

#define NDGRAD_OTHER_OPS(X)                                                                   \
  X(zeros) X(ones) X(full) X(arange) X(linspace) X(random_uniform) X(random_normal) X(random_randint)                     \
  X(sum) X(mean) X(prod) X(max) X(min) X(norm) X(argmax) X(argmin) X(cumsum)                           \
  X(dot) X(transpose) X(reshape) X(slice_rows) X(slice_rows_grad) X(broadcast_to) X(sum_to)  \
  X(astype) X(copy) X(softmax) X(log_softmax) X(one_hot) X(pick) X(where) X(dropout)

// Joining, splitting, tiling, strided slicing and batched products (ops_join.cc, ops_slice.cc, ...).
#define NDGRAD_JOIN_OPS(X) \
  X(concat) X(stack) X(split) X(tile) X(repeat) X(slice) X(slice_axis) X(slice_grad) X(batch_dot)

// Gathering, ordering and shuffling (ops_order.cc, ops_take.cc, ops_shuffle.cc).
#define NDGRAD_ORDER_OPS(X)                                                                   \
  X(take) X(take_grad) X(take_along_axis) X(take_along_axis_grad) X(topk) X(sort) X(argsort)  \
  X(random_shuffle)

// Convolution and its transpose, and the weight gradient they share (ops_conv.cc).
#define NDGRAD_CONV_OPS(X) X(convolution) X(deconvolution) X(conv_weight_grad)

#define NDGRAD_OPS(X) \
  NDGRAD_UNARY_OPS(X) NDGRAD_BINARY_OPS(X) NDGRAD_SCALAR_OPS(X) NDGRAD_OTHER_OPS(X) NDGRAD_JOIN_OPS(X) NDGRAD_ORDER_OPS(X) \
  NDGRAD_CONV_OPS(X)

namespace ndgrad {

enum class OpId : int {
#define NDGRAD_OP_ENUM(name) name,
  NDGRAD_OPS(NDGRAD_OP_ENUM)
#undef NDGRAD_OP_ENUM
  Count
};

constexpr int kNumOps = static_cast<int>(OpId::Count);

}  // namespace ndgrad

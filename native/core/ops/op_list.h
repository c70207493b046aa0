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

// Fused optimizer updates, written in place (ops_optim.cc).
#define NDGRAD_OPTIM_OPS(X)                                                                    \
  X(sgd_update) X(sgd_mom_update) X(nag_mom_update) X(adam_update) X(adamw_update)             \
  X(rmsprop_update) X(rmspropalex_update) X(adagrad_update) X(signsgd_update) X(signum_update) \
  X(lamb_update_phase1) X(lamb_update_phase2) X(ftrl_update) X(multi_sgd_update)              \
  X(multi_sgd_mom_update) X(multi_adamw_update)

// Pooling and the normalizations (ops_pool.cc, ops_norm.cc).
#define NDGRAD_POOLNORM_OPS(X)                                                                \
  X(pooling) X(pooling_grad) X(pooling_select) X(batch_norm) X(layer_norm) X(instance_norm) X(group_norm)      \
  X(l2_normalization) X(norm_grad) X(moving_average_update)

// Activations, elementwise additions, embedding, sequence masks, padding and resizing
// (ops_activation.cc, ops_embed.cc). polygamma is the gradient of gamma and gammaln.
#define NDGRAD_NNACT_OPS(X)                                                                   \
  X(erfinv) X(gamma) X(gammaln) X(softrelu) X(polygamma) X(smooth_l1) X(add_n) X(activation)  \
  X(leaky_relu) X(embedding) X(embedding_grad) X(sequence_mask) X(pad) X(pad_grad) X(up_sampling)

// The numeric toolkit: moments, std/var, cumprod, diag, gather_nd/scatter_nd, reverse (ops_numeric.cc).
#define NDGRAD_NUMERIC_OPS(X) \
  X(moments) X(std) X(var) X(cumprod) X(diag) X(diag_grad) X(gather_nd) X(scatter_nd) X(reverse)

// nd.linalg, MXNet's linalg_* operators (ops_la.cc); linalg_copytri is their gradients' helper.
#define NDGRAD_LINALG_OPS(X)                                                                          \
  X(linalg_gemm) X(linalg_gemm2) X(linalg_syrk) X(linalg_trmm) X(linalg_trsm) X(linalg_potrf)          \
  X(linalg_potri) X(linalg_sumlogdiag) X(linalg_extractdiag) X(linalg_makediag) X(linalg_copytri)      \
  X(linalg_inverse) X(linalg_det) X(linalg_slogdet) X(linalg_gelqf) X(linalg_syevd)

// Convolution and its transpose, the weight gradient they share, and convolution followed by
// relu in one pass (ops_conv.cc).
#define NDGRAD_CONV_OPS(X) X(convolution) X(deconvolution) X(conv_weight_grad) X(convolution_relu)

// relu's gradient from its output, g * sign(y), in one pass (ops_relu_grad.cc): the backward of
// relu, Activation('relu') and convolution_relu.
#define NDGRAD_RELU_GRAD_OPS(X) X(relu_grad)

// A training step's dense layer and classification loss as one op each (ops_dense.cc).
#define NDGRAD_DENSE_OPS(X) X(fully_connected) X(softmax_ce_loss) X(softmax_ce_grad)

#define NDGRAD_OPS(X) \
  NDGRAD_UNARY_OPS(X) NDGRAD_BINARY_OPS(X) NDGRAD_SCALAR_OPS(X) NDGRAD_OTHER_OPS(X) NDGRAD_JOIN_OPS(X) NDGRAD_ORDER_OPS(X) \
  NDGRAD_OPTIM_OPS(X) NDGRAD_POOLNORM_OPS(X) NDGRAD_NNACT_OPS(X) NDGRAD_NUMERIC_OPS(X) NDGRAD_LINALG_OPS(X) NDGRAD_CONV_OPS(X) \
  NDGRAD_RELU_GRAD_OPS(X) NDGRAD_DENSE_OPS(X)

namespace ndgrad {

enum class OpId : int {
#define NDGRAD_OP_ENUM(name) name,
  NDGRAD_OPS(NDGRAD_OP_ENUM)
#undef NDGRAD_OP_ENUM
  Count
};

constexpr int kNumOps = static_cast<int>(OpId::Count);

}  // namespace ndgrad

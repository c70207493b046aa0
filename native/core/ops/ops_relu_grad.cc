// relu_grad(g, y) = g * sign(y): relu's gradient from its output y (1 above zero, 0 at zero, NaN
// at NaN: MXNet's relu_grad), in one pass instead of sign then multiply. The backward of relu,
// Activation('relu') and convolution_relu, so that all three keep one rule.
#include <string>

#include "core/drivers/elementwise.h"
#include "core/ops/ops.h"
#include "core/runtime/error.h"

namespace ndgrad {

namespace {

void infer_relu_grad(const OpCall& c, OutSpecs& outs) {
  const Tensor& g = c.in[0];
  const Tensor& y = c.in[1];
  if (g.dtype != y.dtype || g.shape != y.shape) {
    throw_type("relu_grad: g and y must have the same dtype and shape, got " + std::string(dtype_name(g.dtype)) + " " +
               shape_str(g.shape) + " and " + dtype_name(y.dtype) + " " + shape_str(y.shape));
  }
  outs.push_back({g.shape, g.dtype});
}

void fwd_relu_grad(OpCall& c) { binary_into(c.env, kernels::Binary::MulSign, c.in[0], c.in[1], c.out[0]); }

// Linear in g with the same mask; sign(y) has no gradient (zero almost everywhere), as in
// mul(g, sign(y)).
Grads d_relu_grad(BackwardCtx& c) {
  Grads out(2);
  out[0] = invoke1(c.env, OpId::relu_grad, {c.grad(), c.input(1)});
  return out;
}

}  // namespace

void define_relu_grad_ops(std::vector<OpDef>& table) {
  define_op(table, OpId::relu_grad, 2, infer_relu_grad, fwd_relu_grad, d_relu_grad, kSaveInput1, Domain::NonZero);
}

}  // namespace ndgrad

// Calling registry ops from C++: the engine entry point (invoke) and one-line helpers that
// backward formulas are written with. Every helper goes through invoke, so it is recorded when
// the backward pass itself is being recorded (createGraph).
#pragma once

#include <type_traits>
#include <utility>
#include <vector>

#include "core/ops/op_params.h"
#include "core/ops/registry.h"

namespace ndgrad {

// Runs op `id` on inputs: validates (shape rule), allocates, computes and, when recording and
// some input is in a graph, records a node. Throws ndgrad::Error on bad input. `params` is a
// block of the op's parameter struct, or null for its defaults (and for an op without options).
// With `outs` (MXNet's out=), one existing array per result, each result is written into its
// array, which must have the result's shape and dtype, and the arrays are returned; no result
// block is allocated.
ArrayList invoke_params(Runtime& env, OpId id, const ArrayList& inputs, const void* params,
                        const ArrayList& outs = {});
inline ArrayList invoke(Runtime& env, OpId id, const ArrayList& inputs) { return invoke_params(env, id, inputs, nullptr); }
// The same for an op of one result, which it returns. Elementwise ops (kElementwise) on operands
// of one shape and dtype skip the shape rule here.
ArrayRef invoke1_params(Runtime& env, OpId id, const ArrayList& inputs, const void* params);
inline ArrayRef invoke1(Runtime& env, OpId id, const ArrayList& inputs) { return invoke1_params(env, id, inputs, nullptr); }

// The same with the op's options as its own struct P: how backward formulas call ops with
// options. A struct that is not the op's is a TypeError naming the op.
[[noreturn]] void throw_other_params(OpId id);
// For invoke1 of an op that only updates its inputs (an optimizer update).
[[noreturn]] void throw_no_output(OpId id);
template <class P>
ArrayList invoke(Runtime& env, OpId id, const ArrayList& inputs, const P& params) {
  static_assert(!std::is_pointer_v<P>, "pass the struct, or call invoke_params with a block");
  // Checked in every build: the binding's scalar entry takes any op id from JS.
  if (!is_param_type<P>(op_def(id).params.type)) throw_other_params(id);
  return invoke_params(env, id, inputs, &params);
}
template <class P>
ArrayRef invoke1(Runtime& env, OpId id, const ArrayList& inputs, const P& params) {
  static_assert(!std::is_pointer_v<P>, "pass the struct, or call invoke1_params with a block");
  if (!is_param_type<P>(op_def(id).params.type)) throw_other_params(id);
  return invoke1_params(env, id, inputs, &params);
}

// Records one node for op (null for a custom Function): its inputs (entries of those in a graph)
// and its outputs, whose entries then point at it. Saves what op's flags declare.
NodeRef record_node(const OpDef* op, const ArrayRef* inputs, size_t num_inputs, const ArrayRef* outputs,
                    size_t num_outputs);

namespace ops {

ArrayRef unary(Runtime& env, OpId id, const ArrayRef& x);
ArrayRef binary(Runtime& env, OpId id, const ArrayRef& a, const ArrayRef& b);
ArrayRef scalar(Runtime& env, OpId id, const ArrayRef& a, double s);

inline ArrayRef add(Runtime& e, const ArrayRef& a, const ArrayRef& b) { return binary(e, OpId::add, a, b); }
inline ArrayRef sub(Runtime& e, const ArrayRef& a, const ArrayRef& b) { return binary(e, OpId::subtract, a, b); }
inline ArrayRef mul(Runtime& e, const ArrayRef& a, const ArrayRef& b) { return binary(e, OpId::multiply, a, b); }
inline ArrayRef div(Runtime& e, const ArrayRef& a, const ArrayRef& b) { return binary(e, OpId::divide, a, b); }
inline ArrayRef pow(Runtime& e, const ArrayRef& a, const ArrayRef& b) { return binary(e, OpId::power, a, b); }
inline ArrayRef mul_scalar(Runtime& e, const ArrayRef& a, double s) { return scalar(e, OpId::multiply_scalar, a, s); }
inline ArrayRef add_scalar(Runtime& e, const ArrayRef& a, double s) { return scalar(e, OpId::add_scalar, a, s); }
inline ArrayRef rsub_scalar(Runtime& e, const ArrayRef& a, double s) { return scalar(e, OpId::rsubtract_scalar, a, s); }
inline ArrayRef div_scalar(Runtime& e, const ArrayRef& a, double s) { return scalar(e, OpId::divide_scalar, a, s); }
inline ArrayRef pow_scalar(Runtime& e, const ArrayRef& a, double s) { return scalar(e, OpId::power_scalar, a, s); }
inline ArrayRef neg(Runtime& e, const ArrayRef& a) { return unary(e, OpId::negative, a); }

ArrayRef zeros_like(Runtime& env, const ArrayRef& x);
ArrayRef ones_like(Runtime& env, const ArrayRef& x);
ArrayRef reshape(Runtime& env, const ArrayRef& x, const Shape& shape);
ArrayRef broadcast_to(Runtime& env, const ArrayRef& x, const Shape& shape);
// Sums x over broadcast axes down to `shape` (the un-broadcasting of gradients).
ArrayRef sum_to(Runtime& env, const ArrayRef& x, const Shape& shape);
ArrayRef dot(Runtime& env, const ArrayRef& a, const ArrayRef& b, bool ta, bool tb);
ArrayRef transpose(Runtime& env, const ArrayRef& x, const std::vector<int64_t>& axes);

}  // namespace ops
}  // namespace ndgrad

// The reverse-mode engine: marking variables, running backward over the recorded graph, and the
// in-place writes whose interaction with recording MXNet defines.
#pragma once

#include <vector>

#include "core/tensor/array.h"
#include "core/runtime/runtime.h"
#include "core/ops/registry.h"

namespace ndgrad {

struct BackwardOptions {
  bool retain_graph = false;
  bool create_graph = false;
  bool train_mode = true;
};

// Makes `var` a leaf of future graphs with `grad` as the buffer backward writes (MXNet
// mark_variables / attach_grad); cuts any history `var` had.
void mark_variable(Runtime& env, const ArrayRef& var, const ArrayRef& grad, GradReq req);

// Backpropagates from heads. head_grads: one per head, null meaning ones. With `variables`
// empty, gradients go into the marked variables' buffers per their grad_req and nothing is
// returned; otherwise one new gradient array per variable is returned and no buffer is touched.
std::vector<ArrayRef> backward(Runtime& env, const std::vector<ArrayRef>& heads,
                               const std::vector<ArrayRef>& head_grads,
                               const std::vector<ArrayRef>& variables, const BackwardOptions& opt);

// Records a custom function application (autograd.Function): outputs become the results of one
// node whose backward is env.custom_backward with `payload` identifying the JS object. Only
// records when recording is on and some input is in a graph; returns whether it did.
bool record_custom(Runtime& env, const std::vector<ArrayRef>& inputs, const std::vector<ArrayRef>& outputs,
                   std::shared_ptr<void> payload);

// A new handle on the same storage with no graph history.
ArrayRef detach(const ArrayRef& x);

// x[:] = src (broadcast, converted to x's dtype). Under record() this is MXNet's _copyto: x
// becomes the output of a recorded copy of src.
void assign(Runtime& env, const ArrayRef& target, const ArrayRef& src);
void assign_scalar(Runtime& env, const ArrayRef& target, double value);
// target op= other (op: add, subtract, multiply, divide with broadcasting of other).
void inplace_binary(Runtime& env, OpId op, const ArrayRef& target, const ArrayRef& other);
void inplace_scalar(Runtime& env, OpId op, const ArrayRef& target, double value);

}  // namespace ndgrad

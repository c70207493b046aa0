#include "core/autograd/autograd.h"

#include <string>
#include <unordered_map>
#include <unordered_set>

#include "core/drivers/elementwise.h"
#include "core/runtime/error.h"
#include "core/ops/ops.h"

namespace ndgrad {

namespace {

const char* const kNotInGraph =
    "Cannot differentiate node because it is not in a computational graph. You need to set "
    "is_recording to true or use autograd.record() to save computational graphs for backward. "
    "If you want to differentiate the same graph twice, you need to pass retain_graph=True to "
    "backward. (In ndgrad: compute the head inside autograd.record(() => ...), and call "
    "backward({ retainGraph: true }) to differentiate it again.)";

const char* const kAssignInGraph =
    "Assigning to NDArrays that are already in a computational graph will cause undefined "
    "behavior when evaluating gradients. Please call backward first to clear the graph or do this "
    "out side of a record section. Also note that you cannot use inplace operations like +=, *=, "
    "relu(x, out=x), y[idx]=x, etc inside a record section. (In ndgrad: addInPlace, set and the "
    "other in-place methods.)";

const char* const kInplaceRecording =
    "Inplace operations (+=, -=, x[:]=, etc) are not supported when recording with autograd.";

// Restores the recording/training flags when backward leaves, also on exceptions.
struct FlagScope {
  Runtime& env;
  bool recording, training;
  FlagScope(Runtime& e, bool rec, bool train) : env(e), recording(e.recording), training(e.training) {
    e.recording = rec;
    e.training = train;
  }
  ~FlagScope() {
    env.recording = recording;
    env.training = training;
  }
};

// Nodes reachable from the heads, inputs before the nodes that use them. Holding them as
// shared pointers keeps the graph alive while backward runs, even if a head was its last owner.
std::vector<NodeRef> topo_order(const std::vector<NodeRef>& roots) {
  std::vector<NodeRef> order;
  std::unordered_set<Node*> seen;
  std::vector<std::pair<NodeRef, size_t>> stack;
  for (const auto& r : roots) {
    if (!seen.insert(r.get()).second) continue;
    stack.push_back({r, 0});
    while (!stack.empty()) {
      auto& top = stack.back();
      Node* n = top.first.get();
      if (top.second < n->inputs.size()) {
        const AGEntry& in = n->inputs[top.second++];
        if (in.live() && seen.insert(in.node.get()).second) stack.push_back({in.node, 0});
      } else {
        order.push_back(std::move(top.first));
        stack.pop_back();
      }
    }
  }
  return order;
}

template <class List>
void check_saved_list(const Node& n, const List& list) {
  {
    for (const SavedTensor& s : list) {
      if (s.storage && s.storage->version() != s.version) {
        throw_error(std::string("backward: an array that '") + n.op->name +
                    "' saved for its gradient was modified in place after it was recorded (version " +
                    std::to_string(s.version) + " -> " + std::to_string(s.storage->version()) +
                    "); the gradient would be wrong. Copy the array before writing to it, or call "
                    "backward first.");
      }
    }
  }
}

void check_saved(const Node& n) { check_saved_list(n, n.saved()); }

Grads run_custom(Runtime& env, const Node& n, const std::vector<ArrayRef>& out_grads) {
  if (!env.custom_backward) throw_error("backward: no handler for custom Function nodes");
  Grads g = env.custom_backward(n, out_grads);
  if (g.size() != n.inputs.size()) {
    throw_error("Function.backward must return exactly the same number of NDArrays as the number "
                "of NDArrays arguments to forward (expected " + std::to_string(n.inputs.size()) +
                ", got " + std::to_string(g.size()) + ")");
  }
  for (size_t i = 0; i < g.size(); ++i) {
    if (g[i] && (g[i]->t.shape != n.input_shape(i) || g[i]->t.dtype != n.input_dtype(i))) {
      throw_range("Function.backward: gradient " + std::to_string(i) + " is " + dtype_name(g[i]->t.dtype) +
                  " " + shape_str(g[i]->t.shape) + " but input " + std::to_string(i) + " is " +
                  dtype_name(n.input_dtype(i)) + " " + shape_str(n.input_shape(i)));
    }
  }
  return g;
}

void accumulate(Runtime& env, ArrayRef& slot, ArrayRef g) {
  slot = slot ? ops::add(env, slot, g) : std::move(g);
}

void write_into(Runtime& env, const ArrayRef& dst, const Tensor& src) {
  Tensor out = dst->t;
  cast_into(env, src, out);
  dst->t.storage->bump_version();
}

// A variable's gradient for grad_req 'write': when the computed gradient's block is used by
// nothing else and the buffer's block by nothing but the buffer, the buffer takes the computed
// block instead of a copy of it (a dense layer's weight gradient is the size of the weight). A
// block seen from elsewhere (a view, a dataView, a saved tensor, a gradient shared by two
// variables) is copied into as before, so whatever sees the buffer's memory sees the new values.
void write_gradient(Runtime& env, const ArrayRef& buffer, ArrayRef g) {
  Tensor& dst = buffer->t;
  const Tensor& src = g->t;
  bool adopt = g->ref_count() == 1 && src.storage->ref_count() == 1 && dst.storage->ref_count() == 1 &&
               src.offset == 0 && dst.offset == 0 && src.dtype == dst.dtype && src.shape == dst.shape &&
               src.storage->bytes() == dst.storage->bytes();
  if (!adopt) return write_into(env, buffer, src);
  dst.storage = src.storage;
  dst.storage->bump_version();
}

}  // namespace

void mark_variable(Runtime& env, const ArrayRef& var, const ArrayRef& grad, GradReq req) {
  auto node = make_node();
  node->set_grad(grad);
  node->grad_req = req;
  node->add_output(var->t);
  var->ag = AGEntry{node, 0};
}

std::vector<ArrayRef> backward(Runtime& env, const std::vector<ArrayRef>& heads,
                               const std::vector<ArrayRef>& head_grads,
                               const std::vector<ArrayRef>& variables, const BackwardOptions& opt) {
  if (heads.empty()) throw_range("backward: heads must not be empty");
  if (head_grads.size() != heads.size()) {
    throw_range("backward: heads and head_grads must be lists of the same length (" +
                std::to_string(heads.size()) + " vs " + std::to_string(head_grads.size()) + ")");
  }
  for (size_t i = 0; i < heads.size(); ++i) {
    if (!heads[i]->ag.live()) throw_error(kNotInGraph);
    if (head_grads[i] && head_grads[i]->t.shape != heads[i]->t.shape) {
      throw_range("backward: head gradient " + std::to_string(i) + " has shape " +
                  shape_str(head_grads[i]->t.shape) + " but its head has shape " + shape_str(heads[i]->t.shape));
    }
    if (head_grads[i] && head_grads[i]->t.dtype != heads[i]->t.dtype) {
      throw_type("backward: head gradient " + std::to_string(i) + " is " + dtype_name(head_grads[i]->t.dtype) +
                 " but its head is " + dtype_name(heads[i]->t.dtype));
    }
  }
  for (size_t i = 0; i < variables.size(); ++i) {
    const AGEntry& e = variables[i]->ag;
    if (!e.live() || !e.node->is_variable() || e.node->grad_req == GradReq::Null) {
      throw_error("Cannot differentiate with respect to the " + std::to_string(i + 1) +
                  "-th variable because it does not require gradient.");
    }
  }

  std::vector<NodeRef> roots;
  for (const ArrayRef& h : heads) roots.push_back(h->ag.node);
  std::vector<NodeRef> order = topo_order(roots);
  bool any_target = false;
  for (const auto& n : order) any_target = any_target || (n->is_variable() && n->grad_req != GradReq::Null);
  if (!any_target) throw_error("There are no inputs in computation graph that require gradients.");

  std::unordered_map<Node*, std::vector<ArrayRef>> grads;
  auto slot = [&](Node* n, uint32_t i) -> ArrayRef& {
    auto& v = grads[n];
    if (v.size() < n->num_outputs()) v.resize(n->num_outputs());
    return v[i];
  };
  {
    FlagScope flags(env, opt.create_graph, opt.train_mode);
    for (size_t i = 0; i < heads.size(); ++i) {
      ArrayRef g = head_grads[i] ? head_grads[i] : ops::ones_like(env, heads[i]);
      accumulate(env, slot(heads[i]->ag.node.get(), heads[i]->ag.index), g);
    }
    for (size_t oi = order.size(); oi-- > 0;) {
      const NodeRef& self = order[oi];
      Node* n = self.get();
      if (n->is_variable()) continue;
      auto it = grads.find(n);
      if (it == grads.end()) continue;
      std::vector<ArrayRef> outs = std::move(it->second);
      grads.erase(it);
      outs.resize(n->num_outputs());
      bool any = false;
      for (const ArrayRef& g : outs) any = any || static_cast<bool>(g);
      if (!any || (n->op && (n->op->flags & kNoGrad))) continue;
      for (size_t i = 0; i < outs.size(); ++i)
        if (!outs[i]) outs[i] = make_array(env.zeros(n->output_shape(i), n->output_dtype(i)));
      Grads in_grads;
      if (n->is_custom()) {
        in_grads = run_custom(env, *n, outs);
      } else {
        check_saved(*n);
        BackwardCtx ctx{env, self, *n, std::move(outs)};
        in_grads = n->op->backward(ctx);
      }
      for (size_t i = 0; i < n->inputs.size() && i < in_grads.size(); ++i) {
        const AGEntry& in = n->inputs[i];
        if (!in.live() || !in_grads[i]) continue;
        ArrayRef g = ops::sum_to(env, in_grads[i], n->input_shape(i));
        accumulate(env, slot(in.node.get(), in.index), std::move(g));
      }
    }
  }

  std::vector<ArrayRef> result;
  if (!variables.empty()) {
    for (const ArrayRef& v : variables) {
      auto it = grads.find(v->ag.node.get());
      ArrayRef g = it != grads.end() && !it->second.empty() ? it->second[0] : ArrayRef();
      result.push_back(g ? g : ops::zeros_like(env, v));
    }
  } else {
    for (const auto& n : order) {
      if (!n->is_variable() || n->grad_req == GradReq::Null || !n->grad()) continue;
      const ArrayRef& buffer = n->grad();
      if (buffer->disposed) throw_error("backward: the gradient buffer of a variable was disposed");
      auto it = grads.find(n.get());
      ArrayRef g = it != grads.end() && !it->second.empty() ? std::move(it->second[0]) : ArrayRef();
      if (n->grad_req == GradReq::Write) {
        if (g) write_gradient(env, buffer, std::move(g));
        else write_into(env, buffer, env.zeros(buffer->t.shape, buffer->t.dtype));
      } else if (g) {
        Tensor acc = buffer->t;
        binary_into(env, kernels::Binary::Add, acc, g->t, acc);
        buffer->t.storage->bump_version();
      }
      n->fresh_grad = true;
    }
  }
  if (!opt.retain_graph) {
    for (const auto& n : order) {
      if (n->is_variable()) continue;
      n->free_graph();
    }
  }
  return result;
}

ArrayRef detach(const ArrayRef& x) { return make_array(x->t); }

bool record_custom(Runtime& env, const std::vector<ArrayRef>& inputs, const std::vector<ArrayRef>& outputs,
                   std::shared_ptr<void> payload) {
  bool any_live = false;
  for (const ArrayRef& a : inputs) any_live = any_live || a->ag.live();
  if (!env.recording || !any_live) return false;
  NodeRef node = record_node(nullptr, inputs.data(), inputs.size(), outputs.data(), outputs.size());
  node->set_custom(std::move(payload));
  return true;
}

namespace {

// The target of an in-place write under record(): MXNet's first check.
void check_target(Runtime& env, const ArrayRef& target) {
  if (env.recording && target->ag.live()) throw_error(kAssignInGraph);
}

}  // namespace

void assign(Runtime& env, const ArrayRef& target, const ArrayRef& src) {
  if (target.get() == src.get()) return;
  check_target(env, target);
  Shape bshape = broadcast_shapes(src->t.shape, target->t.shape, "set");
  if (bshape != target->t.shape) {
    throw_range("set: value of shape " + shape_str(src->t.shape) + " cannot be broadcast to " +
                shape_str(target->t.shape));
  }
  Tensor out = target->t;
  if (src->t.shape == out.shape) {
    cast_into(env, src->t, out);
  } else if (src->t.dtype == out.dtype) {
    broadcast_into(env, src->t, out);
  } else {
    Tensor tmp = env.empty(out.shape, src->t.dtype);
    broadcast_into(env, src->t, tmp);
    cast_into(env, tmp, out);
  }
  target->t.storage->bump_version();
  if (env.recording && src->ag.live()) {
    // Recorded as a copy of src into target (MXNet's _copyto), so gradients flow to src.
    record_node(&op_def(OpId::copy), &src, 1, &target, 1);
  }
}

void assign_scalar(Runtime& env, const ArrayRef& target, double value) {
  check_target(env, target);
  Tensor out = target->t;
  fill_into(env, out, value);
  target->t.storage->bump_version();
}

namespace {

kernels::Binary inplace_kernel(OpId op) {
  switch (op) {
    case OpId::add: return kernels::Binary::Add;
    case OpId::subtract: return kernels::Binary::Sub;
    case OpId::multiply: return kernels::Binary::Mul;
    case OpId::divide: return kernels::Binary::Div;
    default: throw_type("in-place: unsupported op");
  }
}

}  // namespace

void inplace_binary(Runtime& env, OpId op, const ArrayRef& target, const ArrayRef& other) {
  const char* name = op_def(op).name;
  check_target(env, target);
  if (env.recording && other->ag.live()) throw_error(kInplaceRecording);
  if (target->t.dtype != other->t.dtype) {
    throw_type(std::string(name) + " (in place): operands have different dtypes, target " +
               dtype_name(target->t.dtype) + " and value " + dtype_name(other->t.dtype));
  }
  if (broadcast_shapes(target->t.shape, other->t.shape, name) != target->t.shape) {
    throw_range(std::string(name) + " (in place): value of shape " + shape_str(other->t.shape) +
                " cannot be broadcast to the target shape " + shape_str(target->t.shape));
  }
  Tensor out = target->t;
  binary_into(env, inplace_kernel(op), target->t, other->t, out);
  target->t.storage->bump_version();
}

void inplace_scalar(Runtime& env, OpId op, const ArrayRef& target, double value) {
  check_target(env, target);
  Tensor out = target->t;
  binary_scalar_into(env, inplace_kernel(op), target->t, value, false, out);
  target->t.storage->bump_version();
}

}  // namespace ndgrad

// The one path every op call takes: shape rule, allocation, forward, and recording.
#include <memory>
#include <new>
#include <string>

#include "error.h"
#include "ops.h"

namespace ndgrad {

namespace {

void check_input(const OpDef& def, const ArrayRef& a, size_t i) {
  if (!a) throw_type(std::string(def.name) + ": input " + std::to_string(i) + " is missing");
  if (a->disposed) {
    throw_error(std::string(def.name) + ": input " + std::to_string(i) +
                " is an NDArray that was disposed");
  }
}

}  // namespace

ArrayList invoke(Env& env, OpId id, const ArrayList& inputs, const Attrs& attrs) {
  const OpDef& def = op_def(id);
  if (def.num_inputs >= 0 && inputs.size() != static_cast<size_t>(def.num_inputs)) {
    throw_type(std::string(def.name) + ": expected " + std::to_string(def.num_inputs) +
               " inputs, got " + std::to_string(inputs.size()));
  }
  SmallVec<Tensor, 4> in;
  for (size_t i = 0; i < inputs.size(); ++i) {
    check_input(def, inputs[i], i);
    in.push_back(inputs[i]->t);
  }
  OpCall call{env, in.data(), in.size(), attrs, {}};
  OutSpecs specs;
  def.infer(call, specs);
  if (!(def.flags & kView)) {
    for (const OutSpec& s : specs) {
      check_shape(s.shape, def.name, "output shape");
      try {
        call.out.push_back(env.empty(s.shape, s.dtype));
      } catch (const std::bad_alloc& e) {
        throw_range(std::string(def.name) + ": output of shape " + shape_str(s.shape) + " (" + dtype_name(s.dtype) +
                    "): " + e.what());
      }
    }
  }
  def.forward(call);

  ArrayList outs;
  for (Tensor& t : call.out) outs.push_back(make_array(std::move(t)));

  if (!env.recording || (def.flags & kCreation)) return outs;
  bool any_live = false;
  for (const ArrayRef& a : inputs) any_live = any_live || a->ag.live();
  if (!any_live) return outs;

  auto node = make_node();
  node->op = &def;
  node->set_attrs(attrs);
  node->inputs.reserve(inputs.size());
  for (const ArrayRef& a : inputs) node->add_input(a->ag.live() ? a->ag : AGEntry{}, a->t);
  if (def.flags & kSaveInputs)
    for (const ArrayRef& a : inputs) node->save_input(a->t);
  for (size_t i = 0; i < outs.size(); ++i) {
    node->add_output(outs[i]->t);
    // The saved output keeps no entry: it would point back at this node (a cycle).
    if (def.flags & kSaveOutputs) node->save_output(outs[i]->t);
    outs[i]->ag = AGEntry{node, static_cast<uint32_t>(i)};
  }
  return outs;
}

ArrayRef invoke1(Env& env, OpId id, const ArrayList& inputs, const Attrs& attrs) {
  ArrayList outs = invoke(env, id, inputs, attrs);
  return std::move(outs[0]);
}

namespace ops {

ArrayRef unary(Env& env, OpId id, const ArrayRef& x) { return invoke1(env, id, {x}, no_attrs()); }

ArrayRef binary(Env& env, OpId id, const ArrayRef& a, const ArrayRef& b) {
  return invoke1(env, id, {a, b}, no_attrs());
}

ArrayRef scalar(Env& env, OpId id, const ArrayRef& a, double s) {
  Attrs at;
  at.scalar = s;
  return invoke1(env, id, {a}, at);
}

ArrayRef zeros_like(Env& env, const ArrayRef& x) {
  return make_array(env.zeros(x->t.shape, x->t.dtype));
}

ArrayRef ones_like(Env& env, const ArrayRef& x) {
  return make_array(env.full(x->t.shape, x->t.dtype, 1.0));
}

ArrayRef reshape(Env& env, const ArrayRef& x, const Shape& shape) {
  if (x->t.shape == shape) return x;
  Attrs at;
  at.shape = shape;
  at.literal_shape = true;
  return invoke1(env, OpId::reshape, {x}, at);
}

ArrayRef broadcast_to(Env& env, const ArrayRef& x, const Shape& shape) {
  if (x->t.shape == shape) return x;
  Attrs at;
  at.shape = shape;
  return invoke1(env, OpId::broadcast_to, {x}, at);
}

ArrayRef sum_to(Env& env, const ArrayRef& x, const Shape& shape) {
  if (x->t.shape == shape) return x;
  Attrs at;
  at.shape = shape;
  return invoke1(env, OpId::sum_to, {x}, at);
}

ArrayRef dot(Env& env, const ArrayRef& a, const ArrayRef& b, bool ta, bool tb) {
  Attrs at;
  at.transpose_a = ta;
  at.transpose_b = tb;
  return invoke1(env, OpId::dot, {a, b}, at);
}

ArrayRef transpose(Env& env, const ArrayRef& x, const std::vector<int64_t>& axes) {
  Attrs at;
  at.axes = axes;
  at.has_axes = true;
  return invoke1(env, OpId::transpose, {x}, at);
}

}  // namespace ops

ArrayRef BackwardCtx::input(size_t i) const {
  ArrayRef a = make_array(node.saved_input(i));
  if (env.recording) a->ag = node.inputs[i];
  return a;
}

ArrayRef BackwardCtx::output(size_t i) const {
  ArrayRef a = make_array(node.saved_output(i));
  if (env.recording) a->ag = AGEntry{self, static_cast<uint32_t>(i)};
  return a;
}

}  // namespace ndgrad

// The one path every op call takes: shape rule, allocation, forward, and recording.
#include <memory>
#include <new>
#include <string>

#include "core/drivers/elementwise.h"
#include "core/runtime/error.h"
#include "core/ops/ops.h"

namespace ndgrad {

namespace {

void check_input(const OpDef& def, const ArrayRef& a, size_t i) {
  if (!a) throw_type(std::string(def.name) + ": input " + std::to_string(i) + " is missing");
  if (a->disposed) {
    throw_error(std::string(def.name) + ": input " + std::to_string(i) +
                " is an NDArray that was disposed");
  }
}

// An op that writes inputs in place (an optimizer update and its state, batch-norm statistics)
// must not write an array of a graph being recorded (MXNet's rule for in-place writes); a recorded
// graph that saved an array sees the version the write bumps and refuses to run its backward with
// the new data. Two written inputs sharing a buffer would make the result depend on the order of
// the writes, so that is refused too.
void check_writes(const Runtime& env, const OpDef& def, const ArrayList& inputs) {
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!writes_input(def, i)) continue;
    if (env.recording && inputs[i]->ag.live()) {
      throw_error(std::string(def.name) + ": cannot write input " + std::to_string(i) +
                  " in place while recording: it is in the graph (update outside autograd.record)");
    }
    for (size_t j = 0; j < i; ++j) {
      if (writes_input(def, j) && inputs[j]->t.storage.get() == inputs[i]->t.storage.get()) {
        throw_range(std::string(def.name) + ": inputs " + std::to_string(j) + " and " + std::to_string(i) +
                    " are written in place and share memory; pass separate arrays");
      }
    }
  }
}

void bump_written(const OpDef& def, const ArrayList& inputs) {
  for (size_t i = 0; i < inputs.size(); ++i)
    if (writes_input(def, i)) inputs[i]->t.storage->bump_version();
}

// MXNet's out=: one array per result (a list for an op with several), each of its result's shape
// and dtype, not an array of the graph being recorded (a fresh one is recorded as the op's output,
// as MXNet does), and no two of them sharing memory (the results would overwrite each other).
void check_out(const Runtime& env, const OpDef& def, const ArrayList& outs, const OutSpecs& specs) {
  std::string name = def.name;
  if (outs.size() != specs.size()) {
    throw_type(name + ": out has " + std::to_string(outs.size()) + (outs.size() == 1 ? " array" : " arrays") +
               ", and this op has " + std::to_string(specs.size()) + " results" +
               (specs.size() > 1 ? " (pass a list of " + std::to_string(specs.size()) + " arrays)" : ""));
  }
  for (size_t i = 0; i < outs.size(); ++i) {
    const ArrayRef& out = outs[i];
    std::string arg = outs.size() > 1 ? "out[" + std::to_string(i) + "]" : "out";
    if (out->disposed) throw_error(name + ": " + arg + " is an NDArray that was disposed");
    const OutSpec& r = specs[i];
    if (out->t.shape != r.shape || out->t.dtype != r.dtype) {
      std::string msg = name + ": " + arg + " has shape " + shape_str(out->t.shape) + " and dtype " + dtype_name(out->t.dtype) +
                        ", the result has shape " + shape_str(r.shape) + " and dtype " + dtype_name(r.dtype);
      if (out->t.shape != r.shape) throw_range(msg);
      throw_type(msg);
    }
    if (env.recording && out->ag.live()) {
      throw_error(name + ": " + arg + " is an array of the graph being recorded; writing it would change what the graph " +
                  "computed (MXNet refuses this too): pass a fresh array or call the op outside autograd.record()");
    }
    for (size_t j = 0; j < i; ++j) {
      if (outs[j]->t.storage == out->t.storage) {
        throw_range(name + ": out[" + std::to_string(j) + "] and " + arg + " share memory; pass separate arrays");
      }
    }
  }
}

bool shares_storage(const ArrayList& outs, const ArrayList& inputs) {
  for (const ArrayRef& o : outs)
    for (const ArrayRef& a : inputs)
      if (a->t.storage && a->t.storage == o->t.storage) return true;
  return false;
}

// Copies results computed aside (a view op's, or an op that reads one of the outs) into the outs.
// A result that is a view of some out is copied aside first, before any out is written.
void copy_into_outs(Runtime& env, SmallVec<Tensor, 2>& results, const ArrayList& outs) {
  for (Tensor& result : results) {
    for (const ArrayRef& o : outs) {
      if (result.storage == o->t.storage) {
        Tensor aside = env.empty(result.shape, result.dtype);
        cast_into(env, result, aside);
        result = aside;
        break;
      }
    }
  }
  for (size_t i = 0; i < outs.size(); ++i) {
    Tensor target = outs[i]->t;
    cast_into(env, results[i], target);
  }
}

// Whether a call of `def` is recorded while some input is in the graph. A mutating op is never
// recorded: its writes have no gradient, and its outputs (LAMB's phase-one direction) are plain
// arrays. So are the moving statistics batch norm updates.
bool records(const Runtime& env, const OpDef& def) { return env.recording && !(def.flags & (kCreation | kMutates)); }

// Records the call when some input is in a graph being recorded.
void record_call(Runtime& env, const OpDef& def, const ArrayList& inputs, const ArrayRef* results, size_t num_results,
                 const void* params) {
  if (!records(env, def)) return;
  bool any_live = false;
  for (const ArrayRef& a : inputs) any_live = any_live || a->ag.live();
  if (!any_live) return;
  NodeRef node = record_node(&def, inputs.data(), inputs.size(), results, num_results);
  node->set_params(params);
}

Tensor allocate_output(Runtime& env, const OpDef& def, const Shape& shape, DType dtype) {
  try {
    return env.empty(shape, dtype);
  } catch (const std::bad_alloc& e) {
    throw_range(std::string(def.name) + ": output of shape " + shape_str(shape) + " (" + dtype_name(dtype) + "): " + e.what());
  }
}

// Copies of two input tensors that borrow their storage: the inputs hold it for the whole call,
// so the copies take no reference of their own (two locked increments and decrements fewer).
struct BorrowedPair {
  Tensor t[2];
  BorrowedPair() = default;
  ~BorrowedPair() {
    for (Tensor& x : t) x.storage.leak();
  }
  BorrowedPair(const BorrowedPair&) = delete;
  BorrowedPair& operator=(const BorrowedPair&) = delete;
  const Tensor* borrow(const Tensor& a, const Tensor& b) {
    borrow(t[0], a);
    borrow(t[1], b);
    return t;
  }

 private:
  static void borrow(Tensor& to, const Tensor& from) {
    to.storage = Ref<Storage>::adopt(from.storage.get());
    to.offset = from.offset;
    to.shape = from.shape;
    to.dtype = from.dtype;
  }
};

// The entry of an input that is not in the graph. Both arms of `live ? a->ag : kNotInGraph` are
// lvalues, so the entry is copied once, into the node; a temporary AGEntry{} arm would copy the
// input's entry into a temporary first, taking and dropping a count of its node.
const AGEntry kNotInGraph{};

// Records a same-shape call (below): one or two inputs (x, and y when there are two) and the
// result, all of one shape and dtype, on the node layout of the usual case (a node holds two
// entries and two saved tensors in place, and an elementwise op's shape once, inline up to
// eight dimensions; beyond that assign_same takes push_back's path, which spills). What
// record_call and record_node find out in loops is known here: the entries, shapes and saved
// tensors are written in place, the result's entry takes the node's only count, and the options
// are looked at only for an op that has them. Stores what record_node stores (a native test
// compares the two). Out of line: inlined into same_shape_call, it grew the unrecorded path
// past the inliner's budget (op_def became a call there: 40 instructions more per unrecorded op).
[[gnu::noinline]] void record_same_shape(Runtime& env, const OpDef& def, const ArrayList& inputs, Array& result,
                                         const void* params) {
  if (!records(env, def)) return;
  const size_t n = inputs.size();
  const Array& x = *inputs[0];
  const Array& y = n == 2 ? *inputs[1] : x;
  const bool x_live = x.ag.live();
  const bool y_live = n == 2 && y.ag.live();
  if (!x_live && !y_live) return;
  Node* node = new Node;
  node->op = &def;
  node->add_entry_fresh(x_live ? x.ag : kNotInGraph);
  if (n == 2) node->add_entry_fresh(y_live ? y.ag : kNotInGraph);
  node->add_same_metas(n + 1, result.t);
  if (uint32_t saved = saved_input_mask(def.flags)) {
    if (is_saved(saved, 0)) node->save_input_fresh(x.t);
    if (n == 2 && is_saved(saved, 1)) node->save_input_fresh(y.t);
  }
  if (is_saved(saved_output_mask(def.flags), 0)) node->save_output_fresh(result.t);
  if (def.params.type) node->set_params(params);
  result.ag = AGEntry{NodeRef(node), 0};
}

// An elementwise op (kElementwise) on operands of one shape and dtype, the usual small op: its
// result has that shape and dtype, so the shape rule, its output list and the checks of a shape
// never seen before are skipped. Forward and recording are the op's own, as on the generic path.
// Null when anything differs (broadcasting, mixed dtypes, a wrong arity, a missing or disposed
// input): the generic path then decides, and reports what is wrong.
ArrayRef same_shape_call(Runtime& env, const OpDef& def, const ArrayList& inputs, const void* params) {
  size_t n = inputs.size();
  if (!(def.flags & kElementwise) || n != static_cast<size_t>(def.num_inputs) || n == 0 || n > 2) return ArrayRef();
  const Array* x = inputs[0].get();
  const Array* y = n == 2 ? inputs[1].get() : x;
  if (!x || !y || x->disposed || y->disposed) return ArrayRef();
  if (y != x && (y->t.dtype != x->t.dtype || y->t.shape != x->t.shape)) return ArrayRef();
  if (!params) params = def.defaults.get();
  // A unary op reads its input's tensor where it is; a binary op needs the two side by side.
  BorrowedPair pair;
  OpCall call{env, def, n == 2 ? pair.borrow(x->t, y->t) : &x->t, n, params, {}};
  call.out.push_back(allocate_output(env, def, x->t.shape, x->t.dtype));
  def.forward(call);
  ArrayRef result = make_array(std::move(call.out[0]));
  record_same_shape(env, def, inputs, *result, params);
  return result;
}

}  // namespace

ArrayList invoke_params(Runtime& env, OpId id, const ArrayList& inputs, const void* params, const ArrayList& outs) {
  const OpDef& def = op_def(id);
  if (!params) params = def.defaults.get();
  if (def.num_inputs >= 0 && inputs.size() != static_cast<size_t>(def.num_inputs)) {
    throw_type(std::string(def.name) + ": expected " + std::to_string(def.num_inputs) +
               " inputs, got " + std::to_string(inputs.size()));
  }
  SmallVec<Tensor, 4> in;
  for (size_t i = 0; i < inputs.size(); ++i) {
    check_input(def, inputs[i], i);
    in.push_back(inputs[i]->t);
  }
  OpCall call{env, def, in.data(), in.size(), params, {}};
  OutSpecs specs;
  def.infer(call, specs);
  const bool has_out = !outs.empty();
  if (has_out) check_out(env, def, outs, specs);
  // The results go straight into the outs unless the op makes views or an out is also read (then
  // the results are computed aside and copied: temporaries, as NumPy makes for overlapping operands).
  bool into_out = has_out && !(def.flags & kView) && !shares_storage(outs, inputs);
  if (into_out)
    for (const ArrayRef& o : outs) call.out.push_back(o->t);
  if (!(def.flags & kView) && !into_out) {
    for (const OutSpec& s : specs) {
      check_shape(s.shape, def.name, "output shape");
      call.out.push_back(allocate_output(env, def, s.shape, s.dtype));
    }
  }
  const bool mutates = def.flags & kMutates;
  if (mutates) check_writes(env, def, inputs);
  def.forward(call);
  if (mutates) bump_written(def, inputs);

  ArrayList results;
  if (has_out) {
    if (!into_out) copy_into_outs(env, call.out, outs);
    for (const ArrayRef& o : outs) o->t.storage->bump_version();
    results = outs;
  } else {
    for (Tensor& t : call.out) results.push_back(make_array(std::move(t)));
  }

  record_call(env, def, inputs, results.data(), results.size(), params);
  return results;
}

NodeRef record_node(const OpDef* op, const ArrayRef* inputs, size_t num_inputs, const ArrayRef* outputs,
                    size_t num_outputs) {
  NodeRef node = make_node();
  node->op = op;
  uint32_t flags = op ? op->flags : 0;
  node->inputs.reserve(num_inputs);
  for (size_t i = 0; i < num_inputs; ++i) {
    const ArrayRef& a = inputs[i];
    node->add_input(a->ag.live() ? a->ag : kNotInGraph, a->t);
  }
  if (uint32_t saved = saved_input_mask(flags))
    for (size_t i = 0; i < num_inputs; ++i)
      if (is_saved(saved, i)) node->save_input(inputs[i]->t);
  uint32_t saved_outputs = saved_output_mask(flags);
  for (size_t i = 0; i < num_outputs; ++i) {
    node->add_output(outputs[i]->t);
    // The saved output keeps no entry: it would point back at this node (a cycle).
    if (is_saved(saved_outputs, i)) node->save_output(outputs[i]->t);
    outputs[i]->ag = AGEntry{node, static_cast<uint32_t>(i)};
  }
  return node;
}

void throw_other_params(OpId id) {
  throw_type(std::string(op_def(id).name) + ": called with options of another kind than its own");
}

void throw_no_output(OpId id) {
  throw_type(std::string(op_def(id).name) + ": returns no array of its own (it updates its inputs in place)");
}

ArrayRef invoke1_params(Runtime& env, OpId id, const ArrayList& inputs, const void* params) {
  if (ArrayRef r = same_shape_call(env, op_def(id), inputs, params)) return r;
  ArrayList outs = invoke_params(env, id, inputs, params);
  if (outs.empty()) throw_no_output(id);
  return std::move(outs[0]);
}

namespace ops {

ArrayRef unary(Runtime& env, OpId id, const ArrayRef& x) { return invoke1(env, id, {x}); }

ArrayRef binary(Runtime& env, OpId id, const ArrayRef& a, const ArrayRef& b) { return invoke1(env, id, {a, b}); }

ArrayRef scalar(Runtime& env, OpId id, const ArrayRef& a, double s) {
  return invoke1(env, id, {a}, ScalarParams{s});
}

ArrayRef zeros_like(Runtime& env, const ArrayRef& x) {
  return make_array(env.zeros(x->t.shape, x->t.dtype));
}

ArrayRef ones_like(Runtime& env, const ArrayRef& x) {
  return make_array(env.full(x->t.shape, x->t.dtype, 1.0));
}

ArrayRef reshape(Runtime& env, const ArrayRef& x, const Shape& shape) {
  if (x->t.shape == shape) return x;
  ReshapeParams p;
  p.shape = shape;
  p.literal_shape = true;
  return invoke1(env, OpId::reshape, {x}, p);
}

ArrayRef broadcast_to(Runtime& env, const ArrayRef& x, const Shape& shape) {
  if (x->t.shape == shape) return x;
  return invoke1(env, OpId::broadcast_to, {x}, ShapeParams{shape});
}

ArrayRef sum_to(Runtime& env, const ArrayRef& x, const Shape& shape) {
  if (x->t.shape == shape) return x;
  return invoke1(env, OpId::sum_to, {x}, ShapeParams{shape});
}

ArrayRef dot(Runtime& env, const ArrayRef& a, const ArrayRef& b, bool ta, bool tb) {
  return invoke1(env, OpId::dot, {a, b}, DotParams{ta, tb});
}

ArrayRef transpose(Runtime& env, const ArrayRef& x, const std::vector<int64_t>& axes) {
  return invoke1(env, OpId::transpose, {x}, AxesParams{axes, true});
}

}  // namespace ops

namespace {

[[noreturn]] void throw_not_saved(const Node& node, const char* kind, size_t i) {
  std::string n = std::to_string(i);
  throw_error(std::string(node.op->name) + ": backward reads " + kind + " " + n + ", which the op does not save (add kSave" +
              (kind[0] == 'i' ? "Input" : "Output") + n + " to its registry entry)");
}

}  // namespace

// A backward that reads a tensor its op did not declare saved would get another tensor (or none):
// the declaration is the op's flags, checked here on every read.
ArrayRef BackwardCtx::input(size_t i) const {
  uint32_t mask = saved_input_mask(node.op->flags);
  if (!is_saved(mask, i)) throw_not_saved(node, "input", i);
  ArrayRef a = make_array(node.saved_input(i, saved_slot(mask, i)));
  if (env.recording) a->ag = node.inputs[i];
  return a;
}

ArrayRef BackwardCtx::output(size_t i) const {
  uint32_t mask = saved_output_mask(node.op->flags);
  if (!is_saved(mask, i)) throw_not_saved(node, "output", i);
  ArrayRef a = make_array(node.saved_output(i, saved_slot(mask, i)));
  if (env.recording) a->ag = AGEntry{self, static_cast<uint32_t>(i)};
  return a;
}

}  // namespace ndgrad

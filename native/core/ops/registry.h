// The op registry: one OpDef per operator with its arity, its options (a parameter struct of
// its own), output-shape rule, forward and backward. Backward formulas are written with registry
// ops (ops.h), so running them while recording yields gradients of gradients.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/tensor/array.h"
#include "core/runtime/runtime.h"
#include "core/ops/op_list.h"
#include "core/ops/params.h"

namespace ndgrad {

// What a backward reads is what recording saves (PyTorch's derivatives.yaml): kSaveInputs and
// kSaveOutputs save all of them; kSaveInput0..3 and kSaveOutput0..3 save one each, so that a
// formula reading only the index of a gather or the mask of a dropout keeps only that alive.
enum OpFlags : uint32_t {
  kSaveInputs = 1u << 0,   // backward reads the inputs (all of them)
  kSaveOutputs = 1u << 1,  // backward reads the outputs (all of them)
  kView = 1u << 2,         // forward returns views of input 0 (no allocation)
  kNoGrad = 1u << 3,       // gradient is zero everywhere (comparisons, rounding, argmax)
  kCreation = 1u << 4,     // no inputs: creates data (zeros, random, ...)
  kMutates = 1u << 5,      // writes inputs in place: input 0 alone, or those set_writes names
  // Elementwise: inputs of one shape and dtype give one result of that shape and dtype, and the
  // shape rule checks nothing more for them (invoke then skips it: the per-call cost of small ops).
  kElementwise = 1u << 6,
  kSaveInput0 = 1u << 8,   // backward reads input 0 (and the others only as declared)
  kSaveInput1 = 1u << 9,
  kSaveInput2 = 1u << 10,
  kSaveInput3 = 1u << 11,
  kSaveOutput0 = 1u << 12,  // backward reads output 0
  kSaveOutput1 = 1u << 13,
  kSaveOutput2 = 1u << 14,
  kSaveOutput3 = 1u << 15,
};

constexpr int kSaveInputShift = 8, kSaveOutputShift = 12, kMaxSavedIndex = 4;

// The inputs (outputs) that recording saves, one bit each from bit 0; all of them for
// kSaveInputs (kSaveOutputs).
constexpr uint32_t saved_input_mask(uint32_t flags) {
  return (flags & kSaveInputs) ? ~0u : (flags >> kSaveInputShift) & 0xFu;
}
constexpr uint32_t saved_output_mask(uint32_t flags) {
  return (flags & kSaveOutputs) ? ~0u : (flags >> kSaveOutputShift) & 0xFu;
}
constexpr bool is_saved(uint32_t mask, size_t i) {
  return i >= kMaxSavedIndex ? mask == ~0u : ((mask >> i) & 1u) != 0;
}
// Where saved tensor i sits among those saved of its kind (is_saved(mask, i) holds).
inline size_t saved_slot(uint32_t mask, size_t i) {
  return mask == ~0u ? i : static_cast<size_t>(__builtin_popcount(mask & ((1u << i) - 1u)));
}

// Input domains for the generic gradient and golden tests (the tests draw inputs from them).
enum class Domain : uint8_t { Any, Positive, Unit, NonZero, AwayFromInt };

struct OpDef;

struct OpCall {
  Runtime& env;
  const OpDef& def;
  const Tensor* in;
  size_t num_inputs;
  const void* param_block;  // the op's parameter struct (null for an op without options)
  SmallVec<Tensor, 2> out;  // allocated from the shape rule before forward (except kView ops)

  // The op's options, as the struct its table declares (checked in debug builds).
  template <class P>
  const P& params() const;
};

struct OutSpec {
  Shape shape;
  DType dtype;
};
using OutSpecs = SmallVec<OutSpec, 2>;
using ArrayList = SmallVec<ArrayRef, 4>;

struct BackwardCtx;
using Grads = std::vector<ArrayRef>;  // one per input; a null entry means "no gradient"

struct OpDef {
  const char* name = nullptr;
  int num_inputs = 1;   // -1: any number
  uint32_t flags = 0;
  Domain domain = Domain::Any;
  // Shape rule: validates inputs and options (throwing errors that name the op) and gives
  // the outputs' shapes and dtypes.
  void (*infer)(const OpCall& call, OutSpecs& outs) = nullptr;
  void (*forward)(OpCall& call) = nullptr;
  Grads (*backward)(BackwardCtx& ctx) = nullptr;
  // The options a call may pass (set_params): their struct and fields, and the struct a call
  // without options gets (every field's default).
  ParamTable params;
  ParamBlock defaults;
  // The inputs a kMutates op writes (set_writes): bit i of writes_mask is input i, or, when
  // writes_stride > 0, input i of every group of writes_stride inputs (the multi-tensor updates'
  // (weight, grad, state...) groups). A kMutates op without a mask writes input 0.
  uint32_t writes_mask = 0;
  int writes_stride = 0;
};

// Whether op d writes input i in place.
inline bool writes_input(const OpDef& d, size_t i) {
  if (!(d.flags & kMutates)) return false;
  if (d.writes_mask == 0) return i == 0;
  if (d.writes_stride > 0) i %= static_cast<size_t>(d.writes_stride);
  return i < 32 && ((d.writes_mask >> i) & 1u);
}

template <class P>
const P& OpCall::params() const {
  return param_cast<P>(def.params, param_block);
}

// Everything a backward formula can read. input(i)/output(i) are arrays that, when the backward
// pass is being recorded, are connected to the graph (so their own gradients flow).
struct BackwardCtx {
  Runtime& env;
  const NodeRef& self;
  const Node& node;
  std::vector<ArrayRef> out_grads;  // one per output, never null

  // The options the node was recorded with.
  template <class P>
  const P& params() const {
    return param_cast<P>(node.op->params, node.params());
  }
  const ArrayRef& grad(size_t i = 0) const { return out_grads[i]; }
  ArrayRef input(size_t i) const;
  ArrayRef output(size_t i) const;
  Shape input_shape(size_t i) const { return node.input_shape(i); }
  // Whether input i is in the graph, so that its gradient is used: a formula may leave the
  // gradient of any other input null and skip computing it (a dense layer's data gradient).
  bool needs_grad(size_t i) const { return i < node.inputs.size() && node.inputs[i].live(); }
};

// What is wrong with a registry table, one line per problem (empty when complete): an op without
// a shape rule or forward, without a backward and without the kNoGrad mark, a field without a
// member to fill. The registry aborts the load when its own table has any.
std::string registry_problems(const std::vector<OpDef>& table);

const OpDef& op_def(OpId id);
const OpDef* op_def_by_name(const char* name);
// All registered ops, indexed by OpId.
const std::vector<OpDef>& registry();

// Registration hooks, one per ops_*.cc family.
void define_elementwise_ops(std::vector<OpDef>& table);
void define_reduce_ops(std::vector<OpDef>& table);
void define_shape_ops(std::vector<OpDef>& table);
void define_creation_ops(std::vector<OpDef>& table);
void define_linalg_ops(std::vector<OpDef>& table);
void define_nn_ops(std::vector<OpDef>& table);
void define_index_ops(std::vector<OpDef>& table);
void define_join_ops(std::vector<OpDef>& table);
void define_order_ops(std::vector<OpDef>& table);
void define_pool_ops(std::vector<OpDef>& table);
void define_norm_ops(std::vector<OpDef>& table);
void define_numeric_ops(std::vector<OpDef>& table);
void define_la_ops(std::vector<OpDef>& table);
void define_conv_ops(std::vector<OpDef>& table);
void define_dense_ops(std::vector<OpDef>& table);
// Called from define_order_ops: the gathers and their scatters (ops_take.cc), random_shuffle.
void define_take_ops(std::vector<OpDef>& table);
void define_shuffle_ops(std::vector<OpDef>& table);
void define_optim_ops(std::vector<OpDef>& table);
void define_activation_ops(std::vector<OpDef>& table);
void define_embed_ops(std::vector<OpDef>& table);
void define_relu_grad_ops(std::vector<OpDef>& table);

inline OpDef& def_slot(std::vector<OpDef>& table, OpId id) { return table[static_cast<int>(id)]; }

// Fills the registry entry of one op.
inline void define_op(std::vector<OpDef>& table, OpId id, int num_inputs,
                      void (*infer)(const OpCall&, OutSpecs&), void (*forward)(OpCall&),
                      Grads (*backward)(BackwardCtx&), uint32_t flags, Domain domain = Domain::Any) {
  OpDef& d = def_slot(table, id);
  d.num_inputs = num_inputs;
  d.infer = infer;
  d.forward = forward;
  d.backward = backward;
  d.flags = flags;
  d.domain = domain;
}

// Declares which inputs a mutating op writes (see OpDef::writes_mask) and marks it kMutates.
inline void set_writes(std::vector<OpDef>& table, OpId id, uint32_t mask, int stride = 0) {
  OpDef& d = def_slot(table, id);
  d.flags |= kMutates;
  d.writes_mask = mask;
  d.writes_stride = stride;
}

// Declares the options of one op: their struct P and the field table that fills it and holds
// their defaults.
template <class P, size_t N>
void set_params(std::vector<OpDef>& table, OpId id, const FieldDef (&fields)[N]) {
  def_slot(table, id).params = ParamTable{&kParamType<P>, fields, N};
}
// An op whose struct P only the library fills (an internal op: a gradient, a helper of ops.h).
template <class P>
void set_params(std::vector<OpDef>& table, OpId id) {
  def_slot(table, id).params = ParamTable{&kParamType<P>, nullptr, 0};
}

}  // namespace ndgrad

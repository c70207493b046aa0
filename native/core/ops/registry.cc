#include "core/ops/registry.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace ndgrad {

namespace {

const char* const kOpNames[] = {
#define NDGRAD_OP_NAME(name) #name,
    NDGRAD_OPS(NDGRAD_OP_NAME)
#undef NDGRAD_OP_NAME
};

}  // namespace

std::string registry_problems(const std::vector<OpDef>& table) {
  std::string problems;
  for (const OpDef& d : table) {
    std::string name = d.name;
    if (!d.infer) problems += name + ": no shape rule\n";
    if (!d.forward) problems += name + ": no forward\n";
    if (!d.backward && !(d.flags & kNoGrad)) problems += name + ": no backward and no kNoGrad mark\n";
    if (d.backward && (d.flags & kNoGrad)) problems += name + ": a backward and a kNoGrad mark\n";
    if ((d.flags & kView) && (d.flags & kMutates)) problems += name + ": a view cannot write its input\n";
    if ((d.flags & kElementwise) && (d.flags & (kView | kMutates | kCreation))) problems += name + ": an elementwise op makes a fresh result\n";
    if ((d.flags & kMutates) && d.backward) problems += name + ": a mutating op is never recorded, so it has no backward\n";
    uint32_t one_input = (d.flags >> kSaveInputShift) & 0xFu, one_output = (d.flags >> kSaveOutputShift) & 0xFu;
    if ((d.flags & kSaveInputs) && one_input) problems += name + ": kSaveInputs and a kSaveInput<i> mark\n";
    if ((d.flags & kSaveOutputs) && one_output) problems += name + ": kSaveOutputs and a kSaveOutput<i> mark\n";
    if (d.num_inputs >= 0 && (one_input >> d.num_inputs)) problems += name + ": saves an input it does not have\n";
    if ((d.flags & kNoGrad) && (saved_input_mask(d.flags) | saved_output_mask(d.flags))) problems += name + ": saves tensors but has no gradient\n";
    for (const FieldDef& f : d.params) {
      if (f.slot && (!d.params.type || f.owner->id != d.params.type->id)) problems += name + "." + f.name + ": fills a member of another struct\n";
      if (!f.slot && f.kind != FieldKind::Ignored) problems += name + "." + f.name + ": no member to fill\n";
      if ((f.kind == FieldKind::Axis || f.kind == FieldKind::Axes) && !f.given) problems += name + "." + f.name + ": no flag\n";
      if (f.kind == FieldKind::Enum && !*f.choices) problems += name + "." + f.name + ": an enum without choices\n";
    }
  }
  return problems;
}

namespace {

// A registry entry with a missing rule is a programming error that must not wait for a user to
// call the op: the addon refuses to load, naming the op and what it lacks.
void check_registry(const std::vector<OpDef>& table) {
  std::string problems = registry_problems(table);
  if (!problems.empty()) {
    std::fprintf(stderr, "ndgrad: the op registry is incomplete:\n%s", problems.c_str());
    std::abort();
  }
}

std::vector<OpDef> build_registry() {
  std::vector<OpDef> table(kNumOps);
  define_elementwise_ops(table);
  define_reduce_ops(table);
  define_shape_ops(table);
  define_creation_ops(table);
  define_linalg_ops(table);
  define_nn_ops(table);
  define_index_ops(table);
  define_join_ops(table);
  define_order_ops(table);
  define_optim_ops(table);
  define_pool_ops(table);
  define_norm_ops(table);
  define_activation_ops(table);
  define_embed_ops(table);
  define_numeric_ops(table);
  define_la_ops(table);
  define_conv_ops(table);
  define_relu_grad_ops(table);
  define_dense_ops(table);
  for (int i = 0; i < kNumOps; ++i) {
    table[i].name = kOpNames[i];
    table[i].defaults = ParamBlock(table[i].params.type);
    apply_defaults(table[i].params, table[i].defaults.get());
  }
  check_registry(table);
  return table;
}

}  // namespace

const std::vector<OpDef>& registry() {
  // Immutable after construction, so sharing it between addon instances is safe.
  static const std::vector<OpDef> table = build_registry();
  return table;
}

const OpDef& op_def(OpId id) {
  // Read on every op call: a pointer behind a one-byte guard. registry() itself saves six
  // registers before it tests its guard (its first call builds the table inline).
  static const OpDef* const table = registry().data();
  return table[static_cast<int>(id)];
}

const OpDef* op_def_by_name(const char* name) {
  for (const OpDef& d : registry())
    if (std::strcmp(d.name, name) == 0) return &d;
  return nullptr;
}

}  // namespace ndgrad

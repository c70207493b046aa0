#include "registry.h"

#include <cstring>

namespace ndgrad {

namespace {

const char* const kOpNames[] = {
#define NDGRAD_OP_NAME(name) #name,
    NDGRAD_OPS(NDGRAD_OP_NAME)
#undef NDGRAD_OP_NAME
};

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
  for (int i = 0; i < kNumOps; ++i) table[i].name = kOpNames[i];
  return table;
}

}  // namespace

const std::vector<OpDef>& registry() {
  // Immutable after construction, so sharing it between addon instances is safe.
  static const std::vector<OpDef> table = build_registry();
  return table;
}

const OpDef& op_def(OpId id) { return registry()[static_cast<int>(id)]; }

const OpDef* op_def_by_name(const char* name) {
  for (const OpDef& d : registry())
    if (std::strcmp(d.name, name) == 0) return &d;
  return nullptr;
}

}  // namespace ndgrad

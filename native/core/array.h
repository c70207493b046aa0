// What a JS NDArray handle points at: a tensor plus its place in the autograd graph.
//
// The graph is made of Nodes (one per recorded op application, or one per marked variable) that
// arrays reference through an AGEntry. Nodes reference the entries of their inputs, so a graph
// lives exactly as long as some array (or a pending backward) still reaches it.
#pragma once

#include <cstdint>
#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

#include "attrs.h"
#include "free_list.h"
#include "small_vec.h"
#include "tensor.h"

namespace ndgrad {

struct Node;
struct OpDef;

enum class GradReq : uint8_t { Null = 0, Write = 1, Add = 3 };

// Graph nodes are counted without atomics: they are made, shared and freed only on the JS thread
// of their addon instance (kernels on the thread pool see raw tensor pointers, never arrays or
// nodes).
using NodeRef = Ref<Node>;

struct AGEntry {
  NodeRef node;
  uint32_t index = 0;
  // In a graph: a marked variable, or the output of a recorded op whose graph was not freed.
  bool live() const;
};

struct Array;
using ArrayRef = Ref<Array>;

// A tensor saved by a node for its backward, with the storage version at the time it was saved.
// Its shape and dtype are the node's input (or output) shape and dtype, which the node keeps
// anyway, so only the storage and offset are stored here.
struct SavedTensor {
  Ref<Storage> storage;
  int64_t offset = 0;
  uint64_t version = 0;
  AGEntry entry;       // how the saved value itself was computed (for createGraph)
};

// The attributes a node was recorded with: the shared defaults (no allocation) for the many ops
// called without attributes, otherwise a copy of its own.
const Attrs& no_attrs();

// One recorded op application, or one marked variable. Kept small (about 530 bytes, most of it
// inline room that a 2x2 op does not touch): a recorded op writes one node and a dropped graph
// reads it back, and that memory traffic is what recording costs beyond the op itself.
struct Node : LocalRefCounted {
  bool freed = false;                  // backward ran without retainGraph
  GradReq grad_req = GradReq::Write;   // marked variables only
  bool fresh_grad = false;             // marked variables only
  const OpDef* op = nullptr;           // null for a variable
  uint64_t id = 0;
  // Inline small vectors: recording an op is one allocation (this node) in the common case.
  SmallVec<AGEntry, 2> inputs;        // entry.node == nullptr: input not in the graph
  SmallVec<DType, 2> input_dtypes;
  SmallVec<DType, 1> output_dtypes;
  SmallVec<SavedTensor, 2> saved_inputs;   // filled when the op asks for its inputs
  SmallVec<SavedTensor, 1> saved_outputs;  // filled when the op asks for its outputs
  SmallVec<Shape, 2> input_shapes;
  SmallVec<Shape, 1> output_shapes;

  // Marked variables only.
  ArrayRef grad;                       // the buffer backward writes

  // Custom autograd.Function nodes: the binding's handle on the JS object whose backward runs
  // (released with the node).
  std::shared_ptr<void> custom;

  bool is_custom() const { return static_cast<bool>(custom); }
  bool is_variable() const { return op == nullptr && !custom; }

  const Attrs& attrs() const { return own_attrs_ ? *own_attrs_ : no_attrs(); }
  void set_attrs(const Attrs& a);

  // The saved tensors as tensors again (shape and dtype from the node).
  Tensor saved_input(size_t i) const;
  Tensor saved_output(size_t i) const;

  Node() = default;
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;
  // Releases the graph behind this node iteratively: a recorded chain of a million ops dropped
  // without backward would otherwise free itself by recursion one level per node.
  ~Node();

  // Nodes are recycled through a free list: a dropped graph's nodes are what the next recorded
  // ops reuse, while still in cache.
  static void* operator new(size_t size);
  static void operator delete(void* p) noexcept;

 private:
  Attrs* own_attrs_ = nullptr;
};

struct Array : RefCounted {
  // Lets the binding tell its own handles from other externals a caller might pass in.
  static constexpr uint32_t kMagic = 0x4e444741;  // "NDGA"
  uint32_t magic = kMagic;
  Tensor t;
  AGEntry ag;
  bool disposed = false;

  Array() = default;
  explicit Array(Tensor tensor) : t(std::move(tensor)) {}

  static void* operator new(size_t size);
  static void operator delete(void* p) noexcept { FreeList<kArrayBytes>::give(p); }

 private:
  static constexpr size_t kArrayBytes = 128;
};

inline void* Array::operator new(size_t size) {
  static_assert(sizeof(Array) <= kArrayBytes, "grow kArrayBytes");
  (void)size;
  return FreeList<kArrayBytes>::take();
}

inline bool AGEntry::live() const { return node && !node->freed; }

constexpr size_t kNodeBytes = (sizeof(Node) + 63) / 64 * 64;
inline void* Node::operator new(size_t size) {
  (void)size;
  return FreeList<kNodeBytes>::take();
}
inline void Node::operator delete(void* p) noexcept { FreeList<kNodeBytes>::give(p); }

inline NodeRef make_node() { return NodeRef(new Node); }

inline ArrayRef make_array(Tensor t) { return make_ref<Array>(std::move(t)); }

}  // namespace ndgrad

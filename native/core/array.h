// What a JS NDArray handle points at: a tensor plus its place in the autograd graph.
//
// The graph is made of Nodes (one per recorded op application, or one per marked variable) that
// arrays reference through an AGEntry. Nodes reference the entries of their inputs, so a graph
// lives exactly as long as some array (or a pending backward) still reaches it.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "attrs.h"
#include "free_list.h"
#include "small_vec.h"
#include "tensor.h"

namespace ndgrad {

struct Node;
struct OpDef;

enum class GradReq : uint8_t { Null = 0, Write = 1, Add = 3 };

struct AGEntry {
  std::shared_ptr<Node> node;
  uint32_t index = 0;
  // In a graph: a marked variable, or the output of a recorded op whose graph was not freed.
  bool live() const;
};

struct Array;
using ArrayRef = Ref<Array>;

// A tensor saved by a node for its backward, with the storage version at the time it was saved.
struct SavedTensor {
  Tensor tensor;
  AGEntry entry;       // how the saved value itself was computed (for createGraph)
  uint64_t version = 0;
};

struct Node {
  uint64_t id = 0;
  const OpDef* op = nullptr;          // null for a variable
  Attrs attrs;
  // Inline small vectors: recording an op is one allocation (this node) in the common case.
  SmallVec<AGEntry, 2> inputs;        // entry.node == nullptr: input not in the graph
  SmallVec<Shape, 2> input_shapes;
  SmallVec<DType, 2> input_dtypes;
  SmallVec<Shape, 1> output_shapes;
  SmallVec<DType, 1> output_dtypes;
  SmallVec<SavedTensor, 2> saved_inputs;   // filled when the op asks for its inputs
  SmallVec<SavedTensor, 1> saved_outputs;  // filled when the op asks for its outputs
  bool freed = false;                  // backward ran without retainGraph

  // Marked variables only.
  ArrayRef grad;                       // the buffer backward writes
  GradReq grad_req = GradReq::Write;
  bool fresh_grad = false;

  // Custom autograd.Function nodes: the binding's handle on the JS object whose backward runs
  // (released with the node).
  std::shared_ptr<void> custom;

  bool is_custom() const { return static_cast<bool>(custom); }
  bool is_variable() const { return op == nullptr && !custom; }

  Node() = default;
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;
  // Releases the graph behind this node iteratively: a recorded chain of a million ops dropped
  // without backward would otherwise free itself by recursion one level per node.
  ~Node();
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
  static constexpr size_t kArrayBytes = 160;
};

inline void* Array::operator new(size_t size) {
  static_assert(sizeof(Array) <= kArrayBytes, "grow kArrayBytes");
  (void)size;
  return FreeList<kArrayBytes>::take();
}

inline bool AGEntry::live() const { return node && !node->freed; }

inline Node::~Node() {
  thread_local bool draining = false;
  thread_local std::vector<std::shared_ptr<Node>> pending;
  for (AGEntry& e : inputs)
    if (e.node) pending.push_back(std::move(e.node));
  for (SavedTensor& t : saved_inputs)
    if (t.entry.node) pending.push_back(std::move(t.entry.node));
  if (draining) return;
  draining = true;
  while (!pending.empty()) {
    std::shared_ptr<Node> next = std::move(pending.back());
    pending.pop_back();
    next.reset();  // a node freed here only adds its inputs to `pending`
  }
  draining = false;
}

// Nodes are about 1 KiB; recycling them keeps recording off the general allocator's slow paths.
inline std::shared_ptr<Node> make_node() { return std::allocate_shared<Node>(FreeListAllocator<Node>()); }

inline ArrayRef make_array(Tensor t) { return make_ref<Array>(std::move(t)); }

}  // namespace ndgrad

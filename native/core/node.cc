// Graph nodes: attributes kept out of line, saved tensors rebuilt from the node's shapes, and the
// iterative release of a dropped graph.
#include <new>
#include <vector>

#include "array.h"

namespace ndgrad {

const Attrs& no_attrs() {
  static const Attrs defaults{};
  return defaults;
}

void Node::set_attrs(const Attrs& a) {
  if (&a == &no_attrs()) return;
  Attrs* copy = new (FreeList<sizeof(Attrs)>::take()) Attrs(a);
  if (own_attrs_) {
    own_attrs_->~Attrs();
    FreeList<sizeof(Attrs)>::give(own_attrs_);
  }
  own_attrs_ = copy;
}

namespace {

Tensor rebuild(const SavedTensor& s, const Shape& shape, DType dtype) {
  Tensor t;
  t.storage = s.storage;
  t.offset = s.offset;
  t.shape = shape;
  t.dtype = dtype;
  return t;
}

}  // namespace

Tensor Node::saved_input(size_t i) const {
  return rebuild(saved_inputs.at(i), input_shapes[i], input_dtypes[i]);
}

Tensor Node::saved_output(size_t i) const {
  return rebuild(saved_outputs.at(i), output_shapes[i], output_dtypes[i]);
}

namespace {

void prefetch_lines(const void* p, size_t bytes) {
  const char* c = static_cast<const char*>(p);
  for (size_t off = 0; off < bytes; off += 64) __builtin_prefetch(c + off, 1);
}

}  // namespace

// A dropped graph is released node after node, each one cold by now, and the next node's address
// is only known once this one is read. So this node's other lines and the storage headers it
// releases are fetched at once, and each input node as soon as it is queued: their latencies
// overlap with the rest of this node's release instead of adding up.
Node::~Node() {
  prefetch_lines(this, sizeof(Node));
  if (own_attrs_) {
    own_attrs_->~Attrs();
    FreeList<sizeof(Attrs)>::give(own_attrs_);
  }
  thread_local bool draining = false;
  thread_local std::vector<NodeRef> pending;
  for (AGEntry& e : inputs) {
    if (!e.node) continue;
    __builtin_prefetch(e.node.get(), 1);
    pending.push_back(std::move(e.node));
  }
  for (SavedTensor& t : saved_inputs) {
    if (t.storage) __builtin_prefetch(t.storage.get(), 1);
    if (t.entry.node) pending.push_back(std::move(t.entry.node));
  }
  for (const SavedTensor& t : saved_outputs)
    if (t.storage) __builtin_prefetch(t.storage.get(), 1);
  if (draining) return;
  draining = true;
  while (!pending.empty()) {
    NodeRef next = std::move(pending.back());
    pending.pop_back();
    next.reset();  // a node freed here only adds its inputs to `pending`
  }
  draining = false;
}

}  // namespace ndgrad

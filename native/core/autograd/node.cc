// Graph nodes: attributes and rare parts kept out of line, saved tensors rebuilt from the node's
// shapes, and the iterative release of a dropped graph.
#include <new>
#include <vector>

#include "core/tensor/array.h"

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

Node::Extra& Node::extra() {
  if (!extra_) extra_ = new Extra();
  return *extra_;
}

const ArrayRef& Node::grad() const {
  static const ArrayRef none;
  return extra_ ? extra_->grad : none;
}

void Node::set_grad(ArrayRef g) { extra().grad = std::move(g); }

void* Node::custom() const { return extra_ ? extra_->custom.get() : nullptr; }

void Node::set_custom(std::shared_ptr<void> payload) {
  extra().custom = std::move(payload);
  custom_node_ = true;
}

namespace {

Tensor rebuild(const SavedTensor& s, Shape shape, DType dtype) {
  Tensor t;
  t.storage = s.storage;
  t.offset = s.offset;
  t.shape = std::move(shape);
  t.dtype = dtype;
  return t;
}

}  // namespace

Tensor Node::saved_input(size_t i) const {
  return rebuild(saved_.at(i), input_shape(i), input_dtype(i));
}

Tensor Node::saved_output(size_t i) const {
  return rebuild(saved_.at(saved_inputs_ + i), output_shape(i), output_dtype(i));
}

void Node::free_graph() {
  freed = true;
  for (AGEntry& e : inputs) e = AGEntry{};
  saved_.clear();
  saved_inputs_ = 0;
  if (extra_) extra_->custom.reset();
}

// A dropped graph is released node after node. An input node that others still reference only
// loses a count; one that this node held last is queued and freed by the outermost release, so
// that a recorded chain of a million ops dropped without backward does not free itself by
// recursion, one level per node. The queue is thread-local, so it is only touched for the
// nodes that are actually freed.
Node::~Node() {
  if (own_attrs_) {
    own_attrs_->~Attrs();
    FreeList<sizeof(Attrs)>::give(own_attrs_);
  }
  delete extra_;
  for (const SavedTensor& t : saved_)
    if (t.storage) __builtin_prefetch(t.storage.get(), 1);
  bool queued = false;
  for (AGEntry& e : inputs) {
    if (!e.node) continue;
    if (e.node->ref_count() > 1) {
      e.node.reset();  // only a count: nothing is freed here
    } else {
      release_queue().push_back(std::move(e.node));
      queued = true;
    }
  }
  if (queued) drain_release_queue();
}

std::vector<NodeRef>& Node::release_queue() {
  thread_local std::vector<NodeRef> pending;
  return pending;
}

void Node::drain_release_queue() {
  thread_local bool draining = false;
  if (draining) return;  // an outer release is draining: it frees what was queued
  draining = true;
  std::vector<NodeRef>& pending = release_queue();
  while (!pending.empty()) {
    NodeRef next = std::move(pending.back());
    pending.pop_back();
    next.reset();  // a node freed here only queues its inputs
  }
  draining = false;
}

}  // namespace ndgrad

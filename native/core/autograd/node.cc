// Graph nodes: options and rare parts kept out of line, saved tensors rebuilt from the node's
// shapes, and the iterative release of a dropped graph.
#include <cstring>
#include <new>
#include <vector>

#include "core/tensor/array.h"
#include "core/ops/registry.h"

namespace ndgrad {

namespace {

bool kept_in_place(const ParamType& t) { return t.trivial && t.size <= sizeof(void*) && t.align <= alignof(void*); }

// Copies of parameter structs come from the free lists of nodes' sizes (a recorded graph's
// options are freed with it, as its nodes are).
void* take_block(const ParamType& t) {
  if (t.align <= 64) {
    if (t.size <= 64) return FreeList<64>::take();
    if (t.size <= 128) return FreeList<128>::take();
    if (t.size <= 256) return FreeList<256>::take();
  }
  return ::operator new(t.size, std::align_val_t(t.align));
}

void give_block(const ParamType& t, void* p) {
  if (t.align <= 64) {
    if (t.size <= 64) return FreeList<64>::give(p);
    if (t.size <= 128) return FreeList<128>::give(p);
    if (t.size <= 256) return FreeList<256>::give(p);
  }
  ::operator delete(p, std::align_val_t(t.align));
}

const ParamType* params_type(const OpDef* op) { return op ? op->params.type : nullptr; }

}  // namespace

const void* Node::params() const {
  const ParamType* t = params_type(op);
  if (!t) return nullptr;
  if (kept_in_place(*t)) return params_;
  void* copy;
  std::memcpy(&copy, params_, sizeof copy);
  return copy ? copy : op->defaults.get();
}

void Node::set_params(const void* p) {
  const ParamType* t = params_type(op);
  if (!t) return;
  if (kept_in_place(*t)) {
    std::memcpy(params_, p, t->size);
    return;
  }
  if (p == op->defaults.get()) return;
  void* copy = take_block(*t);
  t->copy(copy, p);
  std::memcpy(params_, &copy, sizeof copy);
  parts_ |= kOutOfLine;
}

Node::Extra& Node::extra() {
  if (!extra_) {
    extra_ = new Extra();
    parts_ |= kOutOfLine;
  }
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
  parts_ |= kCustom;
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

Tensor Node::saved_input(size_t i, size_t slot) const {
  return rebuild(saved_.at(slot), input_shape(i), input_dtype(i));
}

Tensor Node::saved_output(size_t i, size_t slot) const {
  return rebuild(saved_.at(saved_inputs_ + slot), output_shape(i), output_dtype(i));
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
//
// A node that owns nothing out of line (kOutOfLine clear: options in place or none, no extra
// parts, inline shapes) skips its last two lines: nothing there needs freeing.
Node::~Node() {
  if (parts_ & kOutOfLine) {
    if (const ParamType* t = params_type(op); t && !kept_in_place(*t)) {
      void* copy;
      std::memcpy(&copy, params_, sizeof copy);
      if (copy) {
        t->destroy(copy);
        give_block(*t, copy);
      }
    }
    delete extra_;
    metas_.~TensorMetas();
  }
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

// What a JS NDArray handle points at: a tensor plus its place in the autograd graph.
//
// The graph is made of Nodes (one per recorded op application, or one per marked variable) that
// arrays reference through an AGEntry. Nodes reference the entries of their inputs, so a graph
// lives exactly as long as some array (or a pending backward) still reaches it.
#pragma once

#include <cstdint>
#include <cstddef>
#include <memory>
#include <new>
#include <utility>
#include <vector>

#include "core/ops/params.h"
#include "core/runtime/free_list.h"
#include "core/runtime/small_vec.h"
#include "core/tensor/tensor.h"
#include "core/autograd/tensor_metas.h"

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
// Its shape and dtype are the node's input (or output) shape and dtype, and how it was computed
// is the node's input entry, so only the storage and offset are stored here.
struct SavedTensor {
  Ref<Storage> storage;
  int64_t offset = 0;
  uint64_t version = 0;
  // `t` as a node saves it: its storage, offset and the storage's version now.
  static SavedTensor of(const Tensor& t) { return {t.storage, t.offset, t.storage ? t.storage->version() : 0}; }
};

// One recorded op application, or one marked variable.
//
// A recorded op writes one node and a dropped graph reads it back, long after, from memory that
// is cold by then; that traffic is most of what recording costs beyond the op itself. So a node
// is packed into four cache lines (256 bytes) for the usual op of up to two inputs and three
// tensors of at most eight dimensions in all, and freeing it reads only the first two: the
// header and input entries, and the saved tensors. What a node may own out of line (a copy of
// its options, the rare parts behind one pointer: a variable's gradient buffer, a custom
// Function; shapes moved to the heap) is flagged in the header (kOutOfLine), so that the last two
// lines are read by the release only when there is something there to free.
struct Node : LocalRefCounted {
  bool freed = false;                  // backward ran without retainGraph
  GradReq grad_req = GradReq::Write;   // marked variables only
  bool fresh_grad = false;             // marked variables only

 private:
  enum : uint8_t { kCustom = 1, kOutOfLine = 2 };
  uint8_t parts_ = 0;  // kCustom; kOutOfLine: an options copy, extra_ or spilled shapes to free

 public:
  const OpDef* op = nullptr;           // null for a variable or a custom Function
  // One per input; entry.node == nullptr: input not in the graph. Freeing the graph clears the
  // entries and keeps their number.
  SmallVec<AGEntry, 2> inputs;

  // Recording, in this order: inputs, then outputs; the saved inputs (in order) before the saved
  // outputs (in order).
  void add_input(const AGEntry& entry, const Tensor& t) {
    inputs.push_back(entry);
    push_meta(t);
  }
  void add_output(const Tensor& t) { push_meta(t); }
  void save_input(const Tensor& t) {
    save(t);
    ++saved_inputs_;
  }
  void save_output(const Tensor& t) { save(t); }

  // The same-shape path (record_same_shape in invoke.cc), on a fresh node: the entries of its one
  // or two inputs, then the shape and dtype of those inputs and the one output, all `t`'s, and
  // the saved tensors, written in place (a fresh node has room for two of each; no growth path).
  void add_entry_fresh(const AGEntry& entry) { inputs.emplace_back_in_room(entry); }
  void add_same_metas(size_t count, const Tensor& t) {
    metas_.assign_same(count, t.shape, t.dtype);
    if (metas_.spilled()) parts_ |= kOutOfLine;
  }
  void save_input_fresh(const Tensor& t) {
    saved_.emplace_back_in_room(SavedTensor::of(t));
    ++saved_inputs_;
  }
  void save_output_fresh(const Tensor& t) {
    saved_.emplace_back_in_room(SavedTensor::of(t));
  }

  size_t num_inputs() const { return inputs.size(); }
  size_t num_outputs() const { return metas_.size() - inputs.size(); }
  Shape input_shape(size_t i) const { return metas_.shape(i); }
  DType input_dtype(size_t i) const { return metas_.dtype(i); }
  Shape output_shape(size_t i) const { return metas_.shape(inputs.size() + i); }
  DType output_dtype(size_t i) const { return metas_.dtype(inputs.size() + i); }

  // The saved tensors as tensors again (shape and dtype from the node): input (output) i, which
  // is the slot-th of the inputs (outputs) saved.
  Tensor saved_input(size_t i, size_t slot) const;
  Tensor saved_output(size_t i, size_t slot) const;
  const SmallVec<SavedTensor, 2>& saved() const { return saved_; }

  // Backward ran without retainGraph: drops the inputs, saved tensors and custom Function.
  void free_graph();

  // Marked variables: the buffer backward writes.
  const ArrayRef& grad() const;
  void set_grad(ArrayRef g);
  // Custom autograd.Function nodes: the binding's handle on the JS object whose backward runs
  // (released with the node).
  void* custom() const;
  void set_custom(std::shared_ptr<void> payload);
  bool is_custom() const { return parts_ & kCustom; }
  bool is_variable() const { return op == nullptr && !(parts_ & kCustom); }
  // Owns something its release must free beyond the first two lines (tests).
  bool owns_out_of_line() const { return parts_ & kOutOfLine; }

  // The options the node's op ran with (a block of its table's struct; null without options).
  const void* params() const;
  // Keeps a copy of p (a block of op's struct; op is set first). An op's defaults are not
  // copied (the op holds them); a struct of at most a pointer's size, as a scalar op's number,
  // is kept in the node itself.
  void set_params(const void* p);

  // The shapes are default-initialised (placement new without parentheses): value-initialising
  // them would zero their 104 bytes of inline room first.
  Node() { new (&metas_) TensorMetas; }
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
  struct Extra {
    ArrayRef grad;
    std::shared_ptr<void> custom;
  };
  void save(const Tensor& t) {
    saved_.push_back(SavedTensor::of(t));
  }
  void push_meta(const Tensor& t) {
    metas_.push_back(t.shape, t.dtype);
    if (metas_.spilled()) parts_ |= kOutOfLine;
  }
  Extra& extra();
  static std::vector<NodeRef>& release_queue();
  static void drain_release_queue();

  // Line 1: the saved tensors, read by the release (line 0 is the header and the inputs above).
  SmallVec<SavedTensor, 2> saved_;
  // Lines 2 and 3: read by the release only under kOutOfLine.
  uint32_t saved_inputs_ = 0;
  alignas(void*) unsigned char params_[sizeof(void*)] = {};  // in place, or the copy's address
  Extra* extra_ = nullptr;  // kOutOfLine when set
  // Destroyed by ~Node only under kOutOfLine (spilled): inline shapes own nothing.
  union {
    TensorMetas metas_;
  };
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
static_assert(kNodeBytes == 256, "a node is four cache lines; see the layout above");
// What the release of a node that owns nothing out of line reads: its first two lines.
constexpr size_t kNodeReleaseBytes = 128;
inline void* Node::operator new(size_t size) {
  (void)size;
  return FreeList<kNodeBytes>::take();
}
inline void Node::operator delete(void* p) noexcept { FreeList<kNodeBytes>::give(p); }

inline NodeRef make_node() { return NodeRef(new Node); }

inline ArrayRef make_array(Tensor t) { return make_ref<Array>(std::move(t)); }

// Fetches what releasing `a` will touch besides `a` itself: its storage header and its graph
// node (freed with it when `a` holds the last reference).
inline void prefetch_for_release(const Array& a) {
  if (a.t.storage) __builtin_prefetch(a.t.storage.get(), 1);
  if (const Node* n = a.ag.node.get()) {
    // the lines freeing a node reads (see Node)
    const char* c = reinterpret_cast<const char*>(n);
    for (size_t off = 0; off < kNodeReleaseBytes; off += 64) __builtin_prefetch(c + off, 1);
  }
}

}  // namespace ndgrad

// Slot handles: the cheap form of an array handle for op results. JS passes the NDArray object
// that will hold the result; the binding files the array in a slot of this table, ties the slot's
// release to that object's collection (one napi_add_finalizer) and returns the slot number, a
// small integer that V8 keeps unboxed. An External handle (Addon::wrap) costs two Node-side heap
// objects and two weak handles per result; a slot handle costs one of each.
//
// Any integer JS passes back resolves to a live array or to nothing, never to freed memory: slots
// are released only by their owner's finalizer, and a released slot holds no array.
//
// Small arrays are released lazily. The collector finalizes thousands of owners at once, long
// after their arrays were last touched; releasing each array there means a cache miss on it and
// on its storage, and a burst of frees that overflows the free lists. Instead the finalizer only
// queues the slot, and the next add() releases one queued array and files the new one in its
// slot: the array memory and storage block just freed are what the next op allocates, while
// they are still in cache. Large arrays are released in the finalizer, so their memory never
// waits for another op; release_dead() empties the queue (nd.memory(), teardown).
#pragma once

#include <cstdint>
#include <new>
#include <vector>

#include "core/tensor/array.h"
#include "external_memory.h"

namespace ndgrad::binding {

class HandleTable {
 public:
  explicit HandleTable(Ref<MemoryStats> stats) : stats_(std::move(stats)) {}

  // Arrays whose storage is at most this many bytes are released lazily.
  static constexpr size_t kLazyBytes = 4096;

  // Files `a` (the slot keeps one reference) and returns its slot number and the cookie that
  // its owner's finalizer passes to release().
  int32_t add(ArrayRef a, void** cookie) {
    bool lazy = !a->t.storage || a->t.storage->bytes() <= kLazyBytes;
    Array* dead = nullptr;
    int32_t h;
    if (!dead_.empty()) {
      h = dead_.back();
      dead_.pop_back();
      dead = slots_[static_cast<size_t>(h)].array;
      prefetch_next_dead();
    } else if (free_head_ >= 0) {
      h = free_head_;
      free_head_ = slots_[static_cast<size_t>(h)].next_free;
    } else {
      if (slots_.size() >= static_cast<size_t>(INT32_MAX)) throw std::bad_alloc();
      h = static_cast<int32_t>(slots_.size());
      slots_.push_back(Slot{});
    }
    Slot& s = slots_[static_cast<size_t>(h)];
    s.array = a.leak();
    s.next_free = -1;
    ++live_;
    *cookie = reinterpret_cast<void*>((static_cast<uintptr_t>(h) << 1) | (lazy ? 1u : 0u));
    // Last, so that the slot table is consistent whatever this release frees.
    if (dead) ArrayRef::adopt(dead);
    return h;
  }

  // The array in slot h, or null when h is not a filled slot.
  Array* get(int64_t h) const {
    if (h < 0 || static_cast<uint64_t>(h) >= slots_.size()) return nullptr;
    return slots_[static_cast<size_t>(h)].array;
  }

  // The owner of a slot was collected (cookie from add()). Runs in GC finalizers: it touches no
  // JS, and for a small array not even the slot, which is cold by now.
  void release(node_api_basic_env env, void* cookie) {
    uintptr_t c = reinterpret_cast<uintptr_t>(cookie);
    int32_t h = static_cast<int32_t>(c >> 1);
    --live_;
    ++found_;
    if ((c & 1) && !orphaned_) {
      dead_.push_back(h);  // reserved ahead, see reserve_dead()
      found_small_bytes_ += kLazyBytes;
      return;
    }
    free_slot(h);
    finish_release(env);
  }

  // The owners of these slots were all collected (one finalizer for them: result_pages.h); the
  // slots hold small arrays, released lazily as release() does.
  void release_group(node_api_basic_env env, const int32_t* slots, int n) {
    live_ -= static_cast<size_t>(n);
    found_ += static_cast<size_t>(n);
    found_small_bytes_ += static_cast<size_t>(n) * kLazyBytes;
    for (int i = 0; i < n; ++i) {
      if (orphaned_) {
        free_slot(slots[i]);
      } else {
        dead_.push_back(slots[i]);  // reserved ahead, see reserve_dead()
      }
    }
    if (orphaned_) finish_release(env);
  }

  // External handles (Addon::wrap) are counted too, so that the table outlives their finalizers.
  void add_external() { ++live_; }
  // The owner of an External handle was collected (runs in GC finalizers).
  void release_external(node_api_basic_env env, Array* a) {
    --live_;
    ++found_;
    ArrayRef::adopt(a);
    finish_release(env);
  }

  // A canary (YoungCollections) is an object that is only ever found dead by a mark-compact;
  // counted like an owner, so that the table outlives its finalizer.
  void add_canary() { ++live_; }
  // A mark-compact found it: V8 has set its lowest external count to its count now.
  void release_canary(node_api_basic_env env) {
    --live_;
    ++canaries_found_;
    lowest_external_seen = INT64_MAX;
    adjust_external(env, 0);
    finish_release(env);
  }
  // How many canaries collections have found dead so far (a running count).
  size_t canaries_found() const { return canaries_found_; }

  // While true, finalizers leave what they free for the caller to report (YoungCollections).
  void hold_reports(bool hold) { hold_reports_ = hold; }
  // How many owners collections have found dead so far (a running count). YoungCollections
  // tells its own collections from V8's by it.
  size_t found() const { return found_; }
  // The bytes of the small arrays among them, at most (kLazyBytes each; a running count): they
  // are released by later add() calls, so the live bytes do not show them when they are found.
  size_t found_small_bytes() const { return found_small_bytes_; }

  // Finalizers must not allocate: keeps room for every live slot to die.
  void reserve_dead() {
    if (dead_.capacity() <= live_ + dead_.size()) dead_.reserve(2 * (live_ + dead_.size()) + 64);
  }

  // Releases the lazily kept arrays now (at most `limit`).
  void release_dead(size_t limit = SIZE_MAX) {
    for (; !dead_.empty() && limit > 0; --limit) {
      int32_t h = dead_.back();
      dead_.pop_back();
      free_slot(h);
    }
  }

  // The addon instance is going away. Node runs the owners' finalizers before that, but should
  // any still be pending, the table stays until the last of them has run.
  void orphan() {
    orphaned_ = true;
    release_dead();
    if (live_ == 0) delete this;
  }

 private:
  void finish_release(node_api_basic_env env) {
    if (!hold_reports_) report_freed(env, *stats_);
    if (orphaned_ && live_ == 0) delete this;
  }

  void free_slot(int32_t h) {
    Slot& s = slots_[static_cast<size_t>(h)];
    Array* a = s.array;
    s.array = nullptr;
    s.next_free = free_head_;
    free_head_ = h;
    ArrayRef::adopt(a);  // may free the array, its storage and the graph behind it
  }

  // The next dead arrays are released by the next add() calls, each of which would wait for
  // memory over and over (slot, array, storage header, graph node). Owners die in the order they
  // were made, so the queue is released newest first, the reverse of recording: the node of the
  // array after next is an input of the next one's, touched when the next one is released. So
  // each call fetches one stage for each of the three arrays after the next (whose memory is in
  // by now): node and storage header, array, slot.
  void prefetch_next_dead() const {
    size_t n = dead_.size();
    if (n >= 2) {
      const Array* a = slots_[static_cast<size_t>(dead_[n - 2])].array;  // fetched last call
      if (a) prefetch_for_release(*a);
    }
    if (n >= 3) {
      const char* a = reinterpret_cast<const char*>(slots_[static_cast<size_t>(dead_[n - 3])].array);
      for (size_t off = 0; off < sizeof(Array); off += 64) __builtin_prefetch(a + off, 1);
    }
    if (n >= 4) __builtin_prefetch(&slots_[static_cast<size_t>(dead_[n - 4])], 1);
  }

  struct Slot {
    Array* array = nullptr;  // null: free
    int32_t next_free = -1;
  };
  Ref<MemoryStats> stats_;
  std::vector<Slot> slots_;
  std::vector<int32_t> dead_;  // slots whose owner died, their arrays not yet released
  int32_t free_head_ = -1;
  size_t live_ = 0;
  bool orphaned_ = false;
  bool hold_reports_ = false;
  size_t found_ = 0;
  size_t found_small_bytes_ = 0;
  size_t canaries_found_ = 0;
};

}  // namespace ndgrad::binding

// Refcounted, 64-byte-aligned buffers from a size-class pool. Every buffer carries a version
// counter that in-place writes bump, so the autograd engine can tell when a tensor it saved for
// backward was overwritten.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <new>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/runtime/ref.h"

namespace ndgrad {

// Live-memory accounting of one addon instance. `pending` collects the byte deltas that the
// binding has not yet reported to V8 (reports are batched, see binding/external_memory.h).
//
// The pool counts a buffer on the thread that made these stats (the JS thread of the instance,
// where nearly every buffer is made and freed) in plain fields, and on other threads (the thread
// pool) in atomic ones: the atomic adds were four locked instructions per buffer handed out and
// three per buffer given back, 7-9% of a 2x2 op. The figures are the sums of both, so they are
// read on the owner thread only (every reader is the binding, on the JS thread).
class MemoryStats : public RefCounted {
 public:
  bool on_owner() const { return std::this_thread::get_id() == owner_; }
  // A buffer of `bytes` handed out or given back; `owner`: on_owner(), which the caller knows.
  void add_buffer(int64_t bytes, bool owner) {
    if (owner) {
      ++local_.allocations;
      ++local_.live_buffers;
      local_.live_bytes += bytes;
      local_.pending += bytes;
    } else {
      shared_.allocations.fetch_add(1, std::memory_order_relaxed);
      shared_.live_buffers.fetch_add(1, std::memory_order_relaxed);
      shared_.live_bytes.fetch_add(bytes, std::memory_order_relaxed);
      shared_.pending.fetch_add(bytes, std::memory_order_relaxed);
    }
  }
  void remove_buffer(int64_t bytes, bool owner) {
    if (owner) {
      --local_.live_buffers;
      local_.live_bytes -= bytes;
      local_.pending -= bytes;
    } else {
      shared_.live_buffers.fetch_sub(1, std::memory_order_relaxed);
      shared_.live_bytes.fetch_sub(bytes, std::memory_order_relaxed);
      shared_.pending.fetch_sub(bytes, std::memory_order_relaxed);
    }
  }

  // The figures; on the owner thread only. allocations(): buffers handed out since load (out= is
  // checked by it).
  int64_t allocations() const { return read(local_.allocations, shared_.allocations); }
  int64_t live_buffers() const { return read(local_.live_buffers, shared_.live_buffers); }
  int64_t live_bytes() const { return read(local_.live_bytes, shared_.live_bytes); }
  int64_t pending() const { return read(local_.pending, shared_.pending); }
  // Returns the pending delta and starts a new one from zero; on the owner thread only.
  int64_t take_pending() {
    check_owner();
    int64_t d = local_.pending + shared_.pending.exchange(0, std::memory_order_relaxed);
    local_.pending = 0;
    return d;
  }
  // Adds to the pending delta what was taken out of it; on the owner thread only.
  void add_pending(int64_t bytes) {
    check_owner();
    local_.pending += bytes;
  }

 private:
  int64_t read(int64_t local, const std::atomic<int64_t>& shared) const {
    check_owner();
    return local + shared.load(std::memory_order_relaxed);
  }
  void check_owner() const {
#if !defined(NDEBUG) || defined(NDGRAD_DEBUG_CHECKS)
    if (!on_owner()) std::abort();  // a reader off the owner thread would race with the plain fields
#endif
  }
  struct Local {
    int64_t allocations = 0, live_buffers = 0, live_bytes = 0, pending = 0;
  };
  struct Shared {
    std::atomic<int64_t> allocations{0}, live_buffers{0}, live_bytes{0}, pending{0};
  };
  std::thread::id owner_ = std::this_thread::get_id();
  Local local_;
  alignas(64) Shared shared_;  // its own line: the thread pool writes it, the JS thread the fields before it
};

class StoragePool;

// A buffer that could not be had: over the instance's maxArrayBytes limit, or refused by the
// system. A std::bad_alloc, so code that only knows that type still catches it; the binding turns
// it into a RangeError with this message.
class AllocError : public std::bad_alloc {
 public:
  AllocError(size_t requested, size_t limit, bool over_limit);
  const char* what() const noexcept override { return message_.c_str(); }

 private:
  std::string message_;
};

class Storage : public RefCounted {
 public:
  void* data() const { return data_; }
  size_t bytes() const { return bytes_; }
  uint64_t version() const { return version_.load(std::memory_order_relaxed); }
  void bump_version() { version_.fetch_add(1, std::memory_order_relaxed); }
  ~Storage();
  // The object lives in the header of its own pooled block (see StoragePool::allocate); the
  // destructor hands the block back, so there is nothing left to free here.
  static void operator delete(void*) noexcept {}

 private:
  friend class StoragePool;

  Storage(Ref<StoragePool> pool, void* data, size_t bytes, int size_class)
      : pool_(pool.leak()), data_(data), bytes_(bytes), size_class_(size_class) {}
  // One reference to the pool, held as a raw pointer: the destructor frees the block this object
  // lives in, so no member may have a destructor that reads it afterwards.
  StoragePool* pool_;
  void* data_;
  size_t bytes_;
  int size_class_;  // -1: allocated exactly, not pooled
  std::atomic<uint64_t> version_{0};
};

// Free lists per size class (powers of two up to 8 MiB, then four per doubling up to 64 MiB;
// larger buffers go straight to the allocator). Cached bytes are capped so a burst does not pin
// memory forever; large blocks beyond the cap are kept lazily freed, which the system may take
// back (set_aside). Each block starts with a 64-byte header that holds the Storage object itself,
// so one allocation (usually a free-list hit) serves both.
class StoragePool : public RefCounted {
 public:
  explicit StoragePool(Ref<MemoryStats> stats) : stats_(std::move(stats)) {}
  ~StoragePool();
  // Throws AllocError over max_bytes() or when the system has no memory (the binding turns it
  // into a RangeError). Every array buffer comes from here, so the limit holds for all of them.
  Ref<Storage> allocate(size_t bytes);
  // The largest buffer allocate() hands out (mx.setLimits({ maxArrayBytes })); 0 restores the
  // default, the machine's physical memory.
  void set_max_bytes(size_t bytes);
  size_t max_bytes() const { return max_bytes_.load(std::memory_order_relaxed); }
  static size_t default_max_bytes();
  const Ref<MemoryStats>& stats() const { return stats_; }
  // Returns cached blocks to the system (on the pool's own thread, or once no other uses it).
  void trim();

 private:
  friend class Storage;
  void give_back(void* block, size_t bytes, int size_class);
  // Returns a block of `bytes` (its data, after the header) to the system.
  static void release_block(void* block, size_t bytes);
  // Blocks that leave the cache (kMaxCachedBytes): mapped ones are kept as lazily freed
  // (MADV_FREE; see storage.cc), up to kMaxLazyBytes, and the rest are released.
  void set_aside(const std::vector<std::pair<void*, int>>& blocks);
  void* take_lazy(int size_class);
  static constexpr size_t kMaxLazyBytes = size_t{256} << 20;
  static constexpr int kMaxPooledClass = 29;  // 64 MiB (storage.cc: size_class_for)
  static constexpr int kNumClasses = kMaxPooledClass + 1;
  static constexpr size_t kMaxCachedBytes = size_t{256} << 20;
  // Blocks of the small classes (64 B .. 4 KiB) freed and taken again on the owner thread of the
  // pool's stats, the JS thread of its addon instance, where nearly every array is made and freed: a
  // stack per class that needs no mutex (the mutex and the shared lists were about a sixth of a
  // 2x2 op). Other threads, and blocks beyond a full stack, use the shared lists.
  static constexpr int kLocalClasses = 7;
  static constexpr uint32_t kLocalDepth = 64;
  struct LocalStack {
    uint32_t count = 0;
    void* blocks[kLocalDepth];
  };
  bool on_owner() const { return stats_->on_owner(); }
  Ref<MemoryStats> stats_;
  LocalStack local_[kLocalClasses];
  std::vector<void*> lazy_[kNumClasses];  // lazily freed blocks (set_aside), under mutex_
  size_t lazy_bytes_ = 0;
  std::mutex mutex_;
  std::vector<void*> free_[kNumClasses];
  size_t cached_bytes_ = 0;
  std::atomic<size_t> max_bytes_{default_max_bytes()};
};

}  // namespace ndgrad

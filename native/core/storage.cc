#include "storage.h"

#include <unistd.h>

#include <cstdlib>
#include <new>

namespace ndgrad {

namespace {

constexpr size_t kAlign = 64;
constexpr size_t kMinClassBytes = 64;

int size_class_for(size_t bytes) {
  int c = 0;
  size_t cap = kMinClassBytes;
  while (cap < bytes) {
    cap <<= 1;
    ++c;
  }
  return c;
}

size_t class_bytes(int c) { return kMinClassBytes << c; }

void* aligned_alloc_or_throw(size_t bytes, size_t requested, size_t limit) {
  void* p = nullptr;
  if (posix_memalign(&p, kAlign, bytes == 0 ? kAlign : bytes) != 0) throw AllocError(requested, limit, false);
  return p;
}

}  // namespace

AllocError::AllocError(size_t requested, size_t limit, bool over_limit) {
  message_ = over_limit ? "cannot allocate " + std::to_string(requested) + " bytes: more than the limit maxArrayBytes = " +
                              std::to_string(limit) + " (mx.setLimits, NDGRAD_MAX_ARRAY_BYTES)"
                        : "out of memory allocating " + std::to_string(requested) + " bytes";
}

size_t StoragePool::default_max_bytes() {
  long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page <= 0) return SIZE_MAX;
  return static_cast<size_t>(pages) * static_cast<size_t>(page);
}

void StoragePool::set_max_bytes(size_t bytes) {
  max_bytes_.store(bytes == 0 ? default_max_bytes() : bytes, std::memory_order_relaxed);
}

Storage::~Storage() {
  // Runs on the thread that owns the pool (the JS thread of this instance), so nobody can reuse
  // the block before this destructor and the member destructors are done with it.
  // give_back may free this object's block (unpooled sizes), so everything is read before it
  // and nothing after: the members left to destroy are trivial.
  Ref<StoragePool> pool = Ref<StoragePool>::adopt(pool_);
  pool->give_back(this, bytes_, size_class_);
}

StoragePool::~StoragePool() { trim(); }

constexpr size_t kHeader = 64;
static_assert(sizeof(Storage) <= kHeader, "Storage must fit in its block header");

Ref<Storage> StoragePool::allocate(size_t bytes) {
  size_t limit = max_bytes();
  if (bytes > limit) throw AllocError(bytes, limit, true);
  int c = size_class_for(bytes);
  void* block = nullptr;
  size_t alloc_bytes = bytes;
  if (c <= kMaxPooledClass) {
    alloc_bytes = class_bytes(c);
    std::lock_guard<std::mutex> lock(mutex_);
    if (!free_[c].empty()) {
      block = free_[c].back();
      free_[c].pop_back();
      cached_bytes_ -= alloc_bytes;
    }
  } else {
    c = -1;
  }
  if (!block) block = aligned_alloc_or_throw(kHeader + alloc_bytes, bytes, limit);
  stats_->live_buffers.fetch_add(1, std::memory_order_relaxed);
  stats_->live_bytes.fetch_add(static_cast<int64_t>(alloc_bytes), std::memory_order_relaxed);
  stats_->pending_external.fetch_add(static_cast<int64_t>(alloc_bytes), std::memory_order_relaxed);
  void* data = static_cast<char*>(block) + kHeader;
  return Ref<Storage>(new (block) Storage(Ref<StoragePool>(this), data, alloc_bytes, c));
}

void StoragePool::give_back(void* block, size_t bytes, int size_class) {
  stats_->live_buffers.fetch_sub(1, std::memory_order_relaxed);
  stats_->live_bytes.fetch_sub(static_cast<int64_t>(bytes), std::memory_order_relaxed);
  stats_->pending_external.fetch_sub(static_cast<int64_t>(bytes), std::memory_order_relaxed);
  if (size_class >= 0) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (cached_bytes_ + bytes <= kMaxCachedBytes) {
      free_[size_class].push_back(block);
      cached_bytes_ += bytes;
      return;
    }
  }
  std::free(block);
}

void StoragePool::trim() {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& list : free_) {
    for (void* p : list) std::free(p);
    list.clear();
  }
  cached_bytes_ = 0;
}

}  // namespace ndgrad

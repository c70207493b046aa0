#include "core/runtime/storage.h"
#include "core/runtime/sanitizer.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <new>
#include <utility>

namespace ndgrad {

namespace {

// ASan builds: one exact block per array, nothing pooled (sanitizer.h).
constexpr bool kExactBlocks = kExactStorageBlocks;

constexpr size_t kAlign = 64;
constexpr size_t kHeader = 64;
static_assert(sizeof(Storage) <= kHeader, "Storage must fit in its block header");
constexpr size_t kMinClassBytes = 64;

// Size classes are powers of two up to 8 MiB, then four per doubling (10, 12, 14, 16, 20, ...
// 64 MiB). A whole power of two above 8 MiB wasted up to half of a block, and counted it: a
// 1e7-element float32 result (38 MiB) took a 64 MiB block, V8 was told of 64 MiB, and the
// cache (kMaxCachedBytes) held four such blocks, so a collection that found more dead results
// sent the rest back to the system and the next results to fresh huge pages. A 40 MiB block
// fits six times (the long run's 1e7 rows: 5.3-6.8 faults per call against 5.6-12.0).
constexpr int kPowerClasses = 18;  // 64 B .. 8 MiB
constexpr size_t kLastPowerBytes = kMinClassBytes << (kPowerClasses - 1);

int size_class_for(size_t bytes) {
  int c = 0;
  size_t cap = kMinClassBytes;
  while (cap < bytes && c < kPowerClasses - 1) {
    cap <<= 1;
    ++c;
  }
  if (cap >= bytes) return c;
  size_t base = kLastPowerBytes;
  while (2 * base < bytes) {
    base <<= 1;
    c += 4;
  }
  size_t step = base / 4;
  return c + static_cast<int>((bytes - base + step - 1) / step);
}

size_t class_bytes(int c) {
  if (c < kPowerClasses) return kMinClassBytes << c;
  int above = c - kPowerClasses;
  size_t base = kLastPowerBytes << (above / 4);
  return base + base / 4 * static_cast<size_t>(above % 4 + 1);
}

void* aligned_alloc_or_throw(size_t bytes, size_t requested, size_t limit) {
  void* p = nullptr;
  if (posix_memalign(&p, kAlign, bytes == 0 ? kAlign : bytes) != 0) throw AllocError(requested, limit, false);
  return p;
}

// Buffers of at least one huge page are mapped on their own, their data aligned to 2 MiB and
// advised onto transparent huge pages: a fresh 4 MiB result then costs two page faults instead
// of 1,024, and a loop that cycles through many such buffers (results left to the collector)
// misses the TLB once per 2 MiB instead of once per 4 KiB. glibc would map them too, but
// unaligned and without the advice (THP is "madvise" on common distributions). The block header
// sits at the end of one small page in front of the data, so a 4 MiB array touches exactly two
// huge pages and no third one for its header.
constexpr size_t kHugePage = size_t{2} << 20;
constexpr size_t kHeaderPage = 4096;

size_t mapped_data_bytes(size_t bytes) { return (bytes + kHugePage - 1) / kHugePage * kHugePage; }

// Returns the block (header) of a mapping whose data of `bytes` starts on a 2 MiB boundary.
void* map_block(size_t bytes, size_t requested, size_t limit) {
  size_t len = kHeaderPage + mapped_data_bytes(bytes);
  void* raw = mmap(nullptr, len + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) throw AllocError(requested, limit, false);
  uintptr_t start = reinterpret_cast<uintptr_t>(raw);
  uintptr_t data = (start + kHeaderPage + kHugePage - 1) & ~(uintptr_t{kHugePage} - 1);
  uintptr_t first = data - kHeaderPage;
  if (first > start) munmap(raw, first - start);
  uintptr_t end = first + len;
  if (start + len + kHugePage > end) munmap(reinterpret_cast<void*>(end), start + len + kHugePage - end);
#ifdef MADV_HUGEPAGE
  madvise(reinterpret_cast<void*>(data), len - kHeaderPage, MADV_HUGEPAGE);
#endif
  return reinterpret_cast<void*>(data - kHeader);
}

void unmap_block(void* block, size_t bytes) {
  munmap(static_cast<char*>(block) + kHeader - kHeaderPage, kHeaderPage + mapped_data_bytes(bytes));
}

bool mapped(size_t bytes) { return bytes >= kHugePage; }

// Lets the system take a mapped block's pages whenever it needs memory, and otherwise leaves
// them in place: a block set aside this way is reused without a page fault (each fault on a
// huge page zeroes 2 MiB), or gets fresh zero pages if the system took them. Its header page
// is left alone.
bool lazy_free(void* block, size_t bytes) {
#ifdef MADV_FREE
  return madvise(static_cast<char*>(block) + kHeader, mapped_data_bytes(bytes), MADV_FREE) == 0;
#else
  (void)block;
  (void)bytes;
  return false;
#endif
}

// Makes room for `bytes` more in `lists` (one list of blocks per class, `held` bytes in all, at
// most `cap`) by dropping blocks of the classes other than `keep`, larger ones first.
void drop_other_classes(std::vector<void*>* lists, int classes, int keep, size_t& held, size_t bytes, size_t cap,
                        std::vector<std::pair<void*, int>>& dropped) {
  for (int c = classes - 1; c >= 0 && held + bytes > cap; --c) {
    while (c != keep && !lists[c].empty() && held + bytes > cap) {
      dropped.emplace_back(lists[c].back(), c);
      lists[c].pop_back();
      held -= class_bytes(c);
    }
  }
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
  if (kExactBlocks) std::free(data_);  // the data's own block (kExactBlocks); the header's goes below
  pool->give_back(this, bytes_, size_class_);
}

StoragePool::~StoragePool() { trim(); }


Ref<Storage> StoragePool::allocate(size_t bytes) {
  size_t limit = max_bytes();
  if (bytes > limit) throw AllocError(bytes, limit, true);
  if (kExactBlocks) {
    // One byte for an empty array, so that its data pointer is unique and any element access
    // is reported.
    void* data = aligned_alloc_or_throw(bytes == 0 ? 1 : bytes, bytes, limit);
    void* block = nullptr;
    try {
      block = aligned_alloc_or_throw(kHeader, bytes, limit);
    } catch (...) {
      std::free(data);
      throw;
    }
    stats_->add_buffer(static_cast<int64_t>(bytes), on_owner());
    Storage* s = new (block) Storage(Ref<StoragePool>(this), data, bytes, -1);
    s->retain_first();
    return Ref<Storage>::adopt(s);
  }
  int c = size_class_for(bytes);
  void* block = nullptr;
  size_t alloc_bytes = bytes;
  bool owner = on_owner();
  if (c < kLocalClasses && owner && local_[c].count > 0) {
    alloc_bytes = class_bytes(c);
    block = local_[c].blocks[--local_[c].count];
  } else if (c <= kMaxPooledClass) {
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
  if (!block && c >= 0 && mapped(alloc_bytes)) block = take_lazy(c);
  if (!block) {
    block = mapped(alloc_bytes) ? map_block(alloc_bytes, bytes, limit) : aligned_alloc_or_throw(kHeader + alloc_bytes, bytes, limit);
  }
  stats_->add_buffer(static_cast<int64_t>(alloc_bytes), owner);
  void* data = static_cast<char*>(block) + kHeader;
  Storage* s = new (block) Storage(Ref<StoragePool>(this), data, alloc_bytes, c);
  s->retain_first();
  return Ref<Storage>::adopt(s);
}

void StoragePool::give_back(void* block, size_t bytes, int size_class) {
  bool owner = on_owner();
  stats_->remove_buffer(static_cast<int64_t>(bytes), owner);
  // A full cache makes room by dropping blocks of other classes, larger ones first: the block
  // freed now is warm and its class busy, while a block cached since an earlier phase of the
  // program is neither. Refusing it instead sent every later free of its class to the system,
  // and every later result to fresh, faulting pages: a few 64 MiB results fill the cache for
  // good; and the 4 MiB blocks of a 1e6-element loop (92 MiB) left room for four 40 MiB blocks
  // to the 1e7-element loop after it (17 blocks mapped afresh in 39 calls). What does not fit
  // is set aside (set_aside).
  if (size_class >= 0 && size_class < kLocalClasses && owner && local_[size_class].count < kLocalDepth) {
    local_[size_class].blocks[local_[size_class].count++] = block;
    return;
  }
  std::vector<std::pair<void*, int>> dropped;
  bool cached = false;
  if (size_class >= 0) {
    std::lock_guard<std::mutex> lock(mutex_);
    drop_other_classes(free_, kNumClasses, size_class, cached_bytes_, bytes, kMaxCachedBytes, dropped);
    if (cached_bytes_ + bytes <= kMaxCachedBytes) {
      free_[size_class].push_back(block);
      cached_bytes_ += bytes;
      cached = true;
    }
  }
  if (!cached && size_class >= 0) dropped.emplace_back(block, size_class);
  set_aside(dropped);
  if (!cached && size_class < 0) release_block(block, bytes);
}

// Blocks that leave the cache are kept lazily freed, up to kMaxLazyBytes more. A loop of
// 1e7-element results left to the collector holds six to ten 40 MiB blocks at once and frees
// several at each mark-compact, more than the cache takes: they went back to the system, and
// the next results to fresh huge pages, 20 faults (40 MiB zeroed) per block.
void StoragePool::set_aside(const std::vector<std::pair<void*, int>>& blocks) {
  std::vector<std::pair<void*, int>> released;
  std::vector<std::pair<void*, int>> lazy;
  for (auto [b, c] : blocks) (mapped(class_bytes(c)) && lazy_free(b, class_bytes(c)) ? lazy : released).emplace_back(b, c);
  if (!lazy.empty()) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto [b, c] : lazy) {
      drop_other_classes(lazy_, kNumClasses, c, lazy_bytes_, class_bytes(c), kMaxLazyBytes, released);
      if (lazy_bytes_ + class_bytes(c) <= kMaxLazyBytes) {
        lazy_[c].push_back(b);
        lazy_bytes_ += class_bytes(c);
      } else {
        released.emplace_back(b, c);
      }
    }
  }
  for (auto [b, c] : released) release_block(b, class_bytes(c));
}

void* StoragePool::take_lazy(int size_class) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (lazy_[size_class].empty()) return nullptr;
  void* block = lazy_[size_class].back();
  lazy_[size_class].pop_back();
  lazy_bytes_ -= class_bytes(size_class);
  return block;
}

void StoragePool::release_block(void* block, size_t bytes) {
  if (!kExactBlocks && mapped(bytes)) {
    unmap_block(block, bytes);
  } else {
    std::free(block);
  }
}

void StoragePool::trim() {
  for (int c = 0; c < kLocalClasses; ++c) {
    while (local_[c].count > 0) release_block(local_[c].blocks[--local_[c].count], class_bytes(c));
  }
  std::lock_guard<std::mutex> lock(mutex_);
  for (int c = 0; c < kNumClasses; ++c) {
    for (void* p : free_[c]) release_block(p, class_bytes(c));
    for (void* p : lazy_[c]) release_block(p, class_bytes(c));
    free_[c].clear();
    lazy_[c].clear();
  }
  cached_bytes_ = 0;
  lazy_bytes_ = 0;
}

}  // namespace ndgrad

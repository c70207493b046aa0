// Class-level recycling of small, hot objects (one Array per op result, one Node per recorded
// op). Each thread keeps its own list, so allocation and release are a few instructions with no
// lock; objects of a JS environment are made and released on that environment's thread.
//
// Blocks are carved from 64 KiB slabs rather than taken from malloc one by one. Node-API
// allocates a small record per JS handle from the same malloc heap and frees thousands of them
// at each garbage collection; with our long-lived blocks scattered between those records, glibc
// spent more time consolidating and splitting its free chunks than we spent on the op (measured
// in docs/overhead.md). Slabs keep our objects out of that heap's way and next to each other.
//
// Memory goes back to the system a whole slab at a time: when the list holds 8 MiB of blocks, a
// sweep frees the slabs none of whose blocks is in use, down to about 4 MiB. The hot paths never
// look at slabs; the sweep is amortised over at least as many releases as it visits.
//
// Under AddressSanitizer every block is a plain allocation, so use-after-free of an array or a
// graph node is reported instead of landing in a recycled block.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <new>
#include <utility>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
#define NDGRAD_FREE_LIST_PLAIN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NDGRAD_FREE_LIST_PLAIN 1
#endif
#endif

namespace ndgrad {

template <size_t Size>
class FreeList {
 public:
  static constexpr size_t kSlabBytes = size_t{64} << 10;
#ifdef NDGRAD_FREE_LIST_PLAIN
  static constexpr bool kRecycles = false;
#else
  static constexpr bool kRecycles = true;
#endif

  static void* take() {
#ifdef NDGRAD_FREE_LIST_PLAIN
    ++local().taken;
    return ::operator new(Size, std::align_val_t(kAlign));
#else
    Local& l = local();
    if (!l.head) l.refill();
    Block* b = l.head;
    l.head = b->next;
    --l.count;
    return b;
#endif
  }

  static void give(void* p) noexcept {
#ifdef NDGRAD_FREE_LIST_PLAIN
    --local().taken;
    ::operator delete(p, std::align_val_t(kAlign));
#else
    Local& l = local();
    Block* b = static_cast<Block*>(p);
    b->next = l.head;
    l.head = b;
    if (++l.count >= l.sweep_at) l.sweep();
#endif
  }

  // Blocks on this thread's list and slabs it holds (tests).
  static size_t cached() { return local().count; }
  static size_t slabs() { return local().slabs.size(); }
  // Blocks taken on this thread and not given back, in either mode (the binding's graph pace
  // compares it across collections).
  static size_t live() {
#ifdef NDGRAD_FREE_LIST_PLAIN
    return local().taken > 0 ? static_cast<size_t>(local().taken) : 0;
#else
    return local().slabs.size() * kPerSlab - local().count;
#endif
  }

 private:
  // Sizes that are whole cache lines get line-aligned blocks, so an object spans no more lines
  // than it must.
  static constexpr size_t kAlign = Size % 64 == 0 ? 64 : alignof(std::max_align_t);
  static constexpr size_t kPerSlab = kSlabBytes / Size;
  static_assert(kPerSlab >= 8, "FreeList is for small objects");
  // Blocks a sweep keeps (about 4 MiB); it runs at twice that.
  static constexpr size_t kKeep = (size_t{4} << 20) / Size;

  struct Block {
    Block* next;
  };
  static_assert(Size >= sizeof(Block), "objects must hold a pointer");

  static char* slab_of(const void* p) {
    return reinterpret_cast<char*>(reinterpret_cast<uintptr_t>(p) & ~(uintptr_t{kSlabBytes} - 1));
  }

  struct Local {
    Block* head = nullptr;
    size_t count = 0;
    int64_t taken = 0;  // under AddressSanitizer only: blocks taken less blocks given
    size_t sweep_at = 2 * kKeep;
    std::vector<char*> slabs;  // sorted by address

    void refill() {
      // Aligned to its own size, so a block's slab is its address rounded down.
      char* s = static_cast<char*>(::operator new(kSlabBytes, std::align_val_t(kSlabBytes)));
      slabs.insert(std::upper_bound(slabs.begin(), slabs.end(), s), s);
      // Pushed in reverse so that the slab is handed out from its start.
      for (size_t i = kPerSlab; i-- > 0;) {
        Block* b = reinterpret_cast<Block*>(s + i * Size);
        b->next = head;
        head = b;
      }
      count += kPerSlab;
    }

    // Frees the slabs all of whose blocks are on the list, keeping about kKeep blocks, and keeps
    // the order of the rest (the most recently released first: they are the ones in cache).
    void sweep() noexcept {
      std::vector<uint32_t> free_in;
      std::vector<bool> drop;
      try {
        free_in = free_per_slab();
        drop.assign(slabs.size(), false);
      } catch (const std::bad_alloc&) {
        sweep_at = 2 * count;  // no memory to sweep with: try again later
        return;
      }
      size_t left = count;
      for (size_t i = slabs.size(); i-- > 0 && left > kKeep;) {
        if (free_in[i] == kPerSlab) {
          drop[i] = true;
          left -= kPerSlab;
        }
      }
      Block** tail = &head;
      for (Block* b = head; b;) {
        Block* next = b->next;
        size_t i = index_of(b);
        if (i == kForeign || !drop[i]) {
          *tail = b;
          tail = &b->next;
        }
        b = next;
      }
      *tail = nullptr;
      size_t kept = 0;
      for (size_t i = 0; i < slabs.size(); ++i) {
        if (drop[i]) ::operator delete(slabs[i], std::align_val_t(kSlabBytes));
        else slabs[kept++] = slabs[i];
      }
      slabs.resize(kept);
      count = left;
      // The next sweep waits for as many releases as this one visited blocks.
      sweep_at = std::max(2 * kKeep, 2 * count);
    }

    // How many blocks of each slab are on the list.
    std::vector<uint32_t> free_per_slab() const {
      std::vector<uint32_t> free_in(slabs.size(), 0);
      for (Block* b = head; b; b = b->next) {
        size_t i = index_of(b);
        if (i != kForeign) ++free_in[i];
      }
      return free_in;
    }

    // The index of b's slab, or kForeign for a block of another thread's slab (objects are
    // released on the thread that made them, but a stray one must not be miscounted).
    static constexpr size_t kForeign = SIZE_MAX;
    size_t index_of(const Block* b) const {
      char* s = slab_of(b);
      auto it = std::lower_bound(slabs.begin(), slabs.end(), s);
      return it != slabs.end() && *it == s ? static_cast<size_t>(it - slabs.begin()) : kForeign;
    }

    // Thread exit: slabs with live objects in them are left alone (whatever still holds those
    // objects may release them later); the others go back to the system.
    ~Local() {
      if (slabs.empty()) return;
      try {
        std::vector<uint32_t> free_in = free_per_slab();
        for (size_t i = 0; i < slabs.size(); ++i)
          if (free_in[i] == kPerSlab) ::operator delete(slabs[i], std::align_val_t(kSlabBytes));
      } catch (const std::bad_alloc&) {
        // the slabs stay with the exiting thread
      }
      head = nullptr;
      count = 0;
      slabs.clear();
      sweep_at = SIZE_MAX;
    }
  };

  // The per-op path reads one plain pointer. A thread_local object with a destructor takes a
  // guard variable, and in a shared library every thread_local read is a call to
  // __tls_get_addr: three of them per array made, two per array freed, before.
  static Local& local() {
    Local* l = t_local;
    return l ? *l : first_local();
  }
  [[gnu::noinline]] static Local& first_local() {
    static thread_local Local l;  // destroyed at thread exit
    t_local = &l;
    return l;
  }
  static inline thread_local Local* t_local = nullptr;
};

}  // namespace ndgrad

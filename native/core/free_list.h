// Class-level recycling of small, hot objects (one Array per op result). Each thread keeps its
// own list, so allocation and release are a few instructions with no lock; objects of a JS
// environment are made and released on that environment's thread. The list is capped, and what
// it holds is returned to the system when the thread exits.
#pragma once

#include <cstddef>
#include <new>

namespace ndgrad {

template <size_t Size>
class FreeList {
 public:
  static void* take() {
    Local& l = local();
    if (l.head) {
      Block* b = l.head;
      l.head = b->next;
      --l.count;
      return b;
    }
    return kLineAligned ? ::operator new(Size, std::align_val_t(64)) : ::operator new(Size);
  }
  static void give(void* p) noexcept {
    Local& l = local();
    if (l.count >= kCap) {
      release(p);
      return;
    }
    Block* b = static_cast<Block*>(p);
    b->next = l.head;
    l.head = b;
    ++l.count;
  }

 private:
  // Sizes that are whole cache lines get line-aligned blocks, so an object spans no more lines
  // than it must.
  static constexpr bool kLineAligned = Size % 64 == 0;
  static void release(void* p) noexcept {
    if (kLineAligned) ::operator delete(p, std::align_val_t(64));
    else ::operator delete(p);
  }
  // At most about 4 MiB of each size stays cached per thread.
  static constexpr size_t kCap = Size >= 256 ? (size_t{4} << 20) / Size : 1 << 14;
  struct Block {
    Block* next;
  };
  static_assert(Size >= sizeof(Block), "objects must hold a pointer");
  struct Local {
    Block* head = nullptr;
    size_t count = 0;
    ~Local() {
      while (head) {
        Block* next = head->next;
        release(head);
        head = next;
      }
    }
  };
  static Local& local() {
    static thread_local Local l;
    return l;
  }
};

}  // namespace ndgrad

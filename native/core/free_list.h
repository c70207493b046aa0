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
    return ::operator new(Size);
  }
  static void give(void* p) noexcept {
    Local& l = local();
    if (l.count >= kCap) {
      ::operator delete(p);
      return;
    }
    Block* b = static_cast<Block*>(p);
    b->next = l.head;
    l.head = b;
    ++l.count;
  }

 private:
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
        ::operator delete(head);
        head = next;
      }
    }
  };
  static Local& local() {
    static thread_local Local l;
    return l;
  }
};

// A std allocator over the free lists, for std::allocate_shared of hot objects (graph nodes).
template <class T>
struct FreeListAllocator {
  using value_type = T;
  FreeListAllocator() = default;
  template <class U>
  FreeListAllocator(const FreeListAllocator<U>&) {}
  T* allocate(size_t n) {
    if (n == 1) return static_cast<T*>(FreeList<sizeof(T)>::take());
    return static_cast<T*>(::operator new(n * sizeof(T)));
  }
  void deallocate(T* p, size_t n) noexcept {
    if (n == 1) FreeList<sizeof(T)>::give(p);
    else ::operator delete(p);
  }
  template <class U>
  bool operator==(const FreeListAllocator<U>&) const { return true; }
  template <class U>
  bool operator!=(const FreeListAllocator<U>&) const { return false; }
};

}  // namespace ndgrad

// Working storage of one large kernel call (a whole-plane grid of one large image), mapped on
// its own and unmapped when the call ends. A buffer from malloc of 8-32 MiB would not go back to
// the system: glibc raises its mmap threshold to the size of the last mapped block it freed
// (up to 32 MiB), so the next such buffer comes from a thread's arena and stays there after it
// is freed (two pool threads' 18 MB depthwise planes: 36 MB resident for the life of the process).
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <new>

namespace ndgrad {

template <class T>
class CallBuffer {
 public:
  explicit CallBuffer(size_t count) : bytes_(count * sizeof(T)) {
    void* p = mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
    madvise(p, bytes_, MADV_HUGEPAGE);
#endif
    data_ = static_cast<T*>(p);
  }
  CallBuffer(const CallBuffer&) = delete;
  CallBuffer& operator=(const CallBuffer&) = delete;
  ~CallBuffer() { munmap(data_, bytes_); }

  T* get() const { return data_; }

 private:
  size_t bytes_;
  T* data_;
};

}  // namespace ndgrad

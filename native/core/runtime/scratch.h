// Working storage of a kernel that only grows, kept per thread and role (a thread_local
// Scratch), so that the steady state neither allocates nor faults in fresh pages. Used by GEMM's
// packing buffers and the ordering ops' key and index lines.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <new>

namespace ndgrad {

class Scratch {
 public:
  Scratch() = default;
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  ~Scratch() { std::free(data_); }

  // At least count elements of T, 64-byte aligned; the contents are not kept across a growth.
  template <class T>
  T* get(size_t count) {
    const size_t bytes = (count * sizeof(T) + 63) / 64 * 64;
    if (bytes > bytes_) {
      std::free(data_);
      bytes_ = 0;
      data_ = std::aligned_alloc(64, bytes);
      if (!data_) throw std::bad_alloc();
      bytes_ = bytes;
    }
    return static_cast<T*>(data_);
  }

 private:
  void* data_ = nullptr;
  size_t bytes_ = 0;
};

}  // namespace ndgrad

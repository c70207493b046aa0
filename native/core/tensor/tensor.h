// A tensor is (storage, element offset, shape, dtype), always row-major contiguous. Views
// (reshape, axis-0 slices) share the storage with another offset or shape.
#pragma once

#include <cstdint>

#include "core/tensor/dtype.h"
#include "core/tensor/shape.h"
#include "core/runtime/storage.h"

namespace ndgrad {

struct Tensor {
  Ref<Storage> storage;
  int64_t offset = 0;  // in elements
  Shape shape;
  DType dtype = DType::Float32;

  int64_t size() const { return shape_size(shape); }
  size_t ndim() const { return shape.size(); }
  size_t nbytes() const { return static_cast<size_t>(size()) * dtype_size(dtype); }
  void* raw() const {
    return static_cast<char*>(storage->data()) + offset * static_cast<int64_t>(dtype_size(dtype));
  }
  template <class T>
  T* data() const { return static_cast<T*>(raw()); }
  bool defined() const { return static_cast<bool>(storage); }
};

}  // namespace ndgrad

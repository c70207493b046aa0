// The dtypes and shapes of a graph node's inputs and outputs, packed for a small node: three
// tensors of up to eight dimensions in all (a binary op on matrices) sit inline in 104 bytes,
// and only the spill pointer, in the first line, is read when the node is freed. More tensors or
// dimensions move everything to the heap.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/tensor/dtype.h"
#include "core/tensor/shape.h"

namespace ndgrad {

class TensorMetas {
 public:
  TensorMetas() = default;
  TensorMetas(const TensorMetas&) = delete;
  TensorMetas& operator=(const TensorMetas&) = delete;

  size_t size() const { return count_; }

  void push_back(const Shape& shape, DType dtype) {
    size_t ndim = shape.size();
    if (spill_ || count_ == kInlineTensors || num_dims_ + ndim > kInlineDims) {
      push_back_spilled(shape, dtype);
      return;
    }
    metas_[count_] = Meta{num_dims_, static_cast<uint32_t>(ndim), dtype};
    for (size_t d = 0; d < ndim; ++d) dims_[num_dims_ + d] = shape[d];
    num_dims_ += static_cast<uint32_t>(ndim);
    ++count_;
  }

  // `count` tensors of one shape and dtype (an elementwise op's operands and result): their
  // dimensions are stored once and shared.
  void push_back_same(const Shape& shape, DType dtype, size_t count) {
    size_t ndim = shape.size();
    if (spill_ || count_ + count > kInlineTensors || num_dims_ + ndim > kInlineDims) {
      for (size_t k = 0; k < count; ++k) push_back(shape, dtype);
      return;
    }
    for (size_t k = 0; k < count; ++k) metas_[count_ + k] = Meta{num_dims_, static_cast<uint32_t>(ndim), dtype};
    for (size_t d = 0; d < ndim; ++d) dims_[num_dims_ + d] = shape[d];
    num_dims_ += static_cast<uint32_t>(ndim);
    count_ += static_cast<uint32_t>(count);
  }

  Shape shape(size_t i) const {
    const Meta& m = meta(i);
    const int64_t* d = (spill_ ? spill_->dims.data() : dims_) + m.start;
    return Shape(d, d + m.ndim);
  }
  DType dtype(size_t i) const { return meta(i).dtype; }

 private:
  static constexpr uint32_t kInlineTensors = 3;
  static constexpr uint32_t kInlineDims = 8;
  struct Meta {
    uint32_t start;  // first of its dims
    uint32_t ndim : 24;
    DType dtype;
  };
  static_assert(sizeof(Meta) == 8, "start, rank and dtype pack into 8 bytes");
  struct Spill {
    std::vector<Meta> metas;
    std::vector<int64_t> dims;
  };

  const Meta& meta(size_t i) const { return spill_ ? spill_->metas[i] : metas_[i]; }

  // Kept out of line: recording an op calls push_back a few times, almost always inline.
  [[gnu::noinline]] void push_back_spilled(const Shape& shape, DType dtype) {
    if (!spill_) spill();
    size_t ndim = shape.size();
    spill_->metas.push_back(Meta{static_cast<uint32_t>(spill_->dims.size()), static_cast<uint32_t>(ndim), dtype});
    spill_->dims.insert(spill_->dims.end(), shape.begin(), shape.end());
    num_dims_ += static_cast<uint32_t>(ndim);
    ++count_;
  }

  void spill() {
    auto s = std::make_unique<Spill>();
    s->metas.assign(metas_, metas_ + count_);
    s->dims.assign(dims_, dims_ + num_dims_);
    spill_ = std::move(s);
  }

  std::unique_ptr<Spill> spill_;
  uint32_t count_ = 0;
  uint32_t num_dims_ = 0;
  Meta metas_[kInlineTensors];
  int64_t dims_[kInlineDims];
};

}  // namespace ndgrad

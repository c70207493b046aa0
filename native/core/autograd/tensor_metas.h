// The dtypes and shapes of a graph node's inputs and outputs, packed for a small node: three
// tensors of up to eight dimensions in all (a binary op on matrices; consecutive tensors of one
// shape count their dimensions once) sit inline in 104 bytes, and only the spill pointer, in the
// first line, is read when the node is freed. More tensors or dimensions move everything to the
// heap.
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
  // Moved to the heap (tests).
  bool spilled() const { return spill_ != nullptr; }

  // A tensor of the previous one's dimensions shares them (an elementwise op's inputs and result
  // are stored with one copy), so a 5-D elementwise node stays inline.
  void push_back(const Shape& shape, DType dtype) {
    size_t ndim = shape.size();
    if (!spill_ && count_ < kInlineTensors) {
      if (count_ > 0 && same_dims(metas_[count_ - 1], shape)) {
        metas_[count_] = Meta{metas_[count_ - 1].start, static_cast<uint16_t>(ndim), dtype};
        ++count_;
        return;
      }
      if (num_dims_ + ndim <= kInlineDims) {
        metas_[count_] = Meta{num_dims_, static_cast<uint16_t>(ndim), dtype};
        for (size_t d = 0; d < ndim; ++d) dims_[num_dims_ + d] = shape[d];
        num_dims_ += static_cast<uint32_t>(ndim);
        ++count_;
        return;
      }
    }
    push_back_spilled(shape, dtype);
  }

  // An empty list gets `count` tensors of one shape and dtype (an elementwise op's inputs and
  // result), stored as that many push_back calls would store them (one copy of the dimensions),
  // without comparing dimensions. Beyond the inline room it takes push_back's path.
  void assign_same(size_t count, const Shape& shape, DType dtype) {
    size_t ndim = shape.size();
    if (count_ == 0 && !spill_ && count <= kInlineTensors && ndim <= kInlineDims) {
      for (size_t d = 0; d < ndim; ++d) dims_[d] = shape[d];
      const Meta m{0, static_cast<uint16_t>(ndim), dtype};
      for (size_t i = 0; i < count; ++i) metas_[i] = m;
      count_ = static_cast<uint32_t>(count);
      num_dims_ = static_cast<uint32_t>(ndim);
      return;
    }
    for (size_t i = 0; i < count; ++i) push_back(shape, dtype);
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
  // Whole bytes, no bit-field: push_back reads the rank of the tensor it stored just before, and
  // a 24-bit field was stored in two pieces (16 and 8 bits) and loaded as 32, a load the CPU
  // cannot forward from the pending stores (it waits for them to reach the cache: the largest
  // stall perf showed in record_node).
  struct Meta {
    uint32_t start;  // first of its dims
    uint16_t ndim;   // at most kMaxDims
    DType dtype;
  };
  static_assert(sizeof(Meta) == 8, "start, rank and dtype pack into 8 bytes");
  static_assert(kMaxDims <= UINT16_MAX, "a rank fits Meta::ndim");
  struct Spill {
    std::vector<Meta> metas;
    std::vector<int64_t> dims;
  };

  const Meta& meta(size_t i) const { return spill_ ? spill_->metas[i] : metas_[i]; }
  bool same_dims(const Meta& m, const Shape& shape) const {
    if (m.ndim != shape.size()) return false;
    for (size_t d = 0; d < shape.size(); ++d)
      if (dims_[m.start + d] != shape[d]) return false;
    return true;
  }

  // Kept out of line: recording an op calls push_back a few times, almost always inline.
  [[gnu::noinline]] void push_back_spilled(const Shape& shape, DType dtype) {
    if (!spill_) spill();
    size_t ndim = shape.size();
    spill_->metas.push_back(Meta{static_cast<uint32_t>(spill_->dims.size()), static_cast<uint16_t>(ndim), dtype});
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

// The attributes of one op call (axis, shape, transposes, the number operand, ...).
#pragma once

#include <cstdint>
#include <vector>

#include "core/tensor/dtype.h"
#include "core/tensor/shape.h"

namespace ndgrad {

// Each op reads only the fields it needs; the rest keep their defaults.
struct Attrs {
  double scalar = 0;       // number operand, fill value, low/loc, start
  double scalar2 = 0;      // high/scale, stop
  double scalar3 = 0;      // step
  std::vector<int64_t> axes;   // reduce axes, transpose permutation
  bool has_axes = false;       // axes given (an empty list given for transpose means "reverse")
  Shape shape;                 // target or created shape
  bool keepdims = false;
  bool transpose_a = false;
  bool transpose_b = false;
  bool reverse = false;
  bool endpoint = true;        // linspace: stop is the last value
  bool literal_shape = false;  // reshape: `shape` is the exact result, no MXNet codes (0, -1, ...)
  int64_t begin = 0, end = 0;
  int64_t ord = 2;
  int64_t depth = 0;           // one_hot
  DType dtype = DType::Float32;
  bool has_dtype = false;      // dtype given (cumsum: else the input's)
  int64_t k = 1;               // topk: how many to keep
  int64_t num_outputs = 1;     // split
  int64_t repeats = 1;         // repeat
  int ret_typ = 0;             // topk: 0 indices, 1 value, 2 both, 3 mask
  int mode = 0;                // take: 0 clip, 1 wrap, 2 raise
  bool is_ascend = false;      // topk, sort, argsort
  bool squeeze_axis = false;   // split
  // slice: per-axis begin/end/step; kNoIndex stands for MXNet's None.
  std::vector<int64_t> begins, ends, steps;
};

constexpr int64_t kNoIndex = INT64_MIN;

}  // namespace ndgrad

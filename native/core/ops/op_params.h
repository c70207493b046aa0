// The parameter structs of the ops whose struct other ops build: backward formulas and the
// helpers of ops.h construct their callee's options directly. An op whose struct nobody else
// builds declares it next to its entry, in its ops_*.cc file.
#pragma once

#include <cstdint>
#include <vector>

#include "core/ops/params.h"

namespace ndgrad {

// The number operand of the *_scalar ops.
struct ScalarParams {
  double scalar = 0;
};

// sum, mean, prod, max, min, argmax, argmin: the axes to reduce (has_axes false: all of them).
struct ReduceParams {
  std::vector<int64_t> axes;
  bool has_axes = false;
  bool keepdims = false;
};

// transpose (axes: the permutation; none reverses), concat and stack (axes[0]: the axis).
struct AxesParams {
  std::vector<int64_t> axes;
  bool has_axes = false;
};

// broadcast_to and sum_to: the target shape.
struct ShapeParams {
  Shape shape;
};

struct ReshapeParams {
  Shape shape;
  bool reverse = false;
  bool literal_shape = false;  // `shape` is the exact result, no MXNet codes (0, -1, ...)
};

// softmax and log_softmax (MXNet's SoftmaxParam); softmax_ce_grad's gradient builds it.
struct SoftmaxParams {
  std::vector<int64_t> axes;  // one axis, default -1
  bool has_axes = false;
  double temperature = 1;
};

// dot and batch_dot.
struct DotParams {
  bool transpose_a = false;
  bool transpose_b = false;
};

struct AstypeParams {
  DType dtype = DType::Float32;
};

// slice and its gradient slice_grad (shape: the shape of the sliced array; slice_grad only).
struct SliceParams {
  std::vector<int64_t> begins, ends, steps;
  Shape shape;
};

// take and its gradient take_grad (shape: the shape of the gathered array; take_grad only).
struct TakeParams {
  std::vector<int64_t> axes;
  bool has_axes = false;
  int mode = 0;  // 0 clip, 1 wrap, 2 raise
  Shape shape;
};

// take_along_axis and its gradient (shape: the shape of the gathered array; the gradient only).
struct AlongParams {
  std::vector<int64_t> axes;
  bool has_axes = false;
  Shape shape;
};

// cumsum and cumprod (one axis; none scans the flattened array).
struct CumsumParams {
  std::vector<int64_t> axes;
  bool has_axes = false;
  DType dtype = DType::Float32;
  bool has_dtype = false;  // else the input's
};

// A scan along one axis as (outer, n, inner) loops; no axis scans the flattened array.
struct ScanGeom {
  size_t outer = 1, n = 1, inner = 1;
};
ScanGeom scan_geom(const Shape& s, const CumsumParams& a, const char* op);

// convolution, deconvolution and conv_weight_grad (a gradient family: each one's backward calls
// the others). Tuples hold one value for every spatial axis or one for all; empty is the default.
struct ConvParams {
  Shape kernel, stride, dilate, pad, adj, target_shape;
  int64_t num_filter = 0;
  int64_t num_group = 1;
  bool no_bias = false;
  int layout = 0;  // index into "None NCW NCHW NCDHW NHWC NDHWC"
};

}  // namespace ndgrad

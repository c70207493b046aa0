// Shapes and the index arithmetic shared by every op: sizes with overflow checks, NumPy
// broadcasting, axis normalisation and MXNet's reshape codes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/runtime/small_vec.h"

namespace ndgrad {

using Shape = SmallVec<int64_t, 6>;

// Largest element count of one array (keeps byte sizes far from size_t overflow).
constexpr int64_t kMaxElements = int64_t{1} << 40;
constexpr size_t kMaxDims = 32;

int64_t shape_size(const Shape& s);
// "(2,3)": the form MXNet uses in its error messages.
std::string shape_str(const Shape& s);
// Validates a user-given shape: 1 to kMaxDims dimensions (MXNet's legacy NDArray has no 0-d
// arrays), none negative, and the product of the non-zero ones within kMaxElements. Zero-size
// arrays obey the same bound, so that every partial product of a valid shape (rows x cols in dot,
// strides, merged axes) fits in int64_t.
void check_shape(const Shape& s, const char* op, const char* arg);

// a * b, or a RangeError naming op when the product does not fit in int64_t. Every shape rule that
// multiplies dimensions goes through this (or through shape_size on a checked shape).
int64_t checked_mul(int64_t a, int64_t b, const char* op);

// NumPy broadcasting of two shapes; throws naming op when incompatible.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);

// Normalises a possibly negative axis against ndim; throws naming op/arg when out of range.
int normalize_axis(int64_t axis, size_t ndim, const char* op, const char* arg = "axis");

// Row-major strides in elements.
std::vector<int64_t> contiguous_strides(const Shape& s);

// Resolves MXNet reshape codes (0 copy, -1 infer, -2 rest, -3 merge two, -4 split one) against
// the input shape; throws when the size differs.
Shape infer_reshape(const Shape& in, const Shape& spec, bool reverse, const char* op);

}  // namespace ndgrad

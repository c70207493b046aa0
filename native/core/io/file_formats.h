// The byte layout of the two file formats nd.load and nd.loadNpy read: MXNet's NDArray list
// (`.params`, MXNET.md section 5) and NumPy's `.npy`. Parsing reads untrusted bytes, so every read
// is bounds-checked, every shape goes through check_shape and every size through checked_mul;
// failures are ndgrad::Error naming the function, the file and the reason. Only the layout is
// parsed here: lib/files.ts turns each byte range into an array. The libFuzzer targets in
// native/fuzz/ call these two functions directly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/tensor/dtype.h"
#include "core/tensor/shape.h"

namespace ndgrad {

// One array's data: `bytes` bytes at `offset` in the file, C order.
struct ArrayLayout {
  Shape shape;
  DType dtype = DType::Float32;
  size_t offset = 0;
  size_t bytes = 0;
};

struct ParamsLayout {
  std::vector<ArrayLayout> arrays;
  std::vector<std::string> names;  // empty, or one per array (distinct)
};

struct NpyLayout {
  ArrayLayout array;  // the logical shape; Fortran-order data is the C-order data of it reversed
  bool little_endian = true;
  bool fortran = false;
  bool boolean = false;  // '|b1': any non-zero byte is true
};

ParamsLayout parse_params(const uint8_t* data, size_t size, const std::string& file);
NpyLayout parse_npy(const uint8_t* data, size_t size, const std::string& file);

}  // namespace ndgrad

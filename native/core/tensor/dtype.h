// Element types. The enum itself lives in kernels/kernels.h so raw kernels can use it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "kernels/kernels.h"

namespace ndgrad {

inline size_t dtype_size(DType dt) {
  switch (dt) {
    case DType::Float32: return 4;
    case DType::Float64: return 8;
    case DType::Int32: return 4;
    case DType::Uint8: return 1;
  }
  return 0;
}

inline const char* dtype_name(DType dt) {
  switch (dt) {
    case DType::Float32: return "float32";
    case DType::Float64: return "float64";
    case DType::Int32: return "int32";
    case DType::Uint8: return "uint8";
  }
  return "?";
}

inline bool dtype_is_float(DType dt) { return dt == DType::Float32 || dt == DType::Float64; }

// Parses a dtype code sent by the binding (0..3); false when out of range.
inline bool dtype_from_code(int code, DType* out) {
  if (code < 0 || code >= kNumDTypes) return false;
  *out = static_cast<DType>(code);
  return true;
}

// Calls f(T{}) with T the C++ type of dt.
template <class F>
decltype(auto) visit_dtype(DType dt, F&& f) {
  switch (dt) {
    case DType::Float64: return f(double{});
    case DType::Int32: return f(int32_t{});
    case DType::Uint8: return f(uint8_t{});
    case DType::Float32: break;
  }
  return f(float{});
}

}  // namespace ndgrad

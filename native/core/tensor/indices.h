// Index arrays of any dtype, as MXNet's gathers read them: values are truncated toward zero, then
// brought into [0, n) by the op's mode (clip or wrap; 'raise' is checked before the op runs).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "core/tensor/shape.h"

namespace ndgrad {

enum class IndexMode : int { Clip = 0, Wrap = 1, Raise = 2 };

// v truncated toward zero; NaN gives -1 (out of range) and huge values saturate far out of range.
template <class T>
inline int64_t truncate_index(T v) {
  if constexpr (std::is_integral_v<T>) {
    return static_cast<int64_t>(v);
  } else {
    if (!(v == v)) return -1;
    if (v > T(9e15)) return INT64_MAX / 2;
    if (v < T(-9e15)) return -INT64_MAX / 2;
    return static_cast<int64_t>(v);
  }
}

inline int64_t clip_index(int64_t i, int64_t n) { return i < 0 ? 0 : (i >= n ? n - 1 : i); }

inline int64_t wrap_index(int64_t i, int64_t n) {
  int64_t r = i % n;
  return r < 0 ? r + n : r;
}

// An index resolved into [0, n) (n > 0). Raise mode was validated already, so it clips. Wrapping
// a float is exact however large it is; NaN and infinities count as -1 there (they wrap to n - 1).
template <class T>
inline int64_t resolve_index(T v, int64_t n, IndexMode mode) {
  if (mode != IndexMode::Wrap) {
    if constexpr (std::is_integral_v<T>) {
      return clip_index(static_cast<int64_t>(v), n);
    } else {
      // The same as clip_index(truncate_index(v), n) with fewer tests: NaN fails both. (n is
      // exact in double, not always in float.)
      double d = static_cast<double>(v);
      if (!(d >= 1.0)) return 0;
      return d >= static_cast<double>(n) ? n - 1 : static_cast<int64_t>(d);
    }
  }
  if constexpr (std::is_integral_v<T>) {
    int64_t i = static_cast<int64_t>(v);
    return i >= 0 && i < n ? i : wrap_index(i, n);
  } else {
    if (!std::isfinite(v)) return n - 1;
    double r = std::fmod(std::trunc(static_cast<double>(v)), static_cast<double>(n));
    return static_cast<int64_t>(r < 0 ? r + static_cast<double>(n) : r);
  }
}

// A shape seen as (outer, n, inner) around one axis: element (o, t, i) is at (o * n + t) * inner + i.
struct AxisGeom {
  size_t outer = 1, n = 0, inner = 1;
};

inline AxisGeom axis_geom(const Shape& s, int axis) {
  AxisGeom g;
  for (int d = 0; d < axis; ++d) g.outer *= static_cast<size_t>(s[d]);
  g.n = static_cast<size_t>(s[axis]);
  for (size_t d = static_cast<size_t>(axis) + 1; d < s.size(); ++d) g.inner *= static_cast<size_t>(s[d]);
  return g;
}

}  // namespace ndgrad

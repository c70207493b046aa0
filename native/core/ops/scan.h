// The running scans along one axis (cumsum, cumprod): the input converted to the result dtype,
// then y[k] = step(y[k-1], x[k]) along the axis, in order (NumPy's accumulate).
#pragma once

#include "core/drivers/elementwise.h"
#include "core/ops/ops.h"

namespace ndgrad {

template <class Step>
void scan_into(OpCall& c, const char* op, Step step) {
  Tensor& y = c.out[0];
  Tensor x = c.in[0];
  if (x.dtype != y.dtype) {
    Tensor converted = c.env.empty(x.shape, y.dtype);
    cast_into(c.env, x, converted);
    x = converted;
  }
  ScanGeom g = scan_geom(c.in[0].shape, c.params<CumsumParams>(), op);
  if (g.n == 0) return;  // an empty axis: no element to start a run from, whatever the other axes hold
  visit_dtype(y.dtype, [&](auto zero) {
    using T = decltype(zero);
    const T* src = x.data<T>();
    T* dst = y.data<T>();
    for (size_t o = 0; o < g.outer; ++o) {
      const T* xs = src + o * g.n * g.inner;
      T* ys = dst + o * g.n * g.inner;
      for (size_t i = 0; i < g.inner; ++i) ys[i] = xs[i];
      for (size_t k = 1; k < g.n; ++k)
        for (size_t i = 0; i < g.inner; ++i) ys[k * g.inner + i] = step(ys[(k - 1) * g.inner + i], xs[k * g.inner + i]);
    }
  });
}

}  // namespace ndgrad

// Convolution inner loops compiled once per instruction set (conv_scalar.cc, conv_avx2.cc,
// conv_avx512.cc from conv.inl). The driver (native/core/drivers/conv.cc) owns the geometry,
// the buffers and the threading; these functions only run long dot products.
#pragma once

#include <cstddef>

#include "kernels/kernels.h"

namespace ndgrad {
namespace kernels {

// The length unit of tap_dots: every len is a multiple of this many elements (64 bytes, the
// widest vector of any ISA), so no ISA needs a tail loop.
template <class T>
constexpr size_t kTapDotUnit = 64 / sizeof(T);

template <class T>
struct ConvOps {
  // dw[i * dw_rs + t] += sum over j < len of dy[i * dy_rs + j] * x[off[t] + j], for i < m and
  // t < taps: a convolution's weight gradient when dy (the output gradient) and x (the input)
  // are laid out on one flat grid, each tap then being a shift of x. len is a multiple of
  // kTapDotUnit<T>.
  void (*tap_dots)(size_t m, size_t taps, size_t len, const T* dy, size_t dy_rs, const T* x, const size_t* off,
                   T* dw, size_t dw_rs);
  // y[i * y_rs + j] = sum over t < taps of w[i * w_rs + t] * x[off[t] + j], for i < m and j < len
  // (y overwritten): a convolution's output on the input's flat grid. len is a multiple of
  // kTapDotUnit<T>.
  void (*tap_axpys)(size_t m, size_t taps, size_t len, const T* w, size_t w_rs, const T* x, const size_t* off, T* y,
                    size_t y_rs);
};

struct ConvKernels {
  Isa isa;
  ConvOps<float> f32;
  ConvOps<double> f64;
};

// The kernels for an instruction set, falling back to the best one below it this CPU has.
const ConvKernels& conv_kernels(Isa isa);

}  // namespace kernels
}  // namespace ndgrad

// Convolution kernels (docs/dev/conv-performance.md): one geometry, three passes. Every
// convolution-family op is one of them: convolution's forward, deconvolution's forward (the
// convolution's data gradient) and the weight gradient of both.
//
// Names follow the convolution: the "big" array is its input [n, c, ...in], the "small" one its
// output [n, f, ...out], the weight [f, c / groups, ...k]. A deconvolution reads small and
// writes big.
#pragma once

#include <cstddef>

#include "kernels/kernels.h"

namespace ndgrad {

class ThreadPool;

struct ConvGeom {
  size_t n = 0, c = 0, f = 0, groups = 1;
  // Spatial axes, padded in front to three (a 2-D convolution has depth 1, kernel 1, pad 0).
  size_t in[3] = {1, 1, 1}, out[3] = {1, 1, 1}, k[3] = {1, 1, 1};
  size_t stride[3] = {1, 1, 1}, pad[3] = {0, 0, 0}, dilate[3] = {1, 1, 1};

  size_t in_size() const { return in[0] * in[1] * in[2]; }
  size_t out_size() const { return out[0] * out[1] * out[2]; }
  size_t k_size() const { return k[0] * k[1] * k[2]; }
};

struct ConvRun {
  ThreadPool& pool;
  kernels::Isa isa;
  DType dtype;  // Float32 or Float64
};

// small = conv(big, w) (+ bias[f] when bias is not null), then with relu max(small, 0) (NaN
// kept, as nd.relu), applied while each image's output is still in cache (oneDNN's post-op).
void conv_forward(const ConvRun& r, const ConvGeom& g, const void* big, const void* w, const void* bias, void* small,
                  bool relu = false);
// big = the transposed convolution of small with w (+ bias[c] when not null): the gradient of
// conv_forward with respect to big, and deconvolution's forward.
void conv_backward_data(const ConvRun& r, const ConvGeom& g, const void* small, const void* w, const void* bias,
                        void* big);
// w = the gradient of conv_forward with respect to the weight, for the output gradient small.
void conv_backward_weight(const ConvRun& r, const ConvGeom& g, const void* big, const void* small, void* w);

}  // namespace ndgrad

// Row kernels of pooling and the normalizations, compiled once per instruction set
// (poolnorm_scalar.cc, poolnorm_avx2.cc, poolnorm_avx512.cc from poolnorm.inl). The ops
// (native/core/ops/ops_pool.cc, ops_norm.cc) own the shapes, the threading and the statistics;
// these functions only run the inner loops over one contiguous row or one plane.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/kernels.h"

namespace ndgrad {
namespace kernels {

enum class PoolType : int { Max = 0, Avg = 1, Sum = 2, Lp = 3 };

// One pooling problem over a plane of up to three spatial axes (unused leading axes have in,
// out, kernel and stride 1, pad 0). Windows follow MXNet's pool.h: a window of the 'full'
// convention may reach past the padded input, and an average divides by the window clipped to
// the padded input (count_include_pad) or to the input.
struct PoolGeom {
  int64_t in[3], out[3], k[3], s[3], p[3];
  PoolType type;
  int p_value;  // Lp: 1, 2 or 3
  bool count_include_pad;
};

template <class T>
struct PoolNormOps {
  // y = pool(x) over one plane. Max pooling with idx not null also writes, per window, the
  // plane index of the element pool_bwd would pick (its first maximum), -1 for a window wholly
  // in the padding: PyTorch's max_pool2d_with_indices.
  void (*pool_fwd)(const PoolGeom& g, const T* x, T* y, int32_t* idx);
  // dx = the gradient of one plane of max, avg or sum pooling (dx is overwritten). Max: to the
  // first maximum of each window.
  void (*pool_bwd)(const PoolGeom& g, const T* dy, const T* x, T* dx);
  // dx = max pooling's gradient of one plane from the indices pool_fwd recorded (dx is
  // overwritten), without reading x. False when an index is not -1 or an element of its window
  // (dx is then incomplete).
  bool (*pool_bwd_index)(const PoolGeom& g, const T* dy, const int32_t* idx, T* dx);
  // y[o] = v at the first maximum of x in window o (the adjoint of max pooling's gradient).
  void (*pool_select)(const PoolGeom& g, const T* x, const T* v, T* y);
  // s1 += sum(x - shift), s2 += sum((x - shift)^2) over a row of n.
  void (*moments)(const T* x, size_t n, T shift, double* s1, double* s2);
  // Per column q < n: s1[q] += x[q] - shift[q], s2[q] += (x[q] - shift[q])^2.
  void (*moments_cols)(const T* x, size_t n, const T* shift, double* s1, double* s2);
  // y = x * a + b over a row.
  void (*affine)(const T* x, T* y, size_t n, T a, T b);
  // y[q] = (x[q] - m[q]) * r[q] * g + b over a row (statistics per column).
  void (*norm_cols)(const T* x, T* y, size_t n, const T* m, const T* r, T g, T b);
  // y[q] = (x[q] - m) * r * g[q] + b[q] over a row (scale and shift per column).
  void (*norm_gamma_cols)(const T* x, T* y, size_t n, T m, T r, const T* g, const T* b);
  // The sums of a normalization's backward over a row: a += sum(dy * w), b += sum(dy * w * x),
  // with w = g[q] (g null: 1).
  void (*grad_sums)(const T* dy, const T* x, const T* g, size_t n, double* a, double* b);
  // Per column q < n: a[q] += dy[q], b[q] += dy[q] * (x[q] - m) * r (gamma and beta gradients).
  void (*grad_cols)(const T* dy, const T* x, size_t n, T m, T r, double* a, double* b);
  // dx[q] = s * w * dy[q] + b * x[q] + c with w = g[q] (g null: 1).
  void (*grad_apply)(const T* dy, const T* x, T* dx, size_t n, const T* g, T s, T b, T c);
};

struct PoolNormKernels {
  Isa isa;
  PoolNormOps<float> f32;
  PoolNormOps<double> f64;
};

// The kernels for an instruction set, falling back to the best one below it this CPU has.
const PoolNormKernels& poolnorm_kernels(Isa isa);

}  // namespace kernels
}  // namespace ndgrad

// Convolution on the project's GEMM and the per-ISA conv kernels (docs/dev/conv-performance.md).
// Four strategies:
// - pointwise (1x1 kernel, stride 1, no padding): the image is already the GEMM operand, so
//   each image and group is one product with no copy;
// - depthwise (one input channel per group, several groups): with unit strides, Toeplitz
//   products on the ISA's unpacked GEMM kernel (forward and data gradient); otherwise a direct
//   kernel that slides each tap over the rows;
// - unit strides with few rows and taps per group (flat_fits): the flat grid, each tap a shift
//   of the padded input (forward, data gradient as a forward, and weight gradient, the latter
//   also for depthwise layers);
// - everything else: im2col (or col2im) into a per-thread buffer and one product per image and
//   group.
// Images are shared out over the thread pool (the products then run on one thread each); with
// fewer images than threads the products themselves are threaded. Every result is independent
// of the thread count: each output element is computed by one task in a fixed order, and the
// weight gradient sums a fixed number of partial sums in a fixed order.
#include "core/drivers/conv.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <memory>
#include <optional>
#include <type_traits>
#include <vector>

#include "core/drivers/gemm.h"
#include "core/runtime/call_buffer.h"
#include "core/runtime/thread_pool.h"
#include "kernels/conv_kernels.h"
#include "kernels/gemm_kernels.h"

namespace ndgrad {
namespace {

using Index = std::ptrdiff_t;

// The weight gradient sums this many partial sums over the batch (fewer for a smaller batch):
// fixed, so the sum's order does not depend on the thread count.
constexpr size_t kWeightChunks = 8;

// The outputs o in [lo, hi) of an axis whose input o * stride + off lies in [0, n).
struct Span {
  Index lo, hi;
};
Span valid_span(size_t n, size_t outs, size_t stride, Index off) {
  Index s = static_cast<Index>(stride), len = static_cast<Index>(n);
  Index lo = off >= 0 ? 0 : (-off + s - 1) / s;
  Index hi = len - off <= 0 ? 0 : (len - off + s - 1) / s;
  hi = std::min(hi, static_cast<Index>(outs));
  return {std::min(lo, hi), hi};
}

// The input offset of tap t along axis a: o * stride + tap_off(a, t) is the input index.
Index tap_off(const ConvGeom& g, int a, size_t t) {
  return static_cast<Index>(t * g.dilate[a]) - static_cast<Index>(g.pad[a]);
}

bool is_pointwise(const ConvGeom& g) {
  for (int a = 0; a < 3; ++a)
    if (g.k[a] != 1 || g.stride[a] != 1 || g.pad[a] != 0) return false;
  return true;
}

// Walks every (tap, output row) pair of one channel plane for the output rows [r0, r1) (a row is
// one (depth, height) position): fn(tap, offset of the row from row r0's start, input row offset,
// span of the row's valid outputs, input offset of the first output). Rows whose input lies in
// the padding get an empty span.
template <class Fn>
void for_each_row(const ConvGeom& g, size_t r0, size_t r1, Fn&& fn) {
  const size_t oh = g.out[1], ow = g.out[2];
  size_t tap = 0;
  for (size_t kd = 0; kd < g.k[0]; ++kd)
    for (size_t kh = 0; kh < g.k[1]; ++kh)
      for (size_t kw = 0; kw < g.k[2]; ++kw, ++tap) {
        Index offd = tap_off(g, 0, kd), offh = tap_off(g, 1, kh), offw = tap_off(g, 2, kw);
        Span sw = valid_span(g.in[2], ow, g.stride[2], offw);
        // (depth, height) of row r0, then stepped: no division per row
        size_t od = r0 / oh, y = r0 % oh;
        for (size_t r = r0; r < r1; ++r) {
          Index id = static_cast<Index>(od * g.stride[0]) + offd;
          Index ih = static_cast<Index>(y * g.stride[1]) + offh;
          bool ok = id >= 0 && id < static_cast<Index>(g.in[0]) && ih >= 0 && ih < static_cast<Index>(g.in[1]);
          size_t in_row = ok ? (static_cast<size_t>(id) * g.in[1] + static_cast<size_t>(ih)) * g.in[2] : 0;
          fn(tap, (r - r0) * ow, in_row, ok ? sw : Span{0, 0}, offw);
          if (++y == oh) {
            y = 0;
            ++od;
          }
        }
      }
}

// Every output row of the plane.
template <class Fn>
void for_each_row(const ConvGeom& g, Fn&& fn) {
  for_each_row(g, 0, g.out[0] * g.out[1], fn);
}

// For the output rows [r0, r1) (oc = (r1 - r0) * ow outputs): col[(ch * K + tap) * oc + o] =
// x[ch][input of o at tap], zero in the padding.
template <class T>
void im2col(const ConvGeom& g, const T* x, size_t channels, size_t r0, size_t r1, T* col) {
  const size_t I = g.in_size(), K = g.k_size(), ow = g.out[2], oc = (r1 - r0) * ow;
  const Index sw = static_cast<Index>(g.stride[2]);
  for (size_t ch = 0; ch < channels; ++ch) {
    const T* xc = x + ch * I;
    T* cc = col + ch * K * oc;
    for_each_row(g, r0, r1, [&](size_t tap, size_t out_row, size_t in_row, Span s, Index offw) {
      T* dst = cc + tap * oc + out_row;
      const T* src = xc + in_row;
      for (Index o = 0; o < s.lo; ++o) dst[o] = T(0);
      if (sw == 1) {
        if (s.hi > s.lo) std::memcpy(dst + s.lo, src + s.lo + offw, static_cast<size_t>(s.hi - s.lo) * sizeof(T));
      } else {
        for (Index o = s.lo; o < s.hi; ++o) dst[o] = src[o * sw + offw];
      }
      for (Index o = std::max(s.hi, s.lo); o < static_cast<Index>(ow); ++o) dst[o] = T(0);
    });
  }
}

// x[ch][input of o at tap] += col[(ch * K + tap) * oc + o]: the adjoint of im2col.
template <class T>
void col2im(const ConvGeom& g, const T* col, size_t channels, size_t r0, size_t r1, T* x) {
  const size_t I = g.in_size(), K = g.k_size(), oc = (r1 - r0) * g.out[2];
  const Index sw = static_cast<Index>(g.stride[2]);
  for (size_t ch = 0; ch < channels; ++ch) {
    T* xc = x + ch * I;
    const T* cc = col + ch * K * oc;
    for_each_row(g, r0, r1, [&](size_t tap, size_t out_row, size_t in_row, Span s, Index offw) {
      const T* src = cc + tap * oc + out_row;
      T* dst = xc + in_row;
      for (Index o = s.lo; o < s.hi; ++o) dst[o * sw + offw] += src[o];
    });
  }
}

// The im2col matrix of a whole image can be far larger than L2 (64 channels of 3x3 over 56x56:
// 7 MB), and writing it out then reading it back for the product costs more than the product.
// It is therefore built a band of output rows at a time, each band's matrix at most this big.
constexpr size_t kColBytes = size_t(1) << 20;
// The largest buffer of whole planes (the weight gradient's flat grid, a depthwise plane) kept
// per thread between calls.
constexpr size_t kKeptGridBytes = size_t(8) << 20;

// Output rows per band for an im2col matrix of `rows` rows.
template <class T>
size_t band_rows(const ConvGeom& g, size_t rows) {
  size_t per_row = rows * g.out[2] * sizeof(T);
  return std::max<size_t>(1, kColBytes / per_row);
}

// Per-thread buffer for the im2col matrix, kept between calls so steady state does not allocate.
template <class T>
T* col_buffer(size_t count) {
  thread_local std::vector<double> buf;
  size_t words = (count * sizeof(T) + sizeof(double) - 1) / sizeof(double);
  if (buf.size() < words) buf.resize(words);
  return reinterpret_cast<T*>(buf.data());
}

// Runs body(i) for i < count: over the pool when there are at least as many items as threads,
// else on the caller (whose products then use the pool themselves).
template <class Fn>
void for_items(ThreadPool& pool, size_t count, Fn&& body) {
  if (count >= pool.num_threads() && pool.num_threads() > 1) {
    pool.parallel_for(count, [&](size_t i) { body(i); });
  } else {
    for (size_t i = 0; i < count; ++i) body(i);
  }
}

template <class T>
void add_bias(T* plane, size_t size, T b) {
  for (size_t i = 0; i < size; ++i) plane[i] += b;
}

// nd.relu's rule: positive values and NaN kept, everything else +0.
template <class T>
T relu_of(T v) {
  return v > T(0) || v != v ? v : T(0);
}

// The forward's last touch of an output plane: + b, then relu when asked.
template <class T>
void finish_plane(T* plane, size_t size, T b, bool relu) {
  if (relu)
    for (size_t i = 0; i < size; ++i) plane[i] = relu_of(plane[i] + b);
  else
    add_bias(plane, size, b);
}

// One output row from the grid it was computed on, + b, then relu when asked.
template <class T>
void row_from_grid(const T* src, size_t n, T b, bool relu, T* dst) {
  if (relu)
    for (size_t o = 0; o < n; ++o) dst[o] = relu_of(src[o] + b);
  else
    for (size_t o = 0; o < n; ++o) dst[o] = src[o] + b;
}

// An output plane from the padded grid it was computed on (row (d, h) at (d * hp + h) * wp),
// + b, then relu when asked.
template <class T>
void plane_from_grid(const ConvGeom& g, const T* grid, size_t hp, size_t wp, T b, bool relu, T* y) {
  for (size_t d = 0; d < g.out[0]; ++d)
    for (size_t h = 0; h < g.out[1]; ++h)
      row_from_grid(grid + (d * hp + h) * wp, g.out[2], b, relu, y + (d * g.out[1] + h) * g.out[2]);
}

// The same for the grid rows [r0, r1) only, `grid` starting at row r0. Grid rows whose h is past
// the outputs lie in the padding and are dropped.
template <class T>
void rows_from_grid(const ConvGeom& g, const T* grid, size_t hp, size_t wp, size_t r0, size_t r1, T b, bool relu,
                    T* y) {
  for (size_t r = r0; r < r1; ++r) {
    const size_t d = r / hp, h = r % hp;
    if (d < g.out[0] && h < g.out[1])
      row_from_grid(grid + (r - r0) * wp, g.out[2], b, relu, y + (d * g.out[1] + h) * g.out[2]);
  }
}

// The grid rows that hold outputs: up to the last output row's.
size_t output_grid_rows(const ConvGeom& g, size_t hp) { return (g.out[0] - 1) * hp + g.out[1]; }

// sum a[i] * b[i] in kLanes interleaved partial sums, which the compiler keeps in one vector
// register (a single running sum is a dependency chain it may not reorder).
constexpr Index kLanes = 8;
template <class T>
T dot_lanes(const T* a, const T* b, Index n) {
  T acc[kLanes] = {};
  Index i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (Index l = 0; l < kLanes; ++l) acc[l] += a[i + l] * b[i + l];
  T sum = 0;
  for (Index l = 0; l < kLanes; ++l) sum += acc[l];
  for (; i < n; ++i) sum += a[i] * b[i];
  return sum;
}

template <class T>
T dot_strided(const T* a, const T* b, Index n, Index stride) {
  T sum = 0;
  for (Index i = 0; i < n; ++i) sum += a[i] * b[i * stride];
  return sum;
}

// ---- one input channel per group (depthwise): direct kernels -----------------------------------

// Output channel f reads input channel f / (f / c) when each group has one input channel.
size_t source_channel(const ConvGeom& g, size_t f) { return f / (g.f / g.groups); }

template <class T>
void direct_forward(const ConvRun& r, const ConvGeom& g, const T* big, const T* w, const T* bias, T* small, bool relu) {
  const size_t I = g.in_size(), O = g.out_size(), K = g.k_size();
  const Index sw = static_cast<Index>(g.stride[2]);
  for_items(r.pool, g.n * g.f, [&](size_t plane) {
    const size_t n = plane / g.f, f = plane % g.f;
    const T* x = big + (n * g.c + source_channel(g, f)) * I;
    const T* wf = w + f * K;
    T* y = small + plane * O;
    std::fill(y, y + O, bias ? bias[f] : T(0));
    for_each_row(g, [&](size_t tap, size_t out_row, size_t in_row, Span s, Index offw) {
      const T wv = wf[tap];
      T* yr = y + out_row;
      const T* xr = x + in_row + offw;
      if (sw == 1)
        for (Index o = s.lo; o < s.hi; ++o) yr[o] += wv * xr[o];
      else
        for (Index o = s.lo; o < s.hi; ++o) yr[o] += wv * xr[o * sw];
    });
    if (relu) finish_plane(y, O, T(0), true);
  });
}

bool unit_strides(const ConvGeom& g) { return g.stride[0] == 1 && g.stride[1] == 1 && g.stride[2] == 1; }

template <class T, class Table>
const auto& ops_of(const Table& k) {
  if constexpr (std::is_same_v<T, float>) return k.f32;
  else return k.f64;
}

// With unit strides a data gradient is the forward convolution of the output gradient padded by
// dilate (k - 1) - pad, whose geometry this is (input and output, channels and filters swapped;
// the taps must then be reversed). False when the padding is beyond the kernel's reach.
bool transposed(const ConvGeom& g, ConvGeom& t) {
  t = g;
  for (int a = 0; a < 3; ++a) {
    const size_t reach = g.dilate[a] * (g.k[a] - 1);
    if (g.pad[a] > reach) return false;
    t.in[a] = g.out[a];
    t.out[a] = g.in[a];
    t.pad[a] = reach - g.pad[a];
  }
  t.c = g.f;
  t.f = g.c;
  return true;
}

// Depthwise forward with unit strides on the ISA's unpacked GEMM kernel. Each plane is copied
// zero-padded into a per-thread buffer; outputs are computed on the padded grid (index
// j = (od * Hp + oh) * Wp + ow, the columns past the valid width are discarded), where the taps
// of one (kd, kh) row form a Toeplitz matrix, B(p, j) = xpad[row offset + p * dilate + j]: one
// 1 x n x kw product per tap row, vectorised along the long padded grid instead of 28-element rows.
template <class T>
void direct_forward_unit_stride(const ConvRun& r, const kernels::GemmOps<T>& ops, const ConvGeom& g, const T* big,
                                const T* w, const T* bias, T* small, bool relu) {
  const size_t I = g.in_size(), O = g.out_size(), K = g.k_size();
  const size_t dp = g.in[0] + 2 * g.pad[0], hp = g.in[1] + 2 * g.pad[1], wp = g.in[2] + 2 * g.pad[2];
  const size_t grid = ((g.out[0] - 1) * hp + g.out[1] - 1) * wp + g.out[2];
  const size_t count = dp * hp * wp + grid;
  auto one_plane = [&](size_t plane, T* xpad) {
    const size_t n = plane / g.f, f = plane % g.f;
    const T* x = big + (n * g.c + source_channel(g, f)) * I;
    T* acc = xpad + dp * hp * wp;
    std::fill(xpad, xpad + dp * hp * wp, T(0));
    for (size_t d = 0; d < g.in[0]; ++d)
      for (size_t h = 0; h < g.in[1]; ++h)
        std::memcpy(xpad + ((d + g.pad[0]) * hp + h + g.pad[1]) * wp + g.pad[2], x + (d * g.in[1] + h) * g.in[2],
                    g.in[2] * sizeof(T));
    const T* wf = w + f * K;
    for (size_t kd = 0; kd < g.k[0]; ++kd)
      for (size_t kh = 0; kh < g.k[1]; ++kh)
        ops.direct(1, grid, g.k[2], wf + (kd * g.k[1] + kh) * g.k[2], g.k[2], 1,
                   xpad + (kd * g.dilate[0] * hp + kh * g.dilate[1]) * wp, g.dilate[2], 1, acc, grid, 1,
                   kd + kh > 0);
    plane_from_grid(g, acc, hp, wp, bias ? bias[f] : T(0), relu, small + plane * O);
  };
  // as the flat grid: the buffer of one large plane (beyond kKeptGridBytes) lives only for the
  // call, one per thread's range of planes; kept per thread, two 1500x1500 planes held 36 MB for
  // the life of the process
  if (count * sizeof(T) <= kKeptGridBytes) {
    for_items(r.pool, g.n * g.f, [&](size_t plane) { one_plane(plane, col_buffer<T>(count)); });
  } else {
    r.pool.parallel_range(g.n * g.f, 1, [&](size_t lo, size_t hi) {
      CallBuffer<T> own(count);
      for (size_t plane = lo; plane < hi; ++plane) one_plane(plane, own.get());
    });
  }
}

// Whether x holds no infinite or NaN value. The flat grid multiplies the zeros past the outputs
// by real inputs, which adds nothing unless an input is infinite or NaN (0 * inf is NaN), and
// the direct kernels skip the padding's zeros, which im2col multiplies: such inputs take the
// path whose products are im2col's.
template <class T>
bool all_finite(const T* x, size_t n) {
  T acc[kLanes] = {};
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (Index l = 0; l < kLanes; ++l) acc[l] += x[i + l] * T(0);
  T sum = 0;
  for (Index l = 0; l < kLanes; ++l) sum += acc[l];
  for (; i < n; ++i) sum += x[i] * T(0);
  return sum == T(0);
}

template <class T>
void direct_backward_data(const ConvRun& r, const ConvGeom& g, const T* small, const T* w, const T* bias, T* big) {
  const size_t I = g.in_size(), O = g.out_size(), K = g.k_size(), fg = g.f / g.groups;
  const Index sw = static_cast<Index>(g.stride[2]);
  for_items(r.pool, g.n * g.c, [&](size_t plane) {
    const size_t n = plane / g.c, c = plane % g.c;
    T* x = big + plane * I;
    std::fill(x, x + I, bias ? bias[c] : T(0));
    for (size_t f = c * fg; f < (c + 1) * fg; ++f) {
      const T* y = small + (n * g.f + f) * O;
      const T* wf = w + f * K;
      for_each_row(g, [&](size_t tap, size_t out_row, size_t in_row, Span s, Index offw) {
        const T wv = wf[tap];
        const T* yr = y + out_row;
        T* xr = x + in_row + offw;
        if (sw == 1)
          for (Index o = s.lo; o < s.hi; ++o) xr[o] += wv * yr[o];
        else
          for (Index o = s.lo; o < s.hi; ++o) xr[o * sw] += wv * yr[o];
      });
    }
  });
}

// False, w then to be computed by the GEMM, when a padded convolution's output gradient holds an
// infinite or NaN value: the kernel skips the pairs of outputs with the padding, whose zeros make
// NaN of it in im2col's, MXNet's and the flat grid's products (without padding there are no such
// pairs). Each item checks the planes it is about to read, rather than one pass over the whole
// gradient on one thread before the call.
template <class T>
bool direct_backward_weight(const ConvRun& r, const ConvGeom& g, const T* big, const T* small, T* w) {
  const size_t I = g.in_size(), O = g.out_size(), K = g.k_size();
  const Index sw = static_cast<Index>(g.stride[2]);
  const bool padded = g.pad[0] || g.pad[1] || g.pad[2];
  std::atomic<bool> finite{true};
  for_items(r.pool, g.f, [&](size_t f) {
    T* wf = w + f * K;
    std::fill(wf, wf + K, T(0));
    for (size_t n = 0; n < g.n && finite.load(std::memory_order_relaxed); ++n) {
      const T* x = big + (n * g.c + source_channel(g, f)) * I;
      const T* y = small + (n * g.f + f) * O;
      if (padded && !all_finite(y, O)) {
        finite.store(false, std::memory_order_relaxed);
        return;
      }
      for_each_row(g, [&](size_t tap, size_t out_row, size_t in_row, Span s, Index offw) {
        const T* yr = y + out_row;
        const T* xr = x + in_row + offw;
        wf[tap] += sw == 1 ? dot_lanes(yr + s.lo, xr + s.lo, s.hi - s.lo)
                           : dot_strided(yr + s.lo, xr + s.lo * sw, s.hi - s.lo, sw);
      });
    }
  });
  return finite.load();
}

// ---- im2col + GEMM -----------------------------------------------------------------------------

template <class T>
void gemm_forward(const ConvRun& r, const ConvGeom& g, const T* big, const T* w, const T* bias, T* small, bool relu) {
  const size_t I = g.in_size(), O = g.out_size(), K = g.k_size(), ow = g.out[2], nrows = g.out[0] * g.out[1];
  const size_t cg = g.c / g.groups, fg = g.f / g.groups, rows = cg * K;
  const bool pointwise = is_pointwise(g);
  const size_t band = pointwise ? nrows : band_rows<T>(g, rows);
  for_items(r.pool, g.n, [&](size_t n) {
    T* col = pointwise ? nullptr : col_buffer<T>(rows * band * ow);
    for (size_t grp = 0; grp < g.groups; ++grp) {
      const T* x = big + (n * g.c + grp * cg) * I;
      T* y = small + (n * g.f + grp * fg) * O;
      for (size_t r0 = 0; r0 < nrows; r0 += band) {
        const size_t r1 = std::min(nrows, r0 + band), oc = (r1 - r0) * ow;
        if (!pointwise) im2col(g, x, cg, r0, r1, col);
        gemm(r.pool, r.isa, r.dtype, false, false, fg, oc, rows, w + grp * fg * rows, rows,
             pointwise ? x + r0 * ow : col, pointwise ? O : oc, y + r0 * ow, O, false);
      }
      if (bias || relu)
        for (size_t f = 0; f < fg; ++f) finish_plane(y + f * O, O, bias ? bias[grp * fg + f] : T(0), relu);
    }
  });
}

template <class T>
void gemm_backward_data(const ConvRun& r, const ConvGeom& g, const T* small, const T* w, const T* bias, T* big) {
  const size_t I = g.in_size(), O = g.out_size(), K = g.k_size(), ow = g.out[2], nrows = g.out[0] * g.out[1];
  const size_t cg = g.c / g.groups, fg = g.f / g.groups, rows = cg * K;
  const bool pointwise = is_pointwise(g);
  const size_t band = band_rows<T>(g, rows);
  for_items(r.pool, g.n, [&](size_t n) {
    T* col = pointwise ? nullptr : col_buffer<T>(rows * band * ow);
    for (size_t grp = 0; grp < g.groups; ++grp) {
      T* x = big + (n * g.c + grp * cg) * I;
      const T* y = small + (n * g.f + grp * fg) * O;
      const T* wg = w + grp * fg * rows;
      if (pointwise) {
        gemm(r.pool, r.isa, r.dtype, true, false, rows, O, fg, wg, rows, y, O, x, I, false);
      } else {
        std::fill(x, x + cg * I, T(0));
        for (size_t r0 = 0; r0 < nrows; r0 += band) {
          const size_t r1 = std::min(nrows, r0 + band), oc = (r1 - r0) * ow;
          gemm(r.pool, r.isa, r.dtype, true, false, rows, oc, fg, wg, rows, y + r0 * ow, O, col, oc, false);
          col2im(g, col, cg, r0, r1, x);
        }
      }
      if (bias)
        for (size_t c = 0; c < cg; ++c) add_bias(x + c * I, I, bias[grp * cg + c]);
    }
  });
}

template <class T>
void gemm_backward_weight(const ConvRun& r, const ConvGeom& g, const T* big, const T* small, T* w) {
  const size_t I = g.in_size(), O = g.out_size(), K = g.k_size(), ow = g.out[2], nrows = g.out[0] * g.out[1];
  const size_t cg = g.c / g.groups, fg = g.f / g.groups, rows = cg * K, wsize = g.f * rows;
  const bool pointwise = is_pointwise(g);
  const size_t band = pointwise ? nrows : band_rows<T>(g, rows);
  const size_t chunks = std::max<size_t>(1, std::min(g.n, kWeightChunks));
  std::unique_ptr<T[]> partial(chunks > 1 ? new T[(chunks - 1) * wsize] : nullptr);
  for_items(r.pool, chunks, [&](size_t chunk) {
    T* dw = chunk == 0 ? w : partial.get() + (chunk - 1) * wsize;
    std::fill(dw, dw + wsize, T(0));
    T* col = pointwise ? nullptr : col_buffer<T>(rows * band * ow);
    for (size_t n = g.n * chunk / chunks; n < g.n * (chunk + 1) / chunks; ++n) {
      for (size_t grp = 0; grp < g.groups; ++grp) {
        const T* x = big + (n * g.c + grp * cg) * I;
        const T* y = small + (n * g.f + grp * fg) * O;
        for (size_t r0 = 0; r0 < nrows; r0 += band) {
          const size_t r1 = std::min(nrows, r0 + band), oc = (r1 - r0) * ow;
          if (!pointwise) im2col(g, x, cg, r0, r1, col);
          gemm(r.pool, r.isa, r.dtype, false, true, fg, rows, oc, y + r0 * ow, O, pointwise ? x + r0 * ow : col,
               pointwise ? I : oc, dw + grp * fg * rows, rows, true);
        }
      }
    }
  });
  for (size_t chunk = 1; chunk < chunks; ++chunk) {
    const T* p = partial.get() + (chunk - 1) * wsize;
    for (size_t i = 0; i < wsize; ++i) w[i] += p[i];
  }
}

// ---- unit strides: the weight gradient as dot products on one flat grid ---------------------

// With unit strides, output (od, oh, ow) at tap (kd, kh, kw) reads the padded input at flat index
// ((od + kd * dd) * Hp + oh + kh * dh) * Wp + ow + kw * dw: on the flat index j of the output
// copied onto the padded input's grid (zero past the outputs), each tap is a shift of the input.
// A block of images laid end to end on that grid then makes every weight one long dot product,
// run by the ISA's tap_dots with register tiles of rows and taps, instead of one small product
// per image whose packing costs more than its arithmetic.
struct FlatGrid {
  size_t dp, hp, wp, plane;
  size_t block;   // images per buffer
  size_t stride;  // elements between channels: block planes and a zero tail
};

template <class T>
FlatGrid flat_grid(const ConvGeom& g) {
  FlatGrid fg;
  fg.dp = g.in[0] + 2 * g.pad[0];
  fg.hp = g.in[1] + 2 * g.pad[1];
  fg.wp = g.in[2] + 2 * g.pad[2];
  fg.plane = fg.dp * fg.hp * fg.wp;
  const size_t channels = g.c / g.groups + g.f / g.groups;
  fg.block = std::max<size_t>(1, kColBytes / 4 / (channels * fg.plane * sizeof(T)));
  fg.stride = fg.block * fg.plane + kernels::kTapDotUnit<T>;
  return fg;
}

// One input plane onto the grid, zero padded (without padding the grid is the plane).
template <class T>
void input_to_grid(const ConvGeom& g, const FlatGrid& fg, const T* x, T* dst) {
  if (fg.plane == g.in_size()) {
    std::memcpy(dst, x, fg.plane * sizeof(T));
    return;
  }
  for (size_t d = 0; d < fg.dp; ++d)
    for (size_t h = 0; h < fg.hp; ++h) {
      T* row = dst + (d * fg.hp + h) * fg.wp;
      std::fill(row, row + fg.wp, T(0));
      if (d >= g.pad[0] && d < g.pad[0] + g.in[0] && h >= g.pad[1] && h < g.pad[1] + g.in[1])
        std::memcpy(row + g.pad[2], x + ((d - g.pad[0]) * g.in[1] + h - g.pad[1]) * g.in[2], g.in[2] * sizeof(T));
    }
}

// `count` elements of an input plane's padded grid from the start of grid row `row0` (zero in
// the padding and past the grid's end).
template <class T>
void padded_rows_to_grid(const ConvGeom& g, const FlatGrid& fg, const T* x, size_t row0, size_t count, T* dst) {
  for (size_t r = row0, e = 0; e < count; ++r, e += fg.wp) {
    T* row = dst + e;
    const size_t nw = std::min(fg.wp, count - e), d = r / fg.hp, h = r % fg.hp;
    std::fill(row, row + nw, T(0));
    if (d < g.pad[0] || d >= g.pad[0] + g.in[0] || h < g.pad[1] || h >= g.pad[1] + g.in[1]) continue;
    const size_t lo = std::min(nw, g.pad[2]), hi = std::min(nw, g.pad[2] + g.in[2]);
    if (hi > lo) std::memcpy(row + lo, x + ((d - g.pad[0]) * g.in[1] + h - g.pad[1]) * g.in[2], (hi - lo) * sizeof(T));
  }
}

// One output plane onto the grid, zero past the outputs. The rows are short (10 to 30 values in
// LeNet's layers), so element loops rather than a memcpy and a fill call per row.
template <class T>
void output_to_grid(const ConvGeom& g, const FlatGrid& fg, const T* y, T* dst) {
  for (size_t d = 0; d < fg.dp; ++d)
    for (size_t h = 0; h < fg.hp; ++h) {
      T* row = dst + (d * fg.hp + h) * fg.wp;
      const size_t n = d < g.out[0] && h < g.out[1] ? g.out[2] : 0;
      const T* src = y + (d * g.out[1] + h) * g.out[2];
      for (size_t w = 0; w < fg.wp; ++w) row[w] = w < n ? src[w] : T(0);
    }
}

// The channel offsets of every tap on a grid whose channels are `stride` apart: tap t of channel
// c reads c * stride + off(t).
std::vector<size_t> grid_offsets(const ConvGeom& g, const FlatGrid& grid, size_t channels) {
  const size_t K = g.k_size();
  std::vector<size_t> off(channels * K);
  for (size_t c = 0; c < channels; ++c)
    for (size_t kd = 0, t = 0; kd < g.k[0]; ++kd)
      for (size_t kh = 0; kh < g.k[1]; ++kh)
        for (size_t kw = 0; kw < g.k[2]; ++kw, ++t)
          off[c * K + t] = c * grid.stride + (kd * g.dilate[0] * grid.hp + kh * g.dilate[1]) * grid.wp + kw * g.dilate[2];
  return off;
}

// False, w then to be computed by another strategy, when an input is infinite or NaN
// (all_finite): each chunk checks the planes it has just copied, in cache, rather than one pass
// over the whole input before the call (1.4% of a LeNet step's CPU time, on one thread).
template <class T>
bool flat_backward_weight(const ConvRun& r, const kernels::ConvOps<T>& ops, const ConvGeom& g, const T* big,
                          const T* small, T* w) {
  const size_t I = g.in_size(), O = g.out_size(), K = g.k_size();
  const size_t cg = g.c / g.groups, fg = g.f / g.groups, rows = cg * K, wsize = g.f * rows;
  const FlatGrid grid = flat_grid<T>(g);
  constexpr size_t unit = kernels::kTapDotUnit<T>;
  const std::vector<size_t> off = grid_offsets(g, grid, cg);
  const size_t last = ((g.out[0] - 1) * grid.hp + g.out[1] - 1) * grid.wp + g.out[2];
  const size_t chunks = std::max<size_t>(1, std::min(g.n, kWeightChunks));
  std::unique_ptr<T[]> partial(chunks > 1 ? new T[(chunks - 1) * wsize] : nullptr);
  std::atomic<bool> finite{true};
  for_items(r.pool, chunks, [&](size_t chunk) {
    T* dw = chunk == 0 ? w : partial.get() + (chunk - 1) * wsize;
    std::fill(dw, dw + wsize, T(0));
    // a grid of whole planes beyond kKeptGridBytes (one large image) lives only for this call:
    // kept per thread, one 1100x1100 image (3 -> 16 channels) held 89 MB for the life of the
    // process. Smaller ones stay, as a fresh block per call costs its page faults (5% of a
    // 224x224 weight gradient at 3.9 MB).
    const size_t count = (cg + fg) * grid.stride;
    std::optional<CallBuffer<T>> own;
    if (count * sizeof(T) > kKeptGridBytes) own.emplace(count);
    T* xb = own ? own->get() : col_buffer<T>(count);
    T* yb = xb + cg * grid.stride;
    const size_t end = g.n * (chunk + 1) / chunks;
    for (size_t n0 = g.n * chunk / chunks; n0 < end && finite.load(std::memory_order_relaxed); n0 += grid.block) {
      const size_t nb = std::min(grid.block, end - n0);
      const size_t len = ((nb - 1) * grid.plane + last + unit - 1) / unit * unit;
      for (size_t grp = 0; grp < g.groups; ++grp) {
        for (size_t c = 0; c < cg; ++c) {
          T* dst = xb + c * grid.stride;
          for (size_t b = 0; b < nb; ++b)
            input_to_grid(g, grid, big + ((n0 + b) * g.c + grp * cg + c) * I, dst + b * grid.plane);
          if (!all_finite(dst, nb * grid.plane)) {
            finite.store(false, std::memory_order_relaxed);
            return;
          }
          std::fill(dst + nb * grid.plane, dst + nb * grid.plane + unit, T(0));
        }
        for (size_t f = 0; f < fg; ++f) {
          T* dst = yb + f * grid.stride;
          for (size_t b = 0; b < nb; ++b)
            output_to_grid(g, grid, small + ((n0 + b) * g.f + grp * fg + f) * O, dst + b * grid.plane);
          std::fill(dst + nb * grid.plane, dst + nb * grid.plane + unit, T(0));
        }
        ops.tap_dots(fg, rows, len, yb, grid.stride, xb, off.data(), dw + grp * fg * rows, rows);
      }
    }
  });
  if (!finite.load()) return false;
  for (size_t chunk = 1; chunk < chunks; ++chunk) {
    const T* p = partial.get() + (chunk - 1) * wsize;
    for (size_t i = 0; i < wsize; ++i) w[i] += p[i];
  }
  return true;
}

// The forward with unit strides, one image at a time on its grid: each output is the sum of its
// own taps over the padded input (the pairs im2col makes); the grid's columns past the outputs
// are computed and dropped. A grid holds whole padded rows of every channel of a group, so a
// large image runs in bands of output rows whose grids fit kColBytes (each band reads its rows
// and the taps' reach below them): kept per thread, one 1024x1024 image's whole grid held 80 MB
// (3 -> 16 channels) for the life of the process. Each output is the same sum either way.
template <class T>
void flat_forward(const ConvRun& r, const kernels::ConvOps<T>& ops, const ConvGeom& g, const T* big, const T* w,
                  const T* bias, T* small, bool relu) {
  const size_t I = g.in_size(), O = g.out_size();
  const size_t cg = g.c / g.groups, fg = g.f / g.groups, rows = cg * g.k_size();
  constexpr size_t unit = kernels::kTapDotUnit<T>;
  FlatGrid grid = flat_grid<T>(g);
  const size_t wp = grid.wp;
  // the taps' reach on the grid: tap t of an output at j reads j + (offset of t) <= j + reach
  const size_t reach = ((g.k[0] - 1) * g.dilate[0] * grid.hp + (g.k[1] - 1) * g.dilate[1]) * wp +
                       (g.k[2] - 1) * g.dilate[2];
  const size_t out_rows = output_grid_rows(g, grid.hp), last = (out_rows - 1) * wp + g.out[2];
  const size_t reach_bytes = cg * (reach + unit) * sizeof(T), row_bytes = (cg + fg) * wp * sizeof(T);
  const size_t fit = kColBytes > reach_bytes ? (kColBytes - reach_bytes) / row_bytes : 1;
  const size_t band = std::min(out_rows, std::max<size_t>(1, fit));
  const size_t ylen = (std::min(band * wp, last) + unit - 1) / unit * unit;
  grid.stride = reach + ylen;
  const std::vector<size_t> off = grid_offsets(g, grid, cg);
  for_items(r.pool, g.n, [&](size_t n) {
    T* xb = col_buffer<T>(cg * grid.stride + fg * ylen);
    T* yb = xb + cg * grid.stride;
    for (size_t grp = 0; grp < g.groups; ++grp) {
      for (size_t r0 = 0; r0 < out_rows; r0 += band) {
        const size_t r1 = std::min(out_rows, r0 + band);
        const size_t len = (std::min(r1 * wp, last) - r0 * wp + unit - 1) / unit * unit;
        // a whole image (LeNet's layers) as whole planes: short rows cost a call each
        for (size_t c = 0; c < cg; ++c) {
          const T* x = big + (n * g.c + grp * cg + c) * I;
          T* dst = xb + c * grid.stride;
          if (band < out_rows) {
            padded_rows_to_grid(g, grid, x, r0, reach + len, dst);
          } else {
            input_to_grid(g, grid, x, dst);
            std::fill(dst + grid.plane, dst + grid.stride, T(0));
          }
        }
        ops.tap_axpys(fg, rows, len, w + grp * fg * rows, rows, xb, off.data(), yb, ylen);
        for (size_t f = 0; f < fg; ++f) {
          const T b = bias ? bias[grp * fg + f] : T(0);
          T* y = small + (n * g.f + grp * fg + f) * O;
          if (band < out_rows) rows_from_grid(g, yb + f * ylen, grid.hp, wp, r0, r1, b, relu, y);
          else plane_from_grid(g, yb + f * ylen, grid.hp, wp, b, relu, y);
        }
      }
    }
  });
}

// The data gradient with unit strides is a forward convolution of the output gradient, padded by
// dilate (k - 1) - pad, with the weight's taps reversed and its two channel axes swapped within
// each group. The padding's zeros meet every weight, so an infinite or NaN weight would reach
// inputs the convolution never pairs with it: such weights (and padding beyond the kernel's
// reach) keep col2im. False when not taken.
template <class T>
bool flat_backward_data(const ConvRun& r, const kernels::ConvOps<T>& ops, const ConvGeom& g, const T* small,
                        const T* w, const T* bias, T* big) {
  const size_t K = g.k_size(), cg = g.c / g.groups, fg = g.f / g.groups;
  if (!all_finite(w, g.f * cg * K)) return false;
  ConvGeom t;
  if (!transposed(g, t)) return false;
  std::vector<T> flipped(g.f * cg * K);
  for (size_t grp = 0; grp < g.groups; ++grp)
    for (size_t f = 0; f < fg; ++f)
      for (size_t c = 0; c < cg; ++c)
        for (size_t tap = 0; tap < K; ++tap)
          flipped[((grp * cg + c) * fg + f) * K + tap] = w[((grp * fg + f) * cg + c) * K + K - 1 - tap];
  flat_forward(r, ops, t, small, flipped.data(), bias, big, false);
  return true;
}

// The flat grid pays where the im2col products are small: few rows and taps per group (LeNet's
// 1->6 5x5 and 6->16 3x3 layers); wide layers keep the packed GEMM's blocking. A pointwise
// convolution has no im2col to save: its product reads the image itself, which the grid would
// copy (2x to 5x the time of a 64 -> 64 1x1 forward).
bool flat_fits(const ConvGeom& g) {
  return unit_strides(g) && !is_pointwise(g) && (g.f / g.groups) * (g.c / g.groups) * g.k_size() <= 4096;
}

// Depthwise (one input channel per group, any number of outputs per group) runs the direct
// kernels; with a single group (a one-channel first layer) the GEMM on im2col is faster, its
// micro-kernel reusing each loaded input across all output channels.
bool one_channel_per_group(const ConvGeom& g) { return g.c == g.groups && g.groups > 1; }

template <class T>
void forward_t(const ConvRun& r, const ConvGeom& g, const void* big, const void* w, const void* bias, void* small,
               bool relu) {
  auto* b = static_cast<const T*>(bias);
  const kernels::GemmKernels* k = kernels::gemm_kernels_for(r.isa);
  if (one_channel_per_group(g) && unit_strides(g) && k)
    direct_forward_unit_stride(r, ops_of<T>(*k), g, static_cast<const T*>(big), static_cast<const T*>(w), b,
                               static_cast<T*>(small), relu);
  // the strided direct kernel skips the taps on the padding, whose zeros make NaN of an infinite
  // or NaN weight (as im2col's, MXNet's and the unit-stride kernel's padded planes do)
  else if (one_channel_per_group(g) && all_finite(static_cast<const T*>(w), g.f * g.k_size()))
    direct_forward(r, g, static_cast<const T*>(big), static_cast<const T*>(w), b, static_cast<T*>(small), relu);
  else if (flat_fits(g))
    flat_forward(r, ops_of<T>(kernels::conv_kernels(r.isa)), g, static_cast<const T*>(big), static_cast<const T*>(w),
                 b, static_cast<T*>(small), relu);
  else
    gemm_forward(r, g, static_cast<const T*>(big), static_cast<const T*>(w), b, static_cast<T*>(small), relu);
}

// The depthwise data gradient with unit strides is itself a depthwise convolution: of the output
// gradient, padded by dilate (k - 1) - pad, with each channel's taps reversed.
template <class T>
bool flipped_depthwise(const ConvRun& r, const ConvGeom& g, const T* small, const T* w, const T* bias, T* big) {
  const kernels::GemmKernels* k = kernels::gemm_kernels_for(r.isa);
  // the padded output gradient's zeros meet every tap: an infinite or NaN weight would reach
  // inputs the convolution never pairs with it
  if (!k || !unit_strides(g) || g.groups != g.c || g.f != g.c || !all_finite(w, g.c * g.k_size())) return false;
  ConvGeom t;
  if (!transposed(g, t)) return false;
  const size_t K = g.k_size();
  std::vector<T> flipped(g.c * K);
  for (size_t c = 0; c < g.c; ++c)
    for (size_t tap = 0; tap < K; ++tap) flipped[c * K + tap] = w[c * K + K - 1 - tap];
  direct_forward_unit_stride(r, ops_of<T>(*k), t, small, flipped.data(), bias, big, false);
  return true;
}

template <class T>
void backward_data_t(const ConvRun& r, const ConvGeom& g, const void* small, const void* w, const void* bias,
                     void* big) {
  auto* b = static_cast<const T*>(bias);
  if (one_channel_per_group(g) &&
      flipped_depthwise(r, g, static_cast<const T*>(small), static_cast<const T*>(w), b, static_cast<T*>(big)))
    return;
  if (one_channel_per_group(g))
    direct_backward_data(r, g, static_cast<const T*>(small), static_cast<const T*>(w), b, static_cast<T*>(big));
  else if (!(flat_fits(g) && flat_backward_data(r, ops_of<T>(kernels::conv_kernels(r.isa)), g,
                                                static_cast<const T*>(small), static_cast<const T*>(w), b,
                                                static_cast<T*>(big))))
    gemm_backward_data(r, g, static_cast<const T*>(small), static_cast<const T*>(w), b, static_cast<T*>(big));
}

template <class T>
void backward_weight_t(const ConvRun& r, const ConvGeom& g, const void* big, const void* small, void* w) {
  if (flat_fits(g) && flat_backward_weight(r, ops_of<T>(kernels::conv_kernels(r.isa)), g, static_cast<const T*>(big),
                                           static_cast<const T*>(small), static_cast<T*>(w)))
    return;
  if (!(one_channel_per_group(g) && direct_backward_weight(r, g, static_cast<const T*>(big),
                                                             static_cast<const T*>(small), static_cast<T*>(w))))
    gemm_backward_weight(r, g, static_cast<const T*>(big), static_cast<const T*>(small), static_cast<T*>(w));
}

}  // namespace

void conv_forward(const ConvRun& r, const ConvGeom& g, const void* big, const void* w, const void* bias, void* small,
                  bool relu) {
  if (r.dtype == DType::Float64) forward_t<double>(r, g, big, w, bias, small, relu);
  else forward_t<float>(r, g, big, w, bias, small, relu);
}

void conv_backward_data(const ConvRun& r, const ConvGeom& g, const void* small, const void* w, const void* bias,
                        void* big) {
  if (r.dtype == DType::Float64) backward_data_t<double>(r, g, small, w, bias, big);
  else backward_data_t<float>(r, g, small, w, bias, big);
}

void conv_backward_weight(const ConvRun& r, const ConvGeom& g, const void* big, const void* small, void* w) {
  if (r.dtype == DType::Float64) backward_weight_t<double>(r, g, big, small, w);
  else backward_weight_t<float>(r, g, big, small, w);
}

}  // namespace ndgrad

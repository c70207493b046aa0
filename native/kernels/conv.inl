// Convolution inner loops, written once and compiled once per instruction set. The including
// file defines NDGRAD_VEC_BYTES and NDGRAD_KERNEL_NS (see kernels_impl.inl for why everything
// here has internal linkage and calls no std:: templates).
#include <cstdint>
#include <cstring>

#include "kernels/conv_kernels.h"

#if defined(__FMA__)
#include <immintrin.h>
#endif

#if !defined(NDGRAD_VEC_BYTES) || !defined(NDGRAD_KERNEL_NS)
#error "define NDGRAD_VEC_BYTES and NDGRAD_KERNEL_NS before including conv.inl"
#endif

namespace ndgrad {
namespace kernels {
namespace NDGRAD_KERNEL_NS {
namespace {

#include "kernels/vec_base.inl"

// Register tile of tap_dots: kRows rows of dy by kTaps taps of x, kRows * kTaps vector sums
// plus the kTaps loaded x vectors and one dy vector (26 of AVX-512's 32 registers, 13 of 16
// elsewhere).
constexpr int kRows = kVecBytes == 64 ? 4 : 3;
constexpr int kTaps = kVecBytes == 64 ? 5 : 3;

// tap_dots runs a piece of this many elements through every tap block before the next piece, so
// the dy rows and the x window under the taps are read from L1 by all but the first block; the
// sums of up to kGroup tap blocks wait in memory between pieces.
constexpr size_t kPiece = 1024;
constexpr size_t kGroup = 8;

template <class T>
T lane_sum(Vec<T> v) {
  T buf[kLanes<T>];
  store(buf, v);
  for (size_t w = kLanes<T> / 2; w > 0; w /= 2)
    for (size_t l = 0; l < w; ++l) buf[l] += buf[l + w];
  return buf[0];
}

// acc[r][t] += dy[r * dy_rs + j] * x[off[t] + j] over j < len, for R rows and kTaps taps.
template <class T, int R>
void dot_tile(size_t len, const T* dy, size_t dy_rs, const T* x, const size_t* off, Vec<T> (*sums)[kTaps]) {
  using V = Vec<T>;
  constexpr size_t L = kLanes<T>;
  V acc[R][kTaps];
  for (int r = 0; r < R; ++r)
    for (int t = 0; t < kTaps; ++t) acc[r][t] = sums[r][t];
  const T* xt[kTaps];
  for (int t = 0; t < kTaps; ++t) xt[t] = x + off[t];
  for (size_t j = 0; j < len; j += L) {
    V xv[kTaps];
#pragma GCC unroll 8
    for (int t = 0; t < kTaps; ++t) xv[t] = load<V>(xt[t] + j);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      const V d = load<V>(dy + r * dy_rs + j);
#pragma GCC unroll 8
      for (int t = 0; t < kTaps; ++t) acc[r][t] = fmadd(d, xv[t], acc[r][t]);
    }
  }
  for (int r = 0; r < R; ++r)
    for (int t = 0; t < kTaps; ++t) sums[r][t] = acc[r][t];
}

template <class T, int R>
void dot_rows(size_t taps, size_t len, const T* dy, size_t dy_rs, const T* x, const size_t* off, T* dw,
              size_t dw_rs) {
  using V = Vec<T>;
  constexpr size_t span = kGroup * kTaps;
  V sums[kGroup][R][kTaps];
  // a short last block repeats its last tap and drops the repeats' sums
  size_t o[span];
  for (size_t g0 = 0; g0 < taps; g0 += span) {
    const size_t n = taps - g0 < span ? taps - g0 : span, blocks = (n + kTaps - 1) / kTaps;
    for (size_t t = 0; t < blocks * kTaps; ++t) o[t] = off[g0 + (t < n ? t : n - 1)];
    for (size_t b = 0; b < blocks; ++b)
      for (int r = 0; r < R; ++r)
        for (int t = 0; t < kTaps; ++t) sums[b][r][t] = V{};
    for (size_t p = 0; p < len; p += kPiece)
      for (size_t b = 0; b < blocks; ++b)
        dot_tile<T, R>(len - p < kPiece ? len - p : kPiece, dy + p, dy_rs, x + p, o + b * kTaps, sums[b]);
    for (size_t t = 0; t < n; ++t)
      for (int r = 0; r < R; ++r) dw[r * dw_rs + g0 + t] += lane_sum<T>(sums[t / kTaps][r][t % kTaps]);
  }
}

template <class T>
void tap_dots(size_t m, size_t taps, size_t len, const T* dy, size_t dy_rs, const T* x, const size_t* off, T* dw,
              size_t dw_rs) {
  size_t i = 0;
  for (; i + kRows <= m; i += kRows) dot_rows<T, kRows>(taps, len, dy + i * dy_rs, dy_rs, x, off, dw + i * dw_rs, dw_rs);
  const T* d = dy + i * dy_rs;
  T* w = dw + i * dw_rs;
  switch (m - i) {
    case 3: dot_rows<T, 3>(taps, len, d, dy_rs, x, off, w, dw_rs); break;
    case 2: dot_rows<T, 2>(taps, len, d, dy_rs, x, off, w, dw_rs); break;
    case 1: dot_rows<T, 1>(taps, len, d, dy_rs, x, off, w, dw_rs); break;
    default: break;
  }
}

// Register tile of tap_axpys: kOutRows rows of y by kOutVecs vectors along the grid, plus the
// kOutVecs loaded x vectors and one broadcast weight (29 of AVX-512's 32 registers, 13 of 16
// elsewhere).
constexpr int kOutRows = kVecBytes == 64 ? 6 : 3;
constexpr int kOutVecs = kVecBytes == 64 ? 4 : 3;

// y[r * y_rs + j + v * L] = sum over t of w[r * w_rs + t] * x[off[t] + j + v * L], R rows, J vectors.
template <class T, int R, int J>
void axpy_tile(size_t taps, const T* w, size_t w_rs, const T* x, const size_t* off, T* y, size_t y_rs) {
  using V = Vec<T>;
  constexpr size_t L = kLanes<T>;
  V acc[R][J];
  for (int r = 0; r < R; ++r)
    for (int v = 0; v < J; ++v) acc[r][v] = V{};
  for (size_t t = 0; t < taps; ++t) {
    const T* xt = x + off[t];
    V xv[J];
#pragma GCC unroll 8
    for (int v = 0; v < J; ++v) xv[v] = load<V>(xt + v * L);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      const V wv = splat<V>(w[r * w_rs + t]);
#pragma GCC unroll 8
      for (int v = 0; v < J; ++v) acc[r][v] = fmadd(wv, xv[v], acc[r][v]);
    }
  }
  for (int r = 0; r < R; ++r)
    for (int v = 0; v < J; ++v) store(y + r * y_rs + v * L, acc[r][v]);
}

template <class T, int R>
void axpy_rows(size_t taps, size_t len, const T* w, size_t w_rs, const T* x, const size_t* off, T* y, size_t y_rs) {
  constexpr size_t L = kLanes<T>;
  size_t j = 0;
  for (; j + kOutVecs * L <= len; j += kOutVecs * L) axpy_tile<T, R, kOutVecs>(taps, w, w_rs, x + j, off, y + j, y_rs);
  // the last vectors as one tile: one-vector tiles load a broadcast weight per multiply-add
  switch ((len - j) / L) {
    case 3: axpy_tile<T, R, 3>(taps, w, w_rs, x + j, off, y + j, y_rs); break;
    case 2: axpy_tile<T, R, 2>(taps, w, w_rs, x + j, off, y + j, y_rs); break;
    case 1: axpy_tile<T, R, 1>(taps, w, w_rs, x + j, off, y + j, y_rs); break;
    default: break;
  }
}

template <class T>
void tap_axpys(size_t m, size_t taps, size_t len, const T* w, size_t w_rs, const T* x, const size_t* off, T* y,
               size_t y_rs) {
  size_t i = 0;
  for (; i + kOutRows <= m; i += kOutRows)
    axpy_rows<T, kOutRows>(taps, len, w + i * w_rs, w_rs, x, off, y + i * y_rs, y_rs);
  const T* wi = w + i * w_rs;
  T* yi = y + i * y_rs;
  switch (m - i) {
    case 5: axpy_rows<T, 5>(taps, len, wi, w_rs, x, off, yi, y_rs); break;
    case 4: axpy_rows<T, 4>(taps, len, wi, w_rs, x, off, yi, y_rs); break;
    case 3: axpy_rows<T, 3>(taps, len, wi, w_rs, x, off, yi, y_rs); break;
    case 2: axpy_rows<T, 2>(taps, len, wi, w_rs, x, off, yi, y_rs); break;
    case 1: axpy_rows<T, 1>(taps, len, wi, w_rs, x, off, yi, y_rs); break;
    default: break;
  }
}

template <class T>
constexpr ConvOps<T> make_ops() {
  return ConvOps<T>{&tap_dots<T>, &tap_axpys<T>};
}

}  // namespace

constexpr ConvKernels make_conv_kernels(Isa isa) { return ConvKernels{isa, make_ops<float>(), make_ops<double>()}; }

}  // namespace NDGRAD_KERNEL_NS
}  // namespace kernels
}  // namespace ndgrad

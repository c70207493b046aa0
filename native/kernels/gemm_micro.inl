// GEMM micro-kernels, packing and the unpacked direct product, written once with GCC vector
// extensions and compiled per instruction set. The including translation unit defines
// NDGRAD_GEMM_VECTOR_BYTES (16, 32 or 64) and is compiled with the matching -m flags, so the
// same source becomes SSE2/NEON, AVX2+FMA or AVX-512 code. Everything here has internal linkage:
// each ISA's copy must stay in its own translation unit (a shared template instantiation would
// let the linker pick, say, the AVX2 copy for the scalar table).
//
// Rounding never depends on where a tile sits: every C element is one multiply-add chain over
// its k range in order (contracted to FMA when the ISA has it), so edge tiles, vector lanes and
// scalar tails give the same bits and the driver can split C however it likes.

#include <cstring>

#include "kernels/gemm_kernels.h"

#ifndef NDGRAD_GEMM_VECTOR_BYTES
#error "define NDGRAD_GEMM_VECTOR_BYTES before including gemm_micro.inl"
#endif

namespace ndgrad {
namespace kernels {
namespace {

// may_alias: packed buffers and user matrices are plain T arrays read through vector types.
typedef float VecF __attribute__((vector_size(NDGRAD_GEMM_VECTOR_BYTES), __may_alias__));
typedef double VecD __attribute__((vector_size(NDGRAD_GEMM_VECTOR_BYTES), __may_alias__));
typedef float VecFu
    __attribute__((vector_size(NDGRAD_GEMM_VECTOR_BYTES), __may_alias__, aligned(alignof(float))));
typedef double VecDu
    __attribute__((vector_size(NDGRAD_GEMM_VECTOR_BYTES), __may_alias__, aligned(alignof(double))));

template <class T>
struct VecOf;
template <>
struct VecOf<float> {
  using Aligned = VecF;
  using Unaligned = VecFu;
};
template <>
struct VecOf<double> {
  using Aligned = VecD;
  using Unaligned = VecDu;
};

template <class T>
constexpr int kLanes = NDGRAD_GEMM_VECTOR_BYTES / sizeof(T);

// ---- micro-kernel -------------------------------------------------------------------------

template <class T, int MR, int NV>
void micro_kernel(size_t kc, const T* a, const T* b, T* c, size_t ldc, size_t m_valid,
                  size_t n_valid, bool accumulate) {
  using V = typename VecOf<T>::Aligned;
  using U = typename VecOf<T>::Unaligned;
  constexpr int L = kLanes<T>;
  constexpr size_t NR = NV * L;

  V acc[MR][NV];
#pragma GCC unroll 32
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 8
    for (int j = 0; j < NV; ++j) acc[i][j] = V{};

  const V* bv = reinterpret_cast<const V*>(b);
  for (size_t p = 0; p < kc; ++p) {
    V bp[NV];
#pragma GCC unroll 8
    for (int j = 0; j < NV; ++j) bp[j] = bv[j];
#pragma GCC unroll 32
    for (int i = 0; i < MR; ++i) {
      const T ai = a[i];  // broadcast from memory
#pragma GCC unroll 8
      for (int j = 0; j < NV; ++j) acc[i][j] += ai * bp[j];
    }
    a += MR;
    bv += NV;
  }

  if (m_valid == MR && n_valid == NR) {
#pragma GCC unroll 32
    for (int i = 0; i < MR; ++i)
#pragma GCC unroll 8
      for (int j = 0; j < NV; ++j) {
        U* dst = reinterpret_cast<U*>(c + i * ldc + j * L);
        *dst = accumulate ? *dst + acc[i][j] : acc[i][j];
      }
    return;
  }
  // Ragged edge: spill the tile and write only the valid part.
  alignas(64) T tile[MR * NR];
  std::memcpy(tile, acc, sizeof(tile));
  for (size_t i = 0; i < m_valid; ++i)
    for (size_t j = 0; j < n_valid; ++j) {
      T& dst = c[i * ldc + j];
      dst = accumulate ? dst + tile[i * NR + j] : tile[i * NR + j];
    }
}

// ---- packing ------------------------------------------------------------------------------

// Copies an R-wide strip of a strided matrix into p-major order: out[p * R + r] = src(r, p),
// where src(r, p) = src[r * r_stride + p * p_stride]; rows >= valid become zero.
template <class T, int R>
void pack_strip(size_t kc, const T* src, size_t r_stride, size_t p_stride, size_t valid, T* out) {
  if (valid == R && r_stride == 1) {
    for (size_t p = 0; p < kc; ++p)
#pragma GCC unroll 32
      for (int r = 0; r < R; ++r) out[p * R + r] = src[p * p_stride + r];
  } else if (valid == R && p_stride == 1) {
    // Walk each source row contiguously; the strided writes land in L1 (kc * R elements).
#pragma GCC unroll 4
    for (int r = 0; r < R; ++r) {
      const T* row = src + r * r_stride;
      for (size_t p = 0; p < kc; ++p) out[p * R + r] = row[p];
    }
  } else {
    for (size_t p = 0; p < kc; ++p)
      for (size_t r = 0; r < size_t(R); ++r)
        out[p * R + r] = r < valid ? src[r * r_stride + p * p_stride] : T(0);
  }
}

template <class T, int MR>
void pack_a(size_t m, size_t kc, const T* a, size_t rs, size_t cs, T* out) {
  for (size_t i = 0; i < m; i += MR, out += MR * kc) {
    size_t valid = m - i < size_t(MR) ? m - i : MR;
    pack_strip<T, MR>(kc, a + i * rs, rs, cs, valid, out);
  }
}

template <class T, int NR>
void pack_b(size_t kc, size_t n, const T* b, size_t rs, size_t cs, T* out) {
  for (size_t j = 0; j < n; j += NR, out += NR * kc) {
    size_t valid = n - j < size_t(NR) ? n - j : NR;
    pack_strip<T, NR>(kc, b + j * cs, cs, rs, valid, out);
  }
}

// ---- direct (unpacked) product ------------------------------------------------------------

template <class T>
inline T combine(bool accumulate, T old, T sum) {
  return accumulate ? old + sum : sum;
}

// C(i, j0 .. j0 + W*L) from op(B) rows that are contiguous along j: W vector accumulators
// swept down k, so each B row segment is loaded once per C row.
template <class T, int W>
void direct_row_chunk(size_t k, const T* a, size_t a_cs, const T* b, size_t b_rs, T* c,
                      size_t c_cs, bool accumulate) {
  using U = typename VecOf<T>::Unaligned;
  constexpr int L = kLanes<T>;
  U acc[W];
#pragma GCC unroll 8
  for (int w = 0; w < W; ++w) acc[w] = U{};
  for (size_t p = 0; p < k; ++p) {
    const T ap = a[p * a_cs];
    const U* brow = reinterpret_cast<const U*>(b + p * b_rs);
#pragma GCC unroll 8
    for (int w = 0; w < W; ++w) acc[w] += ap * brow[w];
  }
  if (c_cs == 1) {
    U* dst = reinterpret_cast<U*>(c);
#pragma GCC unroll 8
    for (int w = 0; w < W; ++w) dst[w] = accumulate ? dst[w] + acc[w] : acc[w];
    return;
  }
  for (int w = 0; w < W; ++w)
    for (int l = 0; l < L; ++l) {
      T& dst = c[(w * L + l) * c_cs];
      dst = combine(accumulate, dst, acc[w][l]);
    }
}

template <class T>
void direct_rows(size_t m, size_t n, size_t k, const T* a, size_t a_rs, size_t a_cs, const T* b,
                 size_t b_rs, T* c, size_t c_rs, size_t c_cs, bool accumulate) {
  constexpr size_t L = kLanes<T>;
  for (size_t i = 0; i < m; ++i) {
    const T* ai = a + i * a_rs;
    T* ci = c + i * c_rs;
    size_t j = 0;
    for (; j + 4 * L <= n; j += 4 * L)
      direct_row_chunk<T, 4>(k, ai, a_cs, b + j, b_rs, ci + j * c_cs, c_cs, accumulate);
    for (; j + L <= n; j += L)
      direct_row_chunk<T, 1>(k, ai, a_cs, b + j, b_rs, ci + j * c_cs, c_cs, accumulate);
    for (; j < n; ++j) {
      T sum = 0;
      for (size_t p = 0; p < k; ++p) sum += ai[p * a_cs] * b[p * b_rs + j];
      T& dst = ci[j * c_cs];
      dst = combine(accumulate, dst, sum);
    }
  }
}

// A dot product over contiguous runs fed in pieces; every piece but the last is a multiple of
// 4 * L long, so the split into vector groups and tail is a function of k alone.
template <class T>
struct DotAccumulator {
  using U = typename VecOf<T>::Unaligned;
  static constexpr size_t L = kLanes<T>;
  U s[4] = {};
  T tail = 0;

  void add(const T* x, const T* y, size_t len) {
    size_t p = 0;
    for (; p + 4 * L <= len; p += 4 * L) {
      const U* xv = reinterpret_cast<const U*>(x + p);
      const U* yv = reinterpret_cast<const U*>(y + p);
#pragma GCC unroll 4
      for (int g = 0; g < 4; ++g) s[g] += xv[g] * yv[g];
    }
    for (; p < len; ++p) tail += x[p] * y[p];
  }
  T total() const {
    U v = (s[0] + s[1]) + (s[2] + s[3]);
    T sum = 0;
    for (size_t l = 0; l < L; ++l) sum += v[l];
    return sum + tail;
  }
};

template <class T>
void direct_dots(size_t m, size_t n, size_t k, const T* a, size_t a_rs, size_t a_cs, const T* b,
                 size_t b_rs, size_t b_cs, T* c, size_t c_rs, size_t c_cs, bool accumulate) {
  constexpr size_t kPiece = 256;  // a multiple of 4 * L for every vector width
  alignas(64) T xa[kPiece];
  alignas(64) T yb[kPiece];
  for (size_t i = 0; i < m; ++i)
    for (size_t j = 0; j < n; ++j) {
      const T* x = a + i * a_rs;
      const T* y = b + j * b_cs;
      DotAccumulator<T> dot;
      for (size_t p0 = 0; p0 < k; p0 += kPiece) {
        size_t len = k - p0 < kPiece ? k - p0 : kPiece;
        const T* xp = x + p0 * a_cs;
        const T* yp = y + p0 * b_rs;
        if (a_cs != 1) {
          for (size_t p = 0; p < len; ++p) xa[p] = xp[p * a_cs];
          xp = xa;
        }
        if (b_rs != 1) {
          for (size_t p = 0; p < len; ++p) yb[p] = yp[p * b_rs];
          yp = yb;
        }
        dot.add(xp, yp, len);
      }
      T& dst = c[i * c_rs + j * c_cs];
      dst = combine(accumulate, dst, dot.total());
    }
}

template <class T>
void direct(size_t m, size_t n, size_t k, const T* a, size_t a_rs, size_t a_cs, const T* b,
            size_t b_rs, size_t b_cs, T* c, size_t c_rs, size_t c_cs, bool accumulate) {
  if (b_cs == 1 && n > 1)
    direct_rows(m, n, k, a, a_rs, a_cs, b, b_rs, c, c_rs, c_cs, accumulate);
  else
    direct_dots(m, n, k, a, a_rs, a_cs, b, b_rs, b_cs, c, c_rs, c_cs, accumulate);
}

// ---- table --------------------------------------------------------------------------------

template <class T, int MR, int NV>
constexpr GemmOps<T> make_gemm_ops(size_t kc, size_t mc, size_t nc) {
  return GemmOps<T>{MR,
                    size_t(NV) * kLanes<T>,
                    kc,
                    mc,
                    nc,
                    &micro_kernel<T, MR, NV>,
                    &pack_a<T, MR>,
                    &pack_b<T, NV * kLanes<T>>,
                    &direct<T>};
}

}  // namespace
}  // namespace kernels
}  // namespace ndgrad

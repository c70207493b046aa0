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

#include <cstdint>
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

// The integer type of a shuffle index for T (same width).
template <class T>
struct IndexOf;
template <>
struct IndexOf<float> {
  using Type = int32_t;
};
template <>
struct IndexOf<double> {
  using Type = int64_t;
};

template <class T>
constexpr int kLanes = NDGRAD_GEMM_VECTOR_BYTES / sizeof(T);

// ---- micro-kernel -------------------------------------------------------------------------

// A is read in place with a stride: op(A)(i, p) = a[p * a_stride + i] when !kRowsContiguous (a
// packed sliver has a_stride == MR; a transposed A, its row stride), a[i * a_stride + p] when
// kRowsContiguous (a row-major A). Either way the MR values of one k step are broadcast one by
// one, so reading A unpacked costs nothing when its rows are in cache.
//
// B is a packed sliver (b_stride == NR) or a row-major op(B) read in place (b_stride its row
// stride); its loads are unaligned either way, which costs nothing on aligned data.
template <class T, int MR, int NV, bool kRowsContiguous>
void micro_kernel(size_t kc, const T* a, size_t a_stride, const T* b, size_t b_stride, T* c,
                  size_t ldc, size_t m_valid, size_t n_valid, bool accumulate) {
  using V = typename VecOf<T>::Aligned;
  using U = typename VecOf<T>::Unaligned;
  constexpr int L = kLanes<T>;
  constexpr size_t NR = NV * L;

  // The C tile is touched only after the k loop; start fetching it now (its rows are a whole
  // row stride apart, often in L3 or memory) so the stores do not stall.
  for (size_t i = 0; i < m_valid; ++i) {
    __builtin_prefetch(c + i * ldc, 1);
    __builtin_prefetch(c + i * ldc + n_valid - 1, 1);
  }

  V acc[MR][NV];
#pragma GCC unroll 32
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 8
    for (int j = 0; j < NV; ++j) acc[i][j] = V{};

  // Rows read in place are addressed as base + 0, 1 or 2 strides from one base per three rows
  // (x86 addressing scales the stride by 1 or 2): MR / 3 + 2 registers instead of MR pointers,
  // which would not fit beside the accumulators and spill in the loop.
  constexpr int kBases = kRowsContiguous ? (MR + 2) / 3 : 1;
  const T* base[kBases];
#pragma GCC unroll 8
  for (int g = 0; g < kBases; ++g) base[g] = a + (kRowsContiguous ? 3 * g * a_stride : 0);
  for (size_t p = 0; p < kc; ++p) {
    V bp[NV];
#pragma GCC unroll 8
    for (int j = 0; j < NV; ++j) bp[j] = *reinterpret_cast<const U*>(b + j * L);
#pragma GCC unroll 32
    for (int i = 0; i < MR; ++i) {
      // broadcast from memory
      const T ai = kRowsContiguous ? base[i / 3][(i % 3) * a_stride] : base[0][i];
#pragma GCC unroll 8
      for (int j = 0; j < NV; ++j) acc[i][j] += ai * bp[j];
    }
#pragma GCC unroll 8
    for (int g = 0; g < kBases; ++g) base[g] += kRowsContiguous ? 1 : a_stride;
    b += b_stride;
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

// An 8 x 8 block transposed in registers: rows `src + r * stride` (8 elements each) become rows
// `dst + q * dst_stride`. Three rounds, each swapping the off-diagonal d x d sub-blocks (d = 4, 2,
// 1) of every 2d x 2d block, exchange the row and column index bits; 24 two-input shuffles for 64
// elements, against 128 scalar moves.
//
// The rows are named values, never an array: GCC gives a local vector array the vector's
// natural alignment (64 bytes for 8 doubles) and stores it with aligned moves, and under ASan's
// detect_stack_use_after_return the frame lives in a fake stack that is not 64-byte aligned, so
// an array version crashed the sanitized build. Loads and stores go through a type aligned as T:
// the user's matrix and the packed sliver need not be vector aligned.
template <class T>
inline void transpose8x8(const T* src, size_t stride, T* dst, size_t dst_stride) {
  typedef T V8 __attribute__((vector_size(8 * sizeof(T)), __may_alias__, aligned(alignof(T))));
  typedef typename IndexOf<T>::Type M8 __attribute__((vector_size(8 * sizeof(T))));
  // Explicit return types: a deduced one would drop the typedef's alignment, and GCC would then
  // load and store with aligned moves.
  const auto in = [&](size_t r) -> const V8* {
    return reinterpret_cast<const V8*>(src + r * stride);
  };
  const V8 r0 = *in(0), r1 = *in(1), r2 = *in(2), r3 = *in(3), r4 = *in(4), r5 = *in(5),
           r6 = *in(6), r7 = *in(7);

  constexpr M8 lo4{0, 1, 2, 3, 8, 9, 10, 11}, hi4 = lo4 + 4;
  const V8 a0 = __builtin_shuffle(r0, r4, lo4), a4 = __builtin_shuffle(r0, r4, hi4);
  const V8 a1 = __builtin_shuffle(r1, r5, lo4), a5 = __builtin_shuffle(r1, r5, hi4);
  const V8 a2 = __builtin_shuffle(r2, r6, lo4), a6 = __builtin_shuffle(r2, r6, hi4);
  const V8 a3 = __builtin_shuffle(r3, r7, lo4), a7 = __builtin_shuffle(r3, r7, hi4);

  constexpr M8 lo2{0, 1, 8, 9, 4, 5, 12, 13}, hi2 = lo2 + 2;
  const V8 b0 = __builtin_shuffle(a0, a2, lo2), b2 = __builtin_shuffle(a0, a2, hi2);
  const V8 b1 = __builtin_shuffle(a1, a3, lo2), b3 = __builtin_shuffle(a1, a3, hi2);
  const V8 b4 = __builtin_shuffle(a4, a6, lo2), b6 = __builtin_shuffle(a4, a6, hi2);
  const V8 b5 = __builtin_shuffle(a5, a7, lo2), b7 = __builtin_shuffle(a5, a7, hi2);

  constexpr M8 lo1{0, 8, 2, 10, 4, 12, 6, 14}, hi1 = lo1 + 1;
  const auto out = [&](size_t q) -> V8* {
    return reinterpret_cast<V8*>(dst + q * dst_stride);
  };
  *out(0) = __builtin_shuffle(b0, b1, lo1);
  *out(1) = __builtin_shuffle(b0, b1, hi1);
  *out(2) = __builtin_shuffle(b2, b3, lo1);
  *out(3) = __builtin_shuffle(b2, b3, hi1);
  *out(4) = __builtin_shuffle(b4, b5, lo1);
  *out(5) = __builtin_shuffle(b4, b5, hi1);
  *out(6) = __builtin_shuffle(b6, b7, lo1);
  *out(7) = __builtin_shuffle(b6, b7, hi1);
}

// Packs `count` lines of a strided matrix into R-wide slivers, p-major inside each sliver:
// out[(r / R) * R * kc + p * R + r % R] = src[r * r_stride + p * p_stride], the ragged last
// sliver zero padded. The source is always read along its contiguous direction: line by line
// when p is contiguous, across all slivers at once when r is (reading one sliver-width at a
// time would hop a whole row stride per element, and row strides that are multiples of 4 KiB
// all land in the same L1 set).
template <class T, int R>
void pack_slivers(size_t count, size_t kc, const T* src, size_t r_stride, size_t p_stride,
                  T* out) {
  const size_t full = count / R;
  const size_t sliver = R * kc;
  if (r_stride == 1) {
    for (size_t p = 0; p < kc; ++p) {
      const T* line = src + p * p_stride;
      for (size_t s = 0; s < full; ++s)
        std::memcpy(out + s * sliver + p * R, line + s * R, R * sizeof(T));
    }
  } else if (p_stride == 1) {
    // A transpose: 8 x 8 blocks by explicit register shuffles where the sliver width allows,
    // else square tiles whose fixed-size loops the compiler turns into shuffles (about twice as
    // fast as moving one element at a time).
    constexpr size_t kTile = R % 8 == 0 ? 8 : R % 4 == 0 ? 4 : R;
    for (size_t s = 0; s < full; ++s) {
      const T* lines = src + s * R * r_stride;
      T* dst = out + s * sliver;
      size_t p = 0;
      if constexpr (kTile == 8) {
        for (; p + 8 <= kc; p += 8)
          for (size_t r0 = 0; r0 < size_t(R); r0 += 8)
            transpose8x8(lines + r0 * r_stride + p, r_stride, dst + p * R + r0, R);
      }
      for (; p + kTile <= kc; p += kTile)
        for (size_t r0 = 0; r0 < size_t(R); r0 += kTile) {
          T tile[kTile][kTile];
#pragma GCC unroll 8
          for (size_t r = 0; r < kTile; ++r)
#pragma GCC unroll 8
            for (size_t q = 0; q < kTile; ++q) tile[r][q] = lines[(r0 + r) * r_stride + p + q];
#pragma GCC unroll 8
          for (size_t q = 0; q < kTile; ++q)
#pragma GCC unroll 8
            for (size_t r = 0; r < kTile; ++r) dst[(p + q) * R + r0 + r] = tile[r][q];
        }
      for (; p < kc; ++p)
        for (size_t r = 0; r < size_t(R); ++r) dst[p * R + r] = lines[r * r_stride + p];
    }
  } else {
    for (size_t s = 0; s < full; ++s)
#pragma GCC unroll 4
      for (int r = 0; r < R; ++r) {
        const T* line = src + (s * R + r) * r_stride;
        T* dst = out + s * sliver + r;
        for (size_t p = 0; p < kc; ++p) dst[p * R] = line[p * p_stride];
      }
  }
  const size_t ragged = count - full * R;
  if (ragged == 0) return;
  const T* rest = src + full * R * r_stride;
  T* dst = out + full * sliver;
  for (size_t p = 0; p < kc; ++p)
    for (size_t r = 0; r < size_t(R); ++r)
      dst[p * R + r] = r < ragged ? rest[r * r_stride + p * p_stride] : T(0);
}

template <class T, int MR>
void pack_a(size_t m, size_t kc, const T* a, size_t rs, size_t cs, T* out) {
  pack_slivers<T, MR>(m, kc, a, rs, cs, out);
}

template <class T, int NR>
void pack_b(size_t kc, size_t n, const T* b, size_t rs, size_t cs, T* out) {
  pack_slivers<T, NR>(n, kc, b, cs, rs, out);
}

// ---- direct (unpacked) product ------------------------------------------------------------

template <class T>
inline T combine(bool accumulate, T old, T sum) {
  return accumulate ? old + sum : sum;
}

// R rows of C over a block of columns whose op(B) rows are contiguous: each B row segment is
// loaded once and used for all R rows; the sums live in an L1 block (2 KiB per row) rather than
// registers so every B row is read in long runs, whatever its stride (a register-width chunk
// would walk down B in 64-byte steps, 4 KiB apart, defeating prefetch and the TLB).
template <class T, int R>
void direct_row_block(size_t width, size_t k, const T* a, size_t a_rs, size_t a_cs, const T* b,
                      size_t b_rs, T* c, size_t c_rs, size_t c_cs, bool accumulate) {
  using U = typename VecOf<T>::Unaligned;
  constexpr size_t L = kLanes<T>;
  constexpr size_t kWidth = 2048 / sizeof(T);
  alignas(64) T acc[R][kWidth];
  const size_t vec_end = width / L * L;
  for (int r = 0; r < R; ++r) std::memset(acc[r], 0, width * sizeof(T));
  for (size_t p = 0; p < k; ++p) {
    T ap[R];
#pragma GCC unroll 4
    for (int r = 0; r < R; ++r) ap[r] = a[r * a_rs + p * a_cs];
    const T* brow = b + p * b_rs;
    for (size_t j = 0; j < vec_end; j += L) {
      const U bv = *reinterpret_cast<const U*>(brow + j);
#pragma GCC unroll 4
      for (int r = 0; r < R; ++r) *reinterpret_cast<U*>(&acc[r][j]) += ap[r] * bv;
    }
    for (size_t j = vec_end; j < width; ++j)
#pragma GCC unroll 4
      for (int r = 0; r < R; ++r) acc[r][j] += ap[r] * brow[j];
  }
  for (int r = 0; r < R; ++r)
    for (size_t j = 0; j < width; ++j) {
      T& dst = c[r * c_rs + j * c_cs];
      dst = combine(accumulate, dst, acc[r][j]);
    }
}

template <class T>
void direct_rows(size_t m, size_t n, size_t k, const T* a, size_t a_rs, size_t a_cs, const T* b,
                 size_t b_rs, T* c, size_t c_rs, size_t c_cs, bool accumulate) {
  constexpr size_t kWidth = 2048 / sizeof(T);
  for (size_t j = 0; j < n; j += kWidth) {
    const size_t width = n - j < kWidth ? n - j : kWidth;
    const T* bj = b + j;
    T* cj = c + j * c_cs;
    size_t i = 0;
    for (; i + 4 <= m; i += 4)
      direct_row_block<T, 4>(width, k, a + i * a_rs, a_rs, a_cs, bj, b_rs, cj + i * c_rs, c_rs,
                             c_cs, accumulate);
    for (; i < m; ++i)
      direct_row_block<T, 1>(width, k, a + i * a_rs, a_rs, a_cs, bj, b_rs, cj + i * c_rs, c_rs,
                             c_cs, accumulate);
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
    for (; p + L <= len; p += L)
      s[0] += *reinterpret_cast<const U*>(x + p) * *reinterpret_cast<const U*>(y + p);
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
constexpr typename GemmOps<T>::Tile tile_of() {
  return {MR, &micro_kernel<T, MR, NV, false>, &micro_kernel<T, MR, NV, true>, &pack_a<T, MR>};
}

// Tiles of 8 and 4 rows where shorter than the main one, for the last rows of a block: the
// 64 rows of a 64 x 64 product are 5 x 12 + 4 rather than 6 x 12 with a third of the last tile
// wasted.
template <class T, int MR, int NV, int ROWS>
constexpr typename GemmOps<T>::Tile short_tile() {
  if constexpr (ROWS < MR)
    return tile_of<T, ROWS, NV>();
  else
    return {};
}

template <class T, int MR, int NV>
constexpr GemmOps<T> make_gemm_ops(size_t kc, size_t mc, size_t nc, size_t sliver_group = 0) {
  return GemmOps<T>{MR,
                    size_t(NV) * kLanes<T>,
                    kc,
                    mc,
                    nc,
                    sliver_group,
                    &micro_kernel<T, MR, NV, false>,
                    &micro_kernel<T, MR, NV, true>,
                    &pack_a<T, MR>,
                    &pack_b<T, NV * kLanes<T>>,
                    {short_tile<T, MR, NV, 8>(), short_tile<T, MR, NV, 4>()},
                    &direct<T>};
}

}  // namespace
}  // namespace kernels
}  // namespace ndgrad

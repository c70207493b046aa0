// Per-ISA building blocks of the packed matrix product (driver: core/gemm.cc).
//
// Operands are described by element strides so one entry serves every transpose combination:
// op(A)(i, p) = a[i * rs + p * cs], op(B)(p, j) = b[p * rs + j * cs], C(i, j) = c[i * rs + j * cs].
// Packed layouts (GotoBLAS): A is cut into slivers of mr rows stored p-major (a[p * mr + i]),
// B into slivers of nr columns stored p-major (b[p * nr + j]); ragged slivers are zero padded so
// the micro-kernel always runs a full tile.
#pragma once

#include <cstddef>

#include "kernels/kernels.h"

namespace ndgrad {
namespace kernels {

template <class T>
struct GemmOps {
  using Micro = void (*)(size_t kc, const T* a, size_t a_stride, const T* b, size_t b_stride, T* c,
                         size_t ldc, size_t m_valid, size_t n_valid, bool accumulate);
  using PackA = void (*)(size_t m, size_t kc, const T* a, size_t rs, size_t cs, T* out);
  // A micro-kernel of mr rows with its A packing (rows == 0: absent).
  struct Tile {
    size_t rows;
    Micro micro, micro_rows;
    PackA pack_a;
  };

  // Register tile of the micro-kernel (mr rows of A by nr columns of B).
  size_t mr, nr;
  // Cache blocking: kc is the depth of one packed panel (B sliver kc x nr stays in L1), mc the
  // rows of a packed A block (kept in L2), nc the columns of a packed B panel (shared, in L3).
  size_t kc, mc, nc;
  // Order of the micro-kernel calls over one packed A block and B panel. 0: sliver by sliver, the
  // B sliver (kc x nr) staying in L1 while the A tiles stream past it. Otherwise the B slivers are
  // taken in groups of this many (kc x group x nr, sized for L2) and each A tile (mr x kc) stays in
  // L1 while the group streams past it: for a B sliver as large as L1 or larger (AVX-512 float32
  // at kc 512: 64 KiB), which sliver-major order would fetch from L2 once per A tile.
  size_t sliver_group;

  // C[m_valid x n_valid] (row stride ldc) = sum over p < kc of op(A)(:, p) x B(p, :), added to
  // the old C when accumulate. B(p, j) = b[p * b_stride + j]: a packed sliver (b_stride == nr)
  // or a row-major op(B) read in place; all nr columns are read. micro reads
  // op(A)(i, p) = a[p * a_stride + i] (a packed sliver, a_stride == mr, or a transposed A);
  // micro_rows reads a[i * a_stride + p] (a row-major A). Both read all mr rows of A.
  Micro micro, micro_rows;

  // Packs op(A)[m x kc] into ceil(m / mr) slivers at out.
  PackA pack_a;
  // Packs op(B)[kc x n] into ceil(n / nr) slivers at out.
  void (*pack_b)(size_t kc, size_t n, const T* b, size_t rs, size_t cs, T* out);

  // Shorter tiles (8 then 4 rows, where below mr) for the last rows of a block, so that a
  // ragged row count wastes at most 3 rows of a tile rather than up to mr - 1.
  Tile short_tiles[2];

  // C[m x n] = op(A)[m x k] . op(B)[k x n] (+ old C) with no packing, for products too small or
  // too thin (a vector operand) to repay it. Fastest when op(B) rows are contiguous (b_cs == 1)
  // or when op(A) rows and op(B) columns both are (a_cs == 1, b_rs == 1). Every C element is a
  // function of its own row and column only, so callers may split C freely.
  void (*direct)(size_t m, size_t n, size_t k, const T* a, size_t a_rs, size_t a_cs, const T* b,
                 size_t b_rs, size_t b_cs, T* c, size_t c_rs, size_t c_cs, bool accumulate);
};

struct GemmKernels {
  Isa isa;
  GemmOps<float> f32;
  GemmOps<double> f64;
};

// The kernels for an instruction set, or nullptr when this build or this CPU lacks it.
const GemmKernels* gemm_kernels_for(Isa isa);

}  // namespace kernels
}  // namespace ndgrad

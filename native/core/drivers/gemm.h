#pragma once
#include <cstddef>
#include "kernels/kernels.h"
namespace ndgrad {
class ThreadPool;
// Row-major C[m x n] = op(A)[m x k] . op(B)[k x n], plus the old C when accumulate.
// op(A) = A (stored m x k, row stride lda) or, when trans_a, A^T with A stored k x m (row stride lda).
// op(B) likewise (stored k x n, or n x k when trans_b). dt is Float32 or Float64 (packed SIMD path)
// or Int32/Uint8 (plain loops, wrapping arithmetic without UB). k may be 0 (C = 0, or unchanged
// when accumulate). Results are bitwise identical for any thread count.
void gemm(ThreadPool& pool, kernels::Isa isa, DType dt, bool trans_a, bool trans_b, size_t m,
          size_t n, size_t k, const void* a, size_t lda, const void* b, size_t ldb, void* c,
          size_t ldc, bool accumulate);
}

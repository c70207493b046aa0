// AVX2 + FMA: 32-byte vectors (built with -mavx2 -mfma -mf16c).
#define NDGRAD_VEC_BYTES 32
#define NDGRAD_KERNEL_NS avx2
#include "kernels/kernels_impl.inl"

#include "kernels/isa_tables.h"

namespace ndgrad {
namespace kernels {
extern const KernelTable kAvx2Table = avx2::make_table(Isa::Avx2, "avx2");
}  // namespace kernels
}  // namespace ndgrad

// AVX-512 F/DQ/BW/VL: 64-byte vectors (built with -mavx512f -mavx512dq -mavx512bw -mavx512vl).
#define NDGRAD_VEC_BYTES 64
#define NDGRAD_KERNEL_NS avx512
#include "kernels/kernels_impl.inl"

#include "kernels/isa_tables.h"

namespace ndgrad {
namespace kernels {
extern const KernelTable kAvx512Table = avx512::make_table(Isa::Avx512, "avx512");
}  // namespace kernels
}  // namespace ndgrad

// AVX2 + FMA pooling and normalization kernels (32-byte vectors).
#define NDGRAD_VEC_BYTES 32
#define NDGRAD_KERNEL_NS avx2
#include "kernels/poolnorm.inl"

namespace ndgrad {
namespace kernels {
extern const PoolNormKernels kPoolNormAvx2 = avx2::make_poolnorm_kernels(Isa::Avx2);
}  // namespace kernels
}  // namespace ndgrad

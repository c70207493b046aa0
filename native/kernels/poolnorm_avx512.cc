// AVX-512 pooling and normalization kernels (64-byte vectors).
#define NDGRAD_VEC_BYTES 64
#define NDGRAD_KERNEL_NS avx512
#include "kernels/poolnorm.inl"

namespace ndgrad {
namespace kernels {
extern const PoolNormKernels kPoolNormAvx512 = avx512::make_poolnorm_kernels(Isa::Avx512);
}  // namespace kernels
}  // namespace ndgrad

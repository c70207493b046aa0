// AVX-512 convolution kernels (64-byte vectors).
#define NDGRAD_VEC_BYTES 64
#define NDGRAD_KERNEL_NS avx512
#include "kernels/conv.inl"

namespace ndgrad {
namespace kernels {
extern const ConvKernels kConvAvx512 = avx512::make_conv_kernels(Isa::Avx512);
}  // namespace kernels
}  // namespace ndgrad

// AVX2 convolution kernels (32-byte vectors).
#define NDGRAD_VEC_BYTES 32
#define NDGRAD_KERNEL_NS avx2
#include "kernels/conv.inl"

namespace ndgrad {
namespace kernels {
extern const ConvKernels kConvAvx2 = avx2::make_conv_kernels(Isa::Avx2);
}  // namespace kernels
}  // namespace ndgrad

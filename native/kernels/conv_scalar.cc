// Portable convolution kernels (16-byte vectors), and the choice among the instruction sets.
#define NDGRAD_VEC_BYTES 16
#define NDGRAD_KERNEL_NS scalar
#include "kernels/conv.inl"

namespace ndgrad {
namespace kernels {

namespace {
const ConvKernels kConvScalar = scalar::make_conv_kernels(Isa::Scalar);
}  // namespace

#ifdef NDGRAD_HAVE_X86_ISAS
extern const ConvKernels kConvAvx2;
extern const ConvKernels kConvAvx512;
#endif

const ConvKernels& conv_kernels(Isa isa) {
#ifdef NDGRAD_HAVE_X86_ISAS
  if (isa == Isa::Avx512 && cpu_supports(Isa::Avx512)) return kConvAvx512;
  if (isa >= Isa::Avx2 && cpu_supports(Isa::Avx2)) return kConvAvx2;
#endif
  return kConvScalar;
}

}  // namespace kernels
}  // namespace ndgrad

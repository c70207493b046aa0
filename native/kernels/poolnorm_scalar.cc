// Portable pooling and normalization kernels (16-byte vectors), and the choice among the
// instruction sets.
#define NDGRAD_VEC_BYTES 16
#define NDGRAD_KERNEL_NS scalar
#include "kernels/poolnorm.inl"

namespace ndgrad {
namespace kernels {

namespace {
const PoolNormKernels kPoolNormScalar = scalar::make_poolnorm_kernels(Isa::Scalar);
}  // namespace

#ifdef NDGRAD_HAVE_X86_ISAS
extern const PoolNormKernels kPoolNormAvx2;
extern const PoolNormKernels kPoolNormAvx512;
#endif

const PoolNormKernels& poolnorm_kernels(Isa isa) {
#ifdef NDGRAD_HAVE_X86_ISAS
  if (isa == Isa::Avx512 && cpu_supports(Isa::Avx512)) return kPoolNormAvx512;
  if (isa >= Isa::Avx2 && cpu_supports(Isa::Avx2)) return kPoolNormAvx2;
#endif
  return kPoolNormScalar;
}

}  // namespace kernels
}  // namespace ndgrad

// The optimizer updates for the portable baseline (16-byte vectors), and the per-ISA lookup,
// which lives here because this is the one optimizer translation unit every platform builds.
#define NDGRAD_VEC_BYTES 16
#define NDGRAD_KERNEL_NS scalar_optim
#include "kernels/optim_impl.inl"

namespace ndgrad {
namespace kernels {

#ifdef NDGRAD_HAVE_X86_ISAS
extern const OptimKernels kOptimAvx2;
extern const OptimKernels kOptimAvx512;
#endif

namespace {
const OptimKernels kOptimScalar = scalar_optim::make_optim_kernels(Isa::Scalar);
}  // namespace

const OptimKernels* optim_kernels_for(Isa isa) {
  switch (isa) {
    case Isa::Scalar:
      return &kOptimScalar;
#ifdef NDGRAD_HAVE_X86_ISAS
    case Isa::Avx2:
      return cpu_supports(Isa::Avx2) ? &kOptimAvx2 : nullptr;
    case Isa::Avx512:
      return cpu_supports(Isa::Avx512) ? &kOptimAvx512 : nullptr;
#endif
    default:
      return nullptr;
  }
}

}  // namespace kernels
}  // namespace ndgrad

// The optimizer updates for AVX2 (built with that set's flags, as kernels_avx2.cc).
#define NDGRAD_VEC_BYTES 32
#define NDGRAD_KERNEL_NS avx2_optim
#include "kernels/optim_impl.inl"

namespace ndgrad {
namespace kernels {
extern const OptimKernels kOptimAvx2 = avx2_optim::make_optim_kernels(Isa::Avx2);
}  // namespace kernels
}  // namespace ndgrad

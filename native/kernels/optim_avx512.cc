// The optimizer updates for AVX512 (built with that set's flags, as kernels_avx512.cc).
#define NDGRAD_VEC_BYTES 64
#define NDGRAD_KERNEL_NS avx512_optim
#include "kernels/optim_impl.inl"

namespace ndgrad {
namespace kernels {
extern const OptimKernels kOptimAvx512 = avx512_optim::make_optim_kernels(Isa::Avx512);
}  // namespace kernels
}  // namespace ndgrad

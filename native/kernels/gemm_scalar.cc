// Portable GEMM kernels (x86-64 baseline SSE2, or NEON on arm64) and the per-ISA lookup, which
// lives here because this is the one kernel translation unit every platform builds.
#define NDGRAD_GEMM_VECTOR_BYTES 16
#include "kernels/gemm_micro.inl"

namespace ndgrad {
namespace kernels {

#ifdef NDGRAD_HAVE_X86_ISAS
extern const GemmKernels kGemmAvx2;
extern const GemmKernels kGemmAvx512;
#endif

namespace {
// Sixteen 128-bit registers on x86-64 baseline: a 4 x 2-vector tile leaves room for the B row,
// the broadcast and the product (no FMA there).
const GemmKernels kGemmScalar = {
    Isa::Scalar,
    make_gemm_ops<float, 4, 2>(256, 128, 2048),
    make_gemm_ops<double, 4, 2>(256, 64, 1024),
};
}  // namespace

const GemmKernels* gemm_kernels_for(Isa isa) {
  switch (isa) {
    case Isa::Scalar:
      return &kGemmScalar;
#ifdef NDGRAD_HAVE_X86_ISAS
    case Isa::Avx2:
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? &kGemmAvx2
                                                                             : nullptr;
    case Isa::Avx512:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
                     __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl")
                 ? &kGemmAvx512
                 : nullptr;
#endif
    default:
      return nullptr;
  }
}

}  // namespace kernels
}  // namespace ndgrad

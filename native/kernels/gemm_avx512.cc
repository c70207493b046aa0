// AVX-512 GEMM kernels (compiled with -mavx512f/dq/bw/vl -mfma).
#define NDGRAD_GEMM_VECTOR_BYTES 64
#include "kernels/gemm_micro.inl"

namespace ndgrad {
namespace kernels {

// 12 x 32 floats (12 x 16 doubles): 24 zmm accumulators and 2 for the B row out of 32; the A
// element is an embedded broadcast operand of the FMA. kc 192 keeps the B sliver at 24 KiB so it
// stays in a 32-48 KiB L1 next to the streaming A sliver.
extern const GemmKernels kGemmAvx512 = {
    Isa::Avx512,
    make_gemm_ops<float, 12, 2>(192, 144, 2048),
    make_gemm_ops<double, 12, 2>(192, 96, 1024),
};

}  // namespace kernels
}  // namespace ndgrad

// AVX2 + FMA GEMM kernels (compiled with -mavx2 -mfma).
#define NDGRAD_GEMM_VECTOR_BYTES 32
#include "kernels/gemm_micro.inl"

namespace ndgrad {
namespace kernels {

// 6 x 16 floats (6 x 8 doubles): 12 ymm accumulators, 2 for the B row and 1 broadcast out of
// 16. The B sliver (kc x 16 floats = 24 KiB at kc 384) sits in L1 while the A block (mc x kc,
// 144 KiB) sits in L2 (512 KiB per core on Zen 3). kc 384 rather than 256 cuts the passes over
// C by a third, worth 5-10% at 1024 on Zen 3 (docs/gemm.md).
extern const GemmKernels kGemmAvx2 = {
    Isa::Avx2,
    make_gemm_ops<float, 6, 2>(384, 96, 2048),
    make_gemm_ops<double, 6, 2>(384, 48, 1024),
};

}  // namespace kernels
}  // namespace ndgrad

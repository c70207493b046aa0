// AVX-512 GEMM kernels (compiled with -mavx512f/dq/bw/vl -mfma).
#define NDGRAD_GEMM_VECTOR_BYTES 64
#include "kernels/gemm_micro.inl"

namespace ndgrad {
namespace kernels {

// 12 x 32 floats (12 x 16 doubles): 24 zmm accumulators and 2 for the B row out of 32; the A
// element is an embedded broadcast operand of the FMA. float32 uses kc 384 (a 48 KiB B sliver,
// fed from L2 as fast as the kernel reads it): half the read-modify-write passes over C of kc
// 192, 5-8% faster at 1024^3 on the Sapphire Rapids test machine (docs/dev/gemm-sort-tuning.md).
// float64 keeps kc 192 (untimed).
extern const GemmKernels kGemmAvx512 = {
    Isa::Avx512,
    make_gemm_ops<float, 12, 2>(384, 144, 2048),
    make_gemm_ops<double, 12, 2>(192, 96, 1024),
};

}  // namespace kernels
}  // namespace ndgrad

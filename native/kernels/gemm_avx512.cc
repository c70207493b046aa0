// AVX-512 GEMM kernels (compiled with -mavx512f/dq/bw/vl -mfma).
#define NDGRAD_GEMM_VECTOR_BYTES 64
#include "kernels/gemm_micro.inl"

namespace ndgrad {
namespace kernels {

// 12 x 32 floats (12 x 16 doubles): 24 zmm accumulators, 2 for the B row and 1 broadcast out of
// 32. float32 uses kc 512: a quarter fewer read-modify-write passes over C than kc 384, 3-4% faster
// at 512^3 and 1024^3 on the Zen 4 VM (session 14; kc 384 had been 5-8% faster than 192 at 1024^3
// on the Sapphire Rapids test machine, where 512 measured within the noise of 384,
// docs/dev/gemm-sort-tuning.md). Its B sliver is then 64 KiB, more than L1, so the slivers stream
// from L2 in groups of 8 (512 KiB) past each A tile (24 KiB, held in L1): 1024^3 7-10% less CPU
// than sliver-major order (session 11, at kc 384). float64 keeps kc 192 and sliver-major order (a
// 24 KiB sliver; untimed).
extern const GemmKernels kGemmAvx512 = {
    Isa::Avx512,
    make_gemm_ops<float, 12, 2>(512, 144, 2048, 8),
    make_gemm_ops<double, 12, 2>(192, 96, 1024),
};

}  // namespace kernels
}  // namespace ndgrad

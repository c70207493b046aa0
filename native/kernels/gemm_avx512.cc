// AVX-512 GEMM kernels (compiled with -mavx512f/dq/bw/vl -mfma).
#define NDGRAD_GEMM_VECTOR_BYTES 64
#include "kernels/gemm_micro.inl"

namespace ndgrad {
namespace kernels {

// 12 x 32 floats (12 x 16 doubles): 24 zmm accumulators, 2 for the B row and 1 broadcast out of
// 32. float32 uses kc 384: half the read-modify-write passes over C of kc 192, 5-8% faster at
// 1024^3 on the Sapphire Rapids test machine (docs/dev/gemm-sort-tuning.md). Its B sliver is then
// 48 KiB, all of that machine's L1, so the slivers stream from L2 in groups of 8 (384 KiB) past
// each A tile (18 KiB, held in L1): 1024^3 7-10% less CPU than sliver-major order. float64 keeps
// kc 192 and sliver-major order (a 24 KiB sliver; untimed).
extern const GemmKernels kGemmAvx512 = {
    Isa::Avx512,
    make_gemm_ops<float, 12, 2>(384, 144, 2048, 8),
    make_gemm_ops<double, 12, 2>(192, 96, 1024),
};

}  // namespace kernels
}  // namespace ndgrad

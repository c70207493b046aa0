// Portable baseline: 16-byte vectors (SSE2 on x86-64, NEON on arm64), no FMA.
#define NDGRAD_VEC_BYTES 16
#define NDGRAD_KERNEL_NS scalar
#include "kernels/kernels_impl.inl"

#include "kernels/isa_tables.h"

namespace ndgrad {
namespace kernels {
extern const KernelTable kScalarTable = scalar::make_table(Isa::Scalar, "scalar");
}  // namespace kernels
}  // namespace ndgrad

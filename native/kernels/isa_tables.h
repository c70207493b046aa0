// The per-ISA kernel tables, each defined by its own translation unit (kernels_<isa>.cc) and
// looked up by dispatch.cc. Only kScalarTable exists on every target.
#pragma once

#include "kernels/kernels.h"

namespace ndgrad {
namespace kernels {

extern const KernelTable kScalarTable;
#if NDGRAD_HAVE_X86_ISAS
extern const KernelTable kAvx2Table;
extern const KernelTable kAvx512Table;
#endif

}  // namespace kernels
}  // namespace ndgrad

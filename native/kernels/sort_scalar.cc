// The choice among the vector sorts (sort_avx2.cc, sort_avx512.cc); the scalar path has none.
#include "kernels/sort_kernels.h"

namespace ndgrad {
namespace kernels {

#ifdef NDGRAD_HAVE_X86_ISAS
extern const SortKernels kSortAvx2;
extern const SortKernels kSortAvx512;
#endif

const SortKernels* sort_kernels(Isa isa) {
#ifdef NDGRAD_HAVE_X86_ISAS
  if (isa == Isa::Avx512 && cpu_supports(Isa::Avx512)) return &kSortAvx512;
  if (isa >= Isa::Avx2 && cpu_supports(Isa::Avx2)) return &kSortAvx2;
#endif
  return nullptr;
}

}  // namespace kernels
}  // namespace ndgrad

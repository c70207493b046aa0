// Instruction-set detection and table lookup. Tables are constant data; nothing here caches or
// mutates state, so any thread may call these at any time.
#include "kernels/isa_tables.h"
#include "kernels/kernels.h"

namespace ndgrad {
namespace kernels {

bool cpu_supports(Isa isa) {
  switch (isa) {
    case Isa::Scalar: return true;
#if NDGRAD_HAVE_X86_ISAS
    // libgcc also checks that the OS saves the wide registers (XCR0) before reporting these.
    case Isa::Avx2:
      __builtin_cpu_init();
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case Isa::Avx512:
      __builtin_cpu_init();
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
             __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
             __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    case Isa::Avx2:
    case Isa::Avx512: return false;
#endif
  }
  return false;
}

const KernelTable* table_for(Isa isa) {
  if (!cpu_supports(isa)) return nullptr;
  switch (isa) {
    case Isa::Scalar: return &kScalarTable;
#if NDGRAD_HAVE_X86_ISAS
    case Isa::Avx2: return &kAvx2Table;
    case Isa::Avx512: return &kAvx512Table;
#else
    case Isa::Avx2:
    case Isa::Avx512: return nullptr;
#endif
  }
  return nullptr;
}

Isa best_supported_isa() {
  if (cpu_supports(Isa::Avx512)) return Isa::Avx512;
  if (cpu_supports(Isa::Avx2)) return Isa::Avx2;
  return Isa::Scalar;
}

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::Scalar: return "scalar";
    case Isa::Avx2: return "avx2";
    case Isa::Avx512: return "avx512";
  }
  return "unknown";
}

}  // namespace kernels
}  // namespace ndgrad

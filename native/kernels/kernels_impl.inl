// The kernel source, written once and compiled once per instruction set. The including
// translation unit defines NDGRAD_VEC_BYTES (16, 32 or 64) and NDGRAD_KERNEL_NS, and is built
// with that instruction set's compiler flags.
//
// Everything below has internal linkage (an anonymous namespace inside NDGRAD_KERNEL_NS): if two
// translation units emitted the same inline function compiled for different instruction sets,
// the linker would keep one of them for both, and the baseline table could end up executing
// AVX-512 code. For the same reason only C library functions and builtins are called, never
// std:: function templates.
#include <math.h>

#include <cstdint>
#include <cstring>
#include <type_traits>

#include "kernels/kernels.h"

#if defined(__FMA__)
#include <immintrin.h>
#endif

#if !defined(NDGRAD_VEC_BYTES) || !defined(NDGRAD_KERNEL_NS)
#error "define NDGRAD_VEC_BYTES and NDGRAD_KERNEL_NS before including kernels_impl.inl"
#endif

namespace ndgrad {
namespace kernels {
namespace NDGRAD_KERNEL_NS {
namespace {

#include "kernels/vec_base.inl"
#include "kernels/vec_math.inl"
#include "kernels/convert.inl"
#include "kernels/elementwise.inl"
#include "kernels/reduce.inl"

}  // namespace

constexpr KernelTable make_table(Isa isa, const char* name) {
  return KernelTable{isa,    name,       &unary, &binary, &reduce_contig, &reduce_strided,
                     &arg_reduce, &cast, &fill};
}

}  // namespace NDGRAD_KERNEL_NS
}  // namespace kernels
}  // namespace ndgrad

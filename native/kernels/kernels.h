// Raw compute kernels: loops over pointers, no shapes, no allocation, no threads.
//
// The same kernel source is compiled once per instruction set (kernels_scalar.cc, kernels_avx2.cc,
// kernels_avx512.cc); each translation unit fills one KernelTable. The core picks a table once at
// load (kernels::select) and splits large work over its thread pool before calling in here, so
// every entry below works on one contiguous chunk.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ndgrad {

enum class DType : uint8_t { Float32 = 0, Float64 = 1, Int32 = 2, Uint8 = 3 };
constexpr int kNumDTypes = 4;

namespace kernels {

enum class Isa : int { Scalar = 0, Avx2 = 1, Avx512 = 2 };

// Elementwise unary ops. Output dtype equals input dtype; integer inputs are computed in double
// and converted back (C++ conversion, truncating; rounding ops are exact on integers).
enum class Unary : int {
  Neg, Abs, Sign, Square, Sqrt, Rsqrt, Reciprocal,
  Exp, Expm1, Log, Log1p, Log2, Log10,
  Sin, Cos, Tan, Arcsin, Arccos, Arctan, Sinh, Cosh, Tanh,
  Sigmoid, Relu, Softsign,
  Floor, Ceil, Round,  // Round: half away from zero (MXNet)
  Trunc,
  Erf,
  Erfinv, Gamma, Gammaln,
  Softrelu,  // log(1 + exp(x)), x above 20 passed through (MXNet)
  Gelu,      // x Phi(x), the exact (erf) form
  Count
};

// Elementwise binary ops. Comparisons produce 1 or 0 in the operands' dtype (MXNet).
// Mod follows NumPy/MXNet: the result has the sign of the divisor.
// Maximum/Minimum propagate NaN from the left operand (MXNet: isnan(a) ? a : ...).
enum class Binary : int {
  Add, Sub, Mul, Div, Pow, Mod, Maximum, Minimum,
  Equal, NotEqual, Greater, GreaterEqual, Lesser, LesserEqual,
  MulSign,  // a * sign(b): relu's gradient from its output (op relu_grad)
  Count
};

// Reductions. SumSquares and SumAbs are the building blocks of norm (ord 2 and 1).
enum class Reduce : int { Sum, Prod, Max, Min, SumSquares, SumAbs, Count };

enum class ArgReduce : int { ArgMax, ArgMin };

struct KernelTable {
  Isa isa;
  const char* name;  // "scalar", "avx2", "avx512"

  // y[i] = op(x[i]) for i < n. x and y may alias exactly (in-place).
  void (*unary)(Unary op, DType dt, const void* x, void* y, size_t n);

  // y[i] = op(a[i * a_step], b[i * b_step]) for i < n, steps 0 or 1 (0 repeats a single element,
  // which is how broadcasting and number operands reach the kernel). y may alias a or b exactly.
  void (*binary)(Binary op, DType dt, const void* a, size_t a_step, const void* b, size_t b_step,
                 void* y, size_t n);

  // Fold a contiguous run of n elements into one value, returned in double (Max/Min return the
  // extreme value itself; Max/Min of a run containing NaN return NaN, as NumPy). For float32 the
  // partial accumulation may use float32 lanes; the result order of operations depends only on
  // n, never on threads. n may be 0 (returns the identity: 0, 1, -inf, +inf).
  double (*reduce_contig)(Reduce op, DType dt, const void* x, size_t n);

  // Strided form for the (outer, r, inner) layout: for each o < outer, i < inner,
  // y[o*inner + i] = fold over k < r of x[(o*r + k)*ld + i], written in dtype dt. ld >= inner is
  // the distance between consecutive rows, so a caller can fold a block of columns of a wider
  // array. Used when the reduced axes are not the innermost ones (inner > 1). r >= 1.
  void (*reduce_strided)(Reduce op, DType dt, const void* x, size_t outer, size_t r, size_t inner,
                         size_t ld, void* y);

  // Index (0 <= idx < r) of the first max/min along the middle axis of (outer, r, inner);
  // NaN counts as the extreme (NumPy). idx has outer*inner entries.
  void (*arg_reduce)(ArgReduce op, DType dt, const void* x, size_t outer, size_t r, size_t inner,
                     int64_t* idx);

  // y[i] = (to)x[i]: value conversion between any two dtypes (float -> int truncates toward zero,
  // saturating at the integer range; NaN -> 0).
  void (*cast)(DType from, const void* x, DType to, void* y, size_t n);

  // y[i] = value converted to dt.
  void (*fill)(DType dt, void* y, double value, size_t n);
};

// The table for an instruction set (nullptr when this build or CPU lacks it).
const KernelTable* table_for(Isa isa);
// Best instruction set this CPU supports.
Isa best_supported_isa();
bool cpu_supports(Isa isa);
const char* isa_name(Isa isa);

}  // namespace kernels
}  // namespace ndgrad

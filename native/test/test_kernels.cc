// Kernel tests: every table the CPU supports against plain scalar references written here,
// independent of the kernel source. Lengths cover empty input, vector tails and several
// unrolled blocks; the ulp tests sweep the float32 bit patterns of the vectorised
// transcendentals and assert the bounds documented in docs/kernels.md.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "check.h"
#include "core/tensor/dtype.h"
#include "kernels/kernels.h"

namespace {

using ndgrad::DType;
using ndgrad::dtype_size;
using namespace ndgrad::kernels;

const DType kDTypes[] = {DType::Float32, DType::Float64, DType::Int32, DType::Uint8};
const size_t kLengths[] = {0, 1, 7, 13 * 17};
constexpr size_t kLong = 1000003;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

std::vector<const KernelTable*> supported_tables() {
  static bool noted = false;
  std::vector<const KernelTable*> out;
  for (Isa isa : {Isa::Scalar, Isa::Avx2, Isa::Avx512}) {
    const KernelTable* t = table_for(isa);
    if (t) {
      out.push_back(t);
    } else if (!noted) {
      std::printf("note: %s kernels not tested (CPU or build lacks them)\n", isa_name(isa));
    }
  }
  noted = true;
  return out;
}

std::string where(const KernelTable* t, const char* what, int op, DType dt, size_t n) {
  return std::string(t->name) + " " + what + " op " + std::to_string(op) + " dtype " +
         std::to_string(static_cast<int>(dt)) + " n " + std::to_string(n);
}

// The message is built only on failure: these checks run millions of times.
template <class Message>
void expect(bool ok, Message message) {
  if (!ok) ndgrad_test::fail(__FILE__, __LINE__, message());
}

// ---- typed buffers holding any dtype ---------------------------------------------------------

struct Buffer {
  DType dt;
  std::vector<unsigned char> bytes;
  Buffer(DType d, size_t n) : dt(d), bytes(n * dtype_size(d) + 1) {}
  void* data() { return bytes.data(); }
  const void* data() const { return bytes.data(); }
  double get(size_t i) const {
    switch (dt) {
      case DType::Float32: { float v; std::memcpy(&v, &bytes[i * 4], 4); return v; }
      case DType::Float64: { double v; std::memcpy(&v, &bytes[i * 8], 8); return v; }
      case DType::Int32: { int32_t v; std::memcpy(&v, &bytes[i * 4], 4); return v; }
      case DType::Uint8: return bytes[i];
    }
    return 0;
  }
  // Stores a value already representable in dt.
  void set(size_t i, double v) {
    switch (dt) {
      case DType::Float32: { float f = static_cast<float>(v); std::memcpy(&bytes[i * 4], &f, 4); break; }
      case DType::Float64: std::memcpy(&bytes[i * 8], &v, 8); break;
      case DType::Int32: { int32_t k = static_cast<int32_t>(v); std::memcpy(&bytes[i * 4], &k, 4); break; }
      case DType::Uint8: bytes[i] = static_cast<unsigned char>(v); break;
    }
  }
};

// The documented conversion: float -> int truncates and saturates, NaN -> 0.
double convert_to(DType dt, double v) {
  switch (dt) {
    case DType::Float32: return static_cast<float>(v);
    case DType::Float64: return v;
    case DType::Int32:
      if (std::isnan(v)) return 0;
      if (v <= -2147483648.0) return -2147483648.0;
      if (v >= 2147483647.0) return 2147483647.0;
      return std::trunc(v);
    case DType::Uint8:
      if (std::isnan(v) || v <= 0) return 0;
      if (v >= 255) return 255;
      return std::trunc(v);
  }
  return 0;
}

bool is_float(DType dt) { return dt == DType::Float32 || dt == DType::Float64; }

// Random values for dt, with the awkward ones sprinkled in for floats.
Buffer make_input(DType dt, size_t n, uint32_t seed, double lo = -10, double hi = 10) {
  Buffer b(dt, n);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> real(lo, hi);
  std::uniform_int_distribution<int> small(-50, 50), byte(0, 255);
  const double specials[] = {kNaN, kInf, -kInf, 0.0, -0.0, 0.5, -0.5, 2.5, -2.5, 1e-30, 1e30};
  for (size_t i = 0; i < n; ++i) {
    switch (dt) {
      case DType::Float32:
      case DType::Float64:
        b.set(i, i % 13 == 5 ? specials[(i / 13) % 11] : real(rng));
        break;
      case DType::Int32: {
        const double edges[] = {-2147483648.0, 2147483647.0, 0, -1, 1};
        b.set(i, i % 17 == 3 ? edges[(i / 17) % 5] : small(rng));
        break;
      }
      case DType::Uint8: b.set(i, byte(rng)); break;
    }
  }
  return b;
}

// Distance in units in the last place of dt (float32 or float64) at the reference value.
double ulp_error(DType dt, double got, long double want) {
  const bool f32 = dt == DType::Float32;
  double want_d = f32 ? static_cast<float>(want) : static_cast<double>(want);
  if (std::isnan(want_d) || std::isnan(got)) return std::isnan(want_d) && std::isnan(got) ? 0 : 1e9;
  if (std::isinf(want_d) || std::isinf(got)) return want_d == got ? 0 : 1e9;
  if (got == static_cast<double>(want)) return 0;
  int exponent;
  std::frexp(static_cast<double>(want), &exponent);
  const int mantissa_bits = f32 ? 24 : 53;
  const int min_exponent = f32 ? -125 : -1021;
  if (exponent < min_exponent) exponent = min_exponent;
  long double ulp = std::ldexp(1.0L, exponent - mantissa_bits);
  return static_cast<double>(std::fabs(static_cast<long double>(got) - want) / ulp);
}

bool same_value(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

// ---- unary reference ---------------------------------------------------------------------------

// erfinv in long double, independent of the kernel's method: bisection on erfl (erfcl near +-1,
// where 1 - |y| is exact), then Newton steps in long double.
long double erfinv_reference(long double y) {
  long double a = std::fabs(y);
  if (!(a <= 1)) return NAN;
  if (a == 1) return std::copysign(static_cast<long double>(INFINITY), y);
  if (a == 0) return y;
  long double lo = 0, hi = 7;  // erf(7) is 1 in long double
  for (int i = 0; i < 80; ++i) {
    long double mid = (lo + hi) / 2;
    bool below = a <= 0.5L ? std::erf(mid) < a : std::erfc(mid) > 1 - a;
    (below ? lo : hi) = mid;
  }
  // Newton steps from there: bisection alone cannot resolve tiny results (erfinv(1e-30)).
  long double z = (lo + hi) / 2;
  for (int i = 0; i < 3; ++i) {
    long double f = a <= 0.5L ? std::erf(z) - a : (1 - a) - std::erfc(z);
    z -= f / (1.1283791670955126151L * std::exp(-z * z));
  }
  return std::copysign(z, y);
}

long double reference_unary(Unary op, long double v) {
  switch (op) {
    case Unary::Neg: return -v;
    case Unary::Abs: return std::fabs(v);
    case Unary::Sign: return v > 0 ? 1 : (v < 0 ? -1 : v);
    case Unary::Square: return v * v;
    case Unary::Sqrt: return std::sqrt(v);
    case Unary::Rsqrt: return 1 / std::sqrt(v);
    case Unary::Reciprocal: return 1 / v;
    case Unary::Exp: return std::exp(v);
    case Unary::Expm1: return std::expm1(v);
    case Unary::Log: return std::log(v);
    case Unary::Log1p: return std::log1p(v);
    case Unary::Log2: return std::log2(v);
    case Unary::Log10: return std::log10(v);
    case Unary::Sin: return std::sin(v);
    case Unary::Cos: return std::cos(v);
    case Unary::Tan: return std::tan(v);
    case Unary::Arcsin: return std::asin(v);
    case Unary::Arccos: return std::acos(v);
    case Unary::Arctan: return std::atan(v);
    case Unary::Sinh: return std::sinh(v);
    case Unary::Cosh: return std::cosh(v);
    case Unary::Tanh: return std::tanh(v);
    case Unary::Sigmoid: return 1 / (1 + std::exp(-v));
    case Unary::Relu: return v > 0 || std::isnan(v) ? v : 0;
    case Unary::Softsign: return v / (1 + std::fabs(v));
    case Unary::Floor: return std::floor(v);
    case Unary::Ceil: return std::ceil(v);
    case Unary::Round: return std::round(v);
    case Unary::Trunc: return std::trunc(v);
    case Unary::Erf: return std::erf(v);
    case Unary::Erfinv: return erfinv_reference(v);
    case Unary::Gamma: return std::tgamma(v);
    case Unary::Gammaln: return std::lgamma(v);
    case Unary::Softrelu: return v > 20 ? v : std::log1p(std::exp(v));
    case Unary::Gelu: return 0.5L * v * std::erfc(-v * 0.70710678118654752440L);
    case Unary::Count: break;
  }
  return 0;
}

// Integer ops with an exact integer meaning wrap like C++ unsigned arithmetic (neg(x) == 0 - x).
bool integer_exact(Unary op) {
  return op == Unary::Neg || op == Unary::Abs || op == Unary::Sign || op == Unary::Square ||
         op == Unary::Relu || op == Unary::Floor || op == Unary::Ceil || op == Unary::Round ||
         op == Unary::Trunc;
}

double wrap_to(DType dt, int64_t v) {
  if (dt == DType::Uint8) return static_cast<uint8_t>(static_cast<uint64_t>(v));
  return static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(v)));
}

double expected_unary_int(Unary op, DType dt, double x) {
  const int64_t v = static_cast<int64_t>(x);
  switch (op) {
    case Unary::Neg: return wrap_to(dt, -v);
    case Unary::Abs: return wrap_to(dt, v < 0 ? -v : v);
    case Unary::Sign: return (v > 0) - (v < 0);
    case Unary::Square: return wrap_to(dt, v * v);
    case Unary::Relu: return v > 0 ? x : 0;
    default: return x;  // rounding ops
  }
}

// Worst error allowed for float results: 0 for correctly rounded ops, the documented bounds for
// the vectorised transcendentals, a little slack for libm and two-rounding formulas.
double unary_tolerance_ulps(Unary op) {
  switch (op) {
    case Unary::Neg: case Unary::Abs: case Unary::Sign: case Unary::Square: case Unary::Sqrt:
    case Unary::Reciprocal: case Unary::Relu: case Unary::Floor: case Unary::Ceil:
    case Unary::Round: case Unary::Trunc:
      return 0.5;
    case Unary::Sigmoid: return 4;
    // glibc's tgamma and lgamma (double) are documented within 9 and 4 ulps; lgamma loses
    // relative accuracy next to its zeros (x near 1, 2 and the negative roots) by cancellation.
    case Unary::Gamma: return 10;
    case Unary::Gammaln: return 64;
    case Unary::Gelu: return 10;
    default: return 3;
  }
}

void check_unary(const KernelTable* t, Unary op, DType dt, size_t n, bool in_place) {
  Buffer x = make_input(dt, n, 1000 + static_cast<uint32_t>(op) * 7 + static_cast<uint32_t>(n));
  Buffer y = in_place ? x : Buffer(dt, n);
  t->unary(op, dt, x.data(), in_place ? x.data() : y.data(), n);
  const Buffer& out = in_place ? x : y;
  Buffer orig = make_input(dt, n, 1000 + static_cast<uint32_t>(op) * 7 + static_cast<uint32_t>(n));
  for (size_t i = 0; i < n; ++i) {
    const double v = orig.get(i), got = out.get(i);
    auto ctx = [&] {
      return where(t, in_place ? "unary in place" : "unary", static_cast<int>(op), dt, n) +
             " at " + std::to_string(i) + " x " + std::to_string(v) + " got " +
             std::to_string(got);
    };
    if (is_float(dt)) {
      const long double want = reference_unary(op, v);
      expect(ulp_error(dt, got, want) <= unary_tolerance_ulps(op), ctx);
    } else if (integer_exact(op)) {
      expect(got == expected_unary_int(op, dt, v), ctx);
    } else {
      const double want = convert_to(dt, static_cast<double>(reference_unary(op, v)));
      // Computed in double and truncated: a last-bit difference may cross an integer.
      expect(std::fabs(got - want) <= 1, ctx);
    }
  }
}

TEST(kernels_dispatch_reports_consistent_tables) {
  CHECK(table_for(Isa::Scalar) != nullptr);
  CHECK(cpu_supports(best_supported_isa()));
  CHECK(table_for(best_supported_isa()) != nullptr);
  for (Isa isa : {Isa::Scalar, Isa::Avx2, Isa::Avx512}) {
    const KernelTable* t = table_for(isa);
    CHECK((t != nullptr) == cpu_supports(isa));
    if (t) {
      CHECK(t->isa == isa);
      CHECK(std::strcmp(t->name, isa_name(isa)) == 0);
    }
  }
  std::printf("note: best kernels here: %s\n", isa_name(best_supported_isa()));
}

TEST(kernels_unary_all_ops_dtypes_lengths) {
  for (const KernelTable* t : supported_tables()) {
    for (int op = 0; op < static_cast<int>(Unary::Count); ++op) {
      for (DType dt : kDTypes) {
        for (size_t n : kLengths) check_unary(t, static_cast<Unary>(op), dt, n, false);
        check_unary(t, static_cast<Unary>(op), dt, 221, true);
      }
    }
  }
}

TEST(kernels_unary_long_runs) {
  for (const KernelTable* t : supported_tables()) {
    for (Unary op : {Unary::Neg, Unary::Exp, Unary::Log, Unary::Sin, Unary::Tanh, Unary::Sigmoid,
                     Unary::Round}) {
      check_unary(t, op, DType::Float32, kLong, false);
      check_unary(t, op, DType::Float32, kLong, true);
    }
    check_unary(t, Unary::Exp, DType::Float64, kLong, false);
    check_unary(t, Unary::Square, DType::Int32, kLong, true);
  }
}

float unary_f32(const KernelTable* t, Unary op, float v) {
  float out;
  t->unary(op, DType::Float32, &v, &out, 1);
  return out;
}

TEST(kernels_unary_edge_semantics) {
  for (const KernelTable* t : supported_tables()) {
    CHECK_EQ(unary_f32(t, Unary::Round, 2.5f), 3.0f);
    CHECK_EQ(unary_f32(t, Unary::Round, -2.5f), -3.0f);
    CHECK_EQ(unary_f32(t, Unary::Round, 0.49999997f), 0.0f);
    CHECK_EQ(unary_f32(t, Unary::Round, 8388609.0f), 8388609.0f);
    CHECK(std::isnan(unary_f32(t, Unary::Relu, NAN)));
    CHECK(std::isnan(unary_f32(t, Unary::Sign, NAN)));
    CHECK_EQ(unary_f32(t, Unary::Relu, -3.0f), 0.0f);
    CHECK_NEAR(unary_f32(t, Unary::Sigmoid, -100.0f), 3.7200759760208e-44, 3e-45);
    CHECK_EQ(unary_f32(t, Unary::Sigmoid, 100.0f), 1.0f);
    CHECK_EQ(unary_f32(t, Unary::Sigmoid, -INFINITY), 0.0f);
    CHECK_EQ(unary_f32(t, Unary::Tanh, 1e-20f), 1e-20f);
    CHECK_EQ(unary_f32(t, Unary::Tanh, -INFINITY), -1.0f);
    CHECK_EQ(unary_f32(t, Unary::Tanh, INFINITY), 1.0f);
    CHECK(std::signbit(unary_f32(t, Unary::Tanh, -0.0f)));
    CHECK(std::isnan(unary_f32(t, Unary::Tanh, NAN)));
    CHECK_EQ(unary_f32(t, Unary::Tanh, -1e-45f), -1e-45f);
    CHECK_EQ(unary_f32(t, Unary::Exp, -INFINITY), 0.0f);
    CHECK_EQ(unary_f32(t, Unary::Exp, 89.0f), INFINITY);
    CHECK(std::isnan(unary_f32(t, Unary::Exp, NAN)));
    CHECK_EQ(unary_f32(t, Unary::Log, 0.0f), -INFINITY);
    CHECK(std::isnan(unary_f32(t, Unary::Log, -1.0f)));
    CHECK(std::isnan(unary_f32(t, Unary::Sin, INFINITY)));
    CHECK(std::signbit(unary_f32(t, Unary::Sin, -0.0f)));

    int32_t ints[] = {INT32_MIN, -7, 0, 7, INT32_MAX};
    int32_t out[5];
    t->unary(Unary::Neg, DType::Int32, ints, out, 5);
    CHECK_EQ(out[0], INT32_MIN);
    CHECK_EQ(out[1], 7);
    t->unary(Unary::Sqrt, DType::Int32, ints, out, 5);
    CHECK_EQ(out[1], 0);  // NaN converts to 0
    CHECK_EQ(out[3], 2);
    t->unary(Unary::Exp, DType::Int32, ints, out, 5);
    CHECK_EQ(out[4], INT32_MAX);  // saturates
    CHECK_EQ(out[2], 1);
    uint8_t bytes[] = {0, 3, 200};
    uint8_t bout[3];
    t->unary(Unary::Neg, DType::Uint8, bytes, bout, 3);
    CHECK_EQ(int(bout[1]), 253);
    t->unary(Unary::Log, DType::Uint8, bytes, bout, 3);
    CHECK_EQ(int(bout[0]), 0);  // -inf saturates to 0
    CHECK_EQ(int(bout[2]), 5);
  }
}

// ---- binary ------------------------------------------------------------------------------------

double int_pow_reference(DType dt, int64_t base, int64_t exponent) {
  if (exponent < 0) {
    if (base == 1) return 1;
    if (base == -1) return (exponent % 2) ? -1 : 1;
    return 0;
  }
  uint64_t r = 1;
  for (int64_t k = 0; k < exponent; ++k) r *= static_cast<uint64_t>(base);
  return wrap_to(dt, static_cast<int64_t>(r));
}

double float_mod_reference(double a, double b, DType dt) {
  if (b == 0 || std::isnan(a) || std::isnan(b) || std::isinf(a)) return kNaN;
  double r = std::fmod(a, b);
  if (r != 0 && ((r < 0) != (b < 0))) r += b;
  if (r == 0) r = std::copysign(0.0, b);
  return convert_to(dt, r);
}

double expected_binary(Binary op, DType dt, double a, double b) {
  if (!is_float(dt)) {
    const int64_t p = static_cast<int64_t>(a), q = static_cast<int64_t>(b);
    switch (op) {
      case Binary::Add: return wrap_to(dt, p + q);
      case Binary::Sub: return wrap_to(dt, p - q);
      case Binary::Mul: return wrap_to(dt, p * q);
      case Binary::MulSign: return wrap_to(dt, p * ((q > 0) - (q < 0)));
      case Binary::Div: return q == 0 ? 0 : wrap_to(dt, p / q);
      case Binary::Pow: return int_pow_reference(dt, p, q);
      case Binary::Mod: {
        if (q == 0) return 0;
        int64_t r = p % q;
        if (r != 0 && ((r < 0) != (q < 0))) r += q;
        return static_cast<double>(r);
      }
      default: break;
    }
  }
  const bool f32 = dt == DType::Float32;
  auto in_dt = [&](double v) { return f32 ? static_cast<double>(static_cast<float>(v)) : v; };
  switch (op) {
    case Binary::Add: return f32 ? double(float(a) + float(b)) : a + b;
    case Binary::Sub: return f32 ? double(float(a) - float(b)) : a - b;
    case Binary::Mul: return f32 ? double(float(a) * float(b)) : a * b;
    case Binary::Div: return f32 ? double(float(a) / float(b)) : a / b;
    case Binary::Pow: return f32 ? double(::powf(float(a), float(b))) : ::pow(a, b);
    case Binary::Mod: return float_mod_reference(a, b, dt);
    case Binary::Maximum: return std::isnan(a) ? a : in_dt(a > b ? a : b);
    case Binary::Minimum: return std::isnan(a) ? a : in_dt(a < b ? a : b);
    case Binary::Equal: return a == b;
    case Binary::NotEqual: return a != b;
    case Binary::Greater: return a > b;
    case Binary::GreaterEqual: return a >= b;
    case Binary::Lesser: return a < b;
    case Binary::LesserEqual: return a <= b;
    case Binary::MulSign: {
      const double s = b > 0 ? 1 : b < 0 ? -1 : b;
      return f32 ? double(float(a) * float(s)) : a * s;
    }
    case Binary::Count: break;
  }
  return 0;
}

// aliasing: 0 none, 1 y == a, 2 y == b.
void check_binary(const KernelTable* t, Binary op, DType dt, size_t n, size_t a_step,
                  size_t b_step, int aliasing) {
  const uint32_t seed = static_cast<uint32_t>(op) * 31 + static_cast<uint32_t>(n);
  const bool int_pow = op == Binary::Pow && dt == DType::Int32;
  Buffer a = int_pow ? make_input(dt, n + 1, seed, -3, 3) : make_input(dt, n + 1, seed);
  Buffer b = make_input(dt, n + 1, seed + 1);
  // Make equal pairs likely, for the comparisons.
  for (size_t i = 0; i <= n; i += 5) b.set(i, a.get(i));
  if (int_pow) {  // keep exponents small so the reference loop is quick
    for (size_t i = 0; i <= n; ++i) b.set(i, static_cast<double>(static_cast<int64_t>(b.get(i)) % 12));
  }
  const Buffer a0 = a, b0 = b;
  Buffer y(dt, n);
  void* out = aliasing == 1 ? a.data() : aliasing == 2 ? b.data() : y.data();
  t->binary(op, dt, a.data(), a_step, b.data(), b_step, out, n);
  const Buffer& result = aliasing == 1 ? a : aliasing == 2 ? b : y;
  for (size_t i = 0; i < n; ++i) {
    const double av = a0.get(i * a_step), bv = b0.get(i * b_step);
    const double want = expected_binary(op, dt, av, bv), got = result.get(i);
    expect(same_value(got, want), [&] { return where(t, "binary", static_cast<int>(op), dt, n) + " steps " + std::to_string(a_step) +
               std::to_string(b_step) + " alias " + std::to_string(aliasing) + " at " +
               std::to_string(i) + ": " + std::to_string(av) + ", " + std::to_string(bv) +
               " -> " + std::to_string(got) + " want " + std::to_string(want); });
  }
}

TEST(kernels_binary_all_ops_dtypes_steps) {
  for (const KernelTable* t : supported_tables()) {
    for (int op = 0; op < static_cast<int>(Binary::Count); ++op) {
      for (DType dt : kDTypes) {
        for (size_t n : kLengths) {
          for (size_t as : {0, 1}) {
            for (size_t bs : {0, 1}) check_binary(t, static_cast<Binary>(op), dt, n, as, bs, 0);
          }
        }
        check_binary(t, static_cast<Binary>(op), dt, 221, 1, 1, 1);
        check_binary(t, static_cast<Binary>(op), dt, 221, 1, 1, 2);
        check_binary(t, static_cast<Binary>(op), dt, 221, 0, 1, 2);
        check_binary(t, static_cast<Binary>(op), dt, 221, 1, 0, 1);
      }
    }
  }
}

TEST(kernels_binary_long_runs) {
  for (const KernelTable* t : supported_tables()) {
    for (Binary op : {Binary::Add, Binary::Mul, Binary::Maximum, Binary::Greater}) {
      for (DType dt : kDTypes) {
        check_binary(t, op, dt, kLong, 1, 1, 0);
        check_binary(t, op, dt, kLong, 1, 0, 1);
      }
    }
  }
}

TEST(kernels_binary_integer_semantics) {
  for (const KernelTable* t : supported_tables()) {
    int32_t a[] = {-7, 7, -7, 7, INT32_MIN, INT32_MAX, 5, 2};
    int32_t b[] = {3, -3, -3, 0, -1, 1, 0, -2};
    int32_t y[8];
    t->binary(Binary::Mod, DType::Int32, a, 1, b, 1, y, 8);
    const int32_t mod_want[] = {2, -2, -1, 0, 0, 0, 0, 0};
    for (int i = 0; i < 8; ++i) CHECK_EQ(y[i], mod_want[i]);
    t->binary(Binary::Div, DType::Int32, a, 1, b, 1, y, 8);
    const int32_t div_want[] = {-2, -2, 2, 0, INT32_MIN, INT32_MAX, 0, -1};
    for (int i = 0; i < 8; ++i) CHECK_EQ(y[i], div_want[i]);
    t->binary(Binary::Add, DType::Int32, a, 1, b, 1, y, 8);
    CHECK_EQ(y[5], INT32_MIN);  // wraps
    t->binary(Binary::Pow, DType::Int32, a, 1, b, 1, y, 8);
    CHECK_EQ(y[0], -343);
    CHECK_EQ(y[1], 0);          // negative exponent
    CHECK_EQ(y[4], 0);          // INT32_MIN ** -1
    CHECK_EQ(y[6], 1);          // 5 ** 0
    uint8_t p[] = {200, 3, 16}, q[] = {100, 5, 2};
    uint8_t r[3];
    t->binary(Binary::Add, DType::Uint8, p, 1, q, 1, r, 3);
    CHECK_EQ(int(r[0]), 44);
    t->binary(Binary::Sub, DType::Uint8, p, 1, q, 1, r, 3);
    CHECK_EQ(int(r[1]), 254);
    t->binary(Binary::Pow, DType::Uint8, p, 1, q, 1, r, 3);
    CHECK_EQ(int(r[2]), 0);  // 256 wraps
    float fa[] = {NAN, 1.0f, 2.0f, -7.5f}, fb[] = {1.0f, NAN, 1.0f, 2.0f}, fy[4];
    t->binary(Binary::Maximum, DType::Float32, fa, 1, fb, 1, fy, 4);
    CHECK(std::isnan(fy[0]) && std::isnan(fy[1]) && fy[2] == 2.0f);
    t->binary(Binary::Mod, DType::Float32, fa, 1, fb, 1, fy, 4);
    CHECK_EQ(fy[3], 0.5f);
  }
}

// ---- reductions --------------------------------------------------------------------------------

long double reference_reduce(Reduce op, const Buffer& x, size_t n) {
  long double acc = op == Reduce::Prod ? 1 : 0;
  if (op == Reduce::Max) acc = -kInf;
  if (op == Reduce::Min) acc = kInf;
  for (size_t i = 0; i < n; ++i) {
    const long double v = x.get(i);
    switch (op) {
      case Reduce::Sum: acc += v; break;
      case Reduce::Prod: acc *= v; break;
      case Reduce::Max: if (std::isnan(v) || v > acc) acc = v; break;
      case Reduce::Min: if (std::isnan(v) || v < acc) acc = v; break;
      case Reduce::SumSquares: acc += v * v; break;
      case Reduce::SumAbs: acc += std::fabs(v); break;
      case Reduce::Count: break;
    }
    if (std::isnan(acc)) break;
  }
  return acc;
}

// Floats avoid NaN/inf here (the Max/Min NaN case has its own test); float products stay near
// 1 so they neither overflow nor lose all digits; int32 products use small factors.
Buffer make_reduce_input(Reduce op, DType dt, size_t n, uint32_t seed) {
  Buffer x = make_input(dt, n, seed);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> near_one(0.9, 1.1);
  for (size_t i = 0; i < n; ++i) {
    const double v = x.get(i);
    if (op == Reduce::Prod && is_float(dt)) {
      x.set(i, near_one(rng));
    } else if (is_float(dt) && (!std::isfinite(v) || std::fabs(v) > 100)) {
      x.set(i, 1.25);
    } else if (op == Reduce::Prod && dt == DType::Int32) {
      x.set(i, static_cast<double>(static_cast<int64_t>(v) % 3));
    }
  }
  return x;
}

// Integer reference: sums exact, products wrapping modulo 2^64 (as documented).
long double reference_reduce_int(Reduce op, DType dt, const Buffer& x, size_t n) {
  if (op == Reduce::Prod) {
    uint64_t p = 1;
    for (size_t i = 0; i < n; ++i) p *= static_cast<uint64_t>(static_cast<int64_t>(x.get(i)));
    return dt == DType::Int32 ? static_cast<long double>(static_cast<int64_t>(p))
                              : static_cast<long double>(p);
  }
  if (op == Reduce::Max || op == Reduce::Min) return reference_reduce(op, x, n);
  unsigned __int128 acc = 0;  // int32 squares reach 2^62: long double would round
  int64_t sum = 0;
  for (size_t i = 0; i < n; ++i) {
    const int64_t v = static_cast<int64_t>(x.get(i));
    sum += v;
    acc += static_cast<uint64_t>(op == Reduce::SumSquares ? v * v : (v < 0 ? -v : v));
  }
  return op == Reduce::Sum ? static_cast<long double>(sum) : static_cast<long double>(static_cast<double>(acc));
}

TEST(kernels_reduce_contig_all_ops) {
  for (const KernelTable* t : supported_tables()) {
    for (int op = 0; op < static_cast<int>(Reduce::Count); ++op) {
      for (DType dt : kDTypes) {
        for (size_t n : {size_t(0), size_t(1), size_t(7), size_t(221), size_t(5000), kLong}) {
          const Reduce r = static_cast<Reduce>(op);
          Buffer x = make_reduce_input(r, dt, n, 77 + op + static_cast<uint32_t>(n));
          const double got = t->reduce_contig(r, dt, x.data(), n);
          const double want = static_cast<double>(
              is_float(dt) ? reference_reduce(r, x, n) : reference_reduce_int(r, dt, x, n));
          // The sum of magnitudes bounds the rounding error of any summation order.
          long double scale = 0;
          for (size_t i = 0; i < n; ++i) {
            const long double v = std::fabs(static_cast<long double>(x.get(i)));
            scale += r == Reduce::SumSquares ? v * v : v;
          }
          double tol = (dt == DType::Float32 ? 1e-5 : dt == DType::Float64 ? 1e-13 : 1e-15) *
                       static_cast<double>(scale);
          if (r == Reduce::Prod) tol = (is_float(dt) ? 1e-10 : 0) * std::fabs(want);
          expect(same_value(got, want) || std::fabs(got - want) <= tol, [&] {
            return where(t, "reduce_contig", op, dt, n) + " got " + std::to_string(got) +
                   " want " + std::to_string(want) + " tol " + std::to_string(tol);
          });
          // The same input must give the same bits on every call.
          expect(same_value(t->reduce_contig(r, dt, x.data(), n), got), [&] { return where(t, "reduce_contig repeat", op, dt, n); });
        }
      }
    }
  }
}

TEST(kernels_reduce_contig_identities_and_nan) {
  for (const KernelTable* t : supported_tables()) {
    for (DType dt : kDTypes) {
      Buffer none(dt, 0);
      CHECK_EQ(t->reduce_contig(Reduce::Sum, dt, none.data(), 0), 0.0);
      CHECK_EQ(t->reduce_contig(Reduce::Prod, dt, none.data(), 0), 1.0);
      CHECK_EQ(t->reduce_contig(Reduce::Max, dt, none.data(), 0), -kInf);
      CHECK_EQ(t->reduce_contig(Reduce::Min, dt, none.data(), 0), kInf);
    }
    for (DType dt : {DType::Float32, DType::Float64}) {
      for (size_t n : {size_t(1), size_t(37), size_t(1000)}) {
        for (size_t at : {size_t(0), n / 2, n - 1}) {
          Buffer x = make_input(dt, n, 5, -1, 1);
          for (size_t i = 0; i < n; ++i) {
            if (std::isnan(x.get(i))) x.set(i, 0.0);
          }
          x.set(at, kNaN);
          CHECK(std::isnan(t->reduce_contig(Reduce::Max, dt, x.data(), n)));
          CHECK(std::isnan(t->reduce_contig(Reduce::Min, dt, x.data(), n)));
        }
      }
    }
    int32_t ints[] = {INT32_MIN, INT32_MIN, INT32_MIN, INT32_MIN, INT32_MIN};
    CHECK_EQ(t->reduce_contig(Reduce::Sum, DType::Int32, ints, 5), -5.0 * 2147483648.0);
    CHECK_EQ(t->reduce_contig(Reduce::SumSquares, DType::Int32, ints, 5), 5.0 * 4611686018427387904.0);
    CHECK_EQ(t->reduce_contig(Reduce::SumAbs, DType::Int32, ints, 5), 5.0 * 2147483648.0);
  }
}

TEST(kernels_reduce_strided_shapes) {
  struct Shape { size_t outer, r, inner; };
  const Shape shapes[] = {{1, 1, 2}, {2, 3, 5}, {3, 7, 33}, {1, 5, 1000}, {4, 1, 7}, {2, 300, 2100}, {5, 4, 3}};
  for (const KernelTable* t : supported_tables()) {
    for (int op = 0; op < static_cast<int>(Reduce::Count); ++op) {
      const Reduce red = static_cast<Reduce>(op);
      for (DType dt : kDTypes) {
        for (const Shape& s : shapes) {
          const size_t total = s.outer * s.r * s.inner;
          Buffer x = make_reduce_input(red, dt, total, 300 + op);
          if (is_float(dt) && total > 30) x.set(17, kNaN);  // must poison exactly its column
          Buffer y(dt, s.outer * s.inner);
          t->reduce_strided(red, dt, x.data(), s.outer, s.r, s.inner, s.inner, y.data());
          for (size_t o = 0; o < s.outer; ++o) {
            for (size_t i = 0; i < s.inner; ++i) {
              Buffer column(dt, s.r);
              for (size_t k = 0; k < s.r; ++k) column.set(k, x.get((o * s.r + k) * s.inner + i));
              long double want = reference_reduce(red, column, s.r);
              const double got = y.get(o * s.inner + i);
              bool ok;
              if (is_float(dt)) {
                const double w = convert_to(dt, static_cast<double>(want));
                ok = same_value(got, w) ||
                     std::fabs(got - w) <= (dt == DType::Float32 ? 1e-5 : 1e-12) * (1 + std::fabs(w)) * s.r;
              } else {
                // Integer folds wrap in the output dtype.
                int64_t exact = 0;
                for (size_t k = 0; k < s.r; ++k) {
                  const int64_t v = static_cast<int64_t>(column.get(k));
                  const int64_t term = red == Reduce::SumSquares ? v * v : red == Reduce::SumAbs ? (v < 0 ? -v : v) : v;
                  if (k == 0) exact = term;
                  else if (red == Reduce::Prod) exact = static_cast<int64_t>(static_cast<uint64_t>(exact) * static_cast<uint64_t>(term));
                  else if (red == Reduce::Max) exact = term > exact ? term : exact;
                  else if (red == Reduce::Min) exact = term < exact ? term : exact;
                  else exact = static_cast<int64_t>(static_cast<uint64_t>(exact) + static_cast<uint64_t>(term));
                }
                ok = got == wrap_to(dt, exact);
              }
              expect(ok, [&] { return where(t, "reduce_strided", op, dt, total) + " shape " +
                             std::to_string(s.outer) + "x" + std::to_string(s.r) + "x" +
                             std::to_string(s.inner) + " at " + std::to_string(o) + "," +
                             std::to_string(i) + " got " + std::to_string(got) + " want " +
                             std::to_string(static_cast<double>(want)); });
            }
          }
        }
      }
    }
  }
}

TEST(kernels_arg_reduce) {
  for (const KernelTable* t : supported_tables()) {
    for (DType dt : kDTypes) {
      for (ArgReduce op : {ArgReduce::ArgMax, ArgReduce::ArgMin}) {
        for (size_t inner : {size_t(1), size_t(5), size_t(300)}) {
          const size_t outer = 3, r = 9;
          Buffer x = make_input(dt, outer * r * inner, 11 + static_cast<uint32_t>(inner));
          // Ties: copy row 2 into row 6 so "first index" is exercised.
          for (size_t o = 0; o < outer; ++o) {
            for (size_t i = 0; i < inner; ++i) x.set((o * r + 6) * inner + i, x.get((o * r + 2) * inner + i));
          }
          std::vector<int64_t> idx(outer * inner, -1);
          t->arg_reduce(op, dt, x.data(), outer, r, inner, idx.data());
          for (size_t o = 0; o < outer; ++o) {
            for (size_t i = 0; i < inner; ++i) {
              int64_t best = 0;
              double bv = x.get(o * r * inner + i);
              for (size_t k = 1; k < r && !std::isnan(bv); ++k) {
                const double v = x.get((o * r + k) * inner + i);
                if (std::isnan(v) || (op == ArgReduce::ArgMax ? v > bv : v < bv)) {
                  bv = v;
                  best = static_cast<int64_t>(k);
                }
              }
              expect(idx[o * inner + i] == best, [&] { return where(t, "arg_reduce", static_cast<int>(op), dt, inner) + " at " +
                         std::to_string(o) + "," + std::to_string(i); });
            }
          }
        }
      }
    }
    float nan_row[] = {1.0f, NAN, 5.0f, NAN};
    int64_t at = -1;
    t->arg_reduce(ArgReduce::ArgMin, DType::Float32, nan_row, 1, 4, 1, &at);
    CHECK_EQ(at, 1);
  }
}

// ---- cast and fill -----------------------------------------------------------------------------

TEST(kernels_cast_all_pairs) {
  const double values[] = {0, -0.0, 1, -1, 2.9, -2.9, 254.6, 255, 256, 300, -300, 1e10, -1e10,
                           2147483647.0, 2147483648.0, -2147483648.0, -2147483649.0,
                           3.4028235e38, 1e300, kInf, -kInf, kNaN, 0.1, 16777217};
  for (const KernelTable* t : supported_tables()) {
    for (DType from : kDTypes) {
      for (DType to : kDTypes) {
        for (size_t repeat : {size_t(1), size_t(9)}) {
          const size_t n = (sizeof values / sizeof values[0]) * repeat;
          Buffer x(from, n);
          for (size_t i = 0; i < n; ++i) x.set(i, convert_to(from, values[i % (sizeof values / sizeof values[0])]));
          Buffer y(to, n);
          t->cast(from, x.data(), to, y.data(), n);
          for (size_t i = 0; i < n; ++i) {
            const double want = convert_to(to, x.get(i));
            expect(same_value(y.get(i), want), [&] { return std::string(t->name) + " cast " + std::to_string(int(from)) + "->" +
                       std::to_string(int(to)) + " of " + std::to_string(x.get(i)) + " got " +
                       std::to_string(y.get(i)) + " want " + std::to_string(want); });
          }
        }
      }
    }
  }
}

TEST(kernels_fill) {
  for (const KernelTable* t : supported_tables()) {
    for (DType dt : kDTypes) {
      for (double v : {0.0, 3.7, -3.7, 255.5, 1e10, -1e10, kNaN, -kInf}) {
        for (size_t n : {size_t(0), size_t(1), size_t(77)}) {
          Buffer y(dt, n);
          t->fill(dt, y.data(), v, n);
          for (size_t i = 0; i < n; ++i) CHECK(same_value(y.get(i), convert_to(dt, v)));
        }
      }
    }
  }
}

// ---- accuracy of the vectorised transcendentals --------------------------------------------------

struct UlpBound {
  Unary op;
  double f32;  // max ulps, float32 (whole bit-pattern sweep)
  double f64;  // max ulps, float64 (random sweep); 0 = libm, not measured here
};

// Must match docs/kernels.md.
const UlpBound kUlpBounds[] = {
    {Unary::Exp, 1.5, 1.5},  {Unary::Log, 1.0, 1.0},  {Unary::Sin, 2.0, 0},
    {Unary::Cos, 2.0, 0},    {Unary::Tanh, 2.5, 0},   {Unary::Sigmoid, 2.5, 2.5},
    {Unary::Gelu, 10.0, 0},
};

const char* op_name(Unary op) {
  switch (op) {
    case Unary::Exp: return "exp";
    case Unary::Log: return "log";
    case Unary::Sin: return "sin";
    case Unary::Cos: return "cos";
    case Unary::Tanh: return "tanh";
    case Unary::Sigmoid: return "sigmoid";
    case Unary::Gelu: return "gelu";
    default: return "other";
  }
}

TEST(kernels_transcendental_ulp_float32_sweep) {
  // Every 1021st bit pattern (both signs, all exponents, varied mantissas) plus edge values.
  std::vector<float> inputs;
  for (uint64_t bits = 0; bits <= 0xffffffffull; bits += 1021) {
    float v;
    const uint32_t b = static_cast<uint32_t>(bits);
    std::memcpy(&v, &b, 4);
    inputs.push_back(v);
  }
  for (float v : {0.0f, -0.0f, 1e-45f, -1e-45f, 1.17549435e-38f, 3.4028235e38f, -3.4028235e38f,
                  INFINITY, -INFINITY, NAN, 88.72283f, 88.72284f, -87.33655f, -103.9720840f,
                  -104.0f, 0.625f, -0.625f, 8192.0f, 8192.0005f, 252.898209f, 4.71238899f,
                  1.0f, 0.70710677f, 1.4142135f}) {
    inputs.push_back(v);
  }
  std::vector<float> out(inputs.size());
  std::vector<long double> want(inputs.size());
  for (const UlpBound& bound : kUlpBounds) {
    for (size_t i = 0; i < inputs.size(); ++i) want[i] = reference_unary(bound.op, inputs[i]);
    for (const KernelTable* t : supported_tables()) {
      t->unary(bound.op, DType::Float32, inputs.data(), out.data(), inputs.size());
      double worst = 0;
      float worst_at = 0;
      for (size_t i = 0; i < inputs.size(); ++i) {
        const double e = ulp_error(DType::Float32, out[i], want[i]);
        if (e > worst) {
          worst = e;
          worst_at = inputs[i];
        }
      }
      std::printf("ulp %-6s float32 %-8s max %.3f (at %.9g)\n", t->name, op_name(bound.op), worst,
                  worst_at);
      expect(worst <= bound.f32, [&] { return std::string(t->name) + " float32 ulp bound exceeded for " +
                                     op_name(bound.op); });
    }
  }
}

TEST(kernels_tanh_float32_dense_sweep) {
  // Every 31st float of |x| in [2^-8, 9.2] (where the roundings of u, 1 + u and u / (1 + u) in
  // the one formula weigh most, near 0, and up to where tanh is 1.0f) and the 64 floats either
  // side of 0.625 (session 11's blend point) and of ln2/4 (where n = round(2|x|/ln2) becomes 1),
  // both signs: within the 2.5 ulp bound, and never above 1 in magnitude (the gradient 1 - y^2
  // must not go negative).
  std::vector<float> inputs;
  auto push_bits = [&](uint32_t bits) {
    float v;
    std::memcpy(&v, &bits, 4);
    inputs.push_back(v);
    inputs.push_back(-v);
  };
  // 2^-8, 9.2, 0.625, ln2/4
  const uint32_t low = 0x3b800000u, top = 0x41133333u, blend = 0x3f200000u, n_step = 0x3e317218u;
  for (uint32_t bits = low; bits <= top; bits += 31) push_bits(bits);
  for (uint32_t bits = blend - 64; bits <= blend + 64; ++bits) push_bits(bits);
  for (uint32_t bits = n_step - 64; bits <= n_step + 64; ++bits) push_bits(bits);
  std::vector<float> out(inputs.size());
  for (const KernelTable* t : supported_tables()) {
    t->unary(Unary::Tanh, DType::Float32, inputs.data(), out.data(), inputs.size());
    double worst = 0;
    float worst_at = 0;
    for (size_t i = 0; i < inputs.size(); ++i) {
      const double e = ulp_error(DType::Float32, out[i], std::tanh(static_cast<long double>(inputs[i])));
      if (e > worst) {
        worst = e;
        worst_at = inputs[i];
      }
      expect(std::fabs(out[i]) <= 1.0f, [&] { return std::string(t->name) + " |tanh| above 1"; });
    }
    std::printf("ulp %-6s float32 tanh dense [2^-8, 9.2] max %.3f (at %.9g)\n", t->name, worst, worst_at);
    expect(worst <= 2.5, [&] { return std::string(t->name) + " float32 tanh dense sweep above 2.5 ulp"; });
  }
}

TEST(kernels_transcendental_ulp_float64_sweep) {
  std::mt19937_64 rng(2024);
  std::vector<double> inputs;
  for (int i = 0; i < 400000; ++i) {
    uint64_t bits = rng();
    double v;
    std::memcpy(&v, &bits, 8);
    inputs.push_back(v);
  }
  std::uniform_real_distribution<double> near(-750, 750), unit(-2, 2);
  for (int i = 0; i < 400000; ++i) inputs.push_back(i % 2 ? near(rng) : unit(rng));
  for (double v : {0.0, -0.0, 4.9e-324, 2.2250738585072014e-308, 1.0, 709.782712893384,
                   709.79, -708.39641853226408, -745.13321910194111, -746.0, kInf, -kInf, kNaN}) {
    inputs.push_back(v);
  }
  std::vector<double> out(inputs.size());
  for (const KernelTable* t : supported_tables()) {
    for (const UlpBound& bound : kUlpBounds) {
      if (bound.f64 == 0) continue;
      t->unary(bound.op, DType::Float64, inputs.data(), out.data(), inputs.size());
      double worst = 0, worst_at = 0;
      for (size_t i = 0; i < inputs.size(); ++i) {
        const double e = ulp_error(DType::Float64, out[i], reference_unary(bound.op, inputs[i]));
        if (e > worst) {
          worst = e;
          worst_at = inputs[i];
        }
      }
      std::printf("ulp %-6s float64 %-8s max %.3f (at %.17g)\n", t->name, op_name(bound.op),
                  worst, worst_at);
      expect(worst <= bound.f64, [&] { return std::string(t->name) + " float64 ulp bound exceeded for " +
                                     op_name(bound.op); });
    }
  }
}

}  // namespace

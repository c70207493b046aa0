// Elementwise ops: unary math, NDArray-NDArray binary ops with NumPy broadcasting, and the
// NDArray-number forms (MXNet's _*_scalar ops). Gradients of broadcast operands come back in the
// output's shape; the engine sums them down to each input's shape once, for every op.
#include <cmath>
#include <string>

#include "core/drivers/elementwise.h"
#include "core/runtime/error.h"
#include "core/ops/ops.h"

namespace ndgrad {

namespace {

using kernels::Binary;
using kernels::Unary;
using namespace ops;

// ---- shape rules --------------------------------------------------------------------------

void infer_same(const OpCall& c, OutSpecs& outs) {
  outs.push_back({c.in[0].shape, c.in[0].dtype});
}

template <OpId Id>
void infer_broadcast(const OpCall& c, OutSpecs& outs) {
  const char* name = op_def(Id).name;
  const Tensor& a = c.in[0];
  const Tensor& b = c.in[1];
  if (a.dtype != b.dtype) {
    throw_type(std::string(name) + ": operands have different dtypes, lhs " + dtype_name(a.dtype) +
               " " + shape_str(a.shape) + " and rhs " + dtype_name(b.dtype) + " " + shape_str(b.shape) +
               " (convert one with astype)");
  }
  outs.push_back({broadcast_shapes(a.shape, b.shape, name), a.dtype});
}

// ---- forwards -----------------------------------------------------------------------------

template <Unary K>
void fwd_unary(OpCall& c) { unary_into(c.env, K, c.in[0], c.out[0]); }

template <Binary K>
void fwd_binary(OpCall& c) { binary_into(c.env, K, c.in[0], c.in[1], c.out[0]); }

template <Binary K, bool ScalarLeft>
void fwd_scalar(OpCall& c) { binary_scalar_into(c.env, K, c.in[0], c.params<ScalarParams>().scalar, ScalarLeft, c.out[0]); }

// ---- backward formulas (g: output gradient, x: input, y: output, s: the number operand) ----

#define GRAD1(name, expr)                                       \
  Grads name(BackwardCtx& c) {                                  \
    Runtime& e = c.env;                                             \
    (void)e;                                                    \
    const ArrayRef& g = c.grad();                               \
    return {expr};                                              \
  }
#define X c.input(0)
#define Y c.output(0)
#define S c.params<ScalarParams>().scalar

GRAD1(d_negative, neg(e, g))
GRAD1(d_abs, mul(e, g, unary(e, OpId::sign, X)))
GRAD1(d_square, mul(e, g, mul_scalar(e, X, 2.0)))
GRAD1(d_sqrt, div(e, mul_scalar(e, g, 0.5), Y))
GRAD1(d_rsqrt, mul(e, g, mul_scalar(e, mul(e, Y, unary(e, OpId::square, Y)), -0.5)))  // -y^3 / 2: reads only y
GRAD1(d_reciprocal, mul(e, neg(e, g), unary(e, OpId::square, Y)))
GRAD1(d_exp, mul(e, g, Y))
GRAD1(d_expm1, mul(e, g, add_scalar(e, Y, 1.0)))
GRAD1(d_log, div(e, g, X))
GRAD1(d_log1p, div(e, g, add_scalar(e, X, 1.0)))
GRAD1(d_log2, div(e, g, mul_scalar(e, X, M_LN2)))
GRAD1(d_log10, div(e, g, mul_scalar(e, X, M_LN10)))
GRAD1(d_sin, mul(e, g, unary(e, OpId::cos, X)))
GRAD1(d_cos, neg(e, mul(e, g, unary(e, OpId::sin, X))))
GRAD1(d_tan, mul(e, g, add_scalar(e, unary(e, OpId::square, Y), 1.0)))
GRAD1(d_arcsin, div(e, g, unary(e, OpId::sqrt, rsub_scalar(e, unary(e, OpId::square, X), 1.0))))
GRAD1(d_arccos, neg(e, div(e, g, unary(e, OpId::sqrt, rsub_scalar(e, unary(e, OpId::square, X), 1.0)))))
GRAD1(d_arctan, div(e, g, add_scalar(e, unary(e, OpId::square, X), 1.0)))
GRAD1(d_sinh, mul(e, g, unary(e, OpId::cosh, X)))
GRAD1(d_cosh, mul(e, g, unary(e, OpId::sinh, X)))
GRAD1(d_tanh, mul(e, g, rsub_scalar(e, unary(e, OpId::square, Y), 1.0)))
GRAD1(d_sigmoid, mul(e, g, mul(e, Y, rsub_scalar(e, Y, 1.0))))
// sign(relu(x)) is 1 above zero, 0 below and NaN at NaN: MXNet's relu_grad.
GRAD1(d_relu, invoke1(e, OpId::relu_grad, {g, Y}))
GRAD1(d_erf, mul(e, g, mul_scalar(e, unary(e, OpId::exp, neg(e, unary(e, OpId::square, X))), M_2_SQRTPI)))
GRAD1(d_softsign, div(e, g, unary(e, OpId::square, add_scalar(e, unary(e, OpId::abs, X), 1.0))))

GRAD1(d_add_scalar, g)
GRAD1(d_rsub_scalar, neg(e, g))
GRAD1(d_mul_scalar, mul_scalar(e, g, S))
GRAD1(d_div_scalar, div_scalar(e, g, S))
GRAD1(d_rdiv_scalar, neg(e, mul_scalar(e, div(e, g, unary(e, OpId::square, X)), S)))
GRAD1(d_pow_scalar, mul(e, g, mul_scalar(e, pow_scalar(e, X, S - 1.0), S)))
GRAD1(d_rpow_scalar, mul_scalar(e, mul(e, g, Y), std::log(S)))
GRAD1(d_rmod_scalar, mul(e, g, neg(e, unary(e, OpId::floor, scalar(e, OpId::rdivide_scalar, X, S)))))
GRAD1(d_maximum_scalar, mul(e, g, scalar(e, OpId::greater_equal_scalar, X, S)))
GRAD1(d_minimum_scalar, mul(e, g, scalar(e, OpId::lesser_equal_scalar, X, S)))

#undef X
#undef Y
#undef S

#define GRAD2(name, ga, gb)                                     \
  Grads name(BackwardCtx& c) {                                  \
    Runtime& e = c.env;                                             \
    (void)e;                                                    \
    const ArrayRef& g = c.grad();                               \
    return {ga, gb};                                            \
  }
#define A c.input(0)
#define B c.input(1)

GRAD2(d_add, g, g)
GRAD2(d_subtract, g, neg(e, g))
GRAD2(d_multiply, mul(e, g, B), mul(e, g, A))
GRAD2(d_divide, div(e, g, B), neg(e, div(e, mul(e, g, A), unary(e, OpId::square, B))))
GRAD2(d_power, mul(e, g, mul(e, B, pow(e, A, add_scalar(e, B, -1.0)))),
      mul(e, g, mul(e, pow(e, A, B), unary(e, OpId::log, A))))
GRAD2(d_mod, g, mul(e, g, neg(e, unary(e, OpId::floor, div(e, A, B)))))
GRAD2(d_maximum, mul(e, g, binary(e, OpId::greater_equal, A, B)), mul(e, g, binary(e, OpId::lesser, A, B)))
GRAD2(d_minimum, mul(e, g, binary(e, OpId::lesser_equal, A, B)), mul(e, g, binary(e, OpId::greater, A, B)))

#undef A
#undef B
#undef GRAD1
#undef GRAD2

struct UnaryEntry {
  OpId id;
  void (*forward)(OpCall&);
  Grads (*backward)(BackwardCtx&);
  uint32_t flags;
  Domain domain;
};

constexpr uint32_t kIn = kSaveInputs, kOut = kSaveOutputs;

const UnaryEntry kUnary[] = {
    {OpId::negative, fwd_unary<Unary::Neg>, d_negative, 0, Domain::Any},
    {OpId::abs, fwd_unary<Unary::Abs>, d_abs, kIn, Domain::NonZero},
    {OpId::sign, fwd_unary<Unary::Sign>, nullptr, kNoGrad, Domain::NonZero},
    {OpId::square, fwd_unary<Unary::Square>, d_square, kIn, Domain::Any},
    {OpId::sqrt, fwd_unary<Unary::Sqrt>, d_sqrt, kOut, Domain::Positive},
    {OpId::rsqrt, fwd_unary<Unary::Rsqrt>, d_rsqrt, kOut, Domain::Positive},
    {OpId::reciprocal, fwd_unary<Unary::Reciprocal>, d_reciprocal, kOut, Domain::NonZero},
    {OpId::exp, fwd_unary<Unary::Exp>, d_exp, kOut, Domain::Any},
    {OpId::expm1, fwd_unary<Unary::Expm1>, d_expm1, kOut, Domain::Any},
    {OpId::log, fwd_unary<Unary::Log>, d_log, kIn, Domain::Positive},
    {OpId::log1p, fwd_unary<Unary::Log1p>, d_log1p, kIn, Domain::Positive},
    {OpId::log2, fwd_unary<Unary::Log2>, d_log2, kIn, Domain::Positive},
    {OpId::log10, fwd_unary<Unary::Log10>, d_log10, kIn, Domain::Positive},
    {OpId::sin, fwd_unary<Unary::Sin>, d_sin, kIn, Domain::Any},
    {OpId::cos, fwd_unary<Unary::Cos>, d_cos, kIn, Domain::Any},
    {OpId::tan, fwd_unary<Unary::Tan>, d_tan, kOut, Domain::Unit},
    {OpId::arcsin, fwd_unary<Unary::Arcsin>, d_arcsin, kIn, Domain::Unit},
    {OpId::arccos, fwd_unary<Unary::Arccos>, d_arccos, kIn, Domain::Unit},
    {OpId::arctan, fwd_unary<Unary::Arctan>, d_arctan, kIn, Domain::Any},
    {OpId::sinh, fwd_unary<Unary::Sinh>, d_sinh, kIn, Domain::Any},
    {OpId::cosh, fwd_unary<Unary::Cosh>, d_cosh, kIn, Domain::Any},
    {OpId::tanh, fwd_unary<Unary::Tanh>, d_tanh, kOut, Domain::Any},
    {OpId::sigmoid, fwd_unary<Unary::Sigmoid>, d_sigmoid, kOut, Domain::Any},
    {OpId::relu, fwd_unary<Unary::Relu>, d_relu, kOut, Domain::NonZero},
    {OpId::softsign, fwd_unary<Unary::Softsign>, d_softsign, kIn, Domain::Any},
    {OpId::floor, fwd_unary<Unary::Floor>, nullptr, kNoGrad, Domain::AwayFromInt},
    {OpId::ceil, fwd_unary<Unary::Ceil>, nullptr, kNoGrad, Domain::AwayFromInt},
    {OpId::round, fwd_unary<Unary::Round>, nullptr, kNoGrad, Domain::AwayFromInt},
    {OpId::trunc, fwd_unary<Unary::Trunc>, nullptr, kNoGrad, Domain::AwayFromInt},
    {OpId::erf, fwd_unary<Unary::Erf>, d_erf, kIn, Domain::Any},
};

struct BinaryEntry {
  OpId id;
  void (*infer)(const OpCall&, OutSpecs&);
  void (*forward)(OpCall&);
  Grads (*backward)(BackwardCtx&);
  uint32_t flags;
  Domain domain;
};

#define BIN(name, kernel, grad, flags, domain) \
  {OpId::name, infer_broadcast<OpId::name>, fwd_binary<Binary::kernel>, grad, flags, Domain::domain}

const BinaryEntry kBinary[] = {
    BIN(add, Add, d_add, 0, Any),
    BIN(subtract, Sub, d_subtract, 0, Any),
    BIN(multiply, Mul, d_multiply, kIn, Any),
    BIN(divide, Div, d_divide, kIn, NonZero),
    BIN(power, Pow, d_power, kIn, Positive),
    BIN(mod, Mod, d_mod, kIn, Positive),
    BIN(maximum, Maximum, d_maximum, kIn, Any),
    BIN(minimum, Minimum, d_minimum, kIn, Any),
    BIN(equal, Equal, nullptr, kNoGrad, Any),
    BIN(not_equal, NotEqual, nullptr, kNoGrad, Any),
    BIN(greater, Greater, nullptr, kNoGrad, Any),
    BIN(greater_equal, GreaterEqual, nullptr, kNoGrad, Any),
    BIN(lesser, Lesser, nullptr, kNoGrad, Any),
    BIN(lesser_equal, LesserEqual, nullptr, kNoGrad, Any),
};
#undef BIN

#define SCL(name, kernel, left, grad, flags, domain) \
  {OpId::name, infer_same, fwd_scalar<Binary::kernel, left>, grad, flags, Domain::domain}

const BinaryEntry kScalar[] = {
    SCL(add_scalar, Add, false, d_add_scalar, 0, Any),
    SCL(subtract_scalar, Sub, false, d_add_scalar, 0, Any),
    SCL(rsubtract_scalar, Sub, true, d_rsub_scalar, 0, Any),
    SCL(multiply_scalar, Mul, false, d_mul_scalar, 0, Any),
    SCL(divide_scalar, Div, false, d_div_scalar, 0, Any),
    SCL(rdivide_scalar, Div, true, d_rdiv_scalar, kIn, NonZero),
    SCL(power_scalar, Pow, false, d_pow_scalar, kIn, Positive),
    SCL(rpower_scalar, Pow, true, d_rpow_scalar, kOut, Any),
    SCL(mod_scalar, Mod, false, d_add_scalar, 0, Positive),
    SCL(rmod_scalar, Mod, true, d_rmod_scalar, kIn, Positive),
    SCL(maximum_scalar, Maximum, false, d_maximum_scalar, kIn, Any),
    SCL(minimum_scalar, Minimum, false, d_minimum_scalar, kIn, Any),
    SCL(equal_scalar, Equal, false, nullptr, kNoGrad, Any),
    SCL(not_equal_scalar, NotEqual, false, nullptr, kNoGrad, Any),
    SCL(greater_scalar, Greater, false, nullptr, kNoGrad, Any),
    SCL(greater_equal_scalar, GreaterEqual, false, nullptr, kNoGrad, Any),
    SCL(lesser_scalar, Lesser, false, nullptr, kNoGrad, Any),
    SCL(lesser_equal_scalar, LesserEqual, false, nullptr, kNoGrad, Any),
};
#undef SCL

}  // namespace

namespace {
const FieldDef kScalarFields[] = {field<&ScalarParams::scalar>("scalar", "the number operand").require()};
}  // namespace

void define_elementwise_ops(std::vector<OpDef>& table) {
  // Every op here is kElementwise: infer_same and infer_broadcast give operands of one shape and
  // dtype exactly that shape and dtype (test_registry checks it for every dtype).
  for (const UnaryEntry& u : kUnary)
    define_op(table, u.id, 1, infer_same, u.forward, u.backward, u.flags | kElementwise, u.domain);
  auto add_all = [&](const BinaryEntry* begin, const BinaryEntry* end, int arity) {
    for (const BinaryEntry* b = begin; b != end; ++b)
      define_op(table, b->id, arity, b->infer, b->forward, b->backward, b->flags | kElementwise, b->domain);
  };
  add_all(std::begin(kBinary), std::end(kBinary), 2);
  add_all(std::begin(kScalar), std::end(kScalar), 1);
  for (const BinaryEntry& b : kScalar) set_params<ScalarParams>(table, b.id, kScalarFields);
}

}  // namespace ndgrad

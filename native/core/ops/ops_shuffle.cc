// random_shuffle(x): the rows of x (axis 0) in an order drawn from the instance's seeded stream
// (Fisher-Yates with unbiased draws), as a new array. Its outputs are (shuffled, permutation),
// y[r] = x[perm[r]], the way dropout returns its mask: the permutation gives the exact gradient,
// take_grad(g, perm). MXNet registers no gradient for _shuffle (backward raises there); a
// permutation has an exact one, so ndgrad gives it.
#include <cstring>
#include <numeric>
#include <utility>

#include "core/runtime/error.h"
#include "core/ops/ops.h"

namespace ndgrad {

namespace {

// Uniform in [0, n) for n > 0: draws above the largest multiple of n below 2^64 are rejected.
uint64_t draw_below(Rng& rng, uint64_t n) {
  uint64_t rem = (UINT64_MAX % n + 1) % n;  // 2^64 mod n
  uint64_t r = rng.next_u64();
  if (rem == 0) return r % n;
  uint64_t limit = 0 - rem;  // 2^64 - rem
  while (r >= limit) r = rng.next_u64();
  return r % n;
}

DType permutation_dtype(int64_t rows) { return rows - 1 <= INT32_MAX ? DType::Int32 : DType::Float64; }

void infer_shuffle(const OpCall& c, OutSpecs& outs) {
  const Tensor& x = c.in[0];
  outs.push_back({x.shape, x.dtype});
  outs.push_back({Shape{x.shape[0]}, permutation_dtype(x.shape[0])});
}

void fwd_shuffle(OpCall& c) {
  const Tensor& x = c.in[0];
  size_t rows = static_cast<size_t>(x.shape[0]);
  std::vector<int64_t> perm(rows);
  std::iota(perm.begin(), perm.end(), int64_t{0});
  for (size_t i = rows; i > 1; --i) std::swap(perm[i - 1], perm[draw_below(c.env.rng, i)]);
  size_t row_bytes = rows == 0 ? 0 : x.nbytes() / rows;
  const char* src = static_cast<const char*>(x.raw());
  char* dst = static_cast<char*>(c.out[0].raw());
  for (size_t r = 0; r < rows && row_bytes > 0; ++r)
    std::memcpy(dst + r * row_bytes, src + static_cast<size_t>(perm[r]) * row_bytes, row_bytes);
  visit_dtype(c.out[1].dtype, [&](auto zero) {
    using P = decltype(zero);
    P* p = c.out[1].data<P>();
    for (size_t r = 0; r < rows; ++r) p[r] = static_cast<P>(perm[r]);
  });
}

Grads d_shuffle(BackwardCtx& c) {
  TakeParams a;
  a.shape = c.input_shape(0);
  a.axes = {0};
  a.has_axes = true;
  return {invoke1(c.env, OpId::take_grad, {c.grad(0), c.output(1)}, a)};
}

}  // namespace

void define_shuffle_ops(std::vector<OpDef>& table) {
  define_op(table, OpId::random_shuffle, 1, infer_shuffle, fwd_shuffle, d_shuffle, kSaveOutput1);
}

}  // namespace ndgrad

#include "core/drivers/reduce.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/drivers/elementwise.h"
#include "core/runtime/error.h"

namespace ndgrad {

namespace {

using kernels::Reduce;

// Fixed block length for long contiguous folds: partial results are combined in block order,
// so the answer never depends on how blocks are spread over threads.
constexpr size_t kReduceBlock = size_t{1} << 16;

double combine(Reduce op, double acc, double v) {
  switch (op) {
    case Reduce::Prod: return acc * v;
    case Reduce::Max: return std::isnan(acc) ? acc : (std::isnan(v) || v > acc) ? v : acc;
    case Reduce::Min: return std::isnan(acc) ? acc : (std::isnan(v) || v < acc) ? v : acc;
    default: return acc + v;
  }
}

// Integer sums and products wrap around in the array's own width, as NumPy's do. Max/Min are
// exact in any case and stay on the kernels.
bool wraps(Reduce op, DType dt) {
  return !dtype_is_float(dt) && op != Reduce::Max && op != Reduce::Min;
}

template <class T>
uint64_t fold_wrapping(Reduce op, const T* x, size_t n) {
  uint64_t acc = op == Reduce::Prod ? 1 : 0;
  for (size_t i = 0; i < n; ++i) {
    uint64_t v = static_cast<uint64_t>(static_cast<int64_t>(x[i]));
    switch (op) {
      case Reduce::Prod: acc *= v; break;
      case Reduce::SumSquares: acc += v * v; break;
      case Reduce::SumAbs: acc += x[i] < 0 ? uint64_t{0} - v : v; break;
      default: acc += v; break;
    }
  }
  return acc;
}

void write_wrapped(DType dt, void* y, uint64_t v) {
  if (dt == DType::Int32) *static_cast<int32_t*>(y) = static_cast<int32_t>(static_cast<uint32_t>(v));
  else *static_cast<uint8_t*>(y) = static_cast<uint8_t>(v);
}

void fold_rows_wrapping(Reduce op, DType dt, const char* x, size_t rows, size_t r, char* y) {
  size_t es = dtype_size(dt);
  for (size_t o = 0; o < rows; ++o) {
    const char* row = x + o * r * es;
    uint64_t v = dt == DType::Int32 ? fold_wrapping(op, reinterpret_cast<const int32_t*>(row), r)
                                    : fold_wrapping(op, reinterpret_cast<const uint8_t*>(row), r);
    write_wrapped(dt, y + o * es, v);
  }
}

double fold_contig(Runtime& env, Reduce op, DType dt, const char* x, size_t n, bool parallel) {
  size_t es = dtype_size(dt);
  if (n <= kReduceBlock) return env.k->reduce_contig(op, dt, x, n);
  size_t blocks = (n + kReduceBlock - 1) / kReduceBlock;
  std::vector<double> partial(blocks);
  auto run = [&](size_t b0, size_t b1) {
    for (size_t b = b0; b < b1; ++b) {
      size_t begin = b * kReduceBlock;
      size_t len = std::min(kReduceBlock, n - begin);
      partial[b] = env.k->reduce_contig(op, dt, x + begin * es, len);
    }
  };
  if (parallel && blocks >= 2) env.thread_pool().parallel_range(blocks, 1, run);
  else run(0, blocks);
  double acc = partial[0];
  for (size_t b = 1; b < blocks; ++b) acc = combine(op, acc, partial[b]);
  return acc;
}

}  // namespace

ReduceAxes plan_reduce(const Shape& in, const std::vector<int64_t>& axes, bool has_axes,
                       bool keepdims, const char* op) {
  size_t nd = in.size();
  ReduceAxes p;
  p.reduced.assign(nd, !has_axes || axes.empty());
  if (has_axes && !axes.empty()) {
    for (int64_t a : axes) {
      int64_t n = static_cast<int64_t>(nd);
      if (a < -n || a >= n) {
        throw_range(std::string(op) + ": Reduction axis " + std::to_string(a) +
                    " Exceeds input dimensions " + shape_str(in));
      }
      size_t ax = static_cast<size_t>(a < 0 ? a + n : a);
      if (p.reduced[ax]) throw_range(std::string(op) + ": Reduction axes have duplicates " + shape_str(Shape(axes)));
      p.reduced[ax] = true;
    }
  }
  for (size_t i = 0; i < nd; ++i) {
    if (p.reduced[i]) {
      p.count *= in[i];
      p.kept_shape.push_back(1);
      if (keepdims) p.out_shape.push_back(1);
    } else {
      p.kept_shape.push_back(in[i]);
      p.out_shape.push_back(in[i]);
    }
  }
  if (p.out_shape.empty()) p.out_shape.push_back(1);
  return p;
}

void reduce_into(Runtime& env, Reduce op, const Tensor& x, const ReduceAxes& plan, Tensor& out) {
  size_t nd = x.shape.size();
  size_t out_n = static_cast<size_t>(out.size());
  if (x.size() == 0) {  // empty folds give the identity (Max/Min were rejected by the op)
    fill_into(env, out, op == Reduce::Prod ? 1.0 : 0.0);
    return;
  }
  // Move reduced axes innermost unless they already form one contiguous run.
  int first = -1, last = -1;
  bool contiguous = true;
  for (size_t i = 0; i < nd; ++i) {
    if (!plan.reduced[i] || x.shape[i] == 1) continue;
    if (first < 0) first = static_cast<int>(i);
    else if (last != static_cast<int>(i) - 1) contiguous = false;
    last = static_cast<int>(i);
  }
  Tensor src = x;
  size_t outer = 1, r = 1, inner = 1;
  if (first < 0) {
    r = 1;
    outer = out_n;
  } else if (contiguous) {
    for (int i = 0; i < first; ++i) outer *= static_cast<size_t>(x.shape[i]);
    for (int i = first; i <= last; ++i) r *= static_cast<size_t>(x.shape[i]);
    for (size_t i = static_cast<size_t>(last) + 1; i < nd; ++i) inner *= static_cast<size_t>(x.shape[i]);
  } else {
    std::vector<int64_t> perm;
    Shape pshape;
    for (size_t i = 0; i < nd; ++i)
      if (!plan.reduced[i]) perm.push_back(static_cast<int64_t>(i));
    for (size_t i = 0; i < nd; ++i)
      if (plan.reduced[i]) perm.push_back(static_cast<int64_t>(i));
    for (int64_t p : perm) pshape.push_back(x.shape[static_cast<size_t>(p)]);
    src = env.empty(pshape, x.dtype);
    transpose_into(env, x, perm, src);
    r = static_cast<size_t>(plan.count);
    outer = out_n;
  }
  size_t es = dtype_size(x.dtype);
  const char* xp = static_cast<const char*>(src.raw());
  char* yp = static_cast<char*>(out.raw());
  if (inner == 1 && wraps(op, x.dtype)) {
    fold_rows_wrapping(op, x.dtype, xp, outer, r, yp);
    return;
  }
  if (inner == 1) {
    if (outer == 1) {
      double v = fold_contig(env, op, x.dtype, xp, r, true);
      env.k->fill(x.dtype, yp, v, 1);
      return;
    }
    auto rows = [&](size_t o0, size_t o1) {
      for (size_t o = o0; o < o1; ++o)
        env.k->fill(x.dtype, yp + o * es, fold_contig(env, op, x.dtype, xp + o * r * es, r, false), 1);
    };
    size_t grain = r >= kParallelGrain ? 1 : kParallelGrain / r + 1;
    if (outer < 2 * grain) rows(0, outer);
    else env.thread_pool().parallel_range(outer, grain, rows);
    return;
  }
  size_t per_outer = r * inner;
  if (outer == 1) {
    // One slab (e.g. axis 0 of a matrix): split its columns instead. Every output element is
    // still folded by one thread in row order, so results do not depend on the thread count.
    size_t grain = r >= kParallelGrain ? 64 : (kParallelGrain / r + 64) & ~size_t{63};
    auto columns = [&](size_t c0, size_t c1) {
      env.k->reduce_strided(op, x.dtype, xp + c0 * es, 1, r, c1 - c0, inner, yp + c0 * es);
    };
    if (inner < 2 * grain) columns(0, inner);
    else env.thread_pool().parallel_range(inner, grain, columns);
    return;
  }
  auto slabs = [&](size_t o0, size_t o1) {
    env.k->reduce_strided(op, x.dtype, xp + o0 * r * inner * es, o1 - o0, r, inner, inner,
                          yp + o0 * inner * es);
  };
  size_t grain = per_outer >= kParallelGrain ? 1 : kParallelGrain / per_outer + 1;
  if (outer < 2 * grain) slabs(0, outer);
  else env.thread_pool().parallel_range(outer, grain, slabs);
}

void arg_reduce_into(Runtime& env, kernels::ArgReduce op, const Tensor& x, int axis, Tensor& out) {
  size_t outer = 1, r = static_cast<size_t>(x.size()), inner = 1;
  if (axis >= 0) {
    outer = 1;
    inner = 1;
    for (int i = 0; i < axis; ++i) outer *= static_cast<size_t>(x.shape[i]);
    r = static_cast<size_t>(x.shape[axis]);
    for (size_t i = static_cast<size_t>(axis) + 1; i < x.shape.size(); ++i) inner *= static_cast<size_t>(x.shape[i]);
  }
  std::vector<int64_t> idx(outer * inner);
  env.k->arg_reduce(op, x.dtype, x.raw(), outer, r, inner, idx.data());
  visit_dtype(out.dtype, [&](auto zero) {
    using T = decltype(zero);
    T* y = out.data<T>();
    for (size_t i = 0; i < idx.size(); ++i) y[i] = static_cast<T>(idx[i]);
  });
}

}  // namespace ndgrad

#include "core/drivers/elementwise.h"

#include <cstring>
#include <vector>

namespace ndgrad {

namespace {

using kernels::Binary;

char* byte_ptr(const Tensor& t) { return static_cast<char*>(t.raw()); }

// Broadcast iteration plan: output dims collapsed where both inputs step alike, with each
// input's element stride per dim (0 on a broadcast dim). The last dim runs inside the kernel.
struct BroadcastPlan {
  std::vector<int64_t> dims, stride_a, stride_b;
};

BroadcastPlan plan_broadcast(const Shape& out, const Shape& a, const Shape& b) {
  size_t nd = out.size();
  std::vector<int64_t> sa(nd, 0), sb(nd, 0);
  auto fill = [&](const Shape& s, std::vector<int64_t>& st) {
    int64_t acc = 1;
    for (size_t i = s.size(); i-- > 0;) {
      size_t o = i + (nd - s.size());
      st[o] = s[i] == 1 ? 0 : acc;
      acc = checked_mul(acc, s[i], "broadcast");
    }
  };
  fill(a, sa);
  fill(b, sb);
  BroadcastPlan p;
  for (size_t i = 0; i < nd; ++i) {
    if (out[i] == 1) continue;
    if (!p.dims.empty()) {
      size_t j = p.dims.size() - 1;
      // Merge with the previous dim when both inputs are contiguous (or both broadcast) across it.
      bool a_ok = (sa[i] == 0 && p.stride_a[j] == 0) || (sa[i] != 0 && p.stride_a[j] == sa[i] * out[i]);
      bool b_ok = (sb[i] == 0 && p.stride_b[j] == 0) || (sb[i] != 0 && p.stride_b[j] == sb[i] * out[i]);
      if (a_ok && b_ok) {
        p.dims[j] *= out[i];
        p.stride_a[j] = sa[i];
        p.stride_b[j] = sb[i];
        continue;
      }
    }
    p.dims.push_back(out[i]);
    p.stride_a.push_back(sa[i]);
    p.stride_b.push_back(sb[i]);
  }
  if (p.dims.empty()) {
    p.dims.push_back(1);
    p.stride_a.push_back(0);
    p.stride_b.push_back(0);
  }
  return p;
}

template <class Fn>
void for_chunks(Runtime& env, size_t n, size_t grain, Fn&& fn) {
  if (n < 2 * grain) {
    if (n) fn(size_t{0}, n);
    return;
  }
  env.thread_pool().parallel_range(n, grain, fn);
}

}  // namespace

void unary_into(Runtime& env, kernels::Unary op, const Tensor& x, Tensor& out) {
  size_t es = dtype_size(x.dtype);
  char* xp = byte_ptr(x);
  char* yp = byte_ptr(out);
  for_chunks(env, static_cast<size_t>(x.size()), kParallelGrain / 4, [&](size_t b, size_t e) {
    env.k->unary(op, x.dtype, xp + b * es, yp + b * es, e - b);
  });
}

void binary_into(Runtime& env, Binary op, const Tensor& a, const Tensor& b, Tensor& out) {
  size_t es = dtype_size(out.dtype);
  size_t n = static_cast<size_t>(out.size());
  if (n == 0) return;
  char* ap = byte_ptr(a);
  char* bp = byte_ptr(b);
  char* yp = byte_ptr(out);
  if (a.shape == out.shape && b.shape == out.shape) {
    for_chunks(env, n, kParallelGrain, [&](size_t s, size_t e) {
      env.k->binary(op, out.dtype, ap + s * es, 1, bp + s * es, 1, yp + s * es, e - s);
    });
    return;
  }
  BroadcastPlan p = plan_broadcast(out.shape, a.shape, b.shape);
  size_t last = p.dims.size() - 1;
  size_t inner = static_cast<size_t>(p.dims[last]);
  size_t a_step = p.stride_a[last] ? 1 : 0;
  size_t b_step = p.stride_b[last] ? 1 : 0;
  size_t rows = n / inner;
  for_chunks(env, rows, inner >= kParallelGrain ? 1 : kParallelGrain / inner + 1, [&](size_t r0, size_t r1) {
    std::vector<int64_t> idx(last, 0);
    // Position of row r0 in the outer dims.
    size_t rem = r0;
    for (size_t d = last; d-- > 0;) {
      idx[d] = static_cast<int64_t>(rem % static_cast<size_t>(p.dims[d]));
      rem /= static_cast<size_t>(p.dims[d]);
    }
    int64_t oa = 0, ob = 0;
    for (size_t d = 0; d < last; ++d) {
      oa += idx[d] * p.stride_a[d];
      ob += idx[d] * p.stride_b[d];
    }
    for (size_t r = r0; r < r1; ++r) {
      env.k->binary(op, out.dtype, ap + oa * es, a_step, bp + ob * es, b_step, yp + r * inner * es, inner);
      for (size_t d = last; d-- > 0;) {
        oa += p.stride_a[d];
        ob += p.stride_b[d];
        if (++idx[d] < p.dims[d]) break;
        oa -= p.stride_a[d] * p.dims[d];
        ob -= p.stride_b[d] * p.dims[d];
        idx[d] = 0;
      }
    }
  });
}

void binary_scalar_into(Runtime& env, Binary op, const Tensor& a, double s, bool scalar_left,
                        Tensor& out) {
  alignas(8) unsigned char sbuf[8];
  env.k->fill(a.dtype, sbuf, s, 1);
  size_t es = dtype_size(a.dtype);
  char* ap = byte_ptr(a);
  char* yp = byte_ptr(out);
  for_chunks(env, static_cast<size_t>(a.size()), kParallelGrain, [&](size_t b, size_t e) {
    if (scalar_left) env.k->binary(op, a.dtype, sbuf, 0, ap + b * es, 1, yp + b * es, e - b);
    else env.k->binary(op, a.dtype, ap + b * es, 1, sbuf, 0, yp + b * es, e - b);
  });
}

void broadcast_into(Runtime& env, const Tensor& src, Tensor& out) {
  if (src.shape == out.shape) {
    std::memcpy(out.raw(), src.raw(), out.nbytes());
    return;
  }
  // Adding zero would change -0.0 and NaN payloads; Maximum with itself is exact for every value.
  binary_into(env, Binary::Maximum, src, src, out);
}

void cast_into(Runtime& env, const Tensor& src, Tensor& out) {
  size_t n = static_cast<size_t>(src.size());
  if (src.dtype == out.dtype) {
    if (n) std::memmove(out.raw(), src.raw(), out.nbytes());
    return;
  }
  size_t si = dtype_size(src.dtype), so = dtype_size(out.dtype);
  char* sp = byte_ptr(src);
  char* op = byte_ptr(out);
  for_chunks(env, n, kParallelGrain, [&](size_t b, size_t e) {
    env.k->cast(src.dtype, sp + b * si, out.dtype, op + b * so, e - b);
  });
}

void fill_into(Runtime& env, Tensor& out, double value) {
  size_t es = dtype_size(out.dtype);
  char* op = byte_ptr(out);
  for_chunks(env, static_cast<size_t>(out.size()), kParallelGrain, [&](size_t b, size_t e) {
    env.k->fill(out.dtype, op + b * es, value, e - b);
  });
}

}  // namespace ndgrad

namespace ndgrad {

namespace {

template <class T>
void permute_rows(const T* src, T* dst, const Shape& out_shape, const std::vector<int64_t>& src_stride,
                  size_t row_begin, size_t row_end) {
  size_t nd = out_shape.size();
  size_t inner = static_cast<size_t>(out_shape[nd - 1]);
  int64_t inner_stride = src_stride[nd - 1];
  std::vector<int64_t> idx(nd - 1, 0);
  size_t rem = row_begin;
  for (size_t d = nd - 1; d-- > 0;) {
    idx[d] = static_cast<int64_t>(rem % static_cast<size_t>(out_shape[d]));
    rem /= static_cast<size_t>(out_shape[d]);
  }
  int64_t off = 0;
  for (size_t d = 0; d + 1 < nd; ++d) off += idx[d] * src_stride[d];
  for (size_t r = row_begin; r < row_end; ++r) {
    T* out = dst + r * inner;
    const T* in = src + off;
    for (size_t j = 0; j < inner; ++j) out[j] = in[static_cast<int64_t>(j) * inner_stride];
    for (size_t d = nd - 1; d-- > 0;) {
      off += src_stride[d];
      if (++idx[d] < out_shape[d]) break;
      off -= src_stride[d] * out_shape[d];
      idx[d] = 0;
    }
  }
}

// Cache-friendly 2-D transpose in square tiles.
template <class T>
void transpose_2d(const T* src, T* dst, size_t rows, size_t cols, size_t r0, size_t r1) {
  constexpr size_t kTile = 32;
  for (size_t i0 = r0; i0 < r1; i0 += kTile) {
    size_t i1 = i0 + kTile < r1 ? i0 + kTile : r1;
    for (size_t j0 = 0; j0 < cols; j0 += kTile) {
      size_t j1 = j0 + kTile < cols ? j0 + kTile : cols;
      for (size_t i = i0; i < i1; ++i)
        for (size_t j = j0; j < j1; ++j) dst[i * cols + j] = src[j * rows + i];
    }
  }
}

}  // namespace

void transpose_into(Runtime& env, const Tensor& src, const std::vector<int64_t>& perm, Tensor& out) {
  size_t n = static_cast<size_t>(out.size());
  if (n == 0) return;
  size_t nd = out.shape.size();
  std::vector<int64_t> in_stride = contiguous_strides(src.shape);
  std::vector<int64_t> src_stride(nd);
  for (size_t i = 0; i < nd; ++i) src_stride[i] = in_stride[static_cast<size_t>(perm[i])];
  size_t inner = static_cast<size_t>(out.shape[nd - 1]);
  size_t rows = n / inner;
  visit_dtype(src.dtype, [&](auto zero) {
    using T = decltype(zero);
    const T* s = src.data<T>();
    T* d = out.data<T>();
    bool plain_2d = nd == 2 && perm[0] == 1 && perm[1] == 0;
    size_t grain = inner >= kParallelGrain ? 1 : kParallelGrain / inner + 1;
    auto body = [&](size_t r0, size_t r1) {
      if (plain_2d) transpose_2d(s, d, rows, inner, r0, r1);
      else permute_rows(s, d, out.shape, src_stride, r0, r1);
    };
    if (rows < 2 * grain) body(0, rows);
    else env.thread_pool().parallel_range(rows, grain, body);
  });
}

}  // namespace ndgrad

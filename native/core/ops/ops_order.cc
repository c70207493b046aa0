// Ordering along one axis, or over the flattened array when no axis is given (MXNet's
// axis=None): topk, sort and argsort (MXNet's ordering_op-inl.h).
//   * Ties keep the order of their indices (a stable order) in both directions.
//   * NaN counts as larger than every number: last in ascending order (as NumPy), first in
//     descending order (topk's default), as argmax counts NaN as the extreme.
//   * topk's k <= 0 selects the whole axis (MXNet); k larger than the axis is an error.
// The gradient of topk's values (retTyp 'value' or 'both') and of sort scatters g back to the
// selected positions (take_along_axis_grad of the indices, which are recomputed from the saved
// input); indices and masks get no gradient, and argsort has none.
#include <algorithm>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/drivers/elementwise.h"
#include "core/runtime/error.h"
#include "core/tensor/indices.h"
#include "core/ops/ops.h"
#include "core/drivers/radix_sort.h"
#include "core/runtime/scratch.h"
#include "core/runtime/thread_pool.h"
#include "kernels/sort_kernels.h"

namespace ndgrad {

namespace {

using namespace ops;

enum RetTyp { kIndices = 0, kValue = 1, kBoth = 2, kMask = 3 };

// topk, sort and argsort (sort's gradient runs topk with the same options).
struct OrderParams {
  std::vector<int64_t> axes;  // one axis; none orders the flattened array
  bool has_axes = false;
  bool is_ascend = false;
  DType dtype = DType::Float32;  // of the indices
  int64_t k = 1;                 // topk: how many to keep
  int ret_typ = kIndices;        // topk: what to return
};

struct OrderSpec {
  AxisGeom geom;
  bool flat = false;  // no axis: the flattened array
  int axis = 0;
  int64_t k = 0;
  int ret = kIndices;
  bool ascend = false;
  DType index_dtype = DType::Float32;
};

template <OpId Id>
OrderSpec order_spec(const Shape& shape, const OrderParams& a) {
  const std::string op = op_def(Id).name;
  OrderSpec s;
  if (a.has_axes && a.axes.size() != 1) throw_type(op + ": axis must be a single integer or null");
  s.flat = !a.has_axes;
  if (s.flat) {
    s.geom.n = static_cast<size_t>(shape_size(shape));
  } else {
    s.axis = normalize_axis(a.axes[0], shape.size(), op.c_str());
    s.geom = axis_geom(shape, s.axis);
  }
  int64_t n = static_cast<int64_t>(s.geom.n);
  s.ascend = a.is_ascend;
  s.index_dtype = a.dtype;
  s.k = n;
  s.ret = Id == OpId::sort ? kValue : kIndices;
  if constexpr (Id == OpId::topk) {
    if (a.ret_typ < kIndices || a.ret_typ > kMask) {
      throw_range("topk: retTyp must be 'indices', 'value', 'both' or 'mask', got code " + std::to_string(a.ret_typ));
    }
    s.ret = a.ret_typ;
    if (a.k > n) {
      throw_range("topk: k = " + std::to_string(a.k) + " is larger than the " + std::to_string(n) + " elements " +
                  (s.flat ? std::string("of the flattened array") : "along axis " + std::to_string(s.axis)) +
                  " of shape " + shape_str(shape));
    }
    if (a.k > 0) s.k = a.k;
  }
  if (s.ret != kValue && s.ret != kMask) {
    int64_t most = s.index_dtype == DType::Uint8 ? 255 : (s.index_dtype == DType::Int32 ? INT32_MAX : INT64_MAX);
    if (n - 1 > most) {
      throw_range(op + ": dtype " + dtype_name(s.index_dtype) + " cannot hold indices up to " + std::to_string(n - 1));
    }
  }
  return s;
}

Shape selected_shape(const Shape& shape, const OrderSpec& s) {
  if (s.flat) return Shape{s.k};
  Shape out = shape;
  out[static_cast<size_t>(s.axis)] = s.k;
  return out;
}

template <OpId Id>
void infer_order(const OpCall& c, OutSpecs& outs) {
  const Tensor& x = c.in[0];
  OrderSpec s = order_spec<Id>(x.shape, c.params<OrderParams>());
  Shape sel = selected_shape(x.shape, s);
  if (s.ret == kValue || s.ret == kBoth) outs.push_back({sel, x.dtype});
  if (s.ret == kIndices || s.ret == kBoth) outs.push_back({sel, s.index_dtype});
  if (s.ret == kMask) outs.push_back({x.shape, x.dtype});
}

// This thread's key and index lines, reused from call to call: a sort costs no fresh pages once
// a line of its length has been sorted on the thread.
thread_local Scratch t_keys, t_key_tmp, t_order, t_order_tmp;

template <class T>
bool is_nan(T v) {
  if constexpr (std::is_floating_point_v<T>) return v != v;
  else return false;
}

// a < b with NaN above every number.
template <class T>
bool less_nan_last(T a, T b) {
  return a < b || (is_nan(b) && !is_nan(a));
}

// One line of the array as (value, index) pairs, ordered, with its selection written out.
template <class T, class IT>
struct RowSorter {
  RowSorter(const OrderSpec& spec, const T* in, T* vals, IT* idx, T* msk, ThreadPool* line_pool,
            const kernels::SortKernels* vector_sort)
      : s(spec), x(in), values(vals), indices(idx), mask(msk), pool(line_pool), vsort(vector_sort) {}

  const OrderSpec& s;
  const T* x;
  T* values;    // null unless values are wanted
  IT* indices;  // null unless indices are wanted
  T* mask;      // null unless a mask is wanted (already zeroed)
  ThreadPool* pool;  // shares out one line's sort; null when lines are shared out instead
  const kernels::SortKernels* vsort;  // null: no vector sort on this ISA
  std::vector<std::pair<T, int64_t>> buf;  // partial orders (topk), reused from line to line
  using Key = SortKeyOf<T>;

  // Runs fn(from, to) over the parts of [0, n), on the pool when it shares out this line.
  template <class Fn>
  void over_parts(size_t n, const Fn& fn) const {
    const size_t parts = pool ? pool->num_threads() : 1;
    if (parts == 1) {
      fn(size_t(0), n);
      return;
    }
    pool->parallel_for(parts, [&](size_t t) { fn(n * t / parts, n * (t + 1) / parts); });
  }

  void run(size_t row) {
    const size_t n = s.geom.n, inner = s.geom.inner, k = static_cast<size_t>(s.k);
    size_t o = row / inner, i = row % inner;
    size_t base = o * n * inner + i;
    if (k == n && n >= kRadixMin && n <= UINT32_MAX) {
      if (indices || mask)
        run_radix(base, o * k * inner + i);
      else
        run_values(base, o * k * inner + i);
      return;
    }
    buf.resize(n);
    for (size_t t = 0; t < n; ++t) buf[t] = {x[base + t * inner], static_cast<int64_t>(t)};
    bool ascend = s.ascend;
    auto before = [ascend](const std::pair<T, int64_t>& a, const std::pair<T, int64_t>& b) {
      if (ascend ? less_nan_last(a.first, b.first) : less_nan_last(b.first, a.first)) return true;
      if (ascend ? less_nan_last(b.first, a.first) : less_nan_last(a.first, b.first)) return false;
      return a.second < b.second;
    };
    if (k < n) std::partial_sort(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(k), buf.end(), before);
    else std::sort(buf.begin(), buf.end(), before);
    size_t out = o * k * inner + i;
    for (size_t j = 0; j < k; ++j) {
      if (values) values[out + j * inner] = buf[j].first;
      if (indices) indices[out + j * inner] = static_cast<IT>(buf[j].second);
      if (mask) mask[base + static_cast<size_t>(buf[j].second) * inner] = T(1);
    }
  }

  // The whole line in order, by radix sort: the same order as `before` above (descending order
  // is the ascending order of the complemented keys, ties stay in index order either way).
  static constexpr size_t kRadixMin = 64;
  void run_radix(size_t base, size_t out) {
    const size_t n = s.geom.n, inner = s.geom.inner;
    Key* keys = t_keys.get<Key>(n);
    uint32_t* order = t_order.get<uint32_t>(n);
    const Key flip = s.ascend ? Key(0) : ~Key(0);
    for (size_t t = 0; t < n; ++t) {
      keys[t] = sort_key(x[base + t * inner]) ^ flip;
      order[t] = static_cast<uint32_t>(t);
    }
    radix_sort_pairs(keys, t_key_tmp.get<Key>(n), order, t_order_tmp.get<uint32_t>(n), n);
    for (size_t j = 0; j < n; ++j) {
      size_t from = order[j];
      if (values) values[out + j * inner] = x[base + from * inner];
      if (indices) indices[out + j * inner] = static_cast<IT>(from);
      if (mask) mask[base + from * inner] = T(1);
    }
  }

  // Values alone: the keys are sorted by themselves and mapped back. Equal keys are equal
  // numbers except for -0/+0 and the NaNs, whose runs are refilled from the line in order (the
  // stable order, as above). The keys are made in the output line itself when it is contiguous
  // and of the keys' width, else in this thread's scratch.
  void run_values(size_t base, size_t out) {
    const size_t n = s.geom.n, inner = s.geom.inner;
    const Key flip = s.ascend ? Key(0) : ~Key(0);
    const bool in_place = inner == 1 && sizeof(T) == sizeof(Key);
    Key* keys = in_place ? reinterpret_cast<Key*>(values + out) : t_keys.get<Key>(n);
    over_parts(n, [&](size_t from, size_t to) {
      if constexpr (std::is_same_v<T, float>) {
        if (vsort && inner == 1) return vsort->keys_from_f32(x + base + from, keys + from, to - from, flip);
      }
      for (size_t j = from; j < to; ++j) keys[j] = sort_key(x[base + j * inner]) ^ flip;
    });
    sort_keys(keys, n);
    const auto zeros = equal_range(keys, n, sort_key(T(0)) ^ flip);
    const auto nans = equal_range(keys, n, ~Key(0) ^ flip);
    over_parts(n, [&](size_t from, size_t to) {
      if constexpr (std::is_same_v<T, float>) {
        if (vsort && in_place) return vsort->keys_to_f32(keys + from, to - from, flip);
      }
      for (size_t j = from; j < to; ++j) values[out + j * inner] = from_sort_key<T>(keys[j] ^ flip);
    });
    if constexpr (std::is_floating_point_v<T>) {
      refill_run(zeros, base, out, [](T e) { return e == T(0); });
      refill_run(nans, base, out, [](T e) { return is_nan(e); });
    }
  }

  // Sorts keys[0, n): by the vector sort where there is one for these keys (a line shared out
  // is first split into a part per thread), else by the radix sort.
  void sort_keys(Key* keys, size_t n) {
    const size_t parts = pool ? pool->num_threads() : 1;
    if constexpr (std::is_same_v<Key, uint32_t>) {
      if (vsort) {
        std::vector<std::pair<size_t, size_t>> pieces{{0, n}};  // (from, size)
        while (pieces.size() < parts) {
          auto largest = std::max_element(pieces.begin(), pieces.end(),
                                          [](const auto& a, const auto& b) { return a.second < b.second; });
          const auto [from, size] = *largest;
          const size_t m = vsort->split_u32(keys + from, size);
          if (m == 0 || m == size) break;  // too short to split, or all equal
          *largest = {from, m};
          pieces.push_back({from + m, size - m});
        }
        if (pieces.size() == 1) return vsort->sort_u32(keys, n);
        return pool->parallel_for(pieces.size(), [&](size_t t) { vsort->sort_u32(keys + pieces[t].first, pieces[t].second); });
      }
    }
    auto run = [&](size_t tasks, const auto& fn) {
      if (parts > 1) {
        pool->parallel_for(tasks, fn);
      } else {
        for (size_t t = 0; t < tasks; ++t) fn(t);
      }
    };
    radix_sort_keys(keys, t_key_tmp.get<Key>(n), n, parts, run);
  }

  static std::pair<size_t, size_t> equal_range(const Key* keys, size_t n, Key key) {
    const auto run = std::equal_range(keys, keys + n, key);
    return {static_cast<size_t>(run.first - keys), static_cast<size_t>(run.second - keys)};
  }

  // Writes the entries that satisfy is_one, in line order, to the sorted positions [run.first,
  // run.second) (the run of their shared key).
  template <class Pred>
  void refill_run(std::pair<size_t, size_t> run, size_t base, size_t out, Pred is_one) {
    const size_t inner = s.geom.inner;
    size_t from = 0;
    for (size_t j = run.first; j != run.second; ++j) {
      while (!is_one(x[base + from * inner])) ++from;
      values[out + j * inner] = x[base + from++ * inner];
    }
  }
};

template <OpId Id>
void fwd_order(OpCall& c) {
  const Tensor& x = c.in[0];
  OrderSpec s = order_spec<Id>(x.shape, c.params<OrderParams>());
  size_t rows = s.geom.outer * s.geom.inner;
  if (rows == 0 || s.geom.n == 0) return;
  Tensor* values = s.ret == kValue || s.ret == kBoth ? &c.out[0] : nullptr;
  Tensor* indices = s.ret == kIndices ? &c.out[0] : (s.ret == kBoth ? &c.out[1] : nullptr);
  Tensor* mask = s.ret == kMask ? &c.out[0] : nullptr;
  if (mask) fill_into(c.env, *mask, 0.0);
  visit_dtype(x.dtype, [&](auto zero) {
    using T = decltype(zero);
    visit_dtype(indices ? indices->dtype : DType::Int32, [&](auto izero) {
      using IT = decltype(izero);
      ThreadPool& pool = c.env.thread_pool();
      size_t grain = s.geom.n >= kParallelGrain ? 1 : kParallelGrain / s.geom.n + 1;
      // Too few lines to share out: the pool helps sort each line instead.
      const bool lines_in_parallel = rows >= 2 * grain && rows >= pool.num_threads();
      auto body = [&](size_t r0, size_t r1) {
        RowSorter<T, IT> sorter(s, x.data<T>(), values ? values->data<T>() : nullptr,
                                indices ? indices->data<IT>() : nullptr, mask ? mask->data<T>() : nullptr,
                                lines_in_parallel || s.geom.n < kParallelGrain ? nullptr : &pool,
                                kernels::sort_kernels(c.env.isa));
        for (size_t r = r0; r < r1; ++r) sorter.run(r);
      };
      if (lines_in_parallel) pool.parallel_range(rows, grain, body);
      else body(0, rows);
    });
  });
}

// Scatters the values' gradient back to the positions they came from.
template <OpId Id>
Grads d_order(BackwardCtx& c) {
  if (Id == OpId::topk && (c.params<OrderParams>().ret_typ == kIndices || c.params<OrderParams>().ret_typ == kMask)) return {ArrayRef()};
  Runtime& e = c.env;
  const Shape& shape = c.input_shape(0);
  ArrayRef x = c.input(0);
  OrderParams a = c.params<OrderParams>();
  if (Id == OpId::sort) a.k = 0;
  a.ret_typ = kIndices;
  if (!a.has_axes) {
    x = reshape(e, x, Shape{shape_size(shape)});
    a.axes = {0};
    a.has_axes = true;
  }
  int64_t n = x->t.shape[static_cast<size_t>(normalize_axis(a.axes[0], x->t.ndim(), "topk"))];
  a.dtype = n - 1 <= INT32_MAX ? DType::Int32 : DType::Float64;
  ArrayRef selected = invoke1(e, OpId::topk, {x}, a);
  ArrayRef g = invoke1(e, OpId::take_along_axis_grad, {c.grad(0), selected}, AlongParams{a.axes, true, x->t.shape});
  return {reshape(e, g, shape)};
}

constexpr FieldDef kOrderAxis = axis_field<&OrderParams::axes, &OrderParams::has_axes>("axis", "the axis to order along; null orders the flattened array")
                                     .set_default(-1).allow_null();
constexpr FieldDef kAscend = field<&OrderParams::is_ascend>("isAscend", "smallest first").alias("is_ascend");
constexpr FieldDef kIndexDType = field<&OrderParams::dtype>("dtype", "the dtype of the indices");
const FieldDef kTopkFields[] = {
    kOrderAxis,
    field<&OrderParams::k>("k", "how many to select; k <= 0 selects the whole axis").set_default(1),
    field<&OrderParams::ret_typ>("retTyp", "what to return").alias("ret_typ").one_of("indices value both mask"),
    kAscend,
    kIndexDType,
};
const FieldDef kSortFields[] = {kOrderAxis, kAscend.set_default(1)};
const FieldDef kArgsortFields[] = {kOrderAxis, kAscend.set_default(1), kIndexDType};

}  // namespace

void define_order_ops(std::vector<OpDef>& table) {
  define_take_ops(table);
  define_shuffle_ops(table);
  define_op(table, OpId::topk, 1, infer_order<OpId::topk>, fwd_order<OpId::topk>, d_order<OpId::topk>, kSaveInputs);
  define_op(table, OpId::sort, 1, infer_order<OpId::sort>, fwd_order<OpId::sort>, d_order<OpId::sort>, kSaveInputs);
  define_op(table, OpId::argsort, 1, infer_order<OpId::argsort>, fwd_order<OpId::argsort>, nullptr, kNoGrad);
  set_params<OrderParams>(table, OpId::topk, kTopkFields);
  set_params<OrderParams>(table, OpId::sort, kSortFields);
  set_params<OrderParams>(table, OpId::argsort, kArgsortFields);
}

}  // namespace ndgrad

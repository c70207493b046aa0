// Reductions (a fragment of kernels_impl.inl, inside the per-ISA namespace).
//
// Order of operations depends only on n and the vector width, never on alignment or threads:
// loads are unaligned from the first element, and partial results combine in a fixed order.

constexpr double kInf = __builtin_inf();

// ---- contiguous ----------------------------------------------------------------------------

// Floating sums: four vector accumulators in the element type over blocks of kSumBlock
// elements, each block folded into a double. The blocks bound float32 rounding growth (a lane
// never sums more than kSumBlock / kLanes terms) at the cost of one horizontal add per block.
template <class T, class Term>
double sum_float(const T* x, size_t n, Term term) {
  using V = Vec<T>;
  constexpr size_t L = kLanes<T>;
  constexpr size_t kSumBlock = 2048;
  double total = 0;
  for (size_t start = 0; start < n; start += kSumBlock) {
    const size_t m = n - start < kSumBlock ? n - start : kSumBlock;
    const T* p = x + start;
    V acc0{}, acc1{}, acc2{}, acc3{};
    size_t i = 0;
    for (; i + 4 * L <= m; i += 4 * L) {
      acc0 += term(load<V>(p + i));
      acc1 += term(load<V>(p + i + L));
      acc2 += term(load<V>(p + i + 2 * L));
      acc3 += term(load<V>(p + i + 3 * L));
    }
    for (; i + L <= m; i += L) acc0 += term(load<V>(p + i));
    if (i < m) acc1 += term(load_part<V>(p + i, m - i, T(0)));
    V acc = (acc0 + acc1) + (acc2 + acc3);
    double block = 0;
    for (size_t k = 0; k < L; ++k) block += acc[k];
    total += block;
  }
  return total;
}

// Products in double: a float32 product overflows long before the double one does. Four
// independent chains hide the multiply latency.
template <class T>
double prod_float(const T* x, size_t n) {
  double p0 = 1, p1 = 1, p2 = 1, p3 = 1;
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    p0 *= x[i];
    p1 *= x[i + 1];
    p2 *= x[i + 2];
    p3 *= x[i + 3];
  }
  for (; i < n; ++i) p0 *= x[i];
  return (p0 * p1) * (p2 * p3);
}

// Max or min of any dtype. NaN is tracked in a separate mask, so the compare-and-select chain
// stays the cheap ordered form.
template <bool kMax, class T>
double extreme_contig(const T* x, size_t n) {
  if (n == 0) return kMax ? -kInf : kInf;
  using V = Vec<T>;
  constexpr size_t L = kLanes<T>;
  auto pick = [](V acc, V v) {
    if constexpr (kMax) {
      return v > acc ? v : acc;
    } else {
      return v < acc ? v : acc;
    }
  };
  V acc0 = splat<V>(x[0]), acc1 = acc0;
  V v0 = acc0;
  auto nan = v0 != v0;
  size_t i = 0;
  for (; i + 2 * L <= n; i += 2 * L) {
    V a = load<V>(x + i), b = load<V>(x + i + L);
    nan |= (a != a) | (b != b);
    acc0 = pick(acc0, a);
    acc1 = pick(acc1, b);
  }
  for (; i + L <= n; i += L) {
    V a = load<V>(x + i);
    nan |= a != a;
    acc0 = pick(acc0, a);
  }
  if (i < n) {
    V a = load_part<V>(x + i, n - i, x[0]);
    nan |= a != a;
    acc1 = pick(acc1, a);
  }
  if (any_lane(nan)) return __builtin_nan("");
  V acc = pick(acc0, acc1);
  T best = acc[0];
  for (size_t k = 1; k < L; ++k) {
    if (kMax ? acc[k] > best : acc[k] < best) best = acc[k];
  }
  return static_cast<double>(best);
}

// Integer folds are exact: sums in 64 bits (128 for int32 squares, which reach 2^62 each);
// products wrap modulo 2^64 like NumPy's int64 accumulator.
template <class T>
double reduce_int(Reduce op, const T* x, size_t n) {
  using Wide = std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>;
  uint64_t acc = 0;
  switch (op) {
    case Reduce::Sum:
      for (size_t i = 0; i < n; ++i) acc += static_cast<uint64_t>(static_cast<Wide>(x[i]));
      return static_cast<double>(static_cast<Wide>(acc));
    case Reduce::SumAbs:
      for (size_t i = 0; i < n; ++i) {
        Wide v = x[i];
        acc += static_cast<uint64_t>(v < 0 ? -v : v);
      }
      return static_cast<double>(acc);
    case Reduce::SumSquares: {
      if constexpr (std::is_signed_v<T>) {
        unsigned __int128 wide = 0;
        for (size_t i = 0; i < n; ++i) {
          int64_t v = x[i];
          wide += static_cast<uint64_t>(v * v);
        }
        return static_cast<double>(wide);
      } else {
        for (size_t i = 0; i < n; ++i) acc += static_cast<uint64_t>(x[i]) * x[i];
        return static_cast<double>(acc);
      }
    }
    case Reduce::Prod:
      acc = 1;
      for (size_t i = 0; i < n; ++i) acc *= static_cast<uint64_t>(static_cast<Wide>(x[i]));
      return static_cast<double>(static_cast<Wide>(acc));
    case Reduce::Max: return extreme_contig<true>(x, n);
    case Reduce::Min: return extreme_contig<false>(x, n);
    case Reduce::Count: break;
  }
  return 0;
}

template <class T>
double reduce_float(Reduce op, const T* x, size_t n) {
  using V = Vec<T>;
  switch (op) {
    case Reduce::Sum: return sum_float(x, n, [](V v) { return v; });
    case Reduce::SumSquares: return sum_float(x, n, [](V v) { return v * v; });
    case Reduce::SumAbs: return sum_float(x, n, [](V v) { return abs_bits(v); });
    case Reduce::Prod: return prod_float(x, n);
    case Reduce::Max: return extreme_contig<true>(x, n);
    case Reduce::Min: return extreme_contig<false>(x, n);
    case Reduce::Count: break;
  }
  return 0;
}

double reduce_contig(Reduce op, DType dt, const void* x, size_t n) {
  double result = 0;
  with_dtype(dt, [&](auto tag) {
    using T = Elem<decltype(tag)>;
    if constexpr (std::is_floating_point_v<T>) {
      result = reduce_float(op, static_cast<const T*>(x), n);
    } else {
      result = reduce_int(op, static_cast<const T*>(x), n);
    }
  });
  return result;
}

// ---- strided (outer, r, inner) -------------------------------------------------------------

// Accumulation happens in the output dtype, row by row, so each lane of `inner` is independent
// and the loops vectorise across it. Integer arithmetic wraps (through the unsigned type), which
// equals the exact result reduced to the output width.
template <class T>
struct Fold {
  // The type arithmetic runs in: unsigned for integers, so that it wraps without UB.
  using U = typename std::conditional_t<std::is_floating_point_v<T>, std::common_type<T>,
                                        std::make_unsigned<T>>::type;
  static T add(T a, T b) { return static_cast<T>(static_cast<U>(U(a) + U(b))); }
  static T mul(T a, T b) { return static_cast<T>(static_cast<U>(U(a) * U(b))); }
  static T abs(T v) {
    if constexpr (std::is_floating_point_v<T>) {
      return fabs_of(v);
    } else {
      return v < 0 ? static_cast<T>(static_cast<U>(U(0) - U(v))) : v;
    }
  }
  // NaN-propagating, and NaN sticks once in the accumulator (v > NaN is false).
  static T max(T acc, T v) { return (v > acc) | (v != v) ? v : acc; }
  static T min(T acc, T v) { return (v < acc) | (v != v) ? v : acc; }
};

// y_row = first(x_row 0), then y_row = step(y_row, x_row k). Inner is walked in chunks that stay
// in L1 while the r rows stream past.
template <class T, class First, class Step>
void fold_rows(const T* __restrict x, size_t outer, size_t r, size_t inner, size_t ld,
               T* __restrict y, First first, Step step) {
  constexpr size_t kChunk = 2048 / sizeof(T);
  for (size_t o = 0; o < outer; ++o) {
    const T* xo = x + o * r * ld;
    T* yo = y + o * inner;
    for (size_t c = 0; c < inner; c += kChunk) {
      const size_t m = inner - c < kChunk ? inner - c : kChunk;
      T* __restrict out = yo + c;
      const T* __restrict row = xo + c;
      for (size_t i = 0; i < m; ++i) out[i] = first(row[i]);
      // Four rows per pass over the chunk: each element still folds the rows in order (the
      // same result bit for bit), with a quarter of the loads and stores of `out`.
      size_t k = 1;
      for (; k + 4 <= r; k += 4) {
        const T* __restrict r0 = xo + k * ld + c;
        const T* __restrict r1 = r0 + ld;
        const T* __restrict r2 = r1 + ld;
        const T* __restrict r3 = r2 + ld;
        for (size_t i = 0; i < m; ++i) out[i] = step(step(step(step(out[i], r0[i]), r1[i]), r2[i]), r3[i]);
      }
      for (; k < r; ++k) {
        row = xo + k * ld + c;
        for (size_t i = 0; i < m; ++i) out[i] = step(out[i], row[i]);
      }
    }
  }
}

template <class T>
void reduce_strided_typed(Reduce op, const T* x, size_t outer, size_t r, size_t inner, size_t ld,
                          T* y) {
  using F = Fold<T>;
  auto same = [](T v) { return v; };
  switch (op) {
    case Reduce::Sum:
      return fold_rows(x, outer, r, inner, ld, y, same, [](T acc, T v) { return F::add(acc, v); });
    case Reduce::Prod:
      return fold_rows(x, outer, r, inner, ld, y, same, [](T acc, T v) { return F::mul(acc, v); });
    case Reduce::Max:
      return fold_rows(x, outer, r, inner, ld, y, same, [](T acc, T v) { return F::max(acc, v); });
    case Reduce::Min:
      return fold_rows(x, outer, r, inner, ld, y, same, [](T acc, T v) { return F::min(acc, v); });
    case Reduce::SumSquares:
      return fold_rows(x, outer, r, inner, ld, y, [](T v) { return F::mul(v, v); },
                       [](T acc, T v) { return F::add(acc, F::mul(v, v)); });
    case Reduce::SumAbs:
      return fold_rows(x, outer, r, inner, ld, y, [](T v) { return F::abs(v); },
                       [](T acc, T v) { return F::add(acc, F::abs(v)); });
    case Reduce::Count: return;
  }
}

void reduce_strided(Reduce op, DType dt, const void* x, size_t outer, size_t r, size_t inner,
                    size_t ld, void* y) {
  with_dtype(dt, [&](auto tag) {
    using T = Elem<decltype(tag)>;
    reduce_strided_typed(op, static_cast<const T*>(x), outer, r, inner, ld, static_cast<T*>(y));
  });
}

// ---- arg max / min -------------------------------------------------------------------------

// True when v should replace best: strictly more extreme, or the first NaN. A NaN best is never
// replaced.
template <bool kMax, class T>
inline bool beats(T v, T best) {
  if (best != best) return false;
  if (v != v) return true;
  return kMax ? v > best : v < best;
}

template <bool kMax, class T>
void arg_extreme(const T* x, size_t outer, size_t r, size_t inner, int64_t* idx) {
  if (inner == 1) {
    for (size_t o = 0; o < outer; ++o) {
      const T* row = x + o * r;
      T best = row[0];
      int64_t at = 0;
      for (size_t k = 1; k < r && best == best; ++k) {
        if (beats<kMax>(row[k], best)) {
          best = row[k];
          at = static_cast<int64_t>(k);
        }
      }
      idx[o] = at;
    }
    return;
  }
  constexpr size_t kChunk = 256;
  T best[kChunk];
  for (size_t o = 0; o < outer; ++o) {
    const T* xo = x + o * r * inner;
    for (size_t c = 0; c < inner; c += kChunk) {
      const size_t m = inner - c < kChunk ? inner - c : kChunk;
      int64_t* at = idx + o * inner + c;
      for (size_t i = 0; i < m; ++i) {
        best[i] = xo[c + i];
        at[i] = 0;
      }
      for (size_t k = 1; k < r; ++k) {
        const T* row = xo + k * inner + c;
        for (size_t i = 0; i < m; ++i) {
          if (beats<kMax>(row[i], best[i])) {
            best[i] = row[i];
            at[i] = static_cast<int64_t>(k);
          }
        }
      }
    }
  }
}

void arg_reduce(ArgReduce op, DType dt, const void* x, size_t outer, size_t r, size_t inner,
                int64_t* idx) {
  with_dtype(dt, [&](auto tag) {
    using T = Elem<decltype(tag)>;
    if (op == ArgReduce::ArgMax) {
      arg_extreme<true>(static_cast<const T*>(x), outer, r, inner, idx);
    } else {
      arg_extreme<false>(static_cast<const T*>(x), outer, r, inner, idx);
    }
  });
}

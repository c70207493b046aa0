// Value conversion between dtypes, cast and fill (a fragment of kernels_impl.inl, inside the
// per-ISA namespace). Float -> int truncates toward zero and saturates, NaN -> 0; int32 -> uint8
// saturates to [0, 255]. Out-of-range float -> int conversion is undefined behaviour in C++, so
// every such path clamps first.

template <class To, class From>
inline To convert_value(From v) {
  if constexpr (std::is_same_v<To, From>) {
    return v;
  } else if constexpr (std::is_floating_point_v<To>) {
    return static_cast<To>(v);
  } else if constexpr (std::is_floating_point_v<From>) {
    constexpr double kLow = std::is_same_v<To, int32_t> ? -2147483648.0 : 0.0;
    constexpr double kHigh = std::is_same_v<To, int32_t> ? 2147483647.0 : 255.0;
    double d = static_cast<double>(v);
    if (!(d == d)) return 0;
    d = d < kLow ? kLow : d;
    d = d > kHigh ? kHigh : d;
    return static_cast<To>(d);
  } else if constexpr (std::is_same_v<To, uint8_t>) {
    return static_cast<uint8_t>(v < 0 ? 0 : (v > 255 ? 255 : v));
  } else {
    return static_cast<To>(v);
  }
}

template <class From, class To>
void cast_run(const From* x, To* y, size_t n) {
  for (size_t i = 0; i < n; ++i) y[i] = convert_value<To>(x[i]);
}

// Calls fn with a null pointer of the C++ type of dt, to turn a runtime dtype into a template
// argument.
template <class Fn>
inline void with_dtype(DType dt, Fn&& fn) {
  switch (dt) {
    case DType::Float32: fn(static_cast<float*>(nullptr)); return;
    case DType::Float64: fn(static_cast<double*>(nullptr)); return;
    case DType::Int32: fn(static_cast<int32_t*>(nullptr)); return;
    case DType::Uint8: fn(static_cast<uint8_t*>(nullptr)); return;
  }
}

template <class T>
using Elem = std::remove_pointer_t<T>;

void cast(DType from, const void* x, DType to, void* y, size_t n) {
  if (from == to) {
    static constexpr size_t kSize[kNumDTypes] = {4, 8, 4, 1};
    if (x != y) std::memmove(y, x, n * kSize[static_cast<int>(from)]);
    return;
  }
  with_dtype(from, [&](auto from_tag) {
    with_dtype(to, [&](auto to_tag) {
      cast_run(static_cast<const Elem<decltype(from_tag)>*>(x),
               static_cast<Elem<decltype(to_tag)>*>(y), n);
    });
  });
}

void fill(DType dt, void* y, double value, size_t n) {
  with_dtype(dt, [&](auto tag) {
    using T = Elem<decltype(tag)>;
    T v = convert_value<T>(value);
    T* out = static_cast<T*>(y);
    for (size_t i = 0; i < n; ++i) out[i] = v;
  });
}

#include "core/tensor/shape.h"

#include <sstream>

#include "core/runtime/error.h"

namespace ndgrad {

int64_t shape_size(const Shape& s) {
  // Saturates instead of overflowing: a user-given shape may be absurd before it is checked.
  int64_t n = 1;
  for (int64_t d : s) {
    if (__builtin_mul_overflow(n, d, &n)) return d < 0 ? INT64_MIN : INT64_MAX;
  }
  return n;
}

std::string shape_str(const Shape& s) {
  std::string out = "(";
  for (size_t i = 0; i < s.size(); ++i) {
    if (i) out += ",";
    out += std::to_string(s[i]);
  }
  if (s.size() == 1) out += ",";
  return out + ")";
}

int64_t checked_mul(int64_t a, int64_t b, const char* op) {
  int64_t out;
  if (__builtin_mul_overflow(a, b, &out)) {
    throw_range(std::string(op) + ": the size " + std::to_string(a) + " x " + std::to_string(b) + " overflows 64 bits");
  }
  return out;
}

void check_shape(const Shape& s, const char* op, const char* arg) {
  if (s.empty()) {
    throw_range(std::string(op) + ": " + arg + " () has no dimensions; ndgrad has no 0-d arrays (as MXNet's legacy " +
                "NDArray), use shape [1] for a scalar");
  }
  if (s.size() > kMaxDims) {
    throw_range(std::string(op) + ": " + arg + " has " + std::to_string(s.size()) +
                " dimensions; at most " + std::to_string(kMaxDims) + " are supported");
  }
  int64_t n = 1;
  for (int64_t d : s) {
    if (d < 0) throw_range(std::string(op) + ": " + arg + " " + shape_str(s) + " has a negative dimension");
    if (d == 0) continue;
    if (n > kMaxElements / d) {
      throw_range(std::string(op) + ": " + arg + " " + shape_str(s) + " is too large (the product of its non-zero " +
                  "dimensions exceeds 2^40)");
    }
    n *= d;
  }
}

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
  size_t nd = a.size() > b.size() ? a.size() : b.size();
  Shape out(nd);
  for (size_t i = 0; i < nd; ++i) {
    int64_t da = i < nd - a.size() ? 1 : a[i - (nd - a.size())];
    int64_t db = i < nd - b.size() ? 1 : b[i - (nd - b.size())];
    if (da == db || db == 1) out[i] = da;
    else if (da == 1) out[i] = db;
    else {
      throw_range(std::string(op) + ": operands could not be broadcast together with shapes " +
                  shape_str(a) + " " + shape_str(b));
    }
  }
  return out;
}

int normalize_axis(int64_t axis, size_t ndim, const char* op, const char* arg) {
  int64_t n = static_cast<int64_t>(ndim);
  if (axis < -n || axis >= n) {
    throw_range(std::string(op) + ": " + arg + " " + std::to_string(axis) +
                " is out of range for an array with " + std::to_string(ndim) + " dimensions");
  }
  return static_cast<int>(axis < 0 ? axis + n : axis);
}

std::vector<int64_t> contiguous_strides(const Shape& s) {
  std::vector<int64_t> st(s.size());
  int64_t acc = 1;
  for (size_t i = s.size(); i-- > 0;) {
    st[i] = acc;
    acc = checked_mul(acc, s[i], "strides");
  }
  return st;
}

namespace {

Shape infer_reshape_forward(const Shape& in, const Shape& spec, const char* op) {
  Shape out;
  size_t src = 0;
  int infer_at = -1;
  auto fail = [&](const std::string& why) {
    throw_range(std::string(op) + ": cannot reshape array of shape " + shape_str(in) + " into " +
                shape_str(spec) + ": " + why);
  };
  for (size_t i = 0; i < spec.size(); ++i) {
    int64_t c = spec[i];
    if (c > 0) {
      out.push_back(c);
      ++src;
    } else if (c == 0) {
      if (src >= in.size()) fail("0 refers to a dimension the input does not have");
      out.push_back(in[src++]);
    } else if (c == -1) {
      if (infer_at >= 0) fail("more than one -1");
      infer_at = static_cast<int>(out.size());
      out.push_back(1);
      ++src;
    } else if (c == -2) {
      while (src < in.size()) out.push_back(in[src++]);
    } else if (c == -3) {
      if (src + 1 >= in.size()) fail("-3 needs two remaining input dimensions");
      out.push_back(checked_mul(in[src], in[src + 1], op));
      src += 2;
    } else if (c == -4) {
      if (i + 2 >= spec.size() || src >= in.size()) fail("-4 needs two following values");
      int64_t d = in[src++];
      int64_t d1 = spec[i + 1], d2 = spec[i + 2];
      if (d1 == -1 && d2 > 0 && d % d2 == 0) d1 = d / d2;
      else if (d2 == -1 && d1 > 0 && d % d1 == 0) d2 = d / d1;
      int64_t prod = 0;
      if (d1 <= 0 || d2 <= 0 || __builtin_mul_overflow(d1, d2, &prod) || prod != d) {
        fail("-4 split does not match the input dimension");
      }
      out.push_back(d1);
      out.push_back(d2);
      i += 2;
    } else {
      fail("invalid code " + std::to_string(c));
    }
  }
  int64_t total = shape_size(in);
  if (infer_at >= 0) {
    int64_t known = 1;
    for (size_t i = 0; i < out.size(); ++i)
      if (static_cast<int>(i) != infer_at && __builtin_mul_overflow(known, out[i], &known)) fail("the shape is too large");
    if (known == 0 || total % known != 0) fail("the size " + std::to_string(total) + " is not divisible");
    out[infer_at] = total / known;
  }
  check_shape(out, op, "shape");
  if (shape_size(out) != total) {
    throw_range(std::string(op) + ": cannot reshape array of size " + std::to_string(total) +
                " into shape " + shape_str(out));
  }
  return out;
}

}  // namespace

Shape infer_reshape(const Shape& in, const Shape& spec, bool reverse, const char* op) {
  if (!reverse) return infer_reshape_forward(in, spec, op);
  Shape rin(in.rbegin(), in.rend()), rspec(spec.rbegin(), spec.rend());
  // -4 takes its two values after it; reversed, they precede it, so swap them back.
  for (size_t i = 0; i + 2 < rspec.size(); ++i) {
    if (rspec[i + 2] == -4) {
      std::swap(rspec[i], rspec[i + 2]);
      std::swap(rspec[i + 1], rspec[i + 2]);
      i += 2;
    }
  }
  Shape r = infer_reshape_forward(rin, rspec, op);
  return Shape(r.rbegin(), r.rend());
}

}  // namespace ndgrad

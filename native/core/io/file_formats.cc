#include "core/io/file_formats.h"

#include <cstring>
#include <unordered_set>

#include "core/runtime/error.h"

namespace ndgrad {

namespace {

// ---- MXNet NDArray list ---------------------------------------------------------------------------

constexpr uint64_t kListMagic = 0x112;
constexpr uint32_t kV1Magic = 0xf993fac8;
constexpr uint32_t kV2Magic = 0xf993fac9;
constexpr uint32_t kV3Magic = 0xf993faca;
constexpr uint64_t kMaxSafeInteger = (uint64_t{1} << 53) - 1;  // what JS callers can hold exactly
// The smallest record: a legacy one of one dimension (ndim, dim, device type and id, type flag).
constexpr size_t kMinRecordBytes = 20;

std::string hex(uint64_t v) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  do {
    out.insert(out.begin(), digits[v & 15]);
    v >>= 4;
  } while (v);
  return out;
}

// Little-endian fields of a file's bytes; a short read is MXNet's format error.
class FieldReader {
 public:
  FieldReader(const uint8_t* data, size_t size, const std::string& file) : data_(data), size_(size), file_(file) {}

  [[noreturn]] void fail(const std::string& why) const {
    throw_error("load: Invalid NDArray file format: " + file_ + ": " + why);
  }
  size_t remaining() const { return size_ - pos_; }

  size_t skip(size_t n, const std::string& what) {
    if (n > remaining()) {
      fail("the file ends inside " + what + " (byte " + std::to_string(pos_) + " of " + std::to_string(size_) + ")");
    }
    size_t at = pos_;
    pos_ += n;
    return at;
  }
  uint32_t u32(const std::string& what) { return static_cast<uint32_t>(le(skip(4, what), 4)); }
  int32_t i32(const std::string& what) { return static_cast<int32_t>(u32(what)); }
  uint64_t u64_raw(const std::string& what) { return le(skip(8, what), 8); }
  // A count or size, which must stay exact for a JS number.
  int64_t u64(const std::string& what) {
    uint64_t v = u64_raw(what);
    if (v > kMaxSafeInteger) fail(what + " is " + std::to_string(v));
    return static_cast<int64_t>(v);
  }

 private:
  uint64_t le(size_t at, int n) const {
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; --i) v = (v << 8) | data_[at + static_cast<size_t>(i)];
    return v;
  }
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  const std::string& file_;
};

// MXNet's type flags (mshadow TypeFlag): the dtypes ndgrad has, and the names of the others.
bool dtype_of_flag(int32_t flag, DType* out) {
  switch (flag) {
    case 0: *out = DType::Float32; return true;
    case 1: *out = DType::Float64; return true;
    case 3: *out = DType::Uint8; return true;
    case 4: *out = DType::Int32; return true;
    default: return false;
  }
}

std::string other_flag_name(int32_t flag) {
  switch (flag) {
    case 2: return "float16";
    case 5: return "int8";
    case 6: return "int64";
    case 7: return "bool";
    case 12: return "bfloat16";
    default: return "type flag " + std::to_string(flag);
  }
}

size_t data_bytes(const Shape& shape, DType dt, const char* fn) {
  return static_cast<size_t>(checked_mul(shape_size(shape), static_cast<int64_t>(dtype_size(dt)), fn));
}

ArrayLayout read_record(FieldReader& r, size_t index) {
  const std::string what = "array " + std::to_string(index);
  uint32_t magic = r.u32("the header of " + what);
  Shape shape;
  if (magic == kV2Magic || magic == kV1Magic) {
    if (magic == kV2Magic) {
      int32_t stype = r.i32("the storage type of " + what);
      if (stype != 0) {
        throw_type("load: " + what + " is a sparse NDArray (storage type " + std::to_string(stype) +
                   "); ndgrad reads dense arrays only");
      }
    }
    int32_t ndim = r.i32("the shape of " + what);
    if (ndim < 0 || ndim > static_cast<int32_t>(kMaxDims)) r.fail(what + " has " + std::to_string(ndim) + " dimensions");
    for (int32_t d = 0; d < ndim; ++d) shape.push_back(r.u64("the shape of " + what));
  } else if (magic == kV3Magic) {
    throw_error("load: " + what + " was saved in np shape semantics, must be loaded in the same semantics; " +
                "ndgrad reads files written with the legacy mx.nd arrays");
  } else {
    // Legacy v0 record: the first field is ndim, then uint32 dims.
    if (magic > kMaxDims) r.fail(what + " starts with an unknown magic number 0x" + hex(magic));
    for (uint32_t d = 0; d < magic; ++d) shape.push_back(r.u32("the shape of " + what));
  }
  if (shape.empty()) throw_type("load: " + what + " is an empty (none) NDArray, which ndgrad cannot represent");
  r.i32("the device type of " + what);
  r.i32("the device id of " + what);
  int32_t flag = r.i32("the dtype of " + what);
  ArrayLayout a;
  if (!dtype_of_flag(flag, &a.dtype)) {
    throw_type("load: " + what + " has dtype " + other_flag_name(flag) + "; ndgrad supports float32, float64, int32 and uint8");
  }
  check_shape(shape, "load", ("the shape of " + what).c_str());
  a.shape = shape;
  a.bytes = data_bytes(shape, a.dtype, "load");
  a.offset = r.skip(a.bytes, "the data of " + what);
  return a;
}

// ---- NumPy .npy -------------------------------------------------------------------------------------

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string trimmed(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && is_space(s[b])) ++b;
  while (e > b && is_space(s[e - 1])) --e;
  return s.substr(b, e - b);
}

// The value after `'key'`, optional spaces and a colon and optional spaces, at *pos; false when
// the header has no such key.
bool find_value(const std::string& header, const char* key, size_t* pos) {
  std::string quoted = std::string("'") + key + "'";
  for (size_t at = header.find(quoted); at != std::string::npos; at = header.find(quoted, at + 1)) {
    size_t i = at + quoted.size();
    while (i < header.size() && is_space(header[i])) ++i;
    if (i >= header.size() || header[i] != ':') continue;
    ++i;
    while (i < header.size() && is_space(header[i])) ++i;
    *pos = i;
    return true;
  }
  return false;
}

// The text of `key`'s value between `open` and `close`: 'descr': '<f4' gives <f4.
bool read_enclosed(const std::string& header, const char* key, char open, char close, std::string* out) {
  size_t i;
  if (!find_value(header, key, &i) || i >= header.size() || header[i] != open) return false;
  size_t end = header.find(close, i + 1);
  if (end == std::string::npos) return false;
  *out = header.substr(i + 1, end - i - 1);
  return true;
}

// 'fortran_order': True | False
bool read_fortran(const std::string& header, bool* out) {
  size_t i;
  if (!find_value(header, "fortran_order", &i)) return false;
  if (header.compare(i, 4, "True") == 0) *out = true;
  else if (header.compare(i, 5, "False") == 0) *out = false;
  else return false;
  return true;
}

}  // namespace

ParamsLayout parse_params(const uint8_t* data, size_t size, const std::string& file) {
  FieldReader r(data, size, file);
  uint64_t header = r.u64_raw("the file header");
  if (header != kListMagic) r.fail("the header is 0x" + hex(header) + ", not 0x112");
  r.u64("the file header");
  int64_t count = r.u64("the number of arrays");
  // Every record takes at least kMinRecordBytes, so a count the file cannot hold is refused
  // before anything is parsed or allocated.
  if (static_cast<uint64_t>(count) > r.remaining() / kMinRecordBytes) {
    r.fail(std::to_string(count) + " arrays cannot fit in the " + std::to_string(r.remaining()) + " bytes left");
  }
  ParamsLayout out;
  out.arrays.reserve(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) out.arrays.push_back(read_record(r, static_cast<size_t>(i)));
  int64_t num_names = r.u64("the number of names");
  if (num_names == 0) return out;
  if (num_names != count) r.fail(std::to_string(num_names) + " names for " + std::to_string(count) + " arrays");
  std::unordered_set<std::string> seen;
  for (int64_t i = 0; i < num_names; ++i) {
    std::string n = std::to_string(i);
    int64_t len = r.u64("the length of name " + n);
    size_t at = r.skip(static_cast<size_t>(len), "name " + n);
    std::string name(reinterpret_cast<const char*>(data + at), static_cast<size_t>(len));
    // MXNet's load into a dict fails on a repeated key too, rather than silently keeping one.
    if (!seen.insert(name).second) r.fail("the name '" + name + "' appears twice");
    out.names.push_back(std::move(name));
  }
  return out;
}

NpyLayout parse_npy(const uint8_t* data, size_t size, const std::string& file) {
  auto bad = [&](const std::string& why) -> void { throw_error("loadNpy: " + file + " is not a valid .npy file: " + why); };
  static const uint8_t kMagic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
  if (size < 10 || std::memcmp(data, kMagic, 6) != 0) bad("it does not start with \\x93NUMPY");
  int major = data[6];
  if (major < 1 || major > 3) bad("unknown format version " + std::to_string(major) + "." + std::to_string(data[7]));
  size_t len_bytes = major == 1 ? 2 : 4;
  if (size < 8 + len_bytes) bad("the header is truncated");
  size_t header_len = data[8] | (size_t{data[9]} << 8);
  if (major > 1) header_len |= (size_t{data[10]} << 16) | (size_t{data[11]} << 24);
  size_t start = 8 + len_bytes + header_len;
  if (size < start) bad("the header is truncated");
  std::string header(reinterpret_cast<const char*>(data + 8 + len_bytes), header_len);

  std::string descr, shape_field;
  NpyLayout out;
  if (!read_enclosed(header, "descr", '\'', '\'', &descr)) bad("no dtype in the header " + trimmed(header));
  if (!read_fortran(header, &out.fortran)) bad("no fortran_order in the header " + trimmed(header));
  if (!read_enclosed(header, "shape", '(', ')', &shape_field)) bad("no shape in the header " + trimmed(header));
  Shape dims;
  size_t from = 0;
  while (from <= shape_field.size()) {
    size_t comma = shape_field.find(',', from);
    if (comma == std::string::npos) comma = shape_field.size();
    std::string item = trimmed(shape_field.substr(from, comma - from));
    from = comma + 1;
    if (item.empty()) continue;
    int64_t d = 0;
    for (char c : item) {
      if (c < '0' || c > '9' || d > (kMaxElements - (c - '0')) / 10) {
        bad("the shape (" + shape_field + ") is not a tuple of integers" + (c >= '0' && c <= '9' ? " of a supported size" : ""));
      }
      d = d * 10 + (c - '0');
    }
    dims.push_back(d);
  }

  char order = descr.empty() ? '\0' : descr[0];
  std::string type = descr.empty() ? "" : descr.substr(1);
  bool known_order = order == '<' || order == '>' || order == '|' || order == '=';
  if (type == "f4") out.array.dtype = DType::Float32;
  else if (type == "f8") out.array.dtype = DType::Float64;
  else if (type == "i4") out.array.dtype = DType::Int32;
  else if (type == "u1" || type == "b1") out.array.dtype = DType::Uint8;
  else known_order = false;
  if (!known_order) {
    throw_type("loadNpy: " + file + " has dtype '" + descr + "'; ndgrad reads float32, float64, int32, uint8 and bool " +
               "(convert it in NumPy with astype first)");
  }
  out.boolean = type == "b1";
  // A 0-d array loads with shape [1]: ndgrad has no 0-d arrays.
  out.array.shape = dims.empty() ? Shape{1} : dims;
  check_shape(out.array.shape, "loadNpy", "shape");
  out.array.offset = start;
  out.array.bytes = data_bytes(out.array.shape, out.array.dtype, "loadNpy");
  if (size - start < out.array.bytes) {
    bad("the data of shape " + shape_str(out.array.shape) + " needs " + std::to_string(out.array.bytes) + " bytes, the file has " +
        std::to_string(size - start));
  }
  out.little_endian = order == '>' ? false : order == '<' ? true : __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;
  return out;
}

}  // namespace ndgrad

#include "args.h"

#include <cmath>

#include "addon.h"

namespace ndgrad::binding {

namespace {

[[noreturn]] void type_error(Napi::Env env, const std::string& msg) {
  throw Napi::TypeError::New(env, msg);
}

}  // namespace

namespace {

// A handle is a slot number (handles.h) or an External (Addon::wrap). The getters themselves reject
// values of the other types, which saves a separate type query on the per-op path; the magic number
// rejects externals that other code created.
Array* external_array(const Napi::Value& v) {
  if (v.IsEmpty()) return nullptr;
  int32_t slot;
  if (napi_get_value_int32(v.Env(), v, &slot) == napi_ok) {
    return v.Env().GetInstanceData<Addon>()->handles().get(slot);
  }
  void* data = nullptr;
  if (napi_get_value_external(v.Env(), v, &data) != napi_ok || !data) return nullptr;
  Array* a = static_cast<Array*>(data);
  return a->magic == Array::kMagic ? a : nullptr;
}

}  // namespace

Array* handle_of(const Napi::Value& v, const char* fn) {
  Array* a = external_array(v);
  if (!a) type_error(v.Env(), std::string(fn) + ": argument must be an NDArray");
  return a;
}

ArrayRef unwrap(const Napi::Value& v, const char* fn, const char* arg) {
  Array* a = external_array(v);
  if (!a) type_error(v.Env(), std::string(fn) + ": " + arg + " must be an NDArray");
  if (a->disposed) {
    throw Napi::Error::New(v.Env(), std::string(fn) + ": " + arg + " is an NDArray that was disposed");
  }
  return ArrayRef(a);
}

ArrayRef unwrap_optional(const Napi::Value& v, const char* fn, const char* arg) {
  if (v.IsUndefined() || v.IsNull()) return ArrayRef();
  return unwrap(v, fn, arg);
}

std::vector<ArrayRef> unwrap_list(const Napi::Value& v, const char* fn, const char* arg, bool allow_null) {
  if (!v.IsArray()) type_error(v.Env(), std::string(fn) + ": " + arg + " must be an array of NDArrays");
  Napi::Array list = v.As<Napi::Array>();
  std::vector<ArrayRef> out;
  out.reserve(list.Length());
  for (uint32_t i = 0; i < list.Length(); ++i) {
    Napi::Value item = list.Get(i);
    std::string name = std::string(arg) + "[" + std::to_string(i) + "]";
    out.push_back(allow_null ? unwrap_optional(item, fn, name.c_str()) : unwrap(item, fn, name.c_str()));
  }
  return out;
}

double read_number(const Napi::Value& v, const char* fn, const char* arg) {
  // One call: napi_get_value_double itself rejects anything that is not a number.
  double d;
  if (v.IsEmpty() || napi_get_value_double(v.Env(), v, &d) != napi_ok) {
    type_error(v.Env(), std::string(fn) + ": " + arg + " must be a number");
  }
  return d;
}

int64_t read_int(const Napi::Value& v, const char* fn, const char* arg) {
  double d = read_number(v, fn, arg);
  if (!std::isfinite(d) || std::floor(d) != d || std::fabs(d) > 9007199254740991.0) {
    type_error(v.Env(), std::string(fn) + ": " + arg + " must be an integer, got " + std::to_string(d));
  }
  return static_cast<int64_t>(d);
}

bool read_bool(const Napi::Value& v, const char* fn, const char* arg) {
  if (v.IsUndefined()) return false;
  if (!v.IsBoolean()) type_error(v.Env(), std::string(fn) + ": " + arg + " must be a boolean");
  return v.As<Napi::Boolean>().Value();
}

// An array of integers; with allow_null, null entries stand for "None" (kNoIndex).
std::vector<int64_t> read_int_list(const Napi::Value& v, const char* fn, const char* arg, bool allow_null) {
  if (!v.IsArray()) {
    type_error(v.Env(), std::string(fn) + ": " + arg + " must be an array of integers" + (allow_null ? " or null" : ""));
  }
  Napi::Array list = v.As<Napi::Array>();
  if (list.Length() > 1024) type_error(v.Env(), std::string(fn) + ": " + arg + " is too long");
  std::vector<int64_t> out(list.Length());
  for (uint32_t i = 0; i < list.Length(); ++i) {
    Napi::Value x = list.Get(i);
    std::string name = std::string(arg) + "[" + std::to_string(i) + "]";
    out[i] = allow_null && (x.IsNull() || x.IsUndefined()) ? kNoIndex : read_int(x, fn, name.c_str());
  }
  return out;
}


OpId read_op(const Napi::Value& v, const char* fn) {
  int64_t id = read_int(v, fn, "op id");
  if (id < 0 || id >= kNumOps) throw Napi::RangeError::New(v.Env(), std::string(fn) + ": unknown op id");
  return static_cast<OpId>(id);
}

Attrs read_attrs(const Napi::Value& v, const char* fn) {
  Attrs a;
  if (v.IsUndefined() || v.IsNull()) return a;
  if (!v.IsObject()) type_error(v.Env(), std::string(fn) + ": attributes must be an object");
  Napi::Object o = v.As<Napi::Object>();
  auto has = [&](const char* key) {
    Napi::Value x = o.Get(key);
    return !(x.IsUndefined() || x.IsNull());
  };
  if (has("scalar")) a.scalar = read_number(o.Get("scalar"), fn, "scalar");
  if (has("scalar2")) a.scalar2 = read_number(o.Get("scalar2"), fn, "scalar2");
  if (has("scalar3")) a.scalar3 = read_number(o.Get("scalar3"), fn, "scalar3");
  if (has("axes")) {
    a.axes = read_int_list(o.Get("axes"), fn, "axis");
    a.has_axes = true;
  }
  if (has("shape")) a.shape = read_int_list(o.Get("shape"), fn, "shape");
  if (has("keepdims")) a.keepdims = read_bool(o.Get("keepdims"), fn, "keepdims");
  if (has("transposeA")) a.transpose_a = read_bool(o.Get("transposeA"), fn, "transposeA");
  if (has("transposeB")) a.transpose_b = read_bool(o.Get("transposeB"), fn, "transposeB");
  if (has("reverse")) a.reverse = read_bool(o.Get("reverse"), fn, "reverse");
  if (has("literal")) a.literal_shape = read_bool(o.Get("literal"), fn, "literal");
  if (has("begin")) a.begin = read_int(o.Get("begin"), fn, "begin");
  if (has("end")) a.end = read_int(o.Get("end"), fn, "end");
  if (has("ord")) a.ord = read_int(o.Get("ord"), fn, "ord");
  if (has("depth")) a.depth = read_int(o.Get("depth"), fn, "depth");
  if (has("k")) a.k = read_int(o.Get("k"), fn, "k");
  if (has("numOutputs")) a.num_outputs = read_int(o.Get("numOutputs"), fn, "numOutputs");
  if (has("repeats")) a.repeats = read_int(o.Get("repeats"), fn, "repeats");
  if (has("retTyp")) a.ret_typ = static_cast<int>(read_int(o.Get("retTyp"), fn, "retTyp"));
  if (has("mode")) a.mode = static_cast<int>(read_int(o.Get("mode"), fn, "mode"));
  if (has("isAscend")) a.is_ascend = read_bool(o.Get("isAscend"), fn, "isAscend");
  if (has("squeezeAxis")) a.squeeze_axis = read_bool(o.Get("squeezeAxis"), fn, "squeezeAxis");
  if (has("begins")) a.begins = read_int_list(o.Get("begins"), fn, "begin", true);
  if (has("ends")) a.ends = read_int_list(o.Get("ends"), fn, "end", true);
  if (has("steps")) a.steps = read_int_list(o.Get("steps"), fn, "step", true);
  if (has("dtype")) {
    int64_t code = read_int(o.Get("dtype"), fn, "dtype");
    if (code < 0 || code >= kNumDTypes || !dtype_from_code(static_cast<int>(code), &a.dtype)) {
      type_error(v.Env(), std::string(fn) + ": unknown dtype code");
    }
  }
  return a;
}

}  // namespace ndgrad::binding

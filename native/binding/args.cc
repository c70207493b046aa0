#include "args.h"

#include <algorithm>
#include <cmath>
#include <string>

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
Array* external_array(const Napi::Value& v, const HandleTable* table = nullptr) {
  if (v.IsEmpty()) return nullptr;
  int32_t slot;
  if (napi_get_value_int32(v.Env(), v, &slot) == napi_ok) {
    return (table ? *table : v.Env().GetInstanceData<Addon>()->handles()).get(slot);
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

void throw_not_live(Napi::Env env, const Array* a, const char* fn, const char* arg) {
  if (!a) type_error(env, std::string(fn) + ": " + arg + " must be an NDArray");
  throw Napi::Error::New(env, std::string(fn) + ": " + arg + " is an NDArray that was disposed");
}

namespace {

Array* live_array(const Napi::Value& v, const char* fn, const char* arg, const HandleTable* table = nullptr) {
  Array* a = external_array(v, table);
  if (!a || a->disposed) throw_not_live(v.Env(), a, fn, arg);
  return a;
}

}  // namespace

ArrayRef unwrap(const Napi::Value& v, const char* fn, const char* arg) { return ArrayRef(live_array(v, fn, arg)); }

void BorrowedInputs::add(const HandleTable& table, const Napi::Value& v, const char* fn, const char* arg) {
  list_.push_back(ArrayRef::adopt(live_array(v, fn, arg, &table)));
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
    Array* a = external_array(item);
    if (a && !a->disposed) {
      out.emplace_back(a);
      continue;
    }
    // The name is built only here: two allocations per input were a tenth of a 2x2 sum().
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
  // Every op call reads one: a valid id takes a range check and one conversion, the errors
  // take read_int's path and messages.
  double d = read_number(v, fn, "op id");
  if (d >= 0 && d < kNumOps && static_cast<double>(static_cast<int>(d)) == d) return static_cast<OpId>(static_cast<int>(d));
  int64_t id = read_int(v, fn, "op id");
  if (id < 0 || id >= kNumOps) throw Napi::RangeError::New(v.Env(), std::string(fn) + ": unknown op id");
  return static_cast<OpId>(id);
}

OpId cell_op(Napi::Env env, int32_t id, const char* fn) {
  if (id < 0 || id >= kNumOps) throw Napi::RangeError::New(env, std::string(fn) + ": unknown op id");
  return static_cast<OpId>(id);
}

namespace {

// A BigInt as JavaScript writes it (10n), its digits cut short when long.
std::string bigint_text(napi_env env, napi_value v) {
  napi_value text;
  char buf[48];
  size_t len = 0;
  if (napi_coerce_to_string(env, v, &text) != napi_ok || napi_get_value_string_utf8(env, text, buf, sizeof buf, &len) != napi_ok) {
    return "a BigInt";
  }
  return std::string(buf, len) + (len + 1 >= sizeof buf ? "...n" : "n");
}

FieldValue field_value(napi_env env, napi_value v, bool nested) {
  FieldValue out;
  napi_valuetype type;
  napi_typeof(env, v, &type);
  switch (type) {
    case napi_undefined: return out;
    case napi_null: out.type = FieldValue::Type::Null; return out;
    case napi_boolean:
      out.type = FieldValue::Type::Bool;
      napi_get_value_bool(env, v, &out.b);
      return out;
    case napi_number:
      out.type = FieldValue::Type::Number;
      napi_get_value_double(env, v, &out.num);
      return out;
    case napi_string: {
      out.type = FieldValue::Type::String;
      size_t len = 0;
      napi_get_value_string_utf8(env, v, nullptr, 0, &len);
      out.str.resize(std::min<size_t>(len, 256));
      napi_get_value_string_utf8(env, v, out.str.data(), out.str.size() + 1, &len);
      out.str.resize(len);
      return out;
    }
    case napi_object: {
      bool is_array = false;
      napi_is_array(env, v, &is_array);
      if (is_array && !nested) {
        out.type = FieldValue::Type::List;
        uint32_t n = 0;
        napi_get_array_length(env, v, &n);
        // Longer lists are rejected by the field reader; only their length matters then.
        out.items.resize(std::min<uint32_t>(n, 1025));
        for (uint32_t i = 0; i < out.items.size(); ++i) {
          napi_value item;
          napi_get_element(env, v, i, &item);
          out.items[i] = field_value(env, item, true);
        }
        return out;
      }
      out.type = FieldValue::Type::Other;
      out.str = is_array ? "an Array" : "an object";
      return out;
    }
    default:
      out.type = FieldValue::Type::Other;
      out.str = type == napi_function ? "a function" : type == napi_bigint ? bigint_text(env, v) : "a symbol";
      return out;
  }
}

std::string key_string(napi_env env, napi_value key) {
  size_t len = 0;
  napi_get_value_string_utf8(env, key, nullptr, 0, &len);
  std::string s(std::min<size_t>(len, 256), '\0');
  napi_get_value_string_utf8(env, key, s.data(), s.size() + 1, &len);
  s.resize(len);
  return s;
}

}  // namespace

const void* read_params(const Napi::Value& v, const OpDef& def, ParamBlock& storage) {
  if (v.IsUndefined() || v.IsNull()) {
    // Even without options a required field is an error (zeros() with no shape).
    for (const FieldDef& f : def.params)
      if (f.required) check_required(def.name, def.params, std::vector<bool>(def.params.size, false));
    return def.defaults.get();
  }
  napi_env env = v.Env();
  napi_valuetype type;
  napi_typeof(env, v, &type);
  bool is_array = false;
  napi_is_array(env, v, &is_array);
  if (type != napi_object || is_array) {
    FieldValue fv = field_value(env, v, true);
    type_error(v.Env(), std::string(def.name) + ": options must be an object, got " + value_text(fv));
  }
  napi_value names;
  napi_get_all_property_names(env, v, napi_key_own_only,
                              static_cast<napi_key_filter>(napi_key_enumerable | napi_key_skip_symbols),
                              napi_key_numbers_to_strings, &names);
  uint32_t n = 0;
  napi_get_array_length(env, names, &n);
  storage = def.defaults;
  std::vector<bool> given(def.params.size, false);
  for (uint32_t i = 0; i < n; ++i) {
    napi_value key;
    napi_get_element(env, names, i, &key);
    std::string name = key_string(env, key);
    const FieldDef* f = find_field(def.params, name.data(), name.size());
    if (!f) {
      // lib/core/dispatch.ts takes `out` off the options and passes it as invoke's own argument.
      if (name == "out") type_error(v.Env(), std::string(def.name) + ": out is invoke's own argument, not an option");
      throw_unknown_option(def.name, def.params, name);
    }
    napi_value value;
    napi_get_property(env, v, key, &value);
    FieldValue fv = field_value(env, value, false);
    bool present = fv.type != FieldValue::Type::Undefined && (fv.type != FieldValue::Type::Null || f->nullable);
    if (present) given[static_cast<size_t>(f - def.params.begin())] = true;
    assign_field(def.name, *f, fv, storage.get());
  }
  check_required(def.name, def.params, given);
  return storage.get();
}

}  // namespace ndgrad::binding

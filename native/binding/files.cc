// Files: the byte layout of .params and .npy files (the parsing is core/io/file_formats).
#include "addon.h"

#include <string>

#include "core/io/file_formats.h"
#include "guarded.h"
#include "values.h"

namespace ndgrad::binding {

namespace {

Napi::Object layout_value(Napi::Env env, const ArrayLayout& a) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("shape", shape_value(env, a.shape));
  o.Set("dtype", static_cast<double>(static_cast<int>(a.dtype)));
  o.Set("offset", static_cast<double>(a.offset));
  o.Set("bytes", static_cast<double>(a.bytes));
  return o;
}

}  // namespace

Napi::Value Addon::ParseFile(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    if (!info[0].IsTypedArray()) throw Napi::TypeError::New(env, "parseFile: bytes must be a Uint8Array");
    Napi::Uint8Array bytes = info[0].As<Napi::Uint8Array>();
    std::string kind = info[1].As<Napi::String>().Utf8Value();
    std::string file = info[2].As<Napi::String>().Utf8Value();
    if (kind == "npy") {
      NpyLayout l = parse_npy(bytes.Data(), bytes.ElementLength(), file);
      Napi::Object o = layout_value(env, l.array);
      o.Set("littleEndian", l.little_endian);
      o.Set("fortran", l.fortran);
      o.Set("boolean", l.boolean);
      return o;
    }
    ParamsLayout l = parse_params(bytes.Data(), bytes.ElementLength(), file);
    Napi::Array arrays = Napi::Array::New(env, l.arrays.size());
    for (size_t i = 0; i < l.arrays.size(); ++i) arrays.Set(static_cast<uint32_t>(i), layout_value(env, l.arrays[i]));
    Napi::Array names = Napi::Array::New(env, l.names.size());
    for (size_t i = 0; i < l.names.size(); ++i) names.Set(static_cast<uint32_t>(i), Napi::String::New(env, l.names[i]));
    Napi::Object o = Napi::Object::New(env);
    o.Set("arrays", arrays);
    o.Set("names", names);
    return o;
  });
}

}  // namespace ndgrad::binding

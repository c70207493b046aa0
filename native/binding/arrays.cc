// Arrays: creation from typed arrays, copies and views of their data, shape and dtype, set(),
// and the size limit.
#include "addon.h"

#include <cstring>
#include <string>

#include "args.h"
#include "core/autograd/autograd.h"
#include "guarded.h"
#include "values.h"

namespace ndgrad::binding {

namespace {

DType dtype_of_typed(napi_typedarray_type t, bool* ok) {
  *ok = true;
  switch (t) {
    case napi_float32_array: return DType::Float32;
    case napi_float64_array: return DType::Float64;
    case napi_int32_array: return DType::Int32;
    case napi_uint8_array: return DType::Uint8;
    default: *ok = false; return DType::Float32;
  }
}

// The most elements V8 (Node 20) lets one typed array have; more aborts the process.
constexpr size_t kMaxTypedLength = (size_t{1} << 32) - 1;

void check_typed_length(size_t n, const char* fn) {
  if (n > kMaxTypedLength) {
    throw ndgrad::Error(ErrorKind::RangeError, std::string(fn) + ": the array has " + std::to_string(n) +
                                                   " elements, more than a JS typed array can hold (2^32 - 1)");
  }
}

// Node creates external ArrayBuffers through its Buffer code, which refuses more than 2^32 bytes
// (Node 20) and then frees the memory it was given, so a larger one must not be asked for.
constexpr size_t kMaxExternalBytes = size_t{1} << 32;

Napi::Value typed_array_over(Napi::Env env, Napi::ArrayBuffer buf, DType dt, size_t n) {
  switch (dt) {
    case DType::Float64: return Napi::Float64Array::New(env, n, buf, 0);
    case DType::Int32: return Napi::Int32Array::New(env, n, buf, 0);
    case DType::Uint8: return Napi::Uint8Array::New(env, n, buf, 0);
    case DType::Float32: break;
  }
  return Napi::Float32Array::New(env, n, buf, 0);
}
}  // namespace

Napi::ArrayBuffer Addon::new_array_buffer(Napi::Env env, size_t bytes, const char* fn) {
  // V8's C++ ArrayBuffer::New aborts the process when it cannot allocate the memory; the JS
  // constructor throws a RangeError instead.
  try {
    return array_buffer_ctor_.New({Napi::Number::New(env, static_cast<double>(bytes))}).As<Napi::ArrayBuffer>();
  } catch (const Napi::Error& e) {
    throw Napi::RangeError::New(env, std::string(fn) + ": cannot allocate " + std::to_string(bytes) +
                                         " bytes for a copy of the array (" + e.Message() + ")");
  }
}

Napi::Value Addon::FromTyped(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    if (!info[0].IsTypedArray()) throw Napi::TypeError::New(env, "array: data must be a TypedArray");
    Napi::TypedArray src = info[0].As<Napi::TypedArray>();
    bool ok = false;
    ndgrad::DType src_dt = dtype_of_typed(src.TypedArrayType(), &ok);
    if (!ok) throw Napi::TypeError::New(env, "array: data must be a Float32Array, Float64Array, Int32Array or Uint8Array");
    ndgrad::Shape shape = read_int_list(info[1], "array", "shape");
    check_shape(shape, "array", "shape");
    int64_t code = read_int(info[2], "array", "dtype code");
    ndgrad::DType dtype;
    if (!dtype_from_code(static_cast<int>(code), &dtype)) throw Napi::RangeError::New(env, "array: unknown dtype code");
    if (shape_size(shape) != static_cast<int64_t>(src.ElementLength())) {
      throw Napi::RangeError::New(env, "array: shape " + shape_str(shape) + " does not match " +
                                           std::to_string(src.ElementLength()) + " elements of data");
    }
    Tensor t;
    try {
      t = core.empty(shape, dtype);
    } catch (const std::bad_alloc& e) {
      throw ndgrad::Error(ErrorKind::RangeError, "array: shape " + shape_str(shape) + " (" + dtype_name(dtype) + "): " + e.what());
    }
    if (t.size() == 0) return wrap(env, make_array(std::move(t)));  // an empty view may have no buffer
    const char* bytes = static_cast<const char*>(src.ArrayBuffer().Data()) + src.ByteOffset();
    if (src_dt == dtype) {
      std::memcpy(t.raw(), bytes, t.nbytes());
    } else {
      core.k->cast(src_dt, bytes, dtype, t.raw(), static_cast<size_t>(t.size()));
    }
    return wrap(env, make_array(std::move(t)));
  });
}

Napi::Value Addon::ToTyped(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    ArrayRef a = unwrap(info[0], "toTypedArray", "array");
    size_t n = static_cast<size_t>(a->t.size());
    check_typed_length(n, "toTypedArray");
    size_t bytes = a->t.nbytes();
    Napi::ArrayBuffer buf = new_array_buffer(env, bytes, "toTypedArray");
    if (n) std::memcpy(buf.Data(), a->t.raw(), bytes);
    return typed_array_over(env, buf, a->t.dtype, n);
  });
}

Napi::Value Addon::DataView(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    ArrayRef a = unwrap(info[0], "dataView", "array");
    size_t n = static_cast<size_t>(a->t.size());
    check_typed_length(n, "dataView");
    if (a->t.nbytes() > kMaxExternalBytes) {
      throw ndgrad::Error(ErrorKind::RangeError, "dataView: the array has " + std::to_string(a->t.nbytes()) +
                                                     " bytes, more than Node can wrap without a copy (2^32); use toTypedArray");
    }
    auto* keep = new Ref<Storage>(a->t.storage);
    Napi::ArrayBuffer buf = Napi::ArrayBuffer::New(
        env, a->t.raw(), a->t.nbytes(), [](Napi::BasicEnv, void*, Ref<Storage>* s) { delete s; }, keep);
    return typed_array_over(env, buf, a->t.dtype, n);
  });
}

Napi::Value Addon::Shape(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    return shape_value(info.Env(), handle_of(info[0], "shape")->t.shape);
  });
}

Napi::Value Addon::DType(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    return Napi::Number::New(info.Env(), static_cast<int>(handle_of(info[0], "dtype")->t.dtype));
  });
}

Napi::Value Addon::Assign(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    assign(core, unwrap(info[0], "set", "target"), unwrap(info[1], "set", "value"));
    flush_memory(info.Env());
    return info.Env().Undefined();
  });
}

Napi::Value Addon::AssignScalar(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    assign_scalar(core, unwrap(info[0], "set", "target"), read_number(info[1], "set", "value"));
    return info.Env().Undefined();
  });
}

Napi::Value Addon::SameStorage(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    ArrayRef a = unwrap(info[0], "sameStorage", "a");
    ArrayRef b = unwrap(info[1], "sameStorage", "b");
    return Napi::Boolean::New(info.Env(), a->t.storage == b->t.storage);
  });
}

Napi::Value Addon::SetMaxArrayBytes(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    size_t prev = core.storage_pool->max_bytes();
    if (!info[0].IsUndefined()) {
      int64_t bytes = read_int(info[0], "setLimits", "maxArrayBytes");
      if (bytes < 0) throw Napi::RangeError::New(info.Env(), "setLimits: maxArrayBytes must be positive, got " + std::to_string(bytes));
      core.storage_pool->set_max_bytes(static_cast<size_t>(bytes));
    }
    return Napi::Number::New(info.Env(), static_cast<double>(prev));
  });
}

Napi::Value Addon::CheckArray(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    std::string fn = info[2].IsString() ? info[2].As<Napi::String>().Utf8Value() : "array";
    ndgrad::Shape shape = read_int_list(info[0], fn.c_str(), "shape");
    check_shape(shape, fn.c_str(), "shape");
    ndgrad::DType dtype;
    if (!dtype_from_code(static_cast<int>(read_int(info[1], fn.c_str(), "dtype code")), &dtype)) {
      throw Napi::RangeError::New(info.Env(), fn + ": unknown dtype code");
    }
    size_t bytes = static_cast<size_t>(shape_size(shape)) * dtype_size(dtype);
    if (bytes > core.storage_pool->max_bytes()) {
      throw ndgrad::Error(ErrorKind::RangeError, fn + ": output of shape " + shape_str(shape) + " (" + dtype_name(dtype) +
                                                     "): " + AllocError(bytes, core.storage_pool->max_bytes(), true).what());
    }
    return info.Env().Undefined();
  });
}

}  // namespace ndgrad::binding

#include "addon.h"

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "args.h"
#include "core/autograd/autograd.h"
#include "core/drivers/elementwise.h"
#include "core/runtime/error.h"
#include "core/io/file_formats.h"
#include "core/ops/ops.h"

namespace ndgrad::binding {

namespace {

// Runs a method body and turns every error into the matching JS error object, which it returns
// instead of throwing: lib/native.ts throws it. An addon must not throw here, because Node
// (20.x) runs this module's GC-time finalizers inside its own rethrow of an addon's exception,
// and a finalizer that finds that exception still pending aborts the process.
template <class F>
Napi::Value guarded(const Napi::CallbackInfo& info, F&& body) {
  Napi::Env env = info.Env();
  try {
    return body();
  } catch (const ndgrad::Error& e) {
    switch (e.kind) {
      case ErrorKind::TypeError: return Napi::TypeError::New(env, e.what()).Value();
      case ErrorKind::RangeError: return Napi::RangeError::New(env, e.what()).Value();
      default: return Napi::Error::New(env, e.what()).Value();
    }
  } catch (const AllocError& e) {
    return Napi::RangeError::New(env, std::string("ndgrad: ") + e.what()).Value();
  } catch (const std::bad_alloc&) {
    return Napi::RangeError::New(env, "ndgrad: out of memory").Value();
  } catch (const Napi::Error& e) {
    return e.Value();
  }
}

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

Napi::Value shape_value(Napi::Env env, const Shape& s) {
  Napi::Array out = Napi::Array::New(env, s.size());
  for (size_t i = 0; i < s.size(); ++i) out.Set(static_cast<uint32_t>(i), Napi::Number::New(env, static_cast<double>(s[i])));
  return out;
}

GradReq read_grad_req(const Napi::Value& v, const char* fn) {
  int64_t r = read_int(v, fn, "gradReq");
  if (r == 0) return GradReq::Null;
  if (r == 1) return GradReq::Write;
  if (r == 3) return GradReq::Add;
  throw Napi::RangeError::New(v.Env(), std::string(fn) + ": gradReq must be 'write', 'add' or 'null'");
}

}  // namespace

Addon::Addon(Napi::Env env, Napi::Object exports) {
  DefineAddon(exports, {
      InstanceMethod("opInfo", &Addon::OpInfo),
      InstanceMethod("opSchema", &Addon::OpSchema),
      InstanceMethod("invoke", &Addon::Invoke),
      InstanceMethod("unary", &Addon::Unary),
      InstanceMethod("binary", &Addon::Binary),
      InstanceMethod("scalar", &Addon::Scalar),
      InstanceMethod("fromTyped", &Addon::FromTyped),
      InstanceMethod("toTyped", &Addon::ToTyped),
      InstanceMethod("dataView", &Addon::DataView),
      InstanceMethod("shape", &Addon::Shape),
      InstanceMethod("dtype", &Addon::DType),
      InstanceMethod("dispose", &Addon::Dispose),
      InstanceMethod("isDisposed", &Addon::IsDisposed),
      InstanceMethod("memory", &Addon::Memory),
      InstanceMethod("reportedMemory", &Addon::ReportedMemory),
      InstanceMethod("seed", &Addon::Seed),
      InstanceMethod("isa", &Addon::Isa),
      InstanceMethod("numThreads", &Addon::NumThreads),
      InstanceMethod("setRecording", &Addon::SetRecording),
      InstanceMethod("setTraining", &Addon::SetTraining),
      InstanceMethod("isRecording", &Addon::IsRecording),
      InstanceMethod("isTraining", &Addon::IsTraining),
      InstanceMethod("markVariables", &Addon::MarkVariables),
      InstanceMethod("grad", &Addon::Grad),
      InstanceMethod("inGraph", &Addon::InGraph),
      InstanceMethod("backward", &Addon::Backward),
      InstanceMethod("detach", &Addon::Detach),
      InstanceMethod("assign", &Addon::Assign),
      InstanceMethod("assignScalar", &Addon::AssignScalar),
      InstanceMethod("inplace", &Addon::Inplace),
      InstanceMethod("inplaceScalar", &Addon::InplaceScalar),
      InstanceMethod("sameStorage", &Addon::SameStorage),
      InstanceMethod("setCustomBackward", &Addon::SetCustomBackward),
      InstanceMethod("recordCustom", &Addon::RecordCustom),
      InstanceMethod("setMaxArrayBytes", &Addon::SetMaxArrayBytes),
      InstanceMethod("checkArray", &Addon::CheckArray),
      InstanceMethod("parseFile", &Addon::ParseFile),
  });
  array_buffer_ctor_ = Napi::Persistent(env.Global().Get("ArrayBuffer").As<Napi::Function>());
  napi_env raw_env = env;
  core.custom_backward = [this, raw_env](const Node& node, const std::vector<ArrayRef>& out_grads) {
    Napi::Env e(raw_env);
    if (custom_dispatcher_.IsEmpty()) throw ndgrad::Error(ErrorKind::Error, "backward: autograd.Function support is not initialised");
    napi_value fn_object;
    napi_get_reference_value(raw_env, static_cast<napi_ref>(node.custom()), &fn_object);
    Napi::Array grads = Napi::Array::New(e, out_grads.size());
    for (size_t i = 0; i < out_grads.size(); ++i) grads.Set(static_cast<uint32_t>(i), wrap(e, out_grads[i]));
    Napi::Value result = custom_dispatcher_.Call({Napi::Value(e, fn_object), grads});
    return unwrap_list(result, "Function.backward", "gradients", true);
  };
}

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

Addon::~Addon() { handles_->orphan(); }

void Addon::flush_memory(Napi::Env env) { report_external(env, *core.stats); }

Napi::Value Addon::wrap(Napi::Env env, ArrayRef a) {
  handles_->release_dead(2);  // the lazily released arrays of handles.h also drain without own()
  flush_memory(env);
  // A basic finalizer: it touches no JS, so Node runs it during GC itself (the module is built
  // with the experimental Node-API version) instead of deferring it to the event loop; a
  // synchronous training loop therefore frees native memory as it goes.
  napi_value result;
  Array* raw = a.leak();
  napi_status status = napi_create_external(
      env, raw,
      [](node_api_basic_env e, void* data, void* table) {
        static_cast<HandleTable*>(table)->release_external(e, static_cast<Array*>(data));
      },
      handles_, &result);
  if (status != napi_ok) {
    ArrayRef::adopt(raw);
    throw Napi::Error::New(env, "ndgrad: could not create an array handle");
  }
  handles_->add_external();
  return Napi::Value(env, result);
}

Napi::Value Addon::own(const Napi::Value& owner, ArrayRef a) {
  napi_env env = owner.Env();
  napi_valuetype type;
  if (napi_typeof(env, owner, &type) != napi_ok || type != napi_object) return wrap(owner.Env(), std::move(a));
  flush_memory(owner.Env());
  handles_->reserve_dead();
  bool heavy = a->t.storage && a->t.storage->bytes() >= kWeighBytes;  // small ops skip weigh()
  void* cookie;
  int32_t h = handles_->add(std::move(a), &cookie);
  napi_status status = napi_add_finalizer(
      env, owner, cookie,
      [](node_api_basic_env e, void* data, void* table) { static_cast<HandleTable*>(table)->release(e, data); },
      handles_, nullptr);
  if (status != napi_ok) {
    handles_->release(env, cookie);
    handles_->release_dead();
    throw Napi::Error::New(env, "ndgrad: could not create an array handle");
  }
  if (heavy) weigh(env, owner, h);
  napi_value result;
  napi_create_int32(env, h, &result);
  return Napi::Value(env, result);
}

// A large result left to the collector should be found dead by the next cheap collection, so
// that its block is what the next result of its size reuses, still in cache. V8 starts a
// young-generation collection (a scavenge, tens of microseconds) when the ArrayBuffers that
// young objects hold pass 32 MiB and an ArrayBuffer is allocated; external memory reported
// through napi_adjust_external_memory only ever starts mark-compact collections of the whole
// heap, and only every 64 MiB. So the owner of a fresh large result gets a hidden ArrayBuffer
// over its storage (no copy, no finalizer: the storage stays the array's), which V8 then counts
// as young external memory, and a 1-byte ArrayBuffer asks V8 to look at that count. While the
// owner lives V8 counts those bytes itself, so they leave this instance's own report and come
// back to it when the owner dies (HandleTable::set_weight): what V8 counts stays what is live.
// Where the runtime refuses external ArrayBuffers, results are reported the plain way, and so are
// results above 16 MiB: a dead owner's ArrayBuffer leaves V8's count only when V8 has swept it,
// after this instance has taken the bytes back into its own report, and two such counts of one
// 64 MiB block put V8 over its external limit, a mark-compact collection on every call even
// when results are disposed.
void Addon::weigh(napi_env env, napi_value owner, int32_t h) {
  const Array* a = handles_->get(h);
  const Storage* s = a ? a->t.storage.get() : nullptr;
  if (!s || s->bytes() < kWeighBytes || s->bytes() > kWeighMaxBytes || s->ref_count() != 1) return;  // fresh only
  size_t pages = s->bytes() / HandleTable::kWeightPage;
  int64_t bytes = static_cast<int64_t>(pages) * HandleTable::kWeightPage;
  // The bytes leave this instance's report before V8 counts them again through the ArrayBuffer:
  // counted twice for a moment, a 40 MB result would push V8 over its external-memory limit and
  // into a mark-compact collection on every call.
  MemoryStats& stats = *core.stats;
  stats.pending_external.fetch_sub(bytes, std::memory_order_relaxed);
  report_all(env, stats);
  napi_value weight;
  napi_property_descriptor prop{"_weight", nullptr, nullptr, nullptr, nullptr, nullptr, napi_default, nullptr};
  if (napi_create_external_arraybuffer(env, s->data(), static_cast<size_t>(bytes), nullptr, nullptr, &weight) != napi_ok ||
      (prop.value = weight, napi_define_properties(env, owner, 1, &prop) != napi_ok)) {
    stats.pending_external.fetch_add(bytes, std::memory_order_relaxed);  // reported the plain way
    return;
  }
  handles_->set_weight(h, static_cast<uint32_t>(pages));
  stats.weighed_external.fetch_add(bytes, std::memory_order_relaxed);
  void* data;
  napi_value poke;
  napi_create_arraybuffer(env, 1, &data, &poke);
}

// dispose(): the weight's ArrayBuffer must not outlive the storage it spans (reachable through
// the owner's hidden property, it would read freed memory), so it is detached, and V8 stops
// counting its bytes.
void Addon::unweigh(const Napi::Value& handle, const Napi::Value& owner) {
  int32_t h;
  if (napi_get_value_int32(handle.Env(), handle, &h) != napi_ok || !handles_->weighed(h) || !owner.IsObject()) return;
  napi_env env = owner.Env();
  napi_value weight;
  bool is_buffer = false;
  if (napi_get_named_property(env, owner, "_weight", &weight) != napi_ok ||
      napi_is_arraybuffer(env, weight, &is_buffer) != napi_ok || !is_buffer ||
      napi_detach_arraybuffer(env, weight) != napi_ok) {
    return;
  }
  handles_->drop_weight(h);
}

Napi::Value Addon::OpInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const auto& reg = registry();
  Napi::Array out = Napi::Array::New(env, reg.size());
  for (size_t i = 0; i < reg.size(); ++i) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", reg[i].name);
    o.Set("numInputs", reg[i].num_inputs);
    o.Set("flags", static_cast<double>(reg[i].flags));
    o.Set("domain", static_cast<double>(reg[i].domain));
    out.Set(static_cast<uint32_t>(i), o);
  }
  return out;
}

namespace {

// A field's default as a JS value (undefined for required and ignored fields).
Napi::Value default_value(Napi::Env env, const FieldDef& f, const ParamBlock& defaults) {
  if (f.required || f.kind == FieldKind::Ignored) return env.Undefined();
  void* p = f.slot(const_cast<void*>(defaults.get()));
  auto list = [&](const auto& v) {
    Napi::Array a = Napi::Array::New(env, v.size());
    for (size_t i = 0; i < v.size(); ++i) a.Set(static_cast<uint32_t>(i), static_cast<double>(v[i]));
    return a;
  };
  switch (f.kind) {
    case FieldKind::Bool: return Napi::Boolean::New(env, *static_cast<bool*>(p));
    case FieldKind::Int: return Napi::Number::New(env, static_cast<double>(*static_cast<int64_t*>(p)));
    case FieldKind::Float: return Napi::Number::New(env, *static_cast<double*>(p));
    case FieldKind::Enum: return Napi::String::New(env, field_choices(f)[static_cast<size_t>(*static_cast<int*>(p))]);
    case FieldKind::DType:
      if (f.given && !f.has_def) return env.Null();
      return Napi::String::New(env, dtype_name(*static_cast<ndgrad::DType*>(p)));
    case FieldKind::Shape: return list(*static_cast<ndgrad::Shape*>(p));
    case FieldKind::Axis:
      if (!f.has_def) return env.Null();
      return Napi::Number::New(env, f.def);
    case FieldKind::Axes:
      if (!f.has_def) return env.Null();
      return list(*static_cast<std::vector<int64_t>*>(p));
    case FieldKind::IntList:
    case FieldKind::IndexList: return list(*static_cast<std::vector<int64_t>*>(p));
    case FieldKind::FloatList: return list(*static_cast<std::vector<double>*>(p));
    case FieldKind::Ignored: break;
  }
  return env.Undefined();
}

Napi::Array string_list(Napi::Env env, const std::vector<std::string>& words) {
  Napi::Array a = Napi::Array::New(env, words.size());
  for (size_t i = 0; i < words.size(); ++i) a.Set(static_cast<uint32_t>(i), words[i]);
  return a;
}

}  // namespace

Napi::Value Addon::OpSchema(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const auto& reg = registry();
  Napi::Array out = Napi::Array::New(env, reg.size());
  for (size_t i = 0; i < reg.size(); ++i) {
    const OpDef& d = reg[i];
    Napi::Array fields = Napi::Array::New(env, d.params.size);
    for (size_t k = 0; k < d.params.size; ++k) {
      const FieldDef& f = d.params.fields[k];
      Napi::Object o = Napi::Object::New(env);
      o.Set("name", f.name);
      o.Set("aliases", string_list(env, field_aliases(f)));
      o.Set("type", field_kind_name(f.kind));
      o.Set("default", default_value(env, f, d.defaults));
      o.Set("required", f.required);
      o.Set("nullable", f.nullable);
      if (std::isfinite(f.lo)) o.Set("min", f.lo);
      if (std::isfinite(f.hi)) o.Set("max", f.hi);
      o.Set("minExclusive", f.lo_open);
      o.Set("maxExclusive", f.hi_open);
      o.Set("choices", string_list(env, field_choices(f)));
      o.Set("description", f.desc);
      fields.Set(static_cast<uint32_t>(k), o);
    }
    Napi::Object op = Napi::Object::New(env);
    op.Set("name", d.name);
    op.Set("fields", fields);
    out.Set(static_cast<uint32_t>(i), op);
  }
  return out;
}

Napi::Value Addon::Invoke(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    OpId id = read_op(info[0], "invoke");
    const char* name = op_def(id).name;
    std::vector<ArrayRef> inputs = unwrap_list(info[1], name, "input", false);
    ParamBlock storage;
    const void* params = read_params(info[2], op_def(id), storage);
    ArrayList outs = invoke_params(core, id, ArrayList(inputs.begin(), inputs.end()), params);
    if (outs.size() == 1) return info[3].IsObject() ? own(info[3], std::move(outs[0])) : wrap(info.Env(), std::move(outs[0]));
    Napi::Array list = Napi::Array::New(info.Env(), outs.size());
    for (size_t i = 0; i < outs.size(); ++i) list.Set(static_cast<uint32_t>(i), wrap(info.Env(), std::move(outs[i])));
    return list;
  });
}

Napi::Value Addon::Unary(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    OpId id = read_op(info[0], "unary");
    ArrayRef x = unwrap(info[1], op_def(id).name, "x");
    return own(info[2], invoke1(core, id, {x}));
  });
}

Napi::Value Addon::Binary(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    OpId id = read_op(info[0], "binary");
    const char* name = op_def(id).name;
    ArrayRef a = unwrap(info[1], name, "lhs");
    ArrayRef b = unwrap(info[2], name, "rhs");
    return own(info[3], invoke1(core, id, {a, b}));
  });
}

Napi::Value Addon::Scalar(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    OpId id = read_op(info[0], "scalar");
    const char* name = op_def(id).name;
    ArrayRef a = unwrap(info[1], name, "lhs");
    ScalarParams p{read_number(info[2], name, "scalar")};
    return own(info[3], invoke1(core, id, {a}, p));
  });
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

Napi::Value Addon::Dispose(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    Array* a = handle_of(info[0], "dispose");
    if (!a->disposed) {
      a->disposed = true;
      unweigh(info[0], info[1]);
      a->t.storage.reset();
      a->ag = AGEntry{};
    }
    flush_memory(info.Env());
    return info.Env().Undefined();
  });
}

Napi::Value Addon::IsDisposed(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    return Napi::Boolean::New(info.Env(), handle_of(info[0], "isDisposed")->disposed);
  });
}

Napi::Value Addon::Memory(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  handles_->release_dead();
  flush_memory(env);
  Napi::Object o = Napi::Object::New(env);
  o.Set("numArrays", static_cast<double>(core.stats->live_buffers.load()));
  o.Set("numBytes", static_cast<double>(core.stats->live_bytes.load()));
  return o;
}

Napi::Value Addon::ReportedMemory(const Napi::CallbackInfo& info) {
  const MemoryStats& s = *core.stats;
  return Napi::Number::New(info.Env(), static_cast<double>(s.reported_external.load() + s.weighed_external.load()));
}

Napi::Value Addon::Seed(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    int64_t s = read_int(info[0], "random.seed", "seed");
    core.rng.seed_with(static_cast<uint64_t>(s));
    return info.Env().Undefined();
  });
}

Napi::Value Addon::Isa(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), kernels::isa_name(core.isa));
}

Napi::Value Addon::NumThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(core.thread_pool().num_threads()));
}

Napi::Value Addon::SetRecording(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    bool prev = core.recording;
    core.recording = read_bool(info[0], "setRecording", "isRecording");
    return Napi::Boolean::New(info.Env(), prev);
  });
}

Napi::Value Addon::SetTraining(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    bool prev = core.training;
    core.training = read_bool(info[0], "setTraining", "trainMode");
    return Napi::Boolean::New(info.Env(), prev);
  });
}

Napi::Value Addon::IsRecording(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), core.recording);
}

Napi::Value Addon::IsTraining(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), core.training);
}

Napi::Value Addon::MarkVariables(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    std::vector<ArrayRef> vars = unwrap_list(info[0], "markVariables", "variables", false);
    std::vector<ArrayRef> grads = unwrap_list(info[1], "markVariables", "gradients", false);
    if (!info[2].IsArray()) throw Napi::TypeError::New(info.Env(), "markVariables: gradReqs must be an array");
    Napi::Array reqs = info[2].As<Napi::Array>();
    if (grads.size() != vars.size() || reqs.Length() != vars.size()) {
      throw Napi::RangeError::New(info.Env(), "markVariables: variables, gradients and gradReqs must have the same length");
    }
    for (size_t i = 0; i < vars.size(); ++i) {
      if (grads[i]->t.shape != vars[i]->t.shape || grads[i]->t.dtype != vars[i]->t.dtype) {
        throw Napi::RangeError::New(info.Env(), "markVariables: gradient " + std::to_string(i) + " " +
                                                    shape_str(grads[i]->t.shape) + " does not match its variable " +
                                                    shape_str(vars[i]->t.shape) + " in shape and dtype");
      }
      mark_variable(core, vars[i], grads[i], read_grad_req(reqs.Get(static_cast<uint32_t>(i)), "markVariables"));
    }
    return info.Env().Undefined();
  });
}

Napi::Value Addon::Grad(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    ArrayRef a = unwrap(info[0], "grad", "array");
    const AGEntry& e = a->ag;
    if (!e.node || !e.node->is_variable() || !e.node->grad()) return info.Env().Null();
    return wrap(info.Env(), e.node->grad());
  });
}

Napi::Value Addon::InGraph(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    ArrayRef a = unwrap(info[0], "inGraph", "array");
    return Napi::Boolean::New(info.Env(), a->ag.live());
  });
}

Napi::Value Addon::Backward(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    std::vector<ArrayRef> heads = unwrap_list(info[0], "backward", "heads", false);
    std::vector<ArrayRef> head_grads = unwrap_list(info[1], "backward", "headGrads", true);
    std::vector<ArrayRef> vars = unwrap_list(info[2], "grad", "variables", false);
    BackwardOptions opt;
    opt.retain_graph = read_bool(info[3], "backward", "retainGraph");
    opt.create_graph = read_bool(info[4], "backward", "createGraph");
    opt.train_mode = info[5].IsUndefined() ? true : read_bool(info[5], "backward", "trainMode");
    std::vector<ArrayRef> grads = backward(core, heads, head_grads, vars, opt);
    Napi::Array out = Napi::Array::New(info.Env(), grads.size());
    for (size_t i = 0; i < grads.size(); ++i) out.Set(static_cast<uint32_t>(i), wrap(info.Env(), grads[i]));
    flush_memory(info.Env());
    return out;
  });
}

Napi::Value Addon::Detach(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    return wrap(info.Env(), detach(unwrap(info[0], "detach", "array")));
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

Napi::Value Addon::Inplace(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    OpId id = read_op(info[0], "inplace");
    const char* name = op_def(id).name;
    inplace_binary(core, id, unwrap(info[1], name, "target"), unwrap(info[2], name, "value"));
    return info.Env().Undefined();
  });
}

Napi::Value Addon::InplaceScalar(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    OpId id = read_op(info[0], "inplace");
    const char* name = op_def(id).name;
    inplace_scalar(core, id, unwrap(info[1], name, "target"), read_number(info[2], name, "value"));
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

Napi::Value Addon::SetCustomBackward(const Napi::CallbackInfo& info) {
  if (!info[0].IsFunction()) throw Napi::TypeError::New(info.Env(), "setCustomBackward: expected a function");
  custom_dispatcher_ = Napi::Persistent(info[0].As<Napi::Function>());
  return info.Env().Undefined();
}

Napi::Value Addon::RecordCustom(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    if (!info[0].IsObject()) throw Napi::TypeError::New(env, "Function: expected the Function object");
    std::vector<ArrayRef> inputs = unwrap_list(info[1], "Function", "inputs", false);
    std::vector<ArrayRef> outputs = unwrap_list(info[2], "Function", "outputs", false);
    napi_ref ref;
    if (napi_create_reference(env, info[0], 1, &ref) != napi_ok) throw Napi::Error::New(env, "Function: could not keep the object");
    napi_env raw_env = env;
    // Deleting a reference is allowed from a GC-time finalizer, where the node may die.
    std::shared_ptr<void> payload(ref, [raw_env](void* r) { napi_delete_reference(raw_env, static_cast<napi_ref>(r)); });
    return Napi::Boolean::New(env, record_custom(core, inputs, outputs, std::move(payload)));
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

using ndgrad::binding::Addon;
NODE_API_ADDON(Addon)

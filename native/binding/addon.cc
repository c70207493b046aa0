// Module init: the method table, and the runtime-wide settings (seed, ISA, threads).
#include "addon.h"

#include "args.h"
#include "guarded.h"

namespace ndgrad::binding {

Addon::Addon(Napi::Env env, Napi::Object exports) {
  DefineAddon(exports, {
      InstanceMethod("opInfo", &Addon::OpInfo),
      InstanceMethod("opSchema", &Addon::OpSchema),
      InstanceMethod("invoke", &Addon::Invoke),
      InstanceMethod("fromTyped", &Addon::FromTyped),
      InstanceMethod("toTyped", &Addon::ToTyped),
      InstanceMethod("dataView", &Addon::DataView),
      InstanceMethod("shape", &Addon::Shape),
      InstanceMethod("dtype", &Addon::DType),
      InstanceMethod("dispose", &Addon::Dispose),
      InstanceMethod("isDisposed", &Addon::IsDisposed),
      InstanceMethod("memory", &Addon::Memory),
      InstanceMethod("reportedMemory", &Addon::ReportedMemory),
      InstanceMethod("allocations", &Addon::Allocations),
      InstanceMethod("setPacing", &Addon::SetPacing),
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
      InstanceMethod("freshGrad", &Addon::FreshGrad),
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
  define_hot(env, exports, "unary", &Addon::Unary);
  define_hot(env, exports, "binary", &Addon::Binary);
  define_hot(env, exports, "scalar", &Addon::Scalar);
  define_hot(env, exports, "unaryCell", &Addon::UnaryCell);
  define_hot(env, exports, "binaryCell", &Addon::BinaryCell);
  define_hot(env, exports, "scalarCell", &Addon::ScalarCell);
  define_hot(env, exports, "setModes", &Addon::SetModes);
  array_buffer_ctor_ = Napi::Persistent(env.Global().Get("ArrayBuffer").As<Napi::Function>());
  install_custom_backward(env);
  env_ = env;
  slot_cell_ = make_cell(env, exports, "slotCell", &cells_[0], 1);
  op_cell_ = make_cell(env, exports, "opCell", &cells_[1], 3);
}

// An Int32Array over `memory` (this object's own, valid for as long as the addon is), exported as
// exports[name]. Where a runtime refuses external buffers (V8's sandbox), the cell is V8's and
// held by a reference, which a detach still defeats.
int32_t* Addon::make_cell(Napi::Env env, Napi::Object exports, const char* name, int32_t* memory, size_t length) {
  napi_value buffer, array;
  if (napi_create_external_arraybuffer(env, memory, length * sizeof(int32_t), nullptr, nullptr, &buffer) == napi_ok &&
      napi_create_typedarray(env, napi_int32_array, length, buffer, 0, &array) == napi_ok) {
    exports.Set(name, Napi::Value(env, array));
    return memory;
  }
  if (env.IsExceptionPending()) env.GetAndClearPendingException();
  Napi::Int32Array cell = Napi::Int32Array::New(env, length);
  cell_refs_.push_back(Napi::Persistent(cell));
  exports.Set(name, cell);
  return cell.Data();
}

void Addon::define_hot(Napi::Env env, Napi::Object exports, const char* name, napi_callback cb) {
  napi_value fn;
  NAPI_THROW_IF_FAILED_VOID(env, napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, this, &fn));
  exports.Set(name, Napi::Value(env, fn));
}

Addon::~Addon() {
  pages_.close(env_);
  handles_->orphan();
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

}  // namespace ndgrad::binding

using ndgrad::binding::Addon;
NODE_API_ADDON(Addon)

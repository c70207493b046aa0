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
  array_buffer_ctor_ = Napi::Persistent(env.Global().Get("ArrayBuffer").As<Napi::Function>());
  install_custom_backward(env);
  env_ = env;
  Napi::Int32Array cell = Napi::Int32Array::New(env, 1);
  slot_cell_ = cell.Data();
  slot_cell_ref_ = Napi::Persistent(cell);
  exports.Set("slotCell", cell);
  Napi::Int32Array op_cell = Napi::Int32Array::New(env, 3);
  op_cell_ = op_cell.Data();
  op_cell_ref_ = Napi::Persistent(op_cell);
  exports.Set("opCell", op_cell);
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

// Autograd: recording and training modes, variables, backward and gradients, autograd.Function.
#include "addon.h"

#include <memory>
#include <string>
#include <vector>

#include "args.h"
#include "core/autograd/autograd.h"
#include "guarded.h"

namespace ndgrad::binding {

namespace {

GradReq read_grad_req(const Napi::Value& v, const char* fn) {
  int64_t r = read_int(v, fn, "gradReq");
  if (r == 0) return GradReq::Null;
  if (r == 1) return GradReq::Write;
  if (r == 3) return GradReq::Add;
  throw Napi::RangeError::New(v.Env(), std::string(fn) + ": gradReq must be 'write', 'add' or 'null'");
}

}  // namespace

// The core calls back into JS for the backward of an autograd.Function node.
void Addon::install_custom_backward(Napi::Env env) {
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

// The recording scopes of lib/autograd.ts set both flags on entry and restore both on exit, once
// per autograd.record() call: two setRecording/setTraining calls each way cost about 100 ns
// apiece (argument list, type checks, a boolean made), 400-800 ns per recorded callback, a few
// ns per op of a 100-op recorded chain. One int32 argument instead: bit 0 sets the recording flag
// to bit 1, bit 2 sets the training flag to bit 3. Returns the flags as they were (bit 0
// recording, bit 1 training). A missing or non-number argument sets nothing.
napi_value Addon::SetModes(napi_env env, napi_callback_info cb) {
  size_t argc = 1;
  napi_value arg = nullptr;
  void* data = nullptr;
  if (napi_get_cb_info(env, cb, &argc, &arg, nullptr, &data) != napi_ok) return nullptr;
  Runtime& core = static_cast<Addon*>(data)->core;
  int32_t prev = (core.recording ? 1 : 0) | (core.training ? 2 : 0);
  int32_t modes = 0;
  if (argc < 1 || napi_get_value_int32(env, arg, &modes) != napi_ok) modes = 0;
  if (modes & 1) core.recording = (modes & 2) != 0;
  if (modes & 4) core.training = (modes & 8) != 0;
  napi_value result = nullptr;
  napi_create_int32(env, prev, &result);
  return result;
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

// MXNet's _fresh_grad: whether a backward wrote this variable's gradient since it was cleared
// (gluon's Trainer reads it to find stale gradients). info[1], when a boolean, sets it.
Napi::Value Addon::FreshGrad(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    ArrayRef a = unwrap(info[0], "freshGrad", "array");
    Node* n = a->ag.node.get();
    bool variable = n && n->is_variable();
    if (!info[1].IsUndefined()) {
      bool v = read_bool(info[1], "freshGrad", "value");
      if (variable) n->fresh_grad = v;
    }
    return Napi::Boolean::New(info.Env(), variable && n->fresh_grad);
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

}  // namespace ndgrad::binding

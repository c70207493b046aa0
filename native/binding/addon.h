// The Node-API surface: unwraps handles, validates arguments, turns core errors into JS errors
// and reports native memory to V8. No math here: every computation is a core call. The methods
// live by concern: addon.cc (module init, runtime settings), arrays.cc, array_handles.cc, ops.cc,
// autograd.cc, files.cc.
#pragma once

#include <napi.h>

#include <vector>

#include "core/tensor/array.h"
#include "core/runtime/runtime.h"
#include "handles.h"
#include "young_collections.h"
#include "result_pages.h"

namespace ndgrad::binding {

class Addon : public Napi::Addon<Addon> {
 public:
  Addon(Napi::Env env, Napi::Object exports);
  ~Addon();
  Runtime core;

  // Wraps an array in a JS handle that owns one reference (released by GC or dispose()).
  Napi::Value wrap(Napi::Env env, ArrayRef a);
  // A slot handle for `a` whose reference is released when the JS object `owner` is collected
  // (see handles.h); callers pass wrap() instead when they have no owner object. A small result
  // joins a page (result_pages.h): the return value is then the page's token, which the caller
  // stores in owner._p, and the slot number is in slot_cell_. `owner` is not asked its type (a
  // larger result's finalizer cannot be attached to a non-object, which is then an error).
  Napi::Value own_object(const Napi::Value& owner, ArrayRef a);
  const HandleTable& handles() const { return *handles_; }
  // Reports storage bytes allocated or freed since the last call to V8.
  void flush_memory(Napi::Env env);

 private:
  // Sets core.custom_backward, which runs an autograd.Function's backward in JS.
  void install_custom_backward(Napi::Env env);
  void pace_collections(napi_env env, size_t fresh);
  void pace_units(napi_env env);
  Napi::Value OpInfo(const Napi::CallbackInfo& info);
  Napi::Value OpSchema(const Napi::CallbackInfo& info);
  Napi::Value Invoke(const Napi::CallbackInfo& info);
  // The per-op entry points are plain Node-API callbacks with the instance as their data
  // (ops.cc: HotArgs), not node-addon-api instance methods.
  static napi_value Unary(napi_env env, napi_callback_info cb);
  static napi_value Binary(napi_env env, napi_callback_info cb);
  static napi_value Scalar(napi_env env, napi_callback_info cb);
  // The same three reading the op id and the input slot numbers from op_cell_ (JS writes them
  // there just before the call): no Node-API call per operand.
  static napi_value UnaryCell(napi_env env, napi_callback_info cb);
  static napi_value BinaryCell(napi_env env, napi_callback_info cb);
  static napi_value ScalarCell(napi_env env, napi_callback_info cb);
  void define_hot(Napi::Env env, Napi::Object exports, const char* name, napi_callback cb);
  Napi::Value FromTyped(const Napi::CallbackInfo& info);
  Napi::Value ToTyped(const Napi::CallbackInfo& info);
  Napi::Value DataView(const Napi::CallbackInfo& info);
  Napi::Value Shape(const Napi::CallbackInfo& info);
  Napi::Value DType(const Napi::CallbackInfo& info);
  Napi::Value Dispose(const Napi::CallbackInfo& info);
  Napi::Value IsDisposed(const Napi::CallbackInfo& info);
  Napi::Value Memory(const Napi::CallbackInfo& info);
  Napi::Value ReportedMemory(const Napi::CallbackInfo& info);
  Napi::Value Allocations(const Napi::CallbackInfo& info);
  Napi::Value SetPacing(const Napi::CallbackInfo& info);
  Napi::Value Seed(const Napi::CallbackInfo& info);
  Napi::Value Isa(const Napi::CallbackInfo& info);
  Napi::Value NumThreads(const Napi::CallbackInfo& info);
  Napi::Value SetRecording(const Napi::CallbackInfo& info);
  // Both flags in one plain call (autograd.record() and friends, per scope; see autograd.cc).
  static napi_value SetModes(napi_env env, napi_callback_info cb);
  Napi::Value SetTraining(const Napi::CallbackInfo& info);
  Napi::Value IsRecording(const Napi::CallbackInfo& info);
  Napi::Value IsTraining(const Napi::CallbackInfo& info);
  Napi::Value MarkVariables(const Napi::CallbackInfo& info);
  Napi::Value Grad(const Napi::CallbackInfo& info);
  Napi::Value InGraph(const Napi::CallbackInfo& info);
  Napi::Value FreshGrad(const Napi::CallbackInfo& info);
  Napi::Value Backward(const Napi::CallbackInfo& info);
  Napi::Value Detach(const Napi::CallbackInfo& info);
  Napi::Value Assign(const Napi::CallbackInfo& info);
  Napi::Value AssignScalar(const Napi::CallbackInfo& info);
  Napi::Value Inplace(const Napi::CallbackInfo& info);
  Napi::Value InplaceScalar(const Napi::CallbackInfo& info);
  Napi::Value SameStorage(const Napi::CallbackInfo& info);
  Napi::Value SetCustomBackward(const Napi::CallbackInfo& info);
  Napi::Value RecordCustom(const Napi::CallbackInfo& info);
  // setMaxArrayBytes(bytes | undefined) -> previous limit (0 restores the default).
  Napi::Value SetMaxArrayBytes(const Napi::CallbackInfo& info);
  // checkArray(shape, { dtype }, fn): the shape and limit checks of a creation, without allocating.
  Napi::Value CheckArray(const Napi::CallbackInfo& info);
  // parseFile(bytes, 'params' | 'npy', file): the byte layout of a file (core/file_formats.h).
  Napi::Value ParseFile(const Napi::CallbackInfo& info);

  // A new ArrayBuffer of `bytes`, or a RangeError naming fn when there is no memory for it.
  Napi::ArrayBuffer new_array_buffer(Napi::Env env, size_t bytes, const char* fn);
  Napi::FunctionReference array_buffer_ctor_;

  // JS function(fnObject, outGrads) -> inGrads that runs an autograd.Function's backward.
  Napi::FunctionReference custom_dispatcher_;
  HandleTable* handles_ = new HandleTable(core.stats);  // outlives this object while owners are pending
  YoungCollections young_;
  ResultPages pages_{handles_};
  napi_env env_;
  // The slot number of a result that joined a page (own_object() returns the page's token instead);
  // JS reads it as binding.slotCell[0].
  int32_t* slot_cell_ = nullptr;
  // The op id and input slot numbers of unaryCell, binaryCell and scalarCell; JS writes them as
  // binding.opCell[0..2] right before the call, and no JS runs between the write and the read.
  // Any value JS leaves there is checked as an argument would be (an op id in range, a slot
  // number that resolves to a live array).
  int32_t* op_cell_ = nullptr;
  // The cells' memory (make_cell). JS can detach an ArrayBuffer (structuredClone with transfer)
  // and then drop it: a buffer V8 allocated would be freed under the addon's reads and writes.
  int32_t cells_[4] = {};
  std::vector<Napi::Reference<Napi::Int32Array>> cell_refs_;
  int32_t* make_cell(Napi::Env env, Napi::Object exports, const char* name, int32_t* memory, size_t length);
};

}  // namespace ndgrad::binding

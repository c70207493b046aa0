// Runs a binding method body and turns every error into the matching JS error object.
#pragma once

#include <napi.h>

#include <new>
#include <string>
#include <utility>

#include "core/runtime/error.h"
#include "core/runtime/storage.h"

namespace ndgrad::binding {

// Runs a method body and turns every error into the matching JS error object, which it returns
// instead of throwing: lib/native.ts throws it. An addon must not throw here, because Node
// (20.x) runs this module's GC-time finalizers inside its own rethrow of an addon's exception,
// and a finalizer that finds that exception still pending aborts the process.
template <class F>
Napi::Value guarded(Napi::Env env, F&& body) {
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

template <class F>
Napi::Value guarded(const Napi::CallbackInfo& info, F&& body) {
  return guarded(info.Env(), std::forward<F>(body));
}

}  // namespace ndgrad::binding

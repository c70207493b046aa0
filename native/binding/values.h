// JS values the binding builds from core values.
#pragma once

#include <napi.h>

#include "core/tensor/shape.h"

namespace ndgrad::binding {

inline Napi::Value shape_value(Napi::Env env, const Shape& s) {
  Napi::Array out = Napi::Array::New(env, s.size());
  for (size_t i = 0; i < s.size(); ++i) out.Set(static_cast<uint32_t>(i), Napi::Number::New(env, static_cast<double>(s[i])));
  return out;
}

}  // namespace ndgrad::binding

// Ops: the registry's description for JS (opInfo, opSchema) and the calls (invoke and its fast
// unary, binary and scalar forms, the in-place forms).
#include "addon.h"

#include <cmath>
#include <string>
#include <vector>

#include "args.h"
#include "core/autograd/autograd.h"
#include "core/ops/ops.h"
#include "guarded.h"

namespace ndgrad::binding {

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
    ArrayList into;  // out=: one array, or a list of one per result
    // One type query for the usual call without out= (each costs about 60 instructions).
    napi_valuetype out_type = napi_undefined;
    napi_typeof(info.Env(), info[4], &out_type);
    if (out_type != napi_undefined && out_type != napi_null) {
      if (info[4].IsArray()) into = unwrap_list(info[4], name, "out", false);
      else into.push_back(unwrap(info[4], name, "out"));
    }
    ArrayList outs = invoke_params(core, id, ArrayList(inputs.begin(), inputs.end()), params, into);
    if (!into.empty()) {
      flush_memory(info.Env());
      return info.Env().Undefined();  // JS returns its own out object
    }
    if (outs.size() == 1) return info[3].IsObject() ? own_object(info[3], std::move(outs[0])) : wrap(info.Env(), std::move(outs[0]));
    Napi::Array list = Napi::Array::New(info.Env(), outs.size());
    for (size_t i = 0; i < outs.size(); ++i) list.Set(static_cast<uint32_t>(i), wrap(info.Env(), std::move(outs[i])));
    return list;
  });
}

namespace {

// The arguments of a per-op entry point and its addon instance. node-addon-api's instance methods
// read six arguments and `this` into a CallbackInfo and ask Node-API for the instance data on
// every call; here one napi_get_cb_info reads the arguments the entry takes, and the instance is
// the function's data (Addon::define_hot). Arguments JS leaves out read as undefined.
//
// The last argument, the result's owner, is optional: without it the result gets an External
// handle. When passed it must be an object (lib/core/native.ts passes it only when it is one);
// it is not asked for its type (napi_typeof, 60 instructions of a 2x2 op).
template <size_t N>
struct HotArgs {
  napi_env env;
  size_t argc = N;
  napi_value v[N] = {};
  Napi::Value operator[](size_t i) const { return Napi::Value(env, v[i]); }
  Napi::Value file(Addon& self, ArrayRef a) const {
    return argc < N ? self.wrap(Napi::Env(env), std::move(a)) : self.own_object((*this)[N - 1], std::move(a));
  }
};

// Runs body(instance, args) as guarded() does.
template <size_t N, class F>
napi_value hot_call(napi_env env, napi_callback_info cb, F&& body) {
  HotArgs<N> args{env};
  void* data = nullptr;
  if (napi_get_cb_info(env, cb, &args.argc, args.v, nullptr, &data) != napi_ok) return nullptr;
  Addon& self = *static_cast<Addon*>(data);
  return guarded(Napi::Env(env), [&]() -> Napi::Value { return body(self, args); });
}

}  // namespace

// The inputs are borrowed, not referenced (args.h): every reference taken is an atomic increment
// and, later, an atomic decrement, a measurable part of a 2x2 op.
napi_value Addon::Unary(napi_env env, napi_callback_info cb) {
  return hot_call<3>(env, cb, [](Addon& self, const HotArgs<3>& info) {
    OpId id = read_op(info[0], "unary");
    BorrowedInputs in;
    in.add(*self.handles_, info[1], op_def(id).name, "x");
    return info.file(self, invoke1(self.core, id, in.list()));
  });
}

napi_value Addon::Binary(napi_env env, napi_callback_info cb) {
  return hot_call<4>(env, cb, [](Addon& self, const HotArgs<4>& info) {
    OpId id = read_op(info[0], "binary");
    const char* name = op_def(id).name;
    BorrowedInputs in;
    in.add(*self.handles_, info[1], name, "lhs");
    in.add(*self.handles_, info[2], name, "rhs");
    return info.file(self, invoke1(self.core, id, in.list()));
  });
}

napi_value Addon::Scalar(napi_env env, napi_callback_info cb) {
  return hot_call<4>(env, cb, [](Addon& self, const HotArgs<4>& info) {
    OpId id = read_op(info[0], "scalar");
    const char* name = op_def(id).name;
    BorrowedInputs in;
    in.add(*self.handles_, info[1], name, "lhs");
    ScalarParams p{read_number(info[2], name, "scalar")};
    return info.file(self, invoke1(self.core, id, in.list(), p));
  });
}

// The per-op path of lib/core/dispatch.ts: the op id and the input slot numbers come in op_cell_,
// and the only argument is the owner (the number operand before it for scalarCell). Reading them
// as arguments took a Node-API call each (napi_get_value_double, napi_get_value_int32: with the
// argument list about 150 instructions of a 2x2 op). External handles cannot travel in the cell;
// JS passes those to unary, binary and scalar.
napi_value Addon::UnaryCell(napi_env env, napi_callback_info cb) {
  return hot_call<1>(env, cb, [](Addon& self, const HotArgs<1>& info) {
    const int32_t* c = self.op_cell_;
    OpId id = cell_op(Napi::Env(info.env), c[0], "unary");
    BorrowedInputs in;
    in.add_slot(*self.handles_, Napi::Env(info.env), c[1], op_def(id).name, "x");
    return info.file(self, invoke1(self.core, id, in.list()));
  });
}

napi_value Addon::BinaryCell(napi_env env, napi_callback_info cb) {
  return hot_call<1>(env, cb, [](Addon& self, const HotArgs<1>& info) {
    const int32_t* c = self.op_cell_;
    OpId id = cell_op(Napi::Env(info.env), c[0], "binary");
    const char* name = op_def(id).name;
    BorrowedInputs in;
    in.add_slot(*self.handles_, Napi::Env(info.env), c[1], name, "lhs");
    in.add_slot(*self.handles_, Napi::Env(info.env), c[2], name, "rhs");
    return info.file(self, invoke1(self.core, id, in.list()));
  });
}

napi_value Addon::ScalarCell(napi_env env, napi_callback_info cb) {
  return hot_call<2>(env, cb, [](Addon& self, const HotArgs<2>& info) {
    const int32_t* c = self.op_cell_;
    OpId id = cell_op(Napi::Env(info.env), c[0], "scalar");
    const char* name = op_def(id).name;
    BorrowedInputs in;
    in.add_slot(*self.handles_, Napi::Env(info.env), c[1], name, "lhs");
    ScalarParams p{read_number(info[0], name, "scalar")};
    return info.file(self, invoke1(self.core, id, in.list(), p));
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

}  // namespace ndgrad::binding

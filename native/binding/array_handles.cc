// Array handles: wrapping results for JS (External or slot handles), their weight in V8's young
// generation, dispose(), and the memory figures.
#include "addon.h"

#include <string>

#include "args.h"
#include "external_memory.h"
#include "guarded.h"

namespace ndgrad::binding {

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
  if (!a->t.storage || a->t.storage->bytes() <= ResultPages::kMaxBytes) {
    napi_value token;
    int32_t h = pages_.join(env, a, &token);
    if (h >= 0) {
      *slot_cell_ = h;
      return Napi::Value(env, token);
    }
  }
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

Napi::Value Addon::Allocations(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(core.stats->allocations.load()));
}

Napi::Value Addon::ReportedMemory(const Napi::CallbackInfo& info) {
  const MemoryStats& s = *core.stats;
  return Napi::Number::New(info.Env(), static_cast<double>(s.reported_external.load() + s.weighed_external.load()));
}

}  // namespace ndgrad::binding

// Array handles: wrapping results for JS (External or slot handles), pacing the young-generation
// collections that find them dead (young_collections.h), dispose(), and the memory figures.
#include "addon.h"

#include <string>

#include "args.h"
#include "external_memory.h"
#include "guarded.h"

namespace ndgrad::binding {

namespace {

// The bytes of `a`'s storage when `a` is its only user (a fresh result, not a view): what its
// owner's death or dispose() frees.
size_t fresh_bytes(const Array& a) {
  const Storage* s = a.t.storage.get();
  return s && s->ref_count() == 1 ? s->bytes() : 0;
}

}  // namespace

void Addon::flush_memory(Napi::Env env) { report_external(env, *core.stats, young_.allowance()); }

Napi::Value Addon::wrap(Napi::Env env, ArrayRef a) {
  handles_->release_dead(2);  // the lazily released arrays of handles.h also drain without own_object()
  pace_collections(env, fresh_bytes(*a));
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

// Results left to the collector are found dead by the young-generation collections this paces
// (young_collections.h). Before the new result is filed, so that the slots and blocks that the
// finalizers free go to it and the next results, and before its bytes are reported, so that
// V8's count does not hold the new result and the dead ones it replaces at the same time.
void Addon::pace_collections(napi_env env, size_t fresh) {
  if (!fresh) return;
  young_.observe(*core.stats, *handles_);
  if (young_.due(fresh)) {
    handles_->reserve_dead();
    int64_t feed = young_.feed_bytes();
    young_.request(env, *core.stats, *handles_);
    young_.feed_allocation_rate(env, feed);
  }
  young_.note_result(fresh);
}

// A small result or a recorded one (`n`, its node): one unit of the budget that paces
// collections for them (young_collections.h: count_unit, count_node), whatever the result's
// own size. Only once the budget is spent does this run; the results in between only count.
void Addon::pace_units(napi_env env) {
  if (!young_.small_due()) return;
  handles_->reserve_dead();
  young_.request(env, *core.stats, *handles_);
  young_.after_unit_request(FreeList<kNodeBytes>::live(), handles_->found());
}

Napi::Value Addon::own_object(const Napi::Value& owner, ArrayRef a) {
  napi_env env = owner.Env();
  handles_->reserve_dead();
  if (const Node* n = a->ag.node.get()) {
    if (!n->is_variable() && young_.count_node(handles_->found(), [] { return FreeList<kNodeBytes>::live(); })) pace_units(env);
  }
  pace_collections(env, fresh_bytes(*a));
  flush_memory(owner.Env());
  if (!a->t.storage || a->t.storage->bytes() <= ResultPages::kMaxBytes) {
    // Unrecorded small results: a test, a subtraction and a branch. The request (once in 4,096)
    // comes before the result is filed, so the slot and blocks it frees go to this one.
    if (!a->ag.node && young_.count_unit()) pace_units(env);
    napi_value token;
    int32_t h = pages_.join(env, a, &token);
    if (h >= 0) {
      *slot_cell_ = h;
      return Napi::Value(env, token);
    }
  }
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
  napi_value result;
  napi_create_int32(env, h, &result);
  return Napi::Value(env, result);
}

Napi::Value Addon::Dispose(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    Array* a = handle_of(info[0], "dispose");
    if (!a->disposed) {
      a->disposed = true;
      if (size_t fresh = fresh_bytes(*a)) young_.note_disposed(fresh);
      if (!a->ag.node && (!a->t.storage || a->t.storage->bytes() <= ResultPages::kMaxBytes)) young_.unit_disposed();
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
  o.Set("numArrays", static_cast<double>(core.stats->live_buffers()));
  o.Set("numBytes", static_cast<double>(core.stats->live_bytes()));
  return o;
}

Napi::Value Addon::Allocations(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(core.stats->allocations()));
}

// The schedule of the requested collections (young_collections.h: Schedule), for tests that must
// not depend on the machine's load: 'clock' (the default), 'pace', 'wait' or 'none'.
Napi::Value Addon::SetPacing(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    const std::string s = info.Length() > 0 && info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "";
    using S = YoungCollections::Schedule;
    if (s == "clock") young_.set_schedule(S::kClock);
    else if (s == "pace") young_.set_schedule(S::kPace);
    else if (s == "wait") young_.set_schedule(S::kWait);
    else if (s == "none") young_.set_schedule(S::kNone);
    else throw Napi::RangeError::New(info.Env(), "setPacing: schedule must be 'clock', 'pace', 'wait' or 'none', got '" + s + "'");
    return info.Env().Undefined();
  });
}

// What V8 counts as external memory (this instance's reports, and ArrayBuffers while they live).
Napi::Value Addon::ReportedMemory(const Napi::CallbackInfo& info) {
  int64_t total = 0;
  napi_adjust_external_memory(info.Env(), 0, &total);
  return Napi::Number::New(info.Env(), static_cast<double>(total));
}

}  // namespace ndgrad::binding

// Result pages: one finalizer for up to kSize small results instead of one each.
//
// A finalizer per result (napi_add_finalizer) costs Node a heap-allocated reference and a weak
// global handle, which the scavenger processes one by one and glibc frees in bursts: for a 2x2
// op that was about a third of the call. So small results (storage of at most kMaxBytes) share a
// page: a plain JS object, the token, that each owner holds in its `_p` field and that alone
// carries a finalizer (the slot number travels through a shared cell, Addon::slot_cell_). The
// token dies only when every owner that holds it has died, and its
// finalizer then releases all of the page's slots (lazily, as HandleTable::release() does).
//
// The cost is retention: a live small result keeps its page's other, dead, results (at most
// kSize - 1 arrays of at most kMaxBytes each, and the graph nodes they were recorded with) until
// it dies too. Larger results keep a finalizer of their own, so that their memory never waits.
//
// The open page's token is held weakly here (a napi_ref of count 0), never by JS, so that a page
// whose owners all died is collected even before it is full.
#pragma once

#include <node_api.h>

#include <cstddef>
#include <cstdint>

#include "handles.h"

namespace ndgrad::binding {

class ResultPages {
 public:
  static constexpr size_t kMaxBytes = 256;
  static constexpr int kSize = 16;

  explicit ResultPages(HandleTable* table) : table_(table) {}

  // The addon instance is going away (its env still valid): the open page forgets this object,
  // and the references go. The pages themselves live on until their tokens' finalizers run.
  void close(napi_env env) {
    if (open_) {
      napi_delete_reference(env, open_->ref);
      open_->ref = nullptr;
      open_->set = nullptr;
      open_ = nullptr;
    }
    drop_stale(env);
  }

  // Files `a` in a slot of the open page and returns the slot number and the page's token,
  // which the caller must store in the result's owner before anything else runs (JS does:
  // lib/core/dispatch.ts); -1 (with `a` untouched) when no page could be opened.
  int32_t join(napi_env env, ArrayRef& a, napi_value* token) {
    if (!open_token(env, token)) return -1;
    void* cookie;
    int32_t h = table_->add(std::move(a), &cookie);
    Page* p = open_;
    p->slots[p->count++] = h;
    if (p->count == kSize) {  // full: no further result joins it, so nothing needs to find it
      napi_delete_reference(env, p->ref);
      p->ref = nullptr;
      p->set = nullptr;
      open_ = nullptr;
    }
    return h;
  }

 private:
  struct Page {
    ResultPages* set;  // while open
    HandleTable* table;
    napi_ref ref;  // weak, while open
    int count;
    int32_t slots[kSize];
  };

  // The open page's token, or a new page's.
  bool open_token(napi_env env, napi_value* token) {
    drop_stale(env);
    if (open_) {
      if (napi_get_reference_value(env, open_->ref, token) == napi_ok && *token) return true;
      // Collected, its finalizer not run yet (Node may defer it): it is closed from here on.
      napi_delete_reference(env, open_->ref);
      open_->ref = nullptr;
      open_->set = nullptr;
      open_ = nullptr;
    }
    Page* p = new Page{this, table_, nullptr, 0, {}};
    if (napi_create_object(env, token) != napi_ok) {
      delete p;
      return false;
    }
    if (napi_add_finalizer(env, *token, p, &finalize, nullptr, nullptr) != napi_ok) {
      delete p;
      return false;
    }
    // From here the finalizer owns p (and frees it empty should the reference fail).
    if (napi_create_reference(env, *token, 0, &p->ref) != napi_ok) {
      p->set = nullptr;
      return false;
    }
    open_ = p;
    return true;
  }

  // Runs in GC: touches no JS. The open page's reference can only be deleted with a full env,
  // by the next call.
  static void finalize(node_api_basic_env env, void* data, void*) {
    Page* p = static_cast<Page*>(data);
    if (p->set) {
      p->set->open_ = nullptr;
      p->set->stale_ = p->ref;
    }
    p->table->release_group(env, p->slots, p->count);
    delete p;
  }

  void drop_stale(napi_env env) {
    if (!stale_) return;
    napi_delete_reference(env, stale_);
    stale_ = nullptr;
  }

  HandleTable* table_;
  Page* open_ = nullptr;
  napi_ref stale_ = nullptr;  // the reference of an open page that was collected
};

}  // namespace ndgrad::binding

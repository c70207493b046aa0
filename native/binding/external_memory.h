// V8 learns how much native memory the arrays hold from napi_adjust_external_memory, and collects
// garbage when that grows. Storage is allocated and freed in many places (ops, finalizers, the
// thread pool), so the deltas collect in MemoryStats::pending() and are reported here.
#pragma once

#include <node_api.h>

#include <cstdint>

#include "core/runtime/storage.h"

namespace ndgrad::binding {

// Small deltas are batched: telling V8 about every 64-byte buffer costs more than the op.
constexpr int64_t kReportThreshold = int64_t{1} << 20;

inline void adjust_external(node_api_basic_env env, int64_t delta) {
  int64_t total;
  napi_adjust_external_memory(env, delta, &total);
}

// Reports everything not reported yet.
inline void report_all(node_api_basic_env env, MemoryStats& stats) {
  int64_t delta = stats.take_pending();
  if (delta != 0) adjust_external(env, delta);
}

// Reports what was allocated or freed since the last report, once it adds up to the threshold.
inline void report_external(node_api_basic_env env, MemoryStats& stats) {
  int64_t pending = stats.pending();
  if (pending > -kReportThreshold && pending < kReportThreshold) return;
  int64_t delta = stats.take_pending();
  if (delta != 0) adjust_external(env, delta);
}

// From a finalizer that runs inside a collection: reports frees only. V8 sets its next external
// limit from the total it knows when the collection ends, so memory freed by this collection's
// finalizers must be known by then: reported later (at the next op), it would count as live and
// let twice as much garbage pile up before the next collection. Growth is left for the next op,
// because growth may ask for a collection, which must not start inside one.
inline void report_freed(node_api_basic_env env, MemoryStats& stats) {
  if (stats.pending() > -kReportThreshold) return;
  int64_t delta = stats.take_pending();
  if (delta < 0) {
    adjust_external(env, delta);
  } else {
    stats.add_pending(delta);
  }
}

}  // namespace ndgrad::binding

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

// The lowest external-memory count V8 has answered on this thread (V8 counts per isolate, one
// per JS thread), starting from V8's own 0. V8 starts marking the whole heap once its count
// passes 64 MiB above its lowest since its last mark-compact, and a count below that lowest
// drags the limit down with it (ExternalMemoryAccounting::Update). V8's lowest is never below
// this figure (a mark-compact only raises it), so a count that stays at or above it costs V8
// none of its margin (young_collections.h: request()).
inline thread_local int64_t lowest_external_seen = 0;

// Returns V8's count after the change.
inline int64_t adjust_external(node_api_basic_env env, int64_t delta) {
  int64_t total = 0;
  napi_adjust_external_memory(env, delta, &total);
  if (total < lowest_external_seen) lowest_external_seen = total;
  return total;
}

// Large results (young_collections.h) may leave V8's count behind the live bytes by up to an
// `allowance`: a rise is reported only beyond it, a fall at once. So a loop whose live bytes swing
// within the allowance (a dead 40 MiB result and its successor between two requested
// collections) leaves V8's count flat, and never past V8's external-memory limit (64 MiB above its
// lowest count since the last mark-compact). Past the limit, V8 starts incremental marking with
// black allocation, and until its mark-compact no scavenge frees a result made meanwhile. What is
// left out is bounded by the allowance; a leak is still reported beyond it.
inline int64_t reportable(int64_t pending, int64_t allowance) {
  if (pending < 0) return pending;
  return pending > allowance ? pending - allowance : 0;
}

// Reports everything not reported yet (but what the allowance leaves out), with `extra` bytes
// that are not the arrays' (one call, so that V8 never sees a rise before a fall).
inline void report_all(node_api_basic_env env, MemoryStats& stats, int64_t allowance = 0, int64_t extra = 0) {
  int64_t delta = reportable(stats.pending(), allowance);
  stats.add_pending(-delta);
  if (delta + extra != 0) adjust_external(env, delta + extra);
}

// Reports what was allocated or freed since the last report, once it adds up to the threshold.
inline void report_external(node_api_basic_env env, MemoryStats& stats, int64_t allowance = 0) {
  int64_t pending = stats.pending();
  if (pending > -kReportThreshold && pending < allowance + kReportThreshold) return;
  report_all(env, stats, allowance);
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

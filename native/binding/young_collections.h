// Results that users leave to the garbage collector (`c = a.add(b)` in a loop, no dispose()) are
// freed when a collection finds their owners dead. V8 schedules collections by its own figures,
// which know nothing of results: a scavenge once young ArrayBuffers pass 32 MiB, a mark-compact
// every 64 MiB of reported external memory. Meanwhile dozens of dead results pile up and each
// new result lands in a cold block. So this instance asks for a young-generation collection (a
// scavenge) itself, once the results handed to JS and not disposed since the last request add
// up to a pace set by their size.
//
// Node-API has no call for that. V8 starts a scavenge when an ArrayBuffer is allocated while the
// ArrayBuffers held by the young generation pass 2 x its maximum semi-space (32 MiB on 64-bit;
// Heap::AllocateExternalBackingStore). So a request makes an external ArrayBuffer of that size
// (the "ballast"), allocates a 1-byte ArrayBuffer, and detaches the ballast again, which takes
// its bytes out of V8's count at once. The ballast spans a reserved, never-touched region of the
// process (zero pages, never faulted in), not any array's memory, and is never handed to JS:
// nothing can reach native memory through it, and results carry no hidden property.
#pragma once

#include <node_api.h>
#include <sys/mman.h>

#include <chrono>
#include <cstddef>
#include <cstdint>

#include "core/runtime/storage.h"
#include "external_memory.h"
#include "handles.h"

namespace ndgrad::binding {

class YoungCollections {
 public:
  // V8's young ArrayBuffer trigger on 64-bit (2 x the 16 MiB maximum semi-space).
  static constexpr size_t kBallastBytes = size_t{32} << 20;

  // Results above this make V8's count lag behind (allowance()). Two of them are V8's whole
  // 64 MiB external-memory margin: reported in full, a dead one and its successor cross V8's
  // limit whatever the pace, V8 marks the heap, and until its mark-compact no scavenge frees a
  // result made meanwhile (1e7-element adds: 127 mark-compacts per 250 calls paced with exact
  // reports, 84 left to V8 alone).
  static constexpr size_t kMaxExactBytes = size_t{16} << 20;
  static constexpr size_t kMaxAllowance = size_t{256} << 20;

  // A result of `bytes` (fresh storage, not a view) is about to be handed to JS: true when the
  // results before it call for a collection (request()): at their pace, or later for short ops
  // (wait_limit). Asked before the result is counted, so that a loop that disposes each result
  // never asks.
  bool due(size_t bytes) const {
    if (owed_ < pace(bytes) || schedule_ == Schedule::kNone) return false;
    return owed_ >= wait_limit(bytes) || time_allows(kWorkPerRequest);
  }

  // When requests come. kClock: at their pace, held back by the time rule (time_allows(), the
  // default). The time rule reads the steady clock, so the requests of a loop depend on the
  // machine's load; tests choose a schedule that does not (native.setPacing): kPace, every
  // request at its pace (as on an idle machine, where the rule never binds); kWait, the rule
  // always binds (results wait to their wait limit, small results and graphs ask for nothing:
  // a machine too busy to ask); kNone, no request at all (V8 alone).
  enum class Schedule { kClock, kPace, kWait, kNone };
  void set_schedule(Schedule s) { schedule_ = s; }
  // Large results set the allowance: six of them. Two are a dead result and its successor
  // between two requests (the pace's two results); the rest are owners that a mark-compact
  // moved to the old generation (those alive or made while V8 marked), dead but found only by
  // the next mark-compact: after the first one, up to three (1e7-element adds in the long
  // run: with four, V8's count still rose past its limit after each mark-compact, 171-200
  // mark-compacts per 1,000 calls; with six, 57-86, those of the first calls). It ends
  // once the program has made as many bytes of smaller results (the large ones are over).
  void note_result(size_t bytes) {
    owed_ += bytes;
    if (bytes > kMaxExactBytes) {
      allowance_ = bytes < kMaxAllowance / 6 ? 6 * bytes : kMaxAllowance;
      since_large_ = 0;
    } else if (allowance_ && (since_large_ += bytes) >= allowance_) {
      allowance_ = 0;
    }
  }
  // How far V8's count may stay below the live bytes (external_memory.h: reportable()).
  int64_t allowance() const { return static_cast<int64_t>(allowance_); }

  // Small results and recorded graphs, apart from the results' pace. A dropped 2x2 result costs
  // little in bytes (16) but a JS owner, an Array block, a storage block and a slot, and a
  // recorded op's node (and everything its release touches) besides: all of it is freed only
  // once a collection finds the owner dead. Left to V8 (a scavenge per 2 MB or so of JS objects:
  // a few hundred 2x2 chains, tens of thousands of results and nodes, megabytes), every block is
  // cold by then and its release waits on memory. So each small unrecorded result (storage of
  // at most ResultPages::kMaxBytes) counts one unit of 128 bytes, each recorded result two (its
  // node is 256 bytes, and it leaves about twice what an unrecorded result leaves), one budget
  // for both, and once kPaceUnits (512 KiB) have passed since the last collection a request
  // comes: the blocks come back while in L2, and the free lists hand them to the next ops. No
  // sooner than kGraphWork times what a request costs after the last one, and spaced out
  // (backoff()) while the results are kept (a list of small arrays: requests find no owner
  // dead) or their graphs are (a long forward pass before its backward: requests find results
  // dead but free no node).
  //
  // An unrecorded small result: count_unit(), and small_due() (a slow path) when it returns true.
  bool count_unit() { return --left_ <= 0; }
  // A recorded result: `found`: the table's found(); `live_nodes()`: the nodes allocated now
  // (the node free list's live(), counted in the AddressSanitizer build too). True: call
  // small_due().
  template <class LiveNodes>
  bool count_node(size_t found, LiveNodes live_nodes) {
    if (found != graph_found_) {  // a collection found owners dead since the last call
      graph_found_ = found;
      settle_graphs(live_nodes());
      found_mark_ = found;
      restart_units();
    }
    ++recorded_;
    return (left_ -= kNodeUnits) <= 0;
  }
  // The budget is spent: true when a request is due now; false when requests would take more
  // than their share of the time (the next look comes an eighth of the budget later, so that
  // the results in between read no clock).
  bool small_due() {
    if (schedule_ == Schedule::kNone) {
      restart_units();
      return false;
    }
    size_t units = units_counted(), budget = limit();
    if (units < budget) {  // the backoff rose meanwhile (after_unit_request)
      arm(budget - units);
      return false;
    }
    if (time_allows(kGraphWork)) return true;
    arm(kPaceUnits / 8);
    return false;
  }
  // dispose() freed an unrecorded small result at once: its unit no longer waits for a
  // collection (a loop that disposes each result never asks, as with note_disposed()).
  void unit_disposed() {
    if (armed_ > left_) {
      ++left_;
    } else if (units_ > 0) {
      --units_;
    }
  }
  // After a request for small results or graphs: one that found nothing settles the graphs here
  // (one that did, at the next count_node()).
  void after_unit_request(size_t live_nodes, size_t found) {
    if (found == graph_found_) {
      settle_graphs(live_nodes);
      restart_units();
    }
  }
  // dispose() freed `bytes` at once: they no longer wait for a collection.
  void note_disposed(size_t bytes) { owed_ = owed_ > bytes ? owed_ - bytes : 0; }

  // Call before due(). A collection that V8 started itself and that found owners dead went
  // through the whole young generation: every result owed before it is settled, freed or alive.
  // So the pace starts again from it, at the results' own pace. Counting those results as still
  // owed made the next request come at once, find nothing (that collection had found it all)
  // and space the pace out; V8's own mark-compact then came first again, 64 MiB later, and
  // every request after it found nothing: one mark-compact per request for good, entered by a
  // single unproductive request (4 MiB results after a loop of 4 KiB ones: 49 mark-compacts per
  // 1,000 softmax calls of 1000x1000).
  void observe(const MemoryStats& stats, const HandleTable& table) {
    if (table.found() == found_seen_) return;
    found_seen_ = table.found();
    owed_ = 0;
    backoff_ = 1;
    live_after_ = stats.live_bytes();
  }

  // Asks V8 for a scavenge now; the finalizers of the owners it finds dead run before it
  // returns. Does nothing where the runtime refuses external ArrayBuffers.
  //
  // V8 counts the ballast as external memory too, and starts marking the whole heap once that
  // count passes 64 MiB above its lowest since the last mark-compact; a count that undercuts
  // that lowest drags the limit down with it. So while the ballast exists, this instance takes
  // up to a ballast out of its own report (the frees found meanwhile are held back until the
  // ballast is gone), as far down as the lowest count V8 has answered and no further
  // (external_memory.h: lowest_external_seen): the count then neither rises above what it was
  // nor falls below V8's lowest. Taking only what the count grew by since the last request
  // (sessions 6-10) took nothing once the count was flat (the allowance of large results), and
  // every request then raised it by the whole ballast: the 1e7-element rows of the long run
  // started V8's marking at their first requests (3 mark-compacts each, and the results made
  // while V8 marked went to fresh blocks).
  void request(napi_env env, MemoryStats& stats, HandleTable& table) {
    int64_t live = stats.live_bytes();
    int64_t count = adjust_external(env, 0) + reportable(stats.pending(), allowance());
    int64_t room = count - lowest_external_seen;
    int64_t taken = room < 0 ? 0 : room < static_cast<int64_t>(kBallastBytes) ? room : static_cast<int64_t>(kBallastBytes);
    size_t owed = owed_;
    owed_ = 0;
    void* region = ballast_region();
    if (!region || refused_) {
      settle_results(table.found());
      return;
    }
    report_all(env, stats, allowance(), -taken);
    size_t small_before = table.found_small_bytes();
    table.hold_reports(true);
    int64_t start = now_ns();
    napi_value ballast;
    napi_status status = napi_create_external_arraybuffer(env, region, kBallastBytes, nullptr, nullptr, &ballast);
    if (status == napi_ok) {
      void* data;
      napi_value poke;
      napi_create_arraybuffer(env, 1, &data, &poke);
      napi_detach_arraybuffer(env, ballast);
    } else if (status == napi_no_external_buffers_allowed) {
      refused_ = true;
    }
    table.hold_reports(false);
    age_canary(env, table);
    last_end_ns_ = now_ns();
    // A request descheduled on a busy machine looks many times dearer than it was (0.09-14 ms
    // in one loop at a load of 12), so the estimate follows a cheaper request at once and a
    // dearer one by at most an eighth.
    int64_t cost = last_end_ns_ - start, ceiling = cost_ns_ + cost_ns_ / 8;
    cost_ns_ = cost_ns_ == 0 || cost < ceiling ? cost : ceiling;
    report_all(env, stats, allowance(), taken);
    live_after_ = stats.live_bytes();
    found_seen_ = table.found();
    settle_results(found_seen_);
    // Results kept alive (a growing list, a recorded graph) make requests that free little.
    // Each request may cost V8 up to a ballast of its 64 MiB margin (when a mark-compact since
    // raised V8's lowest count above lowest_external_seen), so those space out, four times
    // further each time up to 64 times their pace, and come back to it
    // once a request finds most of what was owed, or a collection V8 started itself finds
    // results dead (observe()). Small arrays are released by later ops (handles.h), not by the
    // collection that finds them, so they count at their most (a request that found every
    // 4 KiB result dead freed no bytes itself, and the pace of 4 KiB loops spaced out).
    size_t freed = live > live_after_ ? static_cast<size_t>(live - live_after_) : 0;
    freed += table.found_small_bytes() - small_before;
    if (4 * freed < owed) {
      if (backoff_ < 64) backoff_ *= 4;
    } else if (2 * freed >= owed) {
      backoff_ = 1;
    }
  }

  // For requests for large results: feed_bytes() right before request(), then
  // feed_allocation_rate() with it right after. V8 shrinks the young generation after a
  // scavenge, and gives its from-space pages back to the system, when the program allocated
  // less than 1,000 bytes of JS objects per millisecond over its recent collections
  // (Heap::ReduceNewSpaceSize). A loop of large ops allocates one JS owner per result, a few
  // hundred bytes per millisecond, so every requested scavenge committed its to-space afresh:
  // 7-8 page faults per request (about one per `exp 1e6` call), and a discard of the pages given
  // back. So dead JS garbage (arrays of holes, in a handle scope closed at once: the scavenge
  // copies none of it) keeps the rate V8 measures at about 2,000 bytes per millisecond between
  // requests, at most kMaxFeedBytes per request (a sixteenth of V8's smallest young generation;
  // a request that waited longer than that covers is rare, and its faults small beside the time
  // between requests). Requests for small results and graphs need none: the thousands of owners
  // and nodes between two of them allocate far more.
  //
  // The garbage goes into the young generation the request has just emptied. Fed before the
  // request (session 16), it filled a young generation that the program's own JS had left nearly
  // full often enough: V8 collected inside the feed, found the owed results dead, the request
  // then found nothing to free and spaced the next ones four times out (request(): backoff_), so
  // 60 dead 1e5-element results waited instead of 16 (a loop with 100 small JS objects per add:
  // 9 of 15 runs, 0 of 15 without the feed, 0 of 15 fed after; with a number that varies from
  // add to add, the test in test/memory.test.ts, 8 of 8 runs, 0 of 8 fed after). A collection
  // that the garbage brings now comes between requests, where observe() sees it.
  static constexpr int64_t kFeedBytesPerMs = 2048;
  static constexpr int64_t kMaxFeedBytes = int64_t{64} << 10;
  static constexpr uint32_t kFeedElements = 4096;  // 32 KiB per array
  int64_t feed_bytes() const {
    if (last_end_ns_ == 0) return kMaxFeedBytes;
    int64_t bytes = (now_ns() - last_end_ns_) / 1000000 * kFeedBytesPerMs + kFeedBytesPerMs;
    return bytes < kMaxFeedBytes ? bytes : kMaxFeedBytes;
  }
  void feed_allocation_rate(napi_env env, int64_t bytes) {
    napi_handle_scope scope;
    if (napi_open_handle_scope(env, &scope) != napi_ok) return;
    for (; bytes > 0; bytes -= 8 * int64_t{kFeedElements}) {
      napi_value garbage;
      napi_create_array_with_length(env, bytes < 8 * int64_t{kFeedElements} ? static_cast<size_t>(bytes / 8) + 1 : kFeedElements, &garbage);
    }
    napi_close_handle_scope(env, scope);
  }

 private:
  // The result bytes between two requests. Reusing a dead result's block while it is still in
  // cache is what makes a collection pay, but a scavenge costs about what four 1e5-element adds
  // cost (40-100 us, most of it scanning V8's roots): results ask for one every 16 results
  // (2 MiB at least: a few dozen small results), and at most every 32 MiB (V8's own young
  // ArrayBuffer figure). Never after fewer than two results: a result's owner is alive at its
  // own request and at the next result's, and an owner that lives through two scavenges is
  // moved to the old generation, where only a mark-compact collection finds it dead.
  size_t pace(size_t bytes) const {
    constexpr size_t kMin = size_t{2} << 20, kMax = size_t{32} << 20;
    size_t t = 16 * bytes;
    t = (t < kMin ? kMin : t > kMax ? kMax : t) * backoff_;
    return t < 2 * bytes ? 2 * bytes : t;
  }

  // lowest_external_seen stays at or below V8's lowest count only if it follows V8's
  // mark-compacts up, which Node-API does not report. Without that, every request after a
  // mark-compact dipped V8's count by a ballast below V8's new lowest, and halved V8's margin:
  // kept results met 9 mark-compacts instead of 6. So a canary, an empty object that is held
  // through two requested scavenges (it is then in the old generation) and let go: only a
  // mark-compact finds it dead, and its finalizer, inside that collection, starts
  // lowest_external_seen again from V8's count (HandleTable::release_canary), and the reports
  // after it follow V8's lowest down. (Read at the next request instead, it sat above V8's
  // lowest, 28 against 20 MiB in the long run's `mul 1e6` row, and left a request's peak less
  // room than it counted on.) One canary is in flight at a time; each request ages it.
  void age_canary(napi_env env, HandleTable& table) {
    if (canary_ && ++canary_age_ >= 2) {
      napi_delete_reference(env, canary_);
      canary_ = nullptr;
    }
    if (canary_ || canary_pending_ == table.canaries_found() + 1) return;
    napi_value obj;
    if (napi_create_object(env, &obj) != napi_ok) return;
    if (napi_add_finalizer(env, obj, nullptr,
                           [](node_api_basic_env e, void*, void* t) { static_cast<HandleTable*>(t)->release_canary(e); },
                           &table, nullptr) != napi_ok) {
      return;
    }
    table.add_canary();
    napi_create_reference(env, obj, 1, &canary_);
    canary_age_ = 0;
    canary_pending_ = table.canaries_found() + 1;
  }

  // The time rule: true once the time since the last request is `work` times what a request
  // costs (or always, or never, as the schedule says).
  bool time_allows(int64_t work) const {
    if (schedule_ != Schedule::kClock) return schedule_ == Schedule::kPace;
    return now_ns() - last_end_ns_ >= work * cost_ns_;
  }
  static int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
  }
  // A request waits past its pace while a request costs more than 1 / kWorkPerRequest of the
  // time since the last one, up to kWaitBytes of results owed (times the backoff). A scavenge
  // costs 80-100 us whatever it finds, so at the 2 MiB pace short ops paid more for their
  // collections than for themselves: `dot` 64x64 (16 KiB, 4 us) asked every 128 results, 15-20%
  // of its time; the MLP train step once per step; 64 KiB adds every 32 (CPU per add 7.4-8.5 us,
  // disposed 3.3-3.7). Waiting costs cold blocks instead (the next results land in blocks last
  // written a ring of results ago): 64 KiB adds at 8 / 16 / 32 MiB per request 5.6-6.3 /
  // 6.6-7.0 / 7.3-8.6 us. Results whose pace is 8 MiB or more (400 KB and up) are not held
  // back: their cold writes cost more than the scavenges saved (1e5-element adds every 64
  // results: no faster than every 16).
  static constexpr size_t kWaitBytes = size_t{8} << 20;
  // Recorded graphs (count_node): a request per 512 KiB of nodes (2,048 then; 4,096 since a
  // node counts the 128 bytes its release reads, below; with their arrays,
  // result blocks and JS owners about what L2 holds), at most a fifth of the time. The 2x2
  // chain of bench/recording.js on a Zen 4 (1 MiB L2, a request 0.07-0.1 ms): recorded ops at
  // 0.78-0.82 of the time they take left to V8; at 256 KiB (the time limit binds) 0.90; at
  // 512 KiB with the results' limit (a twentieth of the time: a request per 1.5 ms, 50 chains,
  // more than L2 holds) 0.97 (docs/dev/recording-cost.md, session 12).
  // Small unrecorded results (count_unit) share the budget, a unit of 128 bytes each: a request
  // per 4,096 of them. The unrecorded 2x2 chain, CPU per process against 2,048 (session 13,
  // load 5-6, 8-12 alternating rounds): 0.89-0.94; `a.add(b)` 2x2: 0.90-0.92; 8,192 no better
  // than 4,096 (with their owners, arrays and storage, 4,096 results are about what L2 holds).
  static constexpr size_t kUnitBytes = 128;
  // A recorded result counts the node lines its release reads (kNodeReleaseBytes, two lines
  // since session 15; it was the whole 256-byte node, two units): the chain above at two units
  // 284.0 ns per recorded op, at one 274.3 (paired 0.950, 0.902-0.983; grouped A/B, 10 rounds,
  // docs/dev/recording-cost.md, session 15).
  static constexpr int64_t kNodeUnits = static_cast<int64_t>(kNodeReleaseBytes / kUnitBytes);
  static constexpr size_t kGraphBytes = size_t{512} << 10;
  static constexpr size_t kPaceUnits = kGraphBytes / kUnitBytes;
  static constexpr int64_t kGraphWork = 4;
  static constexpr int64_t kWorkPerRequest = 20;
  size_t wait_limit(size_t bytes) const {
    size_t p = pace(bytes), w = kWaitBytes * backoff_;
    return p > w ? p : w;
  }

  // One region for the process, mapped on first use and never unmapped (ballasts of every
  // addon instance alias it; V8 keeps no registry of external backing stores that are not
  // shared). MAP_NORESERVE: it costs address space only.
  static void* ballast_region() {
    static void* region = [] {
      void* p = mmap(nullptr, kBallastBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
      return p == MAP_FAILED ? nullptr : p;
    }();
    return region;
  }

  size_t owed_ = 0;
  // Small results and recorded graphs (count_unit, count_node): units since the last
  // collection, when the slow path looks next, the nodes recorded since the last collection; the
  // nodes recorded between the two collections before, and the nodes allocated at the last one.
  // The units are counted down (left_: one subtraction and a branch per result) from what
  // arm() set; units_counted() adds what was counted before that.
  int64_t left_ = static_cast<int64_t>(kPaceUnits);
  int64_t armed_ = static_cast<int64_t>(kPaceUnits);
  size_t units_ = 0;
  size_t units_counted() const { return units_ + static_cast<size_t>(armed_ - left_); }
  void arm(size_t n) {
    units_ = units_counted();
    armed_ = left_ = static_cast<int64_t>(n);
  }
  void restart_units() {
    units_ = 0;
    armed_ = left_ = static_cast<int64_t>(limit());
  }
  size_t recorded_ = 0;
  size_t graph_found_ = 0;
  size_t mark_recorded_ = 0;
  size_t mark_live_ = 0;
  size_t graph_backoff_ = 1;
  // Small results kept: found() after the last request (or collection seen by count_node), and
  // the backoff they set. Owners are found dead by the collection after them (their arrays are
  // released later, but the count of owners found moves in the collection itself), so a
  // request that finds fewer owners than an eighth of the units since the last one (a quarter
  // of the recorded results, which count two units each) spaces the requests out four times
  // further, up to 64 times, and one that finds a quarter of the units brings them back.
  size_t found_mark_ = 0;
  size_t result_backoff_ = 1;
  size_t backoff() const { return graph_backoff_ > result_backoff_ ? graph_backoff_ : result_backoff_; }
  size_t limit() const { return kPaceUnits * backoff(); }
  void settle_results(size_t found) {
    size_t units = units_counted(), dead = found - found_mark_;
    if (units >= kPaceUnits / 2) {
      if (8 * dead < units) {
        if (result_backoff_ < 64) result_backoff_ *= 4;
      } else if (4 * dead >= units) {
        result_backoff_ = 1;
      }
    }
    found_mark_ = found;
    restart_units();
  }
  // A collection came. Dead results are released by the op calls after the collection that
  // finds them (handles.h), so the nodes freed since the last collection are those recorded
  // before it, if their graphs were dropped. When few were (a long forward pass before its
  // backward: the results die, the nodes are kept), requests space out four times further each
  // time, up to 64 times the budget, and come back once half are freed. Judged only after as
  // many calls as those nodes (a sooner collection has not released them all).
  void settle_graphs(size_t live_nodes) {
    size_t recorded = recorded_;
    size_t grown = live_nodes > mark_live_ ? live_nodes - mark_live_ : 0;
    size_t freed = recorded > grown ? recorded - grown : 0;
    if (mark_recorded_ > 0 && recorded >= mark_recorded_) {
      if (4 * freed < mark_recorded_) {
        if (graph_backoff_ < 64) graph_backoff_ *= 4;
      } else if (2 * freed >= mark_recorded_) {
        graph_backoff_ = 1;
      }
    }
    mark_recorded_ = recorded;
    mark_live_ = live_nodes;
    recorded_ = 0;
  }

  size_t found_seen_ = 0;   // HandleTable::found() when this instance last looked
  int64_t live_after_ = 0;  // live bytes after the last request, or after V8's last collection
  size_t allowance_ = 0;
  size_t since_large_ = 0;  // bytes of smaller results since the last large one
  size_t backoff_ = 1;
  int64_t last_end_ns_ = 0;   // steady clock when the last request returned
  int64_t cost_ns_ = 0;       // what a request takes, the finalizers it runs included
  bool refused_ = false;
  Schedule schedule_ = Schedule::kClock;
  napi_ref canary_ = nullptr;  // the canary while it is held
  int canary_age_ = 0;         // requests since it was made
  size_t canary_pending_ = 0;  // canaries_found() once the canary let go is found
};

}  // namespace ndgrad::binding

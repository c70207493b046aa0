#include "core/runtime/thread_pool.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif
#if defined(__linux__)
#include <sched.h>
#endif

namespace ndgrad {

namespace {

// How long a thread polls before it sleeps: a worker for the next round, the caller for the
// workers of this one. Waking a sleeping thread (a futex wake, on a VM an inter-processor
// interrupt) costs 10-50 us, as much as a whole 256^3 product; a training step issues its parallel
// ops a few microseconds apart, so a short poll catches the next one. OpenBLAS and OpenMP
// runtimes poll far longer; 50 us keeps the cost to other processes small when ndgrad goes idle.
// A worker does not poll on the CPU the caller last published from (poll_for_round).
constexpr auto kPoll = std::chrono::microseconds(50);

// A polling worker checks the time (and publishes it, ThreadPool::Beat) every 64 pauses, a
// microsecond or two; one whose last check is older than this has lost its core.
constexpr int64_t kFreshBeatNs = 10000;

// Calls to ready_workers() less than kPoll apart are a loop; in one, sleeping workers are woken to
// poll at most this often (each wake-up costs the caller a futex call, and a worker that lands on
// the caller's CPU goes straight back to sleep).
constexpr int64_t kPokeGapNs = 1000000;

// A round whose polling worker kept the caller waiting more than twice the caller's own share
// and this long makes ready_workers() report none for kReadyPauseNs, doubling up to
// kMaxReadyPauseNs while such rounds come in a row.
constexpr auto kSlowWorkerSlack = std::chrono::microseconds(5);
constexpr int64_t kReadyPauseNs = 500000;
constexpr int64_t kMaxReadyPauseNs = 64000000;

int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// A worker's wait ends at the stop or at a round after the one it saw last.
bool round_after(const std::atomic<bool>& stopping, const std::atomic<uint64_t>& generation, uint64_t seen) {
  return stopping.load(std::memory_order_acquire) || generation.load(std::memory_order_acquire) != seen;
}

// The most parallel calls run inline after a round that found a worker without a core.
constexpr size_t kMaxSkip = 64;

// A polling worker that has its core joins a round within a microsecond or two of its start; one
// that has not joined a round that stayed open this long has lost its core. A shorter round says
// nothing: its caller can take every task before a worker with a core has seen it.
constexpr auto kJoinWindow = std::chrono::microseconds(20);

// The CPU the calling thread runs on, or -1 where the platform does not say.
int current_cpu() {
#if defined(__linux__)
  return sched_getcpu();
#else
  return -1;
#endif
}

// Moves the calling thread off `cpu` (to the others it may run on) and leaves it free to run
// anywhere again. Linux wakes a sleeping thread on or next to the CPU it last ran on, so this
// changes where the next wake-up starts from, without pinning anything.
bool move_off_cpu(int cpu) {
#if defined(__linux__)
  cpu_set_t allowed;
  if (cpu < 0 || sched_getaffinity(0, sizeof allowed, &allowed) != 0 || !CPU_ISSET(cpu, &allowed)) return false;
  cpu_set_t others = allowed;
  CPU_CLR(cpu, &others);
  if (CPU_COUNT(&others) == 0 || sched_setaffinity(0, sizeof others, &others) != 0) return false;
  sched_setaffinity(0, sizeof allowed, &allowed);
  return true;
#else
  (void)cpu;
  return false;
#endif
}

// /proc/loadavg's 1-minute average and its runnable count (before the slash in the fourth field,
// this thread included), with the CPUs this thread may use. False where they cannot be read.
struct MachineLoad {
  double minute = 0;
  int runnable = 0;
  int cpus = 0;
};
bool read_machine_load(MachineLoad& m) {
#if defined(__linux__)
  cpu_set_t allowed;
  if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) return false;
  std::FILE* f = std::fopen("/proc/loadavg", "r");
  if (!f) return false;
  double l5, l15;
  int n = std::fscanf(f, "%lf %lf %lf %d/", &m.minute, &l5, &l15, &m.runnable);
  std::fclose(f);
  m.cpus = CPU_COUNT(&allowed);
  return n == 4;
#else
  (void)m;
  return false;
#endif
}

// True unless the machine has more runnable threads than this thread may use CPUs: then the
// other CPU is busy. Where that cannot be read, true.
bool runnable_within_cpus() {
  MachineLoad m;
  return !read_machine_load(m) || m.runnable <= m.cpus;
}

// True when the load averaged over the last minute is below one more than the CPUs this thread
// may use: this process's caller and worker, and little else. Unlike the runnable count above it
// does not move with a burst of V8's collector threads. Where that cannot be read, false.
bool lightly_loaded() {
  MachineLoad m;
  return read_machine_load(m) && m.minute < m.cpus + 1;
}

// A worker woken onto the caller's own CPU (Linux places a wakee next to its waker when it sees
// no idle CPU, and this VM's kernel also packs wakees onto the waker's vCPU) takes turns with the
// caller there: a 2-thread round at 1-thread speed. Left alone it stays: it sleeps there, the next
// wake-up starts from there, and a whole run is slow (docs/dev/thread-pool.md). So a worker about
// to sleep on the caller's CPU moves off it first, if the other CPU is free. On a busy machine a
// move waits for the other CPU (45 us to 28 ms, median 8 ms, at load 23), and so does a wake-up
// placed there (median 8 ms, against 5 us on the caller's CPU): the worker would be away for
// milliseconds for a CPU no freer than the caller's. So it moves only when the machine has no more
// runnable threads than CPUs, and after a move that took long even so, or such a count, it makes
// no move for a while, twice as long after each in a row.
class CallerCpuLeaver {
 public:
  explicit CallerCpuLeaver(bool always) : always_(always) {}

  // Moves the calling thread off caller_cpu if the other CPU looks free (or always_); true if it
  // moved.
  bool leave(int caller_cpu) {
    if (always_) return move_off_cpu(caller_cpu);
    auto start = std::chrono::steady_clock::now();
    if (start < no_move_until_) return false;
    bool moved = runnable_within_cpus() && move_off_cpu(caller_cpu);
    auto end = std::chrono::steady_clock::now();
    if (!moved || end - start > kSlowMove) {
      no_move_until_ = end + pause_;
      pause_ = std::min<std::chrono::steady_clock::duration>(pause_ * 2, kMaxMovePause);
    } else {
      pause_ = kMovePause;
    }
    return moved;
  }

 private:
  // Above the fastest moves seen at load 23 (45 and 227 us of 80, when the other CPU was free by
  // chance); a move that waits for another process's time slice takes milliseconds (3 in 4 of
  // them took 4 ms or more).
  static constexpr auto kSlowMove = std::chrono::microseconds(500);
  static constexpr auto kMovePause = std::chrono::milliseconds(100);
  static constexpr auto kMaxMovePause = std::chrono::milliseconds(1600);
  const bool always_;
  std::chrono::steady_clock::time_point no_move_until_{};
  std::chrono::steady_clock::duration pause_ = kMovePause;
};

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#endif
}

// Polls until done() or kPoll has passed; true if done() held.
template <class Done>
bool poll(Done done) {
  auto deadline = std::chrono::steady_clock::now() + kPoll;
  for (;;) {
    for (int i = 0; i < 64; ++i) {
      if (done()) return true;
      cpu_relax();
    }
    if (std::chrono::steady_clock::now() >= deadline) return done();
  }
}

}  // namespace

size_t ThreadPool::default_num_threads() {
  if (const char* env = std::getenv("NDGRAD_NUM_THREADS")) {
    char* end = nullptr;
    long v = std::strtol(env, &end, 10);
    if (end != env && *end == '\0' && v >= 1 && v <= 256) return static_cast<size_t>(v);
  }
  unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : hw;
}

ThreadPool::ThreadPool(size_t num_threads, LeaveCallerCpu leave) : leave_(leave) {
  if (num_threads == 0) num_threads = default_num_threads();
  beats_.reset(new Beat[num_threads > 1 ? num_threads - 1 : 1]);
  for (size_t i = 1; i < num_threads; ++i) {
    Beat* beat = &beats_[i - 1];
    workers_.emplace_back([this, beat] { worker_loop(*beat); });
  }
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_.store(true, std::memory_order_release);
  }
  wake_.notify_all();
  for (auto& t : workers_) t.join();
}

size_t ThreadPool::run_tasks() {
  for (size_t ran = 0;; ++ran) {
    size_t i = next_task_.fetch_add(1, std::memory_order_relaxed);
    if (i >= num_tasks_) return ran;
    try {
      (*task_)(i);
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!error_) error_ = std::current_exception();
    }
  }
}

// Polls for a round after `seen` (or the stop) for kPoll, publishing the time and its CPU in
// `beat` as it goes; true if one came. It stops early on the CPU the caller last published from:
// there it only delays the caller, who cannot publish while it spins.
bool ThreadPool::poll_for_round(Beat& beat, uint64_t seen) {
  auto next_round = [&] { return round_after(stopping_, generation_, seen); };
  const int64_t deadline = steady_ns() + std::chrono::nanoseconds(kPoll).count();
  for (;;) {
    for (int i = 0; i < 64; ++i) {
      if (next_round()) return true;
      cpu_relax();
    }
    const int64_t now = steady_ns();
    const int cpu = current_cpu();
    if (now >= deadline || (cpu >= 0 && cpu == caller_cpu_.load(std::memory_order_relaxed))) {
      beat.ns.store(0, std::memory_order_relaxed);
      return next_round();
    }
    beat.cpu.store(cpu, std::memory_order_relaxed);
    beat.ns.store(now, std::memory_order_relaxed);
  }
}

void ThreadPool::worker_loop(Beat& beat) {
  uint64_t seen = 0;
  CallerCpuLeaver leaver(leave_ == LeaveCallerCpu::kAlways);
  auto next_round = [&] { return round_after(stopping_, generation_, seen); };
  bool poked = false;  // woken by ready_workers() without a round
  for (;;) {
    const bool woken_to_poll = poked;
    poked = false;
    if (!poll_for_round(beat, seen)) {
      std::unique_lock<std::mutex> lock(mutex_);
      ++sleeping_;
      // Counted as asleep from here: the caller waits for it only once it has joined a round, so
      // the move below (milliseconds on a loaded machine) costs the caller no wait and no miss.
      int caller_cpu = caller_cpu_.load(std::memory_order_relaxed);
      if (caller_cpu >= 0 && current_cpu() == caller_cpu) {
        lock.unlock();
        // Woken to poll (a loop of small products wants it on another CPU) yet placed on the
        // caller's: on a lightly loaded machine it moves off at once and polls there. Left to the
        // leaver's gate, a worker woken there once was woken there by every later call, each
        // going straight back to sleep, while a burst of V8's collector threads shut the gate and
        // paused it for up to 1.6 s: a whole long-mode `dot 64` row on one thread. On a loaded
        // machine it stays (docs/dev/thread-pool.md, session 15).
        const bool force = woken_to_poll && lightly_loaded();
        const bool moved = force ? move_off_cpu(caller_cpu) : leaver.leave(caller_cpu);
        if (moved) moves_off_caller_.fetch_add(1, std::memory_order_relaxed);
        lock.lock();
        if (force && moved) {
          --sleeping_;
          continue;
        }
      }
      const uint64_t pokes = pokes_;
      wake_.wait(lock, [&] { return next_round() || pokes_ != pokes; });
      --sleeping_;
      // Woken by ready_workers() without a round: poll for the next one.
      if (!next_round()) {
        poked = true;
        continue;
      }
    }
    if (stopping_.load(std::memory_order_acquire)) return;
    seen = generation_.load(std::memory_order_acquire);
    {
      // A worker that comes late (descheduled on a loaded machine) finds the round closed and
      // waits for the next; the caller has run its tasks instead of waiting for it.
      std::lock_guard<std::mutex> lock(mutex_);
      if (!open_ || generation_.load(std::memory_order_relaxed) != seen) continue;
      ++joined_;
    }
    run_tasks();
    finished_.fetch_add(1, std::memory_order_acq_rel);
    // The caller may be asleep on done_: notify under the mutex so the wake-up cannot fall
    // between its check of finished_ and its wait.
    std::lock_guard<std::mutex> lock(mutex_);
    done_.notify_one();
  }
}

void ThreadPool::parallel_for(size_t num_tasks, const std::function<void(size_t)>& task) {
  if (num_tasks == 0) return;
  if (num_tasks > 1) split_calls_.fetch_add(1, std::memory_order_relaxed);
  bool inline_run = workers_.empty() || num_tasks == 1;
  if (!inline_run) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (busy_) {
      inline_run = true;
    } else if (skip_ > 0) {
      --skip_;
      skipped_calls_.fetch_add(1, std::memory_order_relaxed);
      inline_run = true;
    } else {
      busy_ = true;
      in_round_.store(true, std::memory_order_relaxed);
    }
  }
  if (inline_run) {
    for (size_t i = 0; i < num_tasks; ++i) task(i);
    return;
  }
  size_t asleep = 0;  // workers asleep when the round began: waking takes them tens of us
  {
    // The round's fields are published by the release increment of generation_, which polling
    // workers read with acquire; sleeping ones re-check it under the mutex.
    std::lock_guard<std::mutex> lock(mutex_);
    task_ = &task;
    num_tasks_ = num_tasks;
    next_task_.store(0, std::memory_order_relaxed);
    open_ = true;
    joined_ = 0;
    asleep = sleeping_.load(std::memory_order_relaxed);
    finished_.store(0, std::memory_order_relaxed);
    error_ = nullptr;
    caller_cpu_.store(current_cpu(), std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);
  }
  auto opened = std::chrono::steady_clock::now();
  wake_.notify_all();
  const size_t caller_ran = run_tasks();
  // Every task has been taken; wait only for the workers that took part.
  size_t joined;
  bool long_open;
  std::chrono::steady_clock::time_point closed;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    open_ = false;
    joined = joined_;
    // Timed at the close, under the mutex, not after the unlock: a worker that saw the round at
    // once yet found the mutex held by this close is blocked on it, so the unlock wakes it, and
    // on the loaded VM the unlock and this thread's preemption around it took over 20 us. Timed
    // after it, rounds closed within a microsecond counted as long and that worker as a miss.
    closed = std::chrono::steady_clock::now();
    long_open = closed - opened >= kJoinWindow;
  }
  auto finished = [&] { return finished_.load(std::memory_order_acquire) == joined; };
  std::exception_ptr error;
  {
    bool done = poll(finished);
    std::unique_lock<std::mutex> lock(mutex_);
    if (!done) done_.wait(lock, finished);
    // A worker that was polling when the round began, joined it, and then kept the caller waiting
    // more than twice as long as the caller's own share took lost its core during its task:
    // ready_workers() reports none for a while, twice as long after each such round in a row.
    if (caller_ran > 0 && joined > 0 && asleep == 0) {
      const auto now = std::chrono::steady_clock::now();
      if (now - closed > 2 * (closed - opened) + kSlowWorkerSlack) {
        ready_pause_ =
            ready_pause_ == 0 ? kReadyPauseNs : std::min(ready_pause_ * 2, kMaxReadyPauseNs);
        not_ready_until_ = steady_ns() + ready_pause_;
      } else {
        ready_pause_ = 0;
      }
    }
    // A worker that was polling yet missed a round open for kJoinWindow had no core: the
    // machine is oversubscribed. The next calls then run on the caller alone, twice as many after
    // each miss in a row (up to kMaxSkip), as their work would wait for a descheduled thread. (A
    // worker that was asleep may just be slow to wake, and one the caller slept for may just have
    // had the longer task, as a large product's rounds often do: neither is a miss.) A shorter
    // round that a polling worker missed neither counts nor clears a miss: a round of two empty
    // tasks often ends before a polling worker with a core has seen it, and each such "miss"
    // sent the next call, often a convolution, to the caller alone (the native test: 56 of 226).
    if (joined + asleep < workers_.size()) {
      if (long_open) {
        backoff_ = backoff_ == 0 ? 1 : std::min(backoff_ * 2, kMaxSkip);
        skip_ = backoff_;
      }
    } else {
      backoff_ = 0;
    }
    task_ = nullptr;
    busy_ = false;
    in_round_.store(false, std::memory_order_relaxed);
    error = error_;
    error_ = nullptr;
  }
  if (error) std::rethrow_exception(error);
}

size_t ThreadPool::ready_workers() {
  // Only the thread that publishes rounds gets further: the fields below are its own.
  if (workers_.empty() || in_round_.load(std::memory_order_relaxed)) return 0;
  if (all_ready_) return workers_.size();
  const int64_t now = steady_ns();
  if (now < not_ready_until_) return 0;
  const int cpu = current_cpu();
  size_t ready = 0;
  for (size_t i = 0; i < workers_.size(); ++i) {
    const int64_t beat = beats_[i].ns.load(std::memory_order_relaxed);
    const int worker_cpu = beats_[i].cpu.load(std::memory_order_relaxed);
    if (beat != 0 && now - beat < kFreshBeatNs && (cpu < 0 || worker_cpu != cpu)) ++ready;
  }
  const bool in_loop = now - last_ready_query_ < std::chrono::nanoseconds(kPoll).count();
  last_ready_query_ = now;
  // Only a wake-up counts toward the gap: while a worker is merely descheduled (polling, its beat
  // stale) there is no one to wake, and a gap started then held back the wake-up after the next
  // collection's pause, when the worker had gone to sleep (up to 1 ms of calls on one thread).
  if (ready == 0 && in_loop && now - last_poke_ >= kPokeGapNs &&
      sleeping_.load(std::memory_order_relaxed) > 0) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (sleeping_.load(std::memory_order_relaxed) > 0 && !busy_) {
      last_poke_ = now;
      ++pokes_;
      caller_cpu_.store(cpu, std::memory_order_relaxed);
      wake_.notify_all();
    }
  }
  return ready;
}

void ThreadPool::parallel_range(size_t n, size_t min_chunk,
                                const std::function<void(size_t, size_t)>& body) {
  if (min_chunk == 0) min_chunk = 1;
  size_t chunks = n / min_chunk;
  if (chunks > num_threads()) chunks = num_threads();
  if (chunks <= 1) {
    if (n > 0) body(0, n);
    return;
  }
  parallel_for(chunks, [&](size_t c) {
    size_t begin = n * c / chunks;
    size_t end = n * (c + 1) / chunks;
    body(begin, end);
  });
}

}  // namespace ndgrad

// A fixed set of worker threads that split large kernels. One pool per addon instance (each
// worker_thread environment gets its own). The calling thread always takes part, so a pool of
// size 1 has no workers and runs everything inline. Idle workers poll for the next round for
// 50 us before they sleep, except on the caller's CPU (thread_pool.cc says why);
// ready_workers() says which are polling now, for work too small to wait for a wake-up. The
// caller waits only for workers that joined a round, and after a round that found a worker
// without a core runs the next calls alone for a while (an oversubscribed machine). A worker
// about to sleep on the caller's own CPU moves itself off it first when the other CPU looks free,
// and, on a lightly loaded machine, always when ready_workers() woke it to poll (Linux).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace ndgrad {

class ThreadPool {
 public:
  // When a worker about to sleep on the CPU the last round was published from moves off it
  // (Linux): when the other CPU looks free (kWhenFree), or always (kAlways: for tests of the
  // move itself, which cannot wait for a free CPU on a shared machine).
  enum class LeaveCallerCpu { kWhenFree, kAlways };

  // num_threads counts the caller: 0 means "hardware concurrency, or NDGRAD_NUM_THREADS".
  explicit ThreadPool(size_t num_threads = 0, LeaveCallerCpu leave = LeaveCallerCpu::kWhenFree);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  size_t num_threads() const { return workers_.size() + 1; }

  // Runs task(i) for every i < num_tasks, spread over the pool; returns when all are done.
  // Tasks must not call parallel_for themselves (nested calls run inline). Exceptions thrown by
  // a task are rethrown here (the first one).
  void parallel_for(size_t num_tasks, const std::function<void(size_t)>& task);

  // Splits [0, n) into chunks of at least min_chunk elements, at most one chunk per thread, and
  // runs body(begin, end) on each. Small n runs inline on the caller.
  void parallel_range(size_t n, size_t min_chunk, const std::function<void(size_t, size_t)>& body);

  // How many workers are polling for a round on a CPU other than the caller's at this moment: a
  // round published now starts on them within a microsecond or two, where a sleeping worker takes
  // tens to wake and one polling on the caller's own CPU runs only when the caller stops. Work of
  // a few microseconds is worth splitting over these only. When there are none and the previous
  // call came less than the poll time ago (calls in a loop), sleeping workers are woken (at most
  // once a millisecond) to poll, so that the next calls can find them. From a task of a running
  // round (a nested call), 0.
  size_t ready_workers();

  // Makes ready_workers() report every worker (true) or go back to its rule: for tests of code
  // that splits work only over ready workers, whose split otherwise depends on the machine.
  void set_all_workers_ready(bool all) { all_ready_ = all; }

  // How many parallel_for calls of two or more tasks it has had, since construction, whether
  // they ran as a round or on the caller alone (a nested call, or after a miss): how often the
  // code above asked for a split, for tests and diagnosis.
  size_t split_calls() const { return split_calls_.load(std::memory_order_relaxed); }

  // How many parallel calls ran on the caller alone because of an earlier miss (a round that
  // found a worker without a core), since construction: for tests and diagnosis.
  size_t skipped_calls() const { return skipped_calls_.load(std::memory_order_relaxed); }

  // How many times a worker about to sleep on the CPU the last round was published from moved
  // itself off it (Linux), since construction: for tests and diagnosis.
  size_t moves_off_caller() const { return moves_off_caller_.load(std::memory_order_relaxed); }

  // The thread count from NDGRAD_NUM_THREADS, or the hardware's.
  static size_t default_num_threads();

 private:
  // What a worker publishes while it polls: when it last checked the time (steady-clock
  // nanoseconds, 0 when not polling) and on which CPU. One cache line each.
  struct alignas(64) Beat {
    std::atomic<int64_t> ns{0};
    std::atomic<int> cpu{-1};
  };

  void worker_loop(Beat& beat);
  bool poll_for_round(Beat& beat, uint64_t seen);
  size_t run_tasks();  // returns how many tasks it ran

  std::vector<std::thread> workers_;
  std::unique_ptr<Beat[]> beats_;  // one per worker
  int64_t last_ready_query_ = 0;   // steady-clock ns of the last ready_workers() call
  int64_t last_poke_ = 0;          // and of its last wake-up of sleeping workers
  uint64_t pokes_ = 0;             // bumped by those wake-ups, under mutex_
  // After a round whose worker lost its core mid-task: ready_workers() reports none until
  // not_ready_until_ (steady-clock ns); ready_pause_ is the last such pause (0: none in a row).
  // Caller thread only.
  int64_t not_ready_until_ = 0;
  int64_t ready_pause_ = 0;
  bool all_ready_ = false;
  std::atomic<size_t> split_calls_{0};
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  const std::function<void(size_t)>* task_ = nullptr;
  size_t num_tasks_ = 0;
  std::atomic<size_t> next_task_{0};
  // A round is open from its publication until the caller has run out of tasks; only workers
  // that joined while it was open (joined_, under mutex_) are waited for (finished_).
  bool open_ = false;
  size_t joined_ = 0;
  std::atomic<size_t> finished_{0};
  std::atomic<uint64_t> generation_{0};  // bumped once per round; workers poll it, then sleep
  // After a round that found a worker without a core: parallel calls still to run inline
  // (skip_) and how many the last miss set (backoff_), under mutex_.
  size_t skip_ = 0;
  size_t backoff_ = 0;
  std::atomic<size_t> skipped_calls_{0};
  const LeaveCallerCpu leave_;
  std::atomic<int> caller_cpu_{-1};  // the CPU the caller published the last round from, or -1
  std::atomic<size_t> moves_off_caller_{0};
  // Workers waiting on wake_ (or moving off the caller's CPU first): changed under mutex_, read
  // without it by ready_workers() to see whether a wake-up has anyone to wake.
  std::atomic<size_t> sleeping_{0};
  std::atomic<bool> stopping_{false};
  bool busy_ = false;        // a parallel_for is running (nested calls go inline)
  std::atomic<bool> in_round_{false};  // busy_, readable without the mutex (ready_workers)
  std::exception_ptr error_;
};

}  // namespace ndgrad

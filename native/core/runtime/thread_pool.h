// A fixed set of worker threads that split large kernels. One pool per addon instance (each
// worker_thread environment gets its own). The calling thread always takes part, so a pool of
// size 1 has no workers and runs everything inline. Idle workers poll for the next round for
// 50 us before they sleep (thread_pool.cc says why). The caller waits only for workers that
// joined a round, and after a round that found a worker without a core runs the next calls
// alone for a while (an oversubscribed machine). A worker about to sleep on the caller's own CPU
// moves itself off it first when the other CPU looks free (Linux).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <functional>
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

  // How many parallel calls ran on the caller alone because of an earlier miss (a round that
  // found a worker without a core), since construction: for tests and diagnosis.
  size_t skipped_calls() const { return skipped_calls_.load(std::memory_order_relaxed); }

  // How many times a worker about to sleep on the CPU the last round was published from moved
  // itself off it (Linux), since construction: for tests and diagnosis.
  size_t moves_off_caller() const { return moves_off_caller_.load(std::memory_order_relaxed); }

  // The thread count from NDGRAD_NUM_THREADS, or the hardware's.
  static size_t default_num_threads();

 private:
  void worker_loop();
  void run_tasks();

  std::vector<std::thread> workers_;
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
  size_t sleeping_ = 0;  // workers waiting on wake_, under mutex_
  std::atomic<bool> stopping_{false};
  bool busy_ = false;        // a parallel_for is running (nested calls go inline)
  std::exception_ptr error_;
};

}  // namespace ndgrad

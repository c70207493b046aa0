// The thread pool's rounds: every task runs exactly once per round whether a worker joins, joins
// late or sleeps through it (the caller runs what nobody took and waits only for the workers
// that joined), and a task's exception reaches the caller.
#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "check.h"
#include "core/runtime/thread_pool.h"

using ndgrad::ThreadPool;

namespace {

void check_rounds(size_t threads, size_t rounds) {
  ThreadPool pool(threads);
  std::vector<std::atomic<int>> hits(64);
  for (size_t r = 0; r < rounds; ++r) {
    size_t n = 1 + (r * 7) % 64;
    for (auto& h : hits) h.store(0);
    pool.parallel_for(n, [&](size_t i) { hits[i].fetch_add(1); });
    for (size_t i = 0; i < 64; ++i) CHECK_EQ(hits[i].load(), i < n ? 1 : 0);
    // Now and then a pause long enough for the workers to stop polling and sleep, so that the
    // next round wakes them late.
    if (r % 97 == 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
}

}  // namespace

TEST(thread_pool_runs_every_task_once_per_round) {
  check_rounds(2, 20000);
  check_rounds(3, 5000);
}

TEST(thread_pool_rethrows_a_task_exception_and_keeps_working) {
  ThreadPool pool(2);
  bool threw = false;
  try {
    pool.parallel_for(8, [](size_t i) {
      if (i == 5) throw std::runtime_error("task 5");
    });
  } catch (const std::runtime_error& e) {
    threw = std::string(e.what()) == "task 5";
  }
  CHECK(threw);
  std::atomic<int> sum{0};
  pool.parallel_for(10, [&](size_t i) { sum.fetch_add(static_cast<int>(i)); });
  CHECK_EQ(sum.load(), 45);
}

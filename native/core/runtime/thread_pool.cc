#include "core/runtime/thread_pool.h"

#include <cstdlib>
#include <exception>

namespace ndgrad {

size_t ThreadPool::default_num_threads() {
  if (const char* env = std::getenv("NDGRAD_NUM_THREADS")) {
    char* end = nullptr;
    long v = std::strtol(env, &end, 10);
    if (end != env && *end == '\0' && v >= 1 && v <= 256) return static_cast<size_t>(v);
  }
  unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : hw;
}

ThreadPool::ThreadPool(size_t num_threads) {
  if (num_threads == 0) num_threads = default_num_threads();
  for (size_t i = 1; i < num_threads; ++i) workers_.emplace_back([this] { worker_loop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : workers_) t.join();
}

void ThreadPool::run_tasks() {
  for (;;) {
    size_t i = next_task_.fetch_add(1, std::memory_order_relaxed);
    if (i >= num_tasks_) return;
    try {
      (*task_)(i);
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!error_) error_ = std::current_exception();
    }
  }
}

void ThreadPool::worker_loop() {
  uint64_t seen = 0;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
      if (stopping_) return;
      seen = generation_;
    }
    run_tasks();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (--active_ == 0) done_.notify_one();
    }
  }
}

void ThreadPool::parallel_for(size_t num_tasks, const std::function<void(size_t)>& task) {
  if (num_tasks == 0) return;
  bool inline_run = workers_.empty() || num_tasks == 1;
  if (!inline_run) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (busy_) inline_run = true;
    else busy_ = true;
  }
  if (inline_run) {
    for (size_t i = 0; i < num_tasks; ++i) task(i);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    task_ = &task;
    num_tasks_ = num_tasks;
    next_task_.store(0, std::memory_order_relaxed);
    active_ = workers_.size();
    error_ = nullptr;
    ++generation_;
  }
  wake_.notify_all();
  run_tasks();
  std::exception_ptr error;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [&] { return active_ == 0; });
    task_ = nullptr;
    busy_ = false;
    error = error_;
    error_ = nullptr;
  }
  if (error) std::rethrow_exception(error);
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

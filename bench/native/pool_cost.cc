// What a ThreadPool::parallel_for round costs on this machine, and what splitting a small float32
// product over two threads gains (docs/gemm.md, "Threads and determinism"). Each figure is the
// median over rounds of the per-call wall time and the per-call CPU time of the whole process
// (caller and worker), for calls back to back and after a pause in which the caller spins, as a
// loop that does JavaScript work between products would.
//   cmake -S . -B build-tests -DNDGRAD_BUILD_TESTS=ON -DCMAKE_BUILD_TYPE=Release
//   cmake --build build-tests --target ndgrad_pool_cost
//   build-tests/ndgrad_pool_cost [rounds [n]]
#include <sched.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "core/drivers/gemm.h"
#include "core/runtime/thread_pool.h"

namespace {

double clock_seconds(clockid_t id) {
  timespec t;
  clock_gettime(id, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}
double wall() { return clock_seconds(CLOCK_MONOTONIC); }
double process_cpu() { return clock_seconds(CLOCK_PROCESS_CPUTIME_ID); }

void spin_for(double seconds) {
  const double end = wall() + seconds;
  while (wall() < end) {
  }
}

double thread_cpu() { return clock_seconds(CLOCK_THREAD_CPUTIME_ID); }

// Set by a task that runs on a pool worker rather than the caller.
std::atomic<bool> g_worker_took_part{false};
thread_local bool t_is_caller = false;
void note_thread() {
  if (!t_is_caller) g_worker_took_part.store(true, std::memory_order_relaxed);
}

struct Cost {
  double shared;            // share of calls a worker took part in
  double p10_us, p50_us;    // per-call wall time over all calls
  double shared_p50_us;     // median over the calls a worker took part in (0 if none)
  double cpu_us;            // process CPU time per call (caller and workers)
};

double percentile(std::vector<double>& v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[size_t(q * (v.size() - 1))];
}

// `calls` calls of `call` a round for `rounds` rounds, each after `pause_us` of caller spinning
// (the caller's CPU time in the pauses is taken off the process's). Under load the median
// includes waits for a descheduled thread; the calls a worker took part in show what a split
// costs when both threads have a core.
template <class F>
Cost measure(int rounds, int calls, double pause_us, F&& call) {
  std::vector<double> walls, shared_walls;
  double cpu = 0;
  for (int r = 0; r < rounds; ++r) {
    double paused = 0;
    const double c0 = process_cpu();
    for (int i = 0; i < calls; ++i) {
      if (pause_us > 0) {
        const double p0 = thread_cpu();
        spin_for(pause_us * 1e-6);
        paused += thread_cpu() - p0;
      }
      g_worker_took_part.store(false, std::memory_order_relaxed);
      const double t0 = wall();
      call();
      const double t = (wall() - t0) * 1e6;
      walls.push_back(t);
      if (g_worker_took_part.load(std::memory_order_relaxed)) shared_walls.push_back(t);
    }
    cpu += process_cpu() - c0 - paused;
  }
  const double shared = double(shared_walls.size()) / walls.size();
  return {shared, percentile(walls, 0.1), percentile(walls, 0.5), percentile(shared_walls, 0.5),
          cpu / (double(rounds) * calls) * 1e6};
}

void print(const char* label, const Cost& c) {
  std::printf("  %-26s wall p10 %7.2f p50 %7.2f | worker in %3.0f%% (p50 %7.2f) | CPU %7.2f us\n",
              label, c.p10_us, c.p50_us, c.shared * 100, c.shared_p50_us, c.cpu_us);
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::atoi(argv[1]) : 15;
  // A second argument: only that product size, and no parallel_for lines.
  const size_t only_size = argc > 2 ? size_t(std::atoi(argv[2])) : 0;
  t_is_caller = true;
  ndgrad::ThreadPool one(1), two(2);
  // NDGRAD_POOL_COST_PIN=1: the caller on CPU 0, the worker on CPU 1 (both tasks of one round
  // wait for each other, so each runs on its own thread), to see on a shared machine what a
  // quiet one would give: run it with a raised priority (nice -n -15) as well.
  if (const char* pin = std::getenv("NDGRAD_POOL_COST_PIN"); pin && pin[0] == '1') {
    std::atomic<int> arrived{0};
    two.parallel_for(2, [&](size_t) {
      arrived.fetch_add(1);
      while (arrived.load() < 2) {
      }
      cpu_set_t set;
      CPU_ZERO(&set);
      CPU_SET(t_is_caller ? 0 : 1, &set);
      sched_setaffinity(0, sizeof set, &set);
    });
  }
  const double pauses[] = {0, 2, 10, 45, 100, 1000};
  char label[64];

  // How often a loop that does 5 us of work per call finds the worker ready to split with it.
  for (double pause : {0.0, 5.0, 20.0}) {
    size_t calls = 0, ready = 0;
    const double c0 = process_cpu(), t0 = wall();
    while (wall() - t0 < 0.5) {
      ready += two.ready_workers() > 0;
      spin_for((5 + pause) * 1e-6);
      ++calls;
    }
    std::printf("ready_workers() every %.0f us: ready in %.0f%% of %zu calls, CPU/wall %.2f\n",
                5 + pause, 100.0 * ready / calls, calls, (process_cpu() - c0) / (wall() - t0));
  }

  std::printf("parallel_for(2), per call\n");
  for (double pause : pauses) {
    if (only_size) break;
    const int calls = pause >= 1000 ? 200 : 2000;
    std::snprintf(label, sizeof label, "empty, pause %.0f us", pause);
    print(label, measure(rounds, calls, pause,
                         [&] { two.parallel_for(2, [](size_t) { note_thread(); }); }));
    std::snprintf(label, sizeof label, "1-us tasks, pause %.0f us", pause);
    print(label, measure(rounds, calls, pause, [&] {
      two.parallel_for(2, [](size_t) {
        note_thread();
        spin_for(1e-6);
      });
    }));
  }

  // Square float32 products: on one thread, and split into two column blocks over the pool (as
  // gemm_packed does from kPackedParallelMinMacs), each block a one-thread product (nr 32).
  const size_t sizes[] = {64, 96, 128};
  for (size_t n : sizes) {
    if (only_size && n != only_size) continue;
    std::vector<float> a(n * n), b(n * n), c(n * n);
    for (size_t i = 0; i < n * n; ++i) {
      a[i] = float(i % 7) - 3;
      b[i] = float(i % 5) - 2;
    }
    auto serial = [&] {
      ndgrad::gemm(one, ndgrad::kernels::Isa::Avx512, ndgrad::DType::Float32, false, false, n, n,
                   n, a.data(), n, b.data(), n, c.data(), n, false);
    };
    // ndgrad::gemm itself on the 2-thread pool: split or not as gemm.cc decides.
    auto pooled = [&] {
      ndgrad::gemm(two, ndgrad::kernels::Isa::Avx512, ndgrad::DType::Float32, false, false, n, n,
                   n, a.data(), n, b.data(), n, c.data(), n, false);
    };
    auto split = [&] {
      two.parallel_for(2, [&](size_t t) {
        note_thread();
        const size_t slivers = (n + 31) / 32, j0 = slivers * t / 2 * 32;
        const size_t j1 = std::min(n, slivers * (t + 1) / 2 * 32);
        ndgrad::gemm(one, ndgrad::kernels::Isa::Avx512, ndgrad::DType::Float32, false, false, n,
                     j1 - j0, n, a.data(), n, b.data() + j0, n, c.data() + j0, n, false);
      });
    };
    auto half = [&] {
      ndgrad::gemm(one, ndgrad::kernels::Isa::Avx512, ndgrad::DType::Float32, false, false, n,
                   n / 2, n, a.data(), n, b.data(), n, c.data(), n, false);
    };
    std::printf("%zu^3 float32\n", n);
    print("half the columns, 1 thread", measure(rounds, 1000, 0, half));
    for (double pause : pauses) {
      const int calls = pause >= 1000 ? 100 : 1000;
      std::snprintf(label, sizeof label, "1 thread, pause %.0f us", pause);
      print(label, measure(rounds, calls, pause, serial));
      std::snprintf(label, sizeof label, "split, pause %.0f us", pause);
      print(label, measure(rounds, calls, pause, split));
      std::snprintf(label, sizeof label, "gemm, 2 threads, pause %.0f us", pause);
      print(label, measure(rounds, calls, pause, pooled));
    }
  }
  return 0;
}

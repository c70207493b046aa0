// Session 12's blocking sweep of ndgrad::gemm (float32), kept for reproducing the figures in
// docs/dev/gemm-sort-tuning.md ("Session 12"). Not built by CMake. It needs the temporary driver
// patch beside it (session12-gemm-sweep.patch: SW_KC / SW_MC / SW_NC / SW_G override the ISA's
// kc, mc, nc and sliver group; SW_SHARED_2T=1 gives 2-thread pools the shared B panels again
// from 2^27 multiply-adds (main before session 12), SW_SHARED_MIN that threshold;
// SW_FORCE_SHARED runs the shared-panel scheme on any pool, one thread too; the shared-panel
// tasks add their thread CPU time to two counters):
//   git apply bench/results/session12-gemm-sweep.patch && cmake --build build --target ndgrad_core
//   g++ -O2 -std=c++17 -Inative bench/results/session12-gemm-sweep.cc build/libndgrad_core.a \
//       -lpthread -o /tmp/sweep
//   SW_KC=512 /tmp/sweep <isa 0|1|2> <threads> <m> <n> <k> <transA> <transB> <samples>
// Prints medians of process CPU and wall time per call over samples of about 4e8 flops each;
// samples in which the pool ran a call on the caller alone (a worker missed the round) are
// dropped and counted as "skipped".
#include <time.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "core/drivers/gemm.h"
#include "core/runtime/thread_pool.h"

namespace ndgrad {
extern std::atomic<long> g_sw_pack_ns, g_sw_comp_ns;
}

static double now(clockid_t id) {
  timespec t;
  clock_gettime(id, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char** argv) {
  if (argc < 9) return 2;
  const int isa = atoi(argv[1]);
  const size_t threads = atoi(argv[2]), m = atoi(argv[3]), n = atoi(argv[4]), k = atoi(argv[5]);
  const bool ta = atoi(argv[6]), tb = atoi(argv[7]);
  int samples = atoi(argv[8]);
  ndgrad::ThreadPool pool(threads);
  std::vector<float> a(m * k), b(k * n), c(m * n);
  for (size_t i = 0; i < a.size(); ++i) a[i] = float(i % 7) * 0.01f;
  for (size_t i = 0; i < b.size(); ++i) b[i] = float(i % 5) * 0.01f;
  const double flops = 2.0 * m * n * k;
  const int calls = std::max(1, int(4e8 / flops));
  auto run = [&] {
    for (int i = 0; i < calls; ++i)
      ndgrad::gemm(pool, static_cast<ndgrad::kernels::Isa>(isa), ndgrad::DType::Float32, ta, tb,
                   m, n, k, a.data(), ta ? m : k, b.data(), tb ? k : n, c.data(), n, false);
  };
  run();
  run();
  ndgrad::g_sw_pack_ns = 0;
  ndgrad::g_sw_comp_ns = 0;
  int total_calls = 0, skipped = 0;
  std::vector<double> cpu, wall;
  for (int s = 0; s < samples * 4 && int(cpu.size()) < samples; ++s) {
    const size_t missed = pool.skipped_calls();
    const double c0 = now(CLOCK_PROCESS_CPUTIME_ID), w0 = now(CLOCK_MONOTONIC);
    run();
    total_calls += calls;
    const double c1 = now(CLOCK_PROCESS_CPUTIME_ID), w1 = now(CLOCK_MONOTONIC);
    if (pool.skipped_calls() != missed) {
      ++skipped;
      continue;
    }
    cpu.push_back((c1 - c0) / calls * 1e6);
    wall.push_back((w1 - w0) / calls * 1e6);
  }
  std::printf("task cpu/call: pack %.1f comp %.1f us  ", ndgrad::g_sw_pack_ns / 1e3 / total_calls,
              ndgrad::g_sw_comp_ns / 1e3 / total_calls);
  if (cpu.empty()) {
    std::printf("all skipped\n");
    return 0;
  }
  samples = int(cpu.size());
  std::sort(cpu.begin(), cpu.end());
  std::sort(wall.begin(), wall.end());
  std::printf("cpu_med %.1f wall_med %.1f wall_min %.1f us  skipped %d\n", cpu[samples / 2],
              wall[samples / 2], wall[0], skipped);
}

// The AVX-512 float32 GEMM micro-kernel against the core's FMA peak, then whole ndgrad::gemm per
// ISA (docs/dev/gemm-sort-tuning.md). Thread CPU time, best of several rounds, so that being
// descheduled on a shared machine does not count; a neighbour sharing the caches still does.
//   cmake -S . -B build-tests -DNDGRAD_BUILD_TESTS=ON -DCMAKE_BUILD_TYPE=Release
//   cmake --build build-tests --target ndgrad_gemm_peak && build-tests/ndgrad_gemm_peak
#define NDGRAD_GEMM_VECTOR_BYTES 64
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "core/drivers/gemm.h"
#include "core/runtime/thread_pool.h"
#include "kernels/gemm_micro.inl"

namespace {

using ndgrad::kernels::micro_kernel;

double thread_seconds() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

// Best GFLOP/s over rounds of `run`, which does `flops` floating-point operations.
template <class F>
double best_gflops(double flops, int rounds, F&& run) {
  double best = 1e30;
  for (int r = 0; r < rounds; ++r) {
    const double t0 = thread_seconds();
    run();
    best = std::min(best, thread_seconds() - t0);
  }
  return flops / best / 1e9;
}

// 16 independent FMA chains (4-cycle latency x 2 ports needs 8): the core's FMA throughput.
double fma_peak_zmm() {
  const long iterations = 20000000;
  return best_gflops(iterations * 16 * 32.0, 3, [&] {
    for (long i = 0; i < iterations; ++i)
      __asm__ volatile(
          "vfmadd231ps %%zmm30, %%zmm31, %%zmm0\n vfmadd231ps %%zmm30, %%zmm31, %%zmm1\n"
          "vfmadd231ps %%zmm30, %%zmm31, %%zmm2\n vfmadd231ps %%zmm30, %%zmm31, %%zmm3\n"
          "vfmadd231ps %%zmm30, %%zmm31, %%zmm4\n vfmadd231ps %%zmm30, %%zmm31, %%zmm5\n"
          "vfmadd231ps %%zmm30, %%zmm31, %%zmm6\n vfmadd231ps %%zmm30, %%zmm31, %%zmm7\n"
          "vfmadd231ps %%zmm30, %%zmm31, %%zmm8\n vfmadd231ps %%zmm30, %%zmm31, %%zmm9\n"
          "vfmadd231ps %%zmm30, %%zmm31, %%zmm10\n vfmadd231ps %%zmm30, %%zmm31, %%zmm11\n"
          "vfmadd231ps %%zmm30, %%zmm31, %%zmm12\n vfmadd231ps %%zmm30, %%zmm31, %%zmm13\n"
          "vfmadd231ps %%zmm30, %%zmm31, %%zmm14\n vfmadd231ps %%zmm30, %%zmm31, %%zmm15\n" ::
              : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
                "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
  });
}

// The same with ymm registers: half the zmm figure where a core has 512-bit FMA units (Sapphire
// Rapids), the same figure where it runs a zmm FMA as two 256-bit halves (Zen 4).
double fma_peak_ymm() {
  const long iterations = 20000000;
  return best_gflops(iterations * 16 * 16.0, 3, [&] {
    for (long i = 0; i < iterations; ++i)
      __asm__ volatile(
          "vfmadd231ps %%ymm14, %%ymm15, %%ymm0\n vfmadd231ps %%ymm14, %%ymm15, %%ymm1\n"
          "vfmadd231ps %%ymm14, %%ymm15, %%ymm2\n vfmadd231ps %%ymm14, %%ymm15, %%ymm3\n"
          "vfmadd231ps %%ymm14, %%ymm15, %%ymm4\n vfmadd231ps %%ymm14, %%ymm15, %%ymm5\n"
          "vfmadd231ps %%ymm14, %%ymm15, %%ymm6\n vfmadd231ps %%ymm14, %%ymm15, %%ymm7\n"
          "vfmadd231ps %%ymm14, %%ymm15, %%ymm8\n vfmadd231ps %%ymm14, %%ymm15, %%ymm9\n"
          "vfmadd231ps %%ymm14, %%ymm15, %%ymm10\n vfmadd231ps %%ymm14, %%ymm15, %%ymm11\n"
          "vfmadd231ps %%ymm14, %%ymm15, %%ymm12\n vfmadd231ps %%ymm14, %%ymm15, %%ymm13\n"
          "vfmadd231ps %%ymm14, %%ymm15, %%ymm0\n vfmadd231ps %%ymm14, %%ymm15, %%ymm1\n" ::
              : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
                "xmm10", "xmm11", "xmm12", "xmm13");
  });
}

std::vector<float> filled(size_t count) {
  std::vector<float> v(count + 16);
  for (size_t i = 0; i < v.size(); ++i) v[i] = float(i % 7) * 0.01f;
  return v;
}

constexpr size_t kMr = 12, kNr = 32;

// One 12 x 32 tile over and over: A sliver, B sliver and C tile stay in L1 (kc 64) or nearly
// (kc 384: a 48 KiB B sliver).
double kernel_in_cache(size_t kc) {
  std::vector<float> a = filled(kMr * kc), b = filled(kNr * kc), c = filled(kMr * kNr);
  const long calls = long(4e8 / (2.0 * kMr * kNr * kc));
  return best_gflops(2.0 * kMr * kNr * kc * calls, 5, [&] {
    for (long i = 0; i < calls; ++i)
      micro_kernel<float, kMr, 2, false>(kc, a.data(), kMr, b.data(), kNr, c.data(), kNr, kMr,
                                         kNr, true);
  });
}

// The kernel over one packed n x n product's tiles, k cut into slices of kc (whole slices only:
// kc divides n here), in the driver's
// two orders: each B sliver past every A tile (group 0), or each A tile past groups of B slivers.
double kernel_in_order(size_t n, size_t kc, size_t group) {
  const size_t tiles = n / kMr, slivers = n / kNr;
  std::vector<float> a = filled(tiles * kMr * n), b = filled(n * n), c = filled(n * n);
  auto call = [&](size_t pc, size_t i, size_t s) {
    micro_kernel<float, kMr, 2, false>(kc, a.data() + pc * tiles * kMr + i * kMr * kc, kMr,
                                       b.data() + pc * n + s * kNr * kc, kNr,
                                       c.data() + i * kMr * n + s * kNr, n, kMr, kNr, pc > 0);
  };
  return best_gflops(2.0 * tiles * kMr * n * (n / kc * kc), 5, [&] {
    for (size_t pc = 0; pc + kc <= n; pc += kc) {
      if (group == 0) {
        for (size_t s = 0; s < slivers; ++s)
          for (size_t i = 0; i < tiles; ++i) call(pc, i, s);
      } else {
        for (size_t g = 0; g < slivers; g += group)
          for (size_t i = 0; i < tiles; ++i)
            for (size_t s = g; s < std::min(slivers, g + group); ++s) call(pc, i, s);
      }
    }
  });
}

double whole_gemm(ndgrad::kernels::Isa isa, size_t m, size_t n, size_t k, bool ta, bool tb) {
  static ndgrad::ThreadPool pool(1);
  std::vector<float> a = filled(m * k), b = filled(k * n), c(m * n);
  const double flops = 2.0 * m * n * k;
  const int calls = std::max(1, int(2e8 / flops));
  return best_gflops(flops * calls, 9, [&] {
    for (int i = 0; i < calls; ++i)
      ndgrad::gemm(pool, isa, ndgrad::DType::Float32, ta, tb, m, n, k, a.data(), ta ? m : k,
                   b.data(), tb ? k : n, c.data(), n, false);
  });
}

}  // namespace

int main() {
  if (!__builtin_cpu_supports("avx512f")) {
    std::puts("no AVX-512 on this CPU");
    return 0;
  }
  std::printf("caches (sysconf): L1d %ld KiB, L2 %ld KiB, L3 %ld KiB\n",
              sysconf(_SC_LEVEL1_DCACHE_SIZE) >> 10, sysconf(_SC_LEVEL2_CACHE_SIZE) >> 10,
              sysconf(_SC_LEVEL3_CACHE_SIZE) >> 10);
  const double peak = fma_peak_zmm(), peak_ymm = fma_peak_ymm();
  std::printf("FMA peak (float32): zmm %.1f GFLOP/s, ymm %.1f GFLOP/s\n", peak, peak_ymm);
  auto line = [&](const char* what, double gflops) {
    std::printf("  %-44s %6.1f GFLOP/s  %3.0f%% of peak\n", what, gflops, 100 * gflops / peak);
  };
  std::puts("12 x 32 micro-kernel:");
  line("operands in L1, kc 64", kernel_in_cache(64));
  line("operands in L1 / L2, kc 384", kernel_in_cache(384));
  line("512^3 tiles, kc 256, sliver-major", kernel_in_order(512, 256, 0));
  line("512^3 tiles, kc 256, groups of 8 slivers", kernel_in_order(512, 256, 8));
  line("1024^3 tiles, kc 256, sliver-major", kernel_in_order(1024, 256, 0));
  line("1024^3 tiles, kc 256, groups of 8 slivers", kernel_in_order(1024, 256, 8));
  line("768^3 tiles, kc 384, sliver-major", kernel_in_order(768, 384, 0));
  line("768^3 tiles, kc 384, groups of 8 slivers", kernel_in_order(768, 384, 8));
  struct Shape {
    const char* name;
    size_t m, n, k;
    bool ta, tb;
  };
  const Shape shapes[] = {{"64^3", 64, 64, 64, false, false},
                          {"128^3", 128, 128, 128, false, false},
                          {"256^3", 256, 256, 256, false, false},
                          {"512^3", 512, 512, 512, false, false},
                          {"1024^3", 1024, 1024, 1024, false, false},
                          {"64x784 . 784x256", 64, 256, 784, false, false},
                          {"(64x784)^T . 64x256", 784, 256, 64, true, false},
                          {"64x256 . (784x256)^T", 64, 784, 256, false, true}};
  std::puts("ndgrad::gemm, 1 thread (AVX2 against the ymm peak):");
  for (const Shape& s : shapes) {
    const double avx512 = whole_gemm(ndgrad::kernels::Isa::Avx512, s.m, s.n, s.k, s.ta, s.tb);
    const double avx2 = whole_gemm(ndgrad::kernels::Isa::Avx2, s.m, s.n, s.k, s.ta, s.tb);
    std::printf("  %-22s AVX-512 %6.1f GFLOP/s %3.0f%%   AVX2 %6.1f GFLOP/s %3.0f%%\n", s.name,
                avx512, 100 * avx512 / peak, avx2, 100 * avx2 / peak_ymm);
  }
}

// Session 15 harness (transc15): main's log_f32/tanh_f32 ("old") against the variants in
// session15-transc15-variants.inl ("new"), per vector width, and exhaustive ulp sweeps against
// double log/tanh. Built against main's kernels, e.g. for AVX-512:
//   g++ -O3 -fno-math-errno -fno-trapping-math -std=c++17 -DW=64 -mavx512f -mavx512dq \
//     -mavx512bw -mavx512vl -mavx2 -mfma -I/work/main/native -DEST -DLOGC -DNOSMALL \
//     session15-transc15-harness.cc -o h64
// (-DW=32 -mavx2 -mfma for AVX2, -DW=16 alone for the no-fma table). Variant switches: EST
// (second-order Horner), LOGA/LOGB/LOGC (log endings), NOSMALL (no n = 0 correction in tanh),
// FUSED. Modes: bench <n> <reps> (thread CPU ns per element, best and median), logsweep (every
// positive float), tanhsweep [lo hi] (hex bit range, default [0, 10)), logold, tanhold.
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <algorithm>
#include <vector>
#include <immintrin.h>
#define NDGRAD_VEC_BYTES W
namespace k {
#include "kernels/vec_base.inl"
#include "kernels/vec_math.inl"
#include "session15-transc15-variants.inl"
template <class F>
__attribute__((noinline)) void map(const float* x, float* y, size_t n, F f) {
  constexpr size_t L = kLanes<float>;
  size_t i = 0;
  for (; i + 4 * L <= n; i += 4 * L) {
    vf32 a0 = load<vf32>(x + i), a1 = load<vf32>(x + i + L), a2 = load<vf32>(x + i + 2 * L),
         a3 = load<vf32>(x + i + 3 * L);
    store(y + i, f(a0)); store(y + i + L, f(a1)); store(y + i + 2 * L, f(a2)); store(y + i + 3 * L, f(a3));
  }
  for (; i + L <= n; i += L) store(y + i, f(load<vf32>(x + i)));
  if (i < n) store_part(y + i, f(load_part<vf32>(x + i, n - i, 1.0f)), n - i);
}
}
using namespace k;
typedef void (*Fn)(const float*, float*, size_t);
__attribute__((noinline)) void log_old(const float* x, float* y, size_t n) { map(x, y, n, [](vf32 a) { return log_f32(a); }); }
__attribute__((noinline)) void log_new(const float* x, float* y, size_t n) { map(x, y, n, [](vf32 a) { return log_f32_new(a); }); }
__attribute__((noinline)) void tanh_old(const float* x, float* y, size_t n) { map(x, y, n, [](vf32 a) { return tanh_f32(a); }); }
__attribute__((noinline)) void tanh_new(const float* x, float* y, size_t n) { map(x, y, n, [](vf32 a) { return tanh_f32_new(a); }); }

static double now() { timespec t; clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); return t.tv_sec + 1e-9 * t.tv_nsec; }
static double ulp_err(float got, double want) {
  float wf = (float)want;
  if (isnan(wf) || isnan(got)) return isnan(wf) && isnan(got) ? 0 : 1e9;
  if (isinf(wf) || isinf(got)) return wf == got ? 0 : 1e9;
  if ((double)got == want) return 0;
  int e; frexp(want, &e); if (e < -125) e = -125;
  return fabs((double)got - want) / ldexp(1.0, e - 24);
}
static void sweep(const char* name, Fn f, double (*ref)(double), uint32_t lo, uint32_t hi, int sign) {
  const size_t C = 1 << 20; std::vector<float> in(C), out(C);
  double worst = 0; float at = 0; long bad1 = 0; uint64_t b = lo;
  while (b < hi) {
    size_t m = 0;
    for (; m < C && b < hi; ++m, ++b) { uint32_t u = (uint32_t)b | (sign ? 0x80000000u : 0); memcpy(&in[m], &u, 4); }
    f(in.data(), out.data(), m);
    for (size_t i = 0; i < m; ++i) { double e = ulp_err(out[i], ref(in[i])); if (e > worst) { worst = e; at = in[i]; }
      if (fabsf(out[i]) > 1.0f && ref == (double(*)(double))tanh) ++bad1; }
  }
  printf("%s [%08x,%08x) sign %d: max %.3f ulp at %.9g (%a)%s\n", name, lo, hi, sign, worst, at, at, bad1 ? " |y|>1!" : "");
}
int main(int argc, char** argv) {
  const char* mode = argv[1];
  if (!strcmp(mode, "bench")) {
    size_t n = atol(argv[2]); int reps = atoi(argv[3]);
    std::vector<float> xl(n), xt(n), y(n);
    srand(1); for (size_t i = 0; i < n; ++i) { xl[i] = expf((rand() / (float)RAND_MAX) * 20 - 10); xt[i] = (rand() / (float)RAND_MAX) * 8 - 4; }
    struct { const char* nm; Fn f; float* x; std::vector<double> t; } c[4] = {{"log_old", log_old, xl.data()}, {"log_new", log_new, xl.data()}, {"tanh_old", tanh_old, xt.data()}, {"tanh_new", tanh_new, xt.data()}};
    for (int r = 0; r < reps; ++r) for (auto& cc : c) { double t0 = now(); cc.f(cc.x, y.data(), n); cc.t.push_back((now() - t0) / n * 1e9); }
    for (auto& cc : c) { std::sort(cc.t.begin(), cc.t.end()); printf("%-9s best %.3f med %.3f ns/elem\n", cc.nm, cc.t[0], cc.t[cc.t.size() / 2]); }
  } else if (!strcmp(mode, "logsweep")) {
    uint32_t step = argc > 2 ? atoi(argv[2]) : 1;
    (void)step;
    sweep("log_new", log_new, (double(*)(double))log, 0, 0x7f800001u, 0);

  } else if (!strcmp(mode, "logold")) {
    sweep("log_old", log_old, (double(*)(double))log, 0, 0x7f800001u, 0);
  } else if (!strcmp(mode, "tanhsweep")) {
    uint32_t lo = argc > 2 ? strtoul(argv[2], 0, 16) : 0, hi = argc > 3 ? strtoul(argv[3], 0, 16) : 0x41200000u;
    sweep("tanh_new", tanh_new, (double(*)(double))tanh, lo, hi, 0);
  } else if (!strcmp(mode, "tanhold")) {
    sweep("tanh_old", tanh_old, (double(*)(double))tanh, 0, 0x41200000u, 0);
  }
}

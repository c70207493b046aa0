// Session 11: the transposed packing (`pack_b` of a B^T with unaligned rows) under ASan's fake
// stack. Built against session 10's gemm_micro.inl (638604e, the rows in a local vector array)
// it dies with SEGV on a `vmovapd` into the fake frame when detect_stack_use_after_return=1 and
// passes with =0; against the named-value version it passes both ways.
//   g++ -std=c++17 -include cstddef -I native -DNDGRAD_GEMM_VECTOR_BYTES=64 -O3 \
//     -fsanitize=address,undefined -fno-omit-frame-pointer -mavx512f -mavx512dq -mavx512bw \
//     -mavx512vl -mavx2 -mfma -o /tmp/repro bench/results/session11-pack-asan-repro.cc
//   ASAN_OPTIONS=detect_stack_use_after_return=1 /tmp/repro
#include <cstdio>
#include <cstdlib>
#include "kernels/gemm_micro.inl"
using namespace ndgrad::kernels;
int main(int argc, char** argv) {
  const size_t k = 127, n = 64;  // B^T stored n x k, unaligned rows
  double* src = static_cast<double*>(std::malloc(n * k * sizeof(double)));
  float* srcf = static_cast<float*>(std::malloc(n * k * sizeof(float)));
  for (size_t i = 0; i < n * k; ++i) src[i] = double(i), srcf[i] = float(i);
  const size_t R = 16;
  double* out = static_cast<double*>(std::malloc(R * k * sizeof(double) * 8));
  float* outf = static_cast<float*>(std::malloc(32 * k * sizeof(float) * 8));
  for (int rep = 0; rep < 100; ++rep) {
    pack_b<double, 16>(k, n, src, 1, k, out);
    pack_b<float, 32>(k, n, srcf, 1, k, outf);
  }
  size_t bad = 0;
  for (size_t s = 0; s < n / R; ++s)
    for (size_t p = 0; p < k; ++p)
      for (size_t r = 0; r < R; ++r) bad += out[s * R * k + p * R + r] != src[(s * R + r) * k + p];
  std::printf("mismatches %zu\n", bad);
  std::free(src);
  std::free(srcf);
  std::free(out);
  std::free(outf);
  return bad != 0;
}

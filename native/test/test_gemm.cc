// The matrix product against a naive reference (double for floats, modular for integers), over
// every transpose combination, ragged shapes, padded strides, every ISA this CPU runs, and
// thread counts that must not change a single bit.
#include <cmath>
#include <cstdint>
#include <chrono>
#include <cstring>
#include <limits>
#include <type_traits>
#include <thread>
#include <vector>

#include "check.h"
#include "core/drivers/gemm.h"
#include "core/runtime/thread_pool.h"
#include "kernels/gemm_kernels.h"

namespace {

using ndgrad::DType;
using ndgrad::ThreadPool;
using ndgrad::kernels::Isa;

std::vector<Isa> supported_isas() {
  std::vector<Isa> isas;
  for (Isa isa : {Isa::Scalar, Isa::Avx2, Isa::Avx512})
    if (ndgrad::kernels::gemm_kernels_for(isa)) isas.push_back(isa);
  return isas;
}

template <class T>
constexpr DType dtype_of();
template <>
constexpr DType dtype_of<float>() { return DType::Float32; }
template <>
constexpr DType dtype_of<double>() { return DType::Float64; }
template <>
constexpr DType dtype_of<int32_t>() { return DType::Int32; }
template <>
constexpr DType dtype_of<uint8_t>() { return DType::Uint8; }

class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed * 0x9E3779B97F4A7C15ull + 1) {}
  uint64_t bits() {
    state_ = state_ * 6364136223846793005ull + 1442695040888963407ull;
    return state_ >> 11;
  }
  double uniform() { return double(bits() >> 11) / double(1ull << 42) * 2.0 - 1.0; }

 private:
  uint64_t state_;
};

// Inputs in [-1, 1] for floats, the full range for integers (so products wrap).
template <class T>
T random_value(Random& rng) {
  if (std::is_floating_point<T>::value) return T(rng.uniform());
  return T(rng.bits());
}

// One product with its operands stored as gemm expects; lda/ldb/ldc exceed the logical widths by
// `pad`, and the padding is filled too so a stray read or write shows up.
template <class T>
struct Problem {
  bool ta, tb;
  size_t m, n, k, lda, ldb, ldc;
  std::vector<T> a, b, c0;

  Problem(bool ta_, bool tb_, size_t m_, size_t n_, size_t k_, size_t pad, uint64_t seed)
      : ta(ta_), tb(tb_), m(m_), n(n_), k(k_) {
    lda = (ta ? m : k) + pad;
    ldb = (tb ? k : n) + pad;
    ldc = n + pad;
    Random rng(seed);
    a.resize((ta ? k : m) * lda + 1);
    b.resize((tb ? n : k) * ldb + 1);
    c0.resize(m * ldc + 1);
    for (T& x : a) x = random_value<T>(rng);
    for (T& x : b) x = random_value<T>(rng);
    for (T& x : c0) x = random_value<T>(rng);
  }
  T op_a(size_t i, size_t p) const { return ta ? a[p * lda + i] : a[i * lda + p]; }
  T op_b(size_t p, size_t j) const { return tb ? b[j * ldb + p] : b[p * ldb + j]; }

  std::vector<T> run(ThreadPool& pool, Isa isa, bool accumulate) const {
    std::vector<T> c = c0;
    ndgrad::gemm(pool, isa, dtype_of<T>(), ta, tb, m, n, k, a.data(), lda, b.data(), ldb,
                 c.data(), ldc, accumulate);
    return c;
  }

  void check_padding_untouched(const std::vector<T>& c) const {
    for (size_t i = 0; i < m; ++i)
      for (size_t j = n; j < ldc; ++j) CHECK(std::memcmp(&c[i * ldc + j], &c0[i * ldc + j], sizeof(T)) == 0);
    CHECK(std::memcmp(&c.back(), &c0.back(), sizeof(T)) == 0);
  }

  // Error bound of a length-k float dot product (Higham: gamma_k * sum |a||b|), doubled for the
  // final add into C, with a little slack.
  void check_float(const std::vector<T>& c, bool accumulate) const {
    const double eps = std::numeric_limits<T>::epsilon();
    for (size_t i = 0; i < m; ++i)
      for (size_t j = 0; j < n; ++j) {
        double ref = accumulate ? double(c0[i * ldc + j]) : 0.0;
        double mag = std::fabs(ref);
        for (size_t p = 0; p < k; ++p) {
          double prod = double(op_a(i, p)) * double(op_b(p, j));
          ref += prod;
          mag += std::fabs(prod);
        }
        CHECK_NEAR(double(c[i * ldc + j]), ref, 2.0 * double(k + 2) * eps * mag + 1e-300);
      }
    check_padding_untouched(c);
  }

  void check_integer(const std::vector<T>& c, bool accumulate) const {
    for (size_t i = 0; i < m; ++i)
      for (size_t j = 0; j < n; ++j) {
        uint64_t ref = accumulate ? uint64_t(uint32_t(c0[i * ldc + j])) : 0;
        for (size_t p = 0; p < k; ++p)
          ref += uint64_t(uint32_t(op_a(i, p))) * uint64_t(uint32_t(op_b(p, j)));
        CHECK_EQ(int64_t(c[i * ldc + j]), int64_t(T(uint32_t(ref))));
      }
    check_padding_untouched(c);
  }
};

struct Shape {
  size_t m, n, k;
};

// Direct path (tiny, vectors), packed path with edges smaller than a tile, several k slices,
// several column panels, k = 1, A read in place (narrow panels, ragged last row tile) and A packed
// (panels wider than 16 slivers of every ISA's tile).
const Shape kShapes[] = {
    {1, 1, 1},     {2, 2, 2},     {4, 1, 3},     {1, 4, 5},      {7, 13, 17},   {1, 300, 70},
    {300, 1, 70},  {3, 100, 200}, {100, 5, 100}, {33, 35, 40},   {65, 33, 129}, {8, 2100, 20},
    {300, 257, 513}, {40, 50, 1}, {130, 70, 300}, {37, 600, 70}, {25, 1030, 9},
    // Three groups of AVX-512 float32 slivers (the last ragged), two k slices, 12-, 8- and a
    // padded 4-row tile.
    {23, 545, 600},
};

ThreadPool& pool_of(size_t threads) {
  static ThreadPool one(1), two(2), three(3);
  return threads == 1 ? one : threads == 2 ? two : three;
}

// Pools whose workers all count as ready (ThreadPool::ready_workers): products from 2^18
// multiply-adds split over them as they would over polling workers on a quiet machine.
ThreadPool& ready_pool_of(size_t threads) {
  static ThreadPool* pools[2] = {nullptr, nullptr};
  ThreadPool*& pool = pools[threads == 2 ? 0 : 1];
  if (!pool) {
    pool = new ThreadPool(threads);
    pool->set_all_workers_ready(true);
  }
  return *pool;
}

template <class T>
void check_against_reference(Isa isa) {
  uint64_t seed = 1;
  for (const Shape& s : kShapes)
    for (int trans = 0; trans < 4; ++trans) {
      const bool accumulate = (seed & 1) != 0;
      const size_t pad = seed % 3 == 0 ? 0 : 3;
      Problem<T> prob(trans & 1, trans & 2, s.m, s.n, s.k, pad, seed++);
      std::vector<T> c = prob.run(pool_of(2), isa, accumulate);
      if (std::is_floating_point<T>::value)
        prob.check_float(c, accumulate);
      else
        prob.check_integer(c, accumulate);
    }
}

TEST(gemm_float32_matches_reference) {
  for (Isa isa : supported_isas()) check_against_reference<float>(isa);
}

TEST(gemm_float64_matches_reference) {
  for (Isa isa : supported_isas()) check_against_reference<double>(isa);
}

// Row counts around every tile height (12, 8, 6, 4 and their sums: main tiles, the shorter 8-
// and 4-row tiles, a padded last tile) and widths around the in-place B limit (a k x n slice of
// at most 32 KiB is read in place, whole slivers only; wider, transposed or ragged is packed).
template <class T>
void check_tile_heights_and_b_in_place(Isa isa) {
  const size_t rows[] = {1, 3, 4, 5, 7, 8, 9, 11, 12, 13, 16, 17, 20, 23, 24, 63, 64, 65, 127, 129};
  const size_t widths[] = {17, 32, 64, 70, 129};
  const size_t depths[] = {64, 65, 200};
  uint64_t seed = 500;
  for (size_t m : rows)
    for (size_t n : widths)
      for (int trans = 0; trans < 4; ++trans) {
        const size_t k = depths[seed % 3];
        const bool accumulate = (seed & 1) != 0;
        Problem<T> prob(trans & 1, trans & 2, m, n, k, seed % 5 == 0 ? 3 : 0, seed++);
        prob.check_float(prob.run(pool_of(1), isa, accumulate), accumulate);
      }
}

TEST(gemm_short_tiles_and_b_read_in_place_match_reference) {
  for (Isa isa : supported_isas()) {
    check_tile_heights_and_b_in_place<float>(isa);
    check_tile_heights_and_b_in_place<double>(isa);
  }
}

TEST(gemm_integers_wrap_like_the_modular_reference) {
  check_against_reference<int32_t>(Isa::Scalar);
  check_against_reference<uint8_t>(Isa::Scalar);
}

TEST(gemm_falls_back_when_the_cpu_lacks_the_isa) {
  // Asking for every ISA, supported or not, still gives correct results.
  for (Isa isa : {Isa::Scalar, Isa::Avx2, Isa::Avx512}) {
    Problem<float> prob(false, true, 70, 40, 90, 1, 7);
    prob.check_float(prob.run(pool_of(2), isa, false), false);
  }
}

TEST(gemm_exact_small_products) {
  // [[1, 2], [3, 4]] . [[5, 6], [7, 8]] = [[19, 22], [43, 50]]; sums of small integers are exact.
  const double a[] = {1, 2, 3, 4}, b[] = {5, 6, 7, 8};
  for (Isa isa : supported_isas()) {
    double c[4] = {100, 100, 100, 100};
    ndgrad::gemm(pool_of(1), isa, DType::Float64, false, false, 2, 2, 2, a, 2, b, 2, c, 2, false);
    CHECK_EQ(c[0], 19.0);
    CHECK_EQ(c[1], 22.0);
    CHECK_EQ(c[2], 43.0);
    CHECK_EQ(c[3], 50.0);
    // A 1-D dot: [1, 2, 3, 4] . [5, 6, 7, 8] = 70, as 1 x 4 . 4 x 1, plus the old 1.
    float x[] = {1, 2, 3, 4}, y[] = {5, 6, 7, 8}, dot = 1;
    ndgrad::gemm(pool_of(1), isa, DType::Float32, false, false, 1, 1, 4, x, 4, y, 1, &dot, 1, true);
    CHECK_EQ(dot, 71.0f);
  }
}

TEST(gemm_zero_depth_clears_or_keeps_c) {
  for (Isa isa : supported_isas()) {
    float c[6] = {1, 2, 3, 4, 5, 6};
    ndgrad::gemm(pool_of(2), isa, DType::Float32, false, false, 2, 2, 0, nullptr, 1, nullptr, 2,
                 c, 3, true);
    CHECK_EQ(c[0], 1.0f);
    CHECK_EQ(c[4], 5.0f);
    ndgrad::gemm(pool_of(2), isa, DType::Float32, false, false, 2, 2, 0, nullptr, 1, nullptr, 2,
                 c, 3, false);
    CHECK_EQ(c[0], 0.0f);
    CHECK_EQ(c[1], 0.0f);
    CHECK_EQ(c[2], 3.0f);  // padding
    CHECK_EQ(c[4], 0.0f);
  }
  int32_t ci[2] = {7, 7};
  ndgrad::gemm(pool_of(1), Isa::Scalar, DType::Int32, true, true, 1, 2, 0, nullptr, 1, nullptr, 1,
               ci, 2, false);
  CHECK_EQ(ci[0], 0);
  CHECK_EQ(ci[1], 0);
}

template <class T>
void check_thread_count_invariance(Isa isa) {
  // Shapes that take each threaded route: one block per thread over rows and over columns,
  // shared panels (2^27 multiply-adds and up, pools of 3; a pool of 2 takes one block per thread
  // there too) over rows and with columns split too (few rows),
  // direct over rows and over columns, as given and transposed.
  // Around the packed path's threading thresholds: 2^21 multiply-adds on any pool (128^3 threads,
  // 127 x 128 x 128 does not) and its old one (2^22) too, and 2^18 over ready workers (64^3 splits
  // on the ready pools, 63 x 64 x 64 does not; 96^3 and the MLP's 64 x 128 . 128 x 128 between).
  // Row-major A with m >= n cuts C into column blocks (split_columns), a ragged last sliver in
  // {256, 200, 256}.
  const Shape shapes[] = {{300, 257, 513}, {7, 2000, 100},  {2000, 1, 300},  {1, 3000, 200},
                          {3, 2000, 300},  {2000, 5, 300},  {520, 510, 520}, {13, 5000, 2100},
                          {160, 160, 160}, {161, 161, 162}, {129, 127, 260}, {256, 200, 256},
                          {128, 128, 128}, {127, 128, 128}, {64, 64, 64},    {63, 64, 64},
                          {96, 96, 96},    {64, 128, 128},  {100, 70, 90},   {40, 200, 33}};
  uint64_t seed = 100;
  for (const Shape& s : shapes)
    for (int trans = 0; trans < 4; ++trans) {
      Problem<T> prob(trans & 1, trans & 2, s.m, s.n, s.k, 1, seed++);
      const bool accumulate = (seed & 1) != 0;
      std::vector<T> one = prob.run(pool_of(1), isa, accumulate);
      for (size_t threads : {2, 3}) {
        std::vector<T> many = prob.run(pool_of(threads), isa, accumulate);
        CHECK(std::memcmp(one.data(), many.data(), one.size() * sizeof(T)) == 0);
        std::vector<T> ready = prob.run(ready_pool_of(threads), isa, accumulate);
        CHECK(std::memcmp(one.data(), ready.data(), one.size() * sizeof(T)) == 0);
      }
    }
}

// Packed products split over a pool from 2^21 multiply-adds, and over ready workers from 2^18:
// the thresholds the invariance test above brackets are the ones in force.
TEST(gemm_splits_small_products_only_over_ready_workers) {
  for (Isa isa : supported_isas()) {
    auto splits_for = [&](ThreadPool& pool, size_t m, size_t n, size_t k) {
      Problem<float> prob(false, false, m, n, k, 1, 7);
      const size_t before = pool.split_calls();
      prob.run(pool, isa, false);
      return pool.split_calls() - before;
    };
    CHECK_EQ(splits_for(ready_pool_of(2), 64, 64, 64), size_t(1));
    CHECK_EQ(splits_for(ready_pool_of(2), 63, 64, 64), size_t(0));
    CHECK_EQ(splits_for(ready_pool_of(3), 96, 96, 96), size_t(1));
    CHECK_EQ(splits_for(ready_pool_of(2), 128, 128, 128), size_t(1));
    CHECK_EQ(splits_for(pool_of(2), 128, 128, 128), size_t(1));
    CHECK_EQ(splits_for(ready_pool_of(3), 127, 128, 128), size_t(1));
    // A pool idle for longer than its workers poll has none ready: the product stays whole.
    ThreadPool idle(2);
    idle.parallel_for(2, [](size_t) {});
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    CHECK_EQ(splits_for(idle, 64, 64, 64), size_t(0));
  }
}

TEST(gemm_bitwise_identical_across_thread_counts) {
  for (Isa isa : supported_isas()) {
    check_thread_count_invariance<float>(isa);
    check_thread_count_invariance<double>(isa);
  }
}

}  // namespace

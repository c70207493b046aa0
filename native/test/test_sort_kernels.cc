// The vector sorts (kernels/sort_kernels.h) of every ISA this CPU has against std::sort: lengths
// around every vector, network and partition boundary, and inputs that break partitions (all
// equal, few distinct values, sorted, reversed, the extreme keys). The lines sit inside guard
// words that must come out untouched: a masked or compressed store past a line end shows there.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "check.h"
#include "kernels/sort_kernels.h"

namespace {

using namespace ndgrad::kernels;

constexpr uint32_t kGuard = 0x5EA1ED00u;
constexpr size_t kPad = 64;

std::vector<const SortKernels*> vector_sorts() {
  std::vector<const SortKernels*> out;
  for (Isa isa : {Isa::Avx2, Isa::Avx512}) {
    const SortKernels* k = sort_kernels(isa);
    if (k && k->isa == isa) out.push_back(k);
    else std::printf("note: %s vector sort not tested (CPU or build lacks it)\n", isa_name(isa));
  }
  return out;
}

std::vector<size_t> lengths() {
  std::vector<size_t> n = {0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 100, 1000, 4099, 100003};
  for (size_t edge : {32, 64, 128, 256, 512, 1024})
    for (size_t d = edge - 1; d <= edge + 1; ++d) n.push_back(d);
  return n;
}

// Fills n keys of one of the input kinds.
std::vector<uint32_t> make_keys(int kind, size_t n, std::mt19937& rng) {
  std::vector<uint32_t> k(n);
  std::uniform_int_distribution<uint32_t> any;
  for (size_t i = 0; i < n; ++i) {
    switch (kind) {
      case 0: k[i] = any(rng); break;
      case 1: k[i] = 7; break;
      case 2: k[i] = any(rng) % 3; break;
      case 3: k[i] = uint32_t(i); break;
      case 4: k[i] = uint32_t(n - i); break;
      case 5: k[i] = (any(rng) & 1) ? ~0u : 0u; break;
      case 6: k[i] = any(rng) % 2 ? ~0u : any(rng) % 17; break;
      default: k[i] = i < n / 2 ? uint32_t(i) : any(rng) % 50; break;
    }
  }
  return k;
}

constexpr int kKinds = 8;

TEST(sort_kernels_match_std_sort) {
  std::mt19937 rng(12345);
  for (const SortKernels* s : vector_sorts()) {
    for (size_t n : lengths()) {
      for (int kind = 0; kind < kKinds; ++kind) {
        std::vector<uint32_t> keys = make_keys(kind, n, rng), want = keys;
        std::sort(want.begin(), want.end());
        std::vector<uint32_t> buf(n + 2 * kPad, kGuard);
        std::copy(keys.begin(), keys.end(), buf.begin() + kPad);
        s->sort_u32(buf.data() + kPad, n);
        const std::string where = std::string(isa_name(s->isa)) + " n " + std::to_string(n) + " kind " + std::to_string(kind);
        for (size_t i = 0; i < kPad; ++i) {
          if (buf[i] != kGuard || buf[kPad + n + i] != kGuard) ndgrad_test::fail(__FILE__, __LINE__, where + ": wrote outside the line");
        }
        if (!std::equal(want.begin(), want.end(), buf.begin() + kPad)) ndgrad_test::fail(__FILE__, __LINE__, where + ": not sorted");
      }
    }
  }
}

TEST(sort_kernels_split_partitions) {
  std::mt19937 rng(777);
  for (const SortKernels* s : vector_sorts()) {
    for (size_t n : {size_t(0), size_t(100), size_t(1000), size_t(4099), size_t(100003)}) {
      for (int kind = 0; kind < kKinds; ++kind) {
        std::vector<uint32_t> keys = make_keys(kind, n, rng), want = keys;
        const size_t m = s->split_u32(keys.data(), n);
        const std::string where = std::string(isa_name(s->isa)) + " n " + std::to_string(n) + " kind " + std::to_string(kind);
        CHECK(m <= n);
        if (m > 0 && m < n) {
          const uint32_t left_max = *std::max_element(keys.begin(), keys.begin() + long(m));
          const uint32_t right_min = *std::min_element(keys.begin() + long(m), keys.end());
          if (!(left_max < right_min)) ndgrad_test::fail(__FILE__, __LINE__, where + ": split out of order");
        }
        std::sort(keys.begin(), keys.end());
        std::sort(want.begin(), want.end());
        if (keys != want) ndgrad_test::fail(__FILE__, __LINE__, where + ": split lost keys");
      }
    }
  }
}

TEST(sort_kernels_float_keys_round_trip) {
  const float values[] = {-INFINITY, -3.5f, -1e-40f, -0.0f, 0.0f, 1e-40f, 2.0f, INFINITY, NAN};
  for (const SortKernels* s : vector_sorts()) {
    for (uint32_t flip : {0u, ~0u}) {
      std::vector<uint32_t> k(std::size(values));
      s->keys_from_f32(values, k.data(), k.size(), flip);
      for (size_t i = 1; i < k.size(); ++i) {
        const bool tie = values[i - 1] == 0.0f && values[i] == 0.0f;
        CHECK(tie ? k[i] == k[i - 1] : ((k[i - 1] ^ flip) < (k[i] ^ flip)));
      }
      s->keys_to_f32(k.data(), k.size(), flip);
      for (size_t i = 0; i < k.size(); ++i) {
        float back;
        std::memcpy(&back, &k[i], sizeof(back));
        if (values[i] != values[i]) CHECK(back != back);
        else if (values[i] == 0.0f) CHECK(back == 0.0f && !std::signbit(back));
        else CHECK(back == values[i]);
      }
    }
  }
}

}  // namespace

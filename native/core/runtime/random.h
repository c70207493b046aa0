// Seedable random stream (xoshiro256**), one per addon instance: `mx.random.seed(n)` makes every
// random op reproducible. MXNet's own stream cannot be reproduced; only ranges and moments match.
#pragma once

#include <cstdint>

namespace ndgrad {

class Rng {
 public:
  explicit Rng(uint64_t seed = 0x9e3779b97f4a7c15ULL) { seed_with(seed); }
  void seed_with(uint64_t seed);
  uint64_t next_u64();
  // Uniform in [0, 1) with 53 random bits.
  double next_double() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  // Standard normal (Box-Muller; the second value of each pair is kept for the next call).
  double next_normal();

 private:
  uint64_t s_[4];
  bool has_spare_ = false;
  double spare_ = 0;
};

}  // namespace ndgrad

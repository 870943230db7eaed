// Random: the one source of randomness (States.MathRandom, States.UUID, Retry
// jitter), injected so tests can make it deterministic. Not thread-safe: give
// each thread or execution its own.
#ifndef MLFLOWCTL_BASE_RANDOM_H_
#define MLFLOWCTL_BASE_RANDOM_H_

#include <cstdint>
#include <random>

namespace mlflowctl {

class Random {
 public:
  explicit Random(uint64_t seed) : rng_(seed) {}
  // Seeded from std::random_device.
  static Random FromEntropy() { return Random(std::random_device{}()); }

  uint64_t Next() { return rng_(); }
  // Uniform in [lo, hi] (inclusive); lo <= hi.
  int64_t Uniform(int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng_);
  }
  // Uniform in [0, 1).
  double NextDouble() {
    return std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
  }

 private:
  std::mt19937_64 rng_;
};

}  // namespace mlflowctl

#endif  // MLFLOWCTL_BASE_RANDOM_H_

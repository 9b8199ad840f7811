// A small deterministic PRNG (splitmix64) for the load generators: the same
// seed gives the same sequence on every platform and compiler, which the
// standard library's distributions do not promise.
#pragma once

#include <cstdint>

namespace slotmail::loadgen {

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}

  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [lo, hi]. REQUIRES: lo <= hi.
  uint64_t Range(uint64_t lo, uint64_t hi) { return lo + Next() % (hi - lo + 1); }
  // True with probability percent/100.
  bool Percent(unsigned percent) { return Next() % 100 < percent; }

 private:
  uint64_t state_;
};

}  // namespace slotmail::loadgen

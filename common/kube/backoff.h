// Capped exponential backoff with jitter, for reconnect and retry loops.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <random>

namespace vtguard::kube {

class Backoff {
 public:
  // Delays start at `initial`, double per failure up to `max`, and get up to `jitter` (0..1) of
  // their length added at random. `seed` makes the sequence reproducible in tests.
  Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max, double jitter = 0.2,
          uint64_t seed = std::random_device{}())
      : initial_(initial), max_(max), jitter_(jitter), random_(seed) {}

  // Returns the delay before the next attempt and advances the sequence.
  std::chrono::milliseconds Next();
  void Reset();
  int failures() const { return failures_; }

 private:
  std::chrono::milliseconds initial_;
  std::chrono::milliseconds max_;
  double jitter_;
  std::mt19937_64 random_;
  int failures_ = 0;
};

}  // namespace vtguard::kube

// ReconnectBackoff: the delays between connection attempts of the native client.
//
// Exponential with jitter: the n-th consecutive failure waits a delay drawn uniformly from
// [d/2, d] where d = min(max_delay, min_delay * 2^n) ("equal jitter": never less than half the
// nominal delay, so a fleet of clients that lost the same server spreads out without any of
// them hammering it). Reset() starts over after a connection proved good. Pure and
// deterministic for a given seed; not thread-safe (the client uses it on its strand).
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace crsync::client {

class ReconnectBackoff {
 public:
  // min_delay is raised to 1 ms and max_delay to min_delay when smaller.
  ReconnectBackoff(std::chrono::milliseconds min_delay, std::chrono::milliseconds max_delay,
                   uint64_t seed);

  // The delay before the next attempt; each call counts one more failure.
  std::chrono::milliseconds NextDelay();
  // The connection was good: the next delay is drawn around min_delay again.
  void Reset() { failures_ = 0; }
  uint32_t failures() const { return failures_; }

 private:
  std::chrono::milliseconds min_delay_;
  std::chrono::milliseconds max_delay_;
  uint32_t failures_ = 0;
  std::mt19937_64 random_;
};

}  // namespace crsync::client

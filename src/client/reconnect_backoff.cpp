// ReconnectBackoff (see reconnect_backoff.h): doubling delays with equal jitter.
#include "client/reconnect_backoff.h"

#include <algorithm>

namespace crsync::client {

ReconnectBackoff::ReconnectBackoff(std::chrono::milliseconds min_delay,
                                   std::chrono::milliseconds max_delay, uint64_t seed)
    : min_delay_(std::max(min_delay, std::chrono::milliseconds(1))),
      max_delay_(std::max(max_delay, min_delay_)),
      random_(seed) {}

std::chrono::milliseconds ReconnectBackoff::NextDelay() {
  // Doubling stops once the cap is reached, so the shift never overflows.
  int64_t nominal = min_delay_.count();
  for (uint32_t i = 0; i < failures_ && nominal < max_delay_.count(); ++i) nominal *= 2;
  nominal = std::min(nominal, static_cast<int64_t>(max_delay_.count()));
  ++failures_;
  std::uniform_int_distribution<int64_t> jitter(nominal / 2, nominal);
  return std::chrono::milliseconds(std::max<int64_t>(1, jitter(random_)));
}

}  // namespace crsync::client

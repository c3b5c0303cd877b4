// CaughtUpDetector (see caught_up_detector.h): the up-to-date rule as a small state machine.
#include "client/caught_up_detector.h"

#include <algorithm>

namespace crsync::client {

void CaughtUpDetector::Reset() { *this = CaughtUpDetector(quiet_period_, pong_timeout_); }

bool CaughtUpDetector::OnStreaming(Clock::time_point now) {
  streaming_ = true;
  last_inbound_ = now;
  first_ping_at_ = now;
  ++pings_sent_;
  return true;
}

void CaughtUpDetector::OnInbound(Clock::time_point now) { last_inbound_ = now; }

void CaughtUpDetector::OnLocalChange() { outbound_ = Outbound::kUnchecked; }

void CaughtUpDetector::OnPong() {
  ++pongs_received_;
  peer_answers_pings_ = true;
  peer_ignores_pings_ = false;
}

bool CaughtUpDetector::Tick(Clock::time_point now, const std::function<bool()>& outbound_idle) {
  if (!streaming_) return false;
  // A server that answers pings answers the first one quickly (it precedes our backlog); only
  // its own queued changes can delay the Pong, hence the timeout counts from the later of both.
  if (!peer_answers_pings_ && !peer_ignores_pings_ &&
      now - std::max(first_ping_at_, last_inbound_) >= pong_timeout_) {
    peer_ignores_pings_ = true;
  }
  bool send_ping = false;
  if (outbound_ == Outbound::kUnchecked) {
    if (!outbound_idle()) return false;
    outbound_ = Outbound::kPinged;
    if (!peer_ignores_pings_) {
      ++pings_sent_;
      send_ping = true;
    }
  }
  if (outbound_ == Outbound::kPinged && (peer_ignores_pings_ || pongs_received_ >= pings_sent_)) {
    outbound_ = Outbound::kConfirmed;
  }
  return send_ping;
}

bool CaughtUpDetector::caught_up(Clock::time_point now) const {
  return streaming_ && outbound_ == Outbound::kConfirmed && now - last_inbound_ >= quiet_period_;
}

}  // namespace crsync::client

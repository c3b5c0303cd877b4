// CaughtUpDetector: decides when one client session is "up to date" with the server.
//
// The rule (docs/client.md "Up to date"):
//   1. the session is streaming (StartStreaming received);
//   2. our outbound stream has nothing left: nothing waits for the socket to drain and a pull
//      from the outbound cursor (the changes not attributed to the server) comes back empty;
//   3. every protocol Ping we sent has been answered by a Pong. The server processes a
//      connection's messages in order and answers Ping after applying everything before it, so
//      a Pong for a Ping sent after (2) proves the server has committed all our changes;
//   4. no Changes arrived from the server for quiet_period (the server streams its backlog right
//      after StartStreaming and whenever its database changes; silence means it is done).
// A server that never answers pings (the reference ws-server ignores tag 7) is recognised when
// no Pong came pong_timeout after both our first Ping and the last incoming change; from then
// on rule 3 is skipped for that session. A local change re-arms rules 2 and 3.
//
// The first Ping goes out as soon as streaming starts, before our own backlog, so a server that
// answers pings is recognised quickly even when the upload is large. Pure logic over a supplied
// clock value; used on the client's strand only.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

namespace crsync::client {

class CaughtUpDetector {
 public:
  using Clock = std::chrono::steady_clock;

  CaughtUpDetector(std::chrono::milliseconds quiet_period, std::chrono::milliseconds pong_timeout)
      : quiet_period_(quiet_period), pong_timeout_(pong_timeout) {}

  // A new session: forget everything.
  void Reset();
  // StartStreaming arrived. Returns true: send the first Ping now.
  bool OnStreaming(Clock::time_point now);
  // A batch of changes from the server was received/applied.
  void OnInbound(Clock::time_point now);
  // The local database changed (or may have): the outbound stream must be checked again.
  void OnLocalChange();
  void OnPong();

  // Advances the rules. outbound_idle is called only when rule 2 must be (re)checked. Returns
  // true when a Ping must be sent now (the caller counts it as sent).
  bool Tick(Clock::time_point now, const std::function<bool()>& outbound_idle);

  bool caught_up(Clock::time_point now) const;
  // Whether this session's server was found to ignore protocol pings.
  bool peer_ignores_pings() const { return peer_ignores_pings_; }

 private:
  enum class Outbound { kUnchecked, kPinged, kConfirmed };

  std::chrono::milliseconds quiet_period_;
  std::chrono::milliseconds pong_timeout_;
  bool streaming_ = false;
  Clock::time_point last_inbound_{};
  Clock::time_point first_ping_at_{};
  Outbound outbound_ = Outbound::kUnchecked;
  uint64_t pings_sent_ = 0;
  uint64_t pongs_received_ = 0;
  bool peer_answers_pings_ = false;
  bool peer_ignores_pings_ = false;
};

}  // namespace crsync::client

// One open WebSocket connection, server- or client-side, as the owner (server/, client/) sees
// it: binary messages in through a callback, Send() into a bounded queue, Close(), and exactly
// one on_close at the end. No Beast type appears here; the implementation is ws_session.cpp.
//
// Concurrency contract:
//  * Each connection has its own strand on the EventLoop. on_open (the OpenHandler), on_message,
//    on_backpressure and on_close of one connection all run on that strand, one at a time, in
//    order. Callbacks of different connections may run in parallel when the loop has several
//    threads.
//  * Send, Close, queued_bytes, congested, subprotocol and remote_address may be called from any
//    thread, including from inside the callbacks. Send and Close only post work to the strand;
//    they never run a callback inside the call.
//  * on_close is called exactly once, after which no callback of this connection runs again and
//    the handlers are released (so a handler may hold a shared_ptr to the connection without a
//    leak). on_close is not called when the EventLoop is stopped with the connection still open;
//    the handlers are then released without being called.
//  * Callbacks must not block. An exception escaping a callback closes the connection with 1011
//    "internal error"; it never propagates into the loop.
//
// Limits (WsOptions): incoming messages larger than max_message_bytes are refused with close
// code 1009. Outgoing bytes waiting to be written (including the message being written) are
// counted; above send_queue_soft_limit on_backpressure(true) is called, and when the queue has
// drained to half that, on_backpressure(false). A Send that would take the queue past
// send_queue_hard_limit drops everything not yet written and closes the connection with 1008
// "send queue overflow". Liveness: every ping_interval a ping control frame is sent; when
// nothing at all (pong, ping, data, close) has arrived for ping_timeout, the peer is considered
// dead and the TCP connection is dropped without a close handshake (on_close reports 1006
// "ping timeout"). Browsers and the `ws` library answer pings automatically (spec §1.5, D13).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace crsync::net {

// Close codes used by net/ (RFC 6455 §7.4.1).
inline constexpr std::uint16_t kCloseNormal = 1000;
inline constexpr std::uint16_t kCloseGoingAway = 1001;  // server shutting down
inline constexpr std::uint16_t kCloseProtocolError = 1002;
inline constexpr std::uint16_t kCloseNoStatus = 1005;  // close frame without a code
inline constexpr std::uint16_t kCloseAbnormal = 1006;  // no close frame at all
inline constexpr std::uint16_t kCloseInvalidPayload = 1007;
inline constexpr std::uint16_t kClosePolicyViolation = 1008;
inline constexpr std::uint16_t kCloseTooBig = 1009;
inline constexpr std::uint16_t kCloseInternalError = 1011;

struct WsOptions {
  // Largest incoming message; bigger ones close the connection with 1009. The reference
  // server's `ws` accepts 100 MiB (spec §1.5); so do we by default.
  std::size_t max_message_bytes = std::size_t{100} << 20;
  // Outgoing queue: backpressure above the soft limit, close 1008 past the hard limit.
  std::size_t send_queue_soft_limit = std::size_t{4} << 20;
  std::size_t send_queue_hard_limit = std::size_t{64} << 20;
  // Heartbeat: ping every interval; drop the peer when nothing arrived for timeout.
  // A zero interval disables pings and the liveness check.
  std::chrono::milliseconds ping_interval{25'000};
  std::chrono::milliseconds ping_timeout{60'000};
  // Time limit for the opening handshake (server: from the 101 decision; client: see
  // WsClientOptions::connect_timeout) and for a locally initiated close handshake, after which
  // the TCP connection is dropped.
  std::chrono::milliseconds handshake_timeout{10'000};
  std::chrono::milliseconds close_timeout{5'000};
};

struct WsCloseInfo {
  std::uint16_t code = kCloseAbnormal;  // 1005: close frame had no code; 1006: no close frame
  std::string reason;
  bool initiated_locally = false;  // this side closed first (Close(), a limit, ping timeout,
                                   // server stop) rather than the peer or the network
};

// An immutable message payload; one buffer can be sent to many connections without copies.
using Payload = std::shared_ptr<const std::vector<std::uint8_t>>;

struct WsHandlers {
  // A complete message; data is valid only during the call. is_text: the peer sent a text frame
  // (the vlcn peers only send binary; the reference server decodes text ones alike, §1.5).
  std::function<void(std::span<const std::uint8_t> data, bool is_text)> on_message;
  // The send queue crossed the soft limit (true) or drained to half of it (false).
  std::function<void(bool congested)> on_backpressure;
  // The connection is gone. Exactly once.
  std::function<void(const WsCloseInfo& info)> on_close;
};

class WsConnection {
 public:
  virtual ~WsConnection() = default;

  // Queues a binary message. False (and nothing queued) when the connection is closed or
  // closing. Thread-safe. See the limits above for what a full queue does.
  virtual bool Send(Payload payload) = 0;
  bool Send(std::vector<std::uint8_t> bytes) {
    return Send(std::make_shared<const std::vector<std::uint8_t>>(std::move(bytes)));
  }
  bool Send(std::span<const std::uint8_t> bytes) {
    return Send(std::vector<std::uint8_t>(bytes.begin(), bytes.end()));
  }

  // Starts the closing handshake after the messages already queued have been written: sends a
  // close frame with code and reason (reason is cut to 123 bytes), waits up to close_timeout
  // for the peer's, then drops the connection. on_close reports this code and reason.
  // Later calls and calls after the connection closed do nothing. Thread-safe.
  virtual void Close(std::uint16_t code, std::string reason) = 0;

  // Bytes queued and not yet written, including the message being written. Thread-safe.
  virtual std::size_t queued_bytes() const = 0;
  // Whether the queue is above the soft limit (the last on_backpressure value). Thread-safe.
  virtual bool congested() const = 0;
  // The subprotocol agreed in the handshake (what the server echoed). Thread-safe.
  virtual const std::string& subprotocol() const = 0;
  // "ip:port" of the peer. Thread-safe.
  virtual const std::string& remote_address() const = 0;
};

// Called on the connection's strand once the handshake has completed and before the first
// message is read; returns the handlers for the rest of the connection's life.
using OpenHandler = std::function<WsHandlers(const std::shared_ptr<WsConnection>& connection)>;

}  // namespace crsync::net

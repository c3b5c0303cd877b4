// Transport: what the sync session needs from a message link (WebSocket, WebRTC data channel,
// in-process pipe), and what the link tells the session back.
//
// The session is transport-agnostic (docs/sync.md): it hands whole protocol messages to
// Transport::Send and receives whole messages through TransportListener::OnMessage. Framing,
// TLS, pings at the WebSocket level and the write queue belong to the transport. Backpressure
// works by polling: after each Send the session reads BufferedBytes() and stops pulling from its
// Store while that is at or above its limit; the transport calls OnDrained() once the queue has
// emptied, and the session then resumes.
//
// Threading: a Transport and its listener are used from one executor (the owner's strand or
// thread). A transport never calls its listener from inside Send or Close; it delivers events
// later, from the executor, so a listener may call Send/Close from any callback without
// re-entering itself.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace crsync::sync {

// WebSocket close codes the session uses (RFC 6455 §7.4; sync-protocol.md §6 D1, D4).
inline constexpr int kCloseNormal = 1000;
inline constexpr int kCloseGoingAway = 1001;
inline constexpr int kCloseProtocolError = 1002;    // undecodable or out-of-order message
inline constexpr int kCloseAbnormal = 1006;         // never sent; reported for a lost connection
inline constexpr int kClosePolicyViolation = 1008;  // schema refused, sender mismatch
inline constexpr int kCloseInternalError = 1011;    // the local store failed
// Application code: the session lost contiguity and asks the owner to reconnect with fresh
// lastSeens (used only with GapReply::kClose, see session.h).
inline constexpr int kCloseResync = 4000;
// A WebSocket close reason is at most 123 bytes of UTF-8.
inline constexpr size_t kMaxCloseReasonBytes = 123;

// Events a transport reports. Implemented by sync::Session.
class TransportListener {
 public:
  virtual ~TransportListener() = default;
  // One complete message arrived. The span is valid only during the call.
  virtual void OnMessage(std::span<const uint8_t> message) = 0;
  // The send queue has emptied (BufferedBytes() == 0) after having been non-empty. Spurious
  // calls are allowed; the listener re-checks BufferedBytes().
  virtual void OnDrained() = 0;
  // The link is closed, by either side or by a failure (code kCloseAbnormal). Called at most
  // once; no other event follows it.
  virtual void OnClosed(int code, std::string_view reason) = 0;
};

// The sending side of one link.
class Transport {
 public:
  virtual ~Transport() = default;

  // Queues one binary message. Returns false, and drops the message, when the link is closing or
  // closed; the session then waits for OnClosed. Never blocks and never calls the listener.
  virtual bool Send(std::vector<uint8_t> message) = 0;

  // Bytes accepted by Send and not yet handed to the network (the WebSocket bufferedAmount).
  virtual size_t BufferedBytes() const = 0;

  // Starts a close handshake with code and reason (reason truncated by the transport to
  // kMaxCloseReasonBytes if needed). Messages queued before the call are still delivered; later
  // Sends fail. Idempotent: only the first call counts.
  virtual void Close(int code, std::string_view reason) = 0;
};

}  // namespace crsync::sync

// An in-process Transport pair for tests and for wiring two sessions inside one process.
//
// Each endpoint keeps an outbox of the frames it sent that the other side has not received yet.
// Nothing moves on its own: Deliver* hands the oldest outbox frame to the peer's listener, so a
// test decides the interleaving and can drop, duplicate or reorder frames by editing the outbox
// before delivery. BufferedBytes() is the byte size of the outbox, which makes backpressure
// observable; OnDrained() goes to the sender's listener when a delivery empties its outbox.
//
// Close() appends a close frame behind the queued data (WebSocket semantics: data sent before the
// close still arrives). When it is delivered both listeners get OnClosed(code, reason) and both
// endpoints are closed. Disconnect() simulates a dead link: both outboxes are discarded and both
// listeners get OnClosed(kCloseAbnormal). Listeners are never called from Send or Close.
//
// Not thread-safe: one thread drives a pair. Listeners are borrowed and must outlive delivery.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "sync/transport.h"

namespace crsync::sync {

class MemoryTransportPair;

// One queued frame: a message, or the close handshake.
struct MemoryFrame {
  std::vector<uint8_t> bytes;
  bool is_close = false;
  int close_code = 0;
  std::string close_reason;
};

class MemoryTransport final : public Transport {
 public:
  MemoryTransport(const MemoryTransport&) = delete;
  MemoryTransport& operator=(const MemoryTransport&) = delete;

  bool Send(std::vector<uint8_t> message) override;
  size_t BufferedBytes() const override;
  void Close(int code, std::string_view reason) override;

  // Where this endpoint's events go (nullptr: dropped). Borrowed.
  void set_listener(TransportListener* listener) { listener_ = listener; }

  // Frames sent by this endpoint and not yet delivered, oldest first. Tests may edit it.
  std::deque<MemoryFrame>& outbox() { return outbox_; }

  // Delivers the oldest outbox frame to the peer. Returns false when the outbox is empty or the
  // link is closed.
  bool DeliverOne();

  // True until the close frame was delivered or Disconnect() ran.
  bool open() const { return !closed_; }
  // False once Close() was called here or the link is closed.
  bool can_send() const { return !closed_ && !closing_; }
  // Code and reason of the close that ended the link (0 / "" while open).
  int close_code() const { return close_code_; }
  const std::string& close_reason() const { return close_reason_; }

  // Messages (not close frames) accepted by Send, and their total bytes.
  size_t messages_sent() const { return messages_sent_; }
  size_t bytes_sent() const { return bytes_sent_; }

 private:
  friend class MemoryTransportPair;
  MemoryTransport() = default;
  void MarkClosed(int code, std::string_view reason);

  MemoryTransport* peer_ = nullptr;
  TransportListener* listener_ = nullptr;
  std::deque<MemoryFrame> outbox_;
  bool closing_ = false;
  bool closed_ = false;
  int close_code_ = 0;
  std::string close_reason_;
  size_t messages_sent_ = 0;
  size_t bytes_sent_ = 0;
};

// Two connected endpoints: a() and b().
class MemoryTransportPair {
 public:
  MemoryTransportPair();
  MemoryTransportPair(const MemoryTransportPair&) = delete;
  MemoryTransportPair& operator=(const MemoryTransportPair&) = delete;

  MemoryTransport& a() { return a_; }
  MemoryTransport& b() { return b_; }

  // Delivers frames alternately from a and b until both outboxes are empty or max_frames were
  // delivered. Returns the number delivered.
  size_t DeliverAll(size_t max_frames = 1'000'000);

  // Simulates a lost connection (see file comment).
  void Disconnect();

 private:
  MemoryTransport a_;
  MemoryTransport b_;
};

}  // namespace crsync::sync

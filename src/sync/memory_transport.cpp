// MemoryTransport / MemoryTransportPair (see memory_transport.h).
#include "sync/memory_transport.h"

#include <utility>

namespace crsync::sync {

bool MemoryTransport::Send(std::vector<uint8_t> message) {
  if (!can_send()) return false;
  bytes_sent_ += message.size();
  ++messages_sent_;
  outbox_.push_back(MemoryFrame{std::move(message), false, 0, {}});
  return true;
}

size_t MemoryTransport::BufferedBytes() const {
  // Summed on demand: tests may edit the outbox directly.
  size_t total = 0;
  for (const MemoryFrame& frame : outbox_) total += frame.bytes.size();
  return total;
}

void MemoryTransport::Close(int code, std::string_view reason) {
  if (!can_send()) return;
  closing_ = true;
  std::string text(reason.substr(0, kMaxCloseReasonBytes));
  outbox_.push_back(MemoryFrame{{}, true, code, std::move(text)});
}

void MemoryTransport::MarkClosed(int code, std::string_view reason) {
  closed_ = true;
  close_code_ = code;
  close_reason_ = std::string(reason);
  outbox_.clear();
}

bool MemoryTransport::DeliverOne() {
  if (closed_ || outbox_.empty()) return false;
  MemoryFrame frame = std::move(outbox_.front());
  outbox_.pop_front();
  if (frame.is_close) {
    MarkClosed(frame.close_code, frame.close_reason);
    peer_->MarkClosed(frame.close_code, frame.close_reason);
    if (peer_->listener_ != nullptr) {
      peer_->listener_->OnClosed(frame.close_code, frame.close_reason);
    }
    if (listener_ != nullptr) listener_->OnClosed(frame.close_code, frame.close_reason);
    return true;
  }
  if (peer_->listener_ != nullptr && !peer_->closed_) peer_->listener_->OnMessage(frame.bytes);
  if (outbox_.empty() && !closed_ && listener_ != nullptr) listener_->OnDrained();
  return true;
}

MemoryTransportPair::MemoryTransportPair() {
  a_.peer_ = &b_;
  b_.peer_ = &a_;
}

size_t MemoryTransportPair::DeliverAll(size_t max_frames) {
  size_t delivered = 0;
  while (delivered < max_frames) {
    bool any = false;
    if (a_.DeliverOne()) ++delivered, any = true;
    if (delivered < max_frames && b_.DeliverOne()) ++delivered, any = true;
    if (!any) break;
  }
  return delivered;
}

void MemoryTransportPair::Disconnect() {
  if (a_.closed_ && b_.closed_) return;
  a_.MarkClosed(kCloseAbnormal, "");
  b_.MarkClosed(kCloseAbnormal, "");
  if (a_.listener_ != nullptr) a_.listener_->OnClosed(kCloseAbnormal, "");
  if (b_.listener_ != nullptr) b_.listener_->OnClosed(kCloseAbnormal, "");
}

}  // namespace crsync::sync

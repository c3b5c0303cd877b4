// BrowserTransport: sync::Transport calls forwarded to the Worker's WebSocket, events back.
#include "browser_transport.h"

#include "js_imports.h"

namespace crsync::web {

std::string TruncateUtf8(std::string_view reason, size_t max_bytes) {
  if (reason.size() <= max_bytes) return std::string(reason);
  size_t end = max_bytes;
  // Step back over continuation bytes so that the cut falls before a sequence's lead byte.
  while (end > 0 && (static_cast<uint8_t>(reason[end]) & 0xC0) == 0x80) --end;
  return std::string(reason.substr(0, end));
}

bool BrowserTransport::Send(std::vector<uint8_t> message) {
  if (closing_ || closed_) return false;
  return crsync_js_ws_send(socket_, message.data(), message.size()) == 1;
}

size_t BrowserTransport::BufferedBytes() const {
  if (closed_) return 0;
  double buffered = crsync_js_ws_buffered(socket_);
  return buffered > 0 ? static_cast<size_t>(buffered) : 0;
}

void BrowserTransport::Close(int code, std::string_view reason) {
  if (closing_ || closed_) return;
  closing_ = true;
  crsync_js_ws_close(socket_, code, TruncateUtf8(reason, sync::kMaxCloseReasonBytes).c_str());
}

void BrowserTransport::DeliverMessage(std::span<const uint8_t> message) {
  if (closed_ || listener_ == nullptr) return;
  listener_->OnMessage(message);
}

void BrowserTransport::DeliverDrained() {
  if (closed_ || listener_ == nullptr) return;
  listener_->OnDrained();
}

void BrowserTransport::DeliverClosed(int code, std::string_view reason) {
  if (closed_) return;
  closed_ = true;
  if (listener_ != nullptr) listener_->OnClosed(code, reason);
}

}  // namespace crsync::web

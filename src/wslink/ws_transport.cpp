// WsTransport: net::WsConnection -> sync::Transport, hopping events onto the owner's executor.
#include "wslink/ws_transport.h"

#include <string>
#include <utility>

namespace crsync::wslink {

struct WsTransport::Shared {
  PostFn post;
  // Owner's executor only.
  sync::TransportListener* listener = nullptr;
  bool closed = false;
};

namespace {

// A close code that may be put on the wire (RFC 6455 §7.4): 1005, 1006, 1015 and codes outside
// 1000-4999 are reserved, so they become 1011.
uint16_t SendableCloseCode(int code) {
  if (code < 1000 || code > 4999) return net::kCloseInternalError;
  if (code == 1004 || code == 1005 || code == 1006 || code == 1015) return net::kCloseInternalError;
  if (code > 1015 && code < 3000) return net::kCloseInternalError;
  return static_cast<uint16_t>(code);
}

}  // namespace

WsTransport::WsTransport(std::shared_ptr<net::WsConnection> connection, PostFn post)
    : connection_(std::move(connection)), shared_(std::make_shared<Shared>()) {
  shared_->post = std::move(post);
}

WsTransport::~WsTransport() { shared_->listener = nullptr; }

net::WsHandlers WsTransport::Handlers() {
  net::WsHandlers handlers;
  std::shared_ptr<Shared> shared = shared_;
  handlers.on_message = [shared](std::span<const uint8_t> data, bool /*is_text*/) {
    // The reference server decodes text frames like binary ones (spec §1.5); so do we.
    shared->post([shared, bytes = std::vector<uint8_t>(data.begin(), data.end())] {
      if (shared->listener != nullptr && !shared->closed) shared->listener->OnMessage(bytes);
    });
  };
  handlers.on_backpressure = [shared](bool congested) {
    if (congested) return;
    shared->post([shared] {
      if (shared->listener != nullptr && !shared->closed) shared->listener->OnDrained();
    });
  };
  handlers.on_close = [shared](const net::WsCloseInfo& info) {
    shared->post([shared, code = static_cast<int>(info.code), reason = info.reason] {
      if (shared->closed) return;
      shared->closed = true;
      if (shared->listener != nullptr) shared->listener->OnClosed(code, reason);
    });
  };
  return handlers;
}

void WsTransport::set_listener(sync::TransportListener* listener) { shared_->listener = listener; }

bool WsTransport::closed() const { return shared_->closed; }

bool WsTransport::Send(std::vector<uint8_t> message) {
  return connection_->Send(std::move(message));
}

size_t WsTransport::BufferedBytes() const {
  if (!connection_->congested()) return 0;
  size_t queued = connection_->queued_bytes();
  return queued == 0 ? 1 : queued;
}

void WsTransport::Close(int code, std::string_view reason) {
  connection_->Close(SendableCloseCode(code), std::string(reason));
}

}  // namespace crsync::wslink

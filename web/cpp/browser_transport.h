// BrowserTransport: a browser WebSocket (owned by the Worker, web/src/sync_client.js) seen as a
// sync::Transport, so the browser runs the same sync::Session as the server and native client.
//
// Send/BufferedBytes/Close call into the Worker (js_imports.h). The Worker reports the socket's
// events through the Deliver* methods from its event loop, never from inside Send or Close, as
// the Transport contract requires. Browsers have no "drained" event: the Worker polls
// bufferedAmount after a send and calls DeliverDrained once it is back to 0.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sync/transport.h"

namespace crsync::web {

class BrowserTransport final : public sync::Transport {
 public:
  explicit BrowserTransport(int socket) : socket_(socket) {}

  void set_listener(sync::TransportListener* listener) { listener_ = listener; }

  bool Send(std::vector<uint8_t> message) override;
  size_t BufferedBytes() const override;
  void Close(int code, std::string_view reason) override;

  void DeliverMessage(std::span<const uint8_t> message);
  void DeliverDrained();
  void DeliverClosed(int code, std::string_view reason);

 private:
  const int socket_;
  sync::TransportListener* listener_ = nullptr;
  bool closing_ = false;
  bool closed_ = false;
};

// reason cut to at most max_bytes without splitting a UTF-8 sequence.
std::string TruncateUtf8(std::string_view reason, size_t max_bytes);

}  // namespace crsync::web

// WsTransport: one net::WsConnection seen as a sync::Transport, for the server and the native
// client alike (the only place where the network layer meets the sync session).
//
// The connection's callbacks run on the connection's strand; the session lives on its owner's
// executor (a room strand, the client's strand). WsTransport moves every event across: the
// WsHandlers it returns copy each message and post OnMessage / OnDrained / OnClosed to the
// owner's executor through `post`, in the order they happened. The listener is read only on
// the owner's executor, so set_listener(nullptr) there before destroying the session is enough
// to stop delivery; posted events that find no listener are dropped.
//
// Backpressure: BufferedBytes() is the connection's queued bytes while the connection reports
// congestion (its queue crossed WsOptions::send_queue_soft_limit), and 0 otherwise. The session
// therefore stops pulling exactly when the connection is congested (SessionOptions::
// max_buffered_bytes must be 1, see kSessionMaxBufferedBytes) and OnDrained follows the
// connection's on_backpressure(false), which net/ guarantees after every true.
//
// Threading: Send, Close and BufferedBytes may be called from any thread (they forward to the
// thread-safe WsConnection); set_listener only on the owner's executor.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "net/ws_connection.h"
#include "sync/transport.h"

namespace crsync::wslink {

// The value for sync::SessionOptions::max_buffered_bytes with this transport (see above).
inline constexpr size_t kSessionMaxBufferedBytes = 1;

// Runs a task later on the owner's executor (never inside the call).
using PostFn = std::function<void(std::function<void()>)>;

class WsTransport final : public sync::Transport {
 public:
  // Wraps connection; events go to the listener through post.
  WsTransport(std::shared_ptr<net::WsConnection> connection, PostFn post);
  ~WsTransport() override;
  WsTransport(const WsTransport&) = delete;
  WsTransport& operator=(const WsTransport&) = delete;

  // The handlers to install on the connection (return them from the net::OpenHandler). They
  // keep only shared state alive, never the WsTransport itself.
  net::WsHandlers Handlers();

  // Where events go (nullptr: dropped). Call on the owner's executor.
  void set_listener(sync::TransportListener* listener);

  bool Send(std::vector<uint8_t> message) override;
  size_t BufferedBytes() const override;
  void Close(int code, std::string_view reason) override;

  const std::shared_ptr<net::WsConnection>& connection() const { return connection_; }
  // True once the connection reported on_close (read on the owner's executor).
  bool closed() const;

 private:
  struct Shared;
  std::shared_ptr<net::WsConnection> connection_;
  std::shared_ptr<Shared> shared_;
};

}  // namespace crsync::wslink

// The outbound WebSocket client (ws:// and wss://) used by the native sync client. A successful
// connect yields the same WsConnection as the server side, with the same limits, heartbeat
// and concurrency contract (ws_connection.h).
//
// To connect like @vlcn.io/ws-client 0.2.0 (spec §1.2), put
// EncodeSyncSubprotocol(room, token) (ws_subprotocol.h) in WsClientOptions::subprotocol; it is
// sent as the single offered subprotocol, and the connect fails unless the server echoes it
// exactly, which is what browsers require of a server too. The URL's path and query are sent as
// written; nothing is appended (§1.1).
//
// wss:// verifies the server's certificate chain (system trust store plus ca_file) and host
// name by default, and sends SNI for DNS names.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "net/event_loop.h"
#include "net/http_types.h"
#include "net/ws_connection.h"

namespace crsync::net {

struct WsClientOptions {
  std::string url;          // ws://host[:port]/path?query or wss://...
  std::string subprotocol;  // offered Sec-WebSocket-Protocol value; "" sends none
  HttpHeaders headers;      // extra request headers (Origin, Cookie, Authorization, ...)
  std::string user_agent = "crsync";
  // Whole connect: resolve, TCP connect, TLS and WebSocket handshakes.
  std::chrono::milliseconds connect_timeout{10'000};
  std::string ca_file;      // wss: extra PEM trust anchors (e.g. a self-signed server cert)
  bool verify_peer = true;  // wss: verify chain and host name; false only for tests/dev
  WsOptions ws;             // limits and heartbeat of the connection once open
                            // (ws.handshake_timeout is not used: connect_timeout covers it)
};

// Cancels a connect that has not completed yet; does nothing after it completed. Thread-safe.
class ConnectHandle {
 public:
  ConnectHandle() = default;
  explicit ConnectHandle(std::function<void()> cancel) : cancel_(std::move(cancel)) {}
  // After Cancel, on_error(Status::Unavailable("connect cancelled")) is called unless the
  // connect had already finished (then nothing happens).
  void Cancel() const {
    if (cancel_) cancel_();
  }

 private:
  std::function<void()> cancel_;
};

// Starts connecting; returns at once. Exactly one of on_open (then, later, the handlers'
// on_close) or on_error is called, on the connection's strand. on_error statuses:
// InvalidArgument (bad URL or TLS options), Unavailable (resolve/connect/TLS/handshake failed,
// "connect timeout", "connect cancelled", or "HTTP <status>: <body>" when the server refused
// the upgrade, e.g. 401), DataLoss (the server did not echo the offered subprotocol).
ConnectHandle ConnectWebSocket(EventLoop& loop, WsClientOptions options, OpenHandler on_open,
                               std::function<void(const Status& error)> on_error);

}  // namespace crsync::net

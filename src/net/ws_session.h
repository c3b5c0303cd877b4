// Internal to net/: entry points into the WebSocket session (ws_session_impl.h, instantiated in
// ws_session_plain.cpp and ws_session_tls.cpp), which implements WsConnection over a Beast
// websocket stream on a plain or TLS TCP stream. The HTTP session
// hands over an upgrade request it has accepted; the outbound connector hands over a connected
// (and, for wss, TLS-handshaken) stream. Both run on the stream's strand; the session keeps that
// strand for its whole life (ws_connection.h states the contract the owner sees).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "net/beast_includes.h"
#include "net/connection_tracker.h"
#include "net/event_loop.h"
#include "net/http_types.h"
#include "net/ws_connection.h"

namespace crsync::net::internal {

using LogFn = std::function<void(std::string_view)>;

struct ServerWsParams {
  EventLoop* loop = nullptr;  // the session registers for EventLoop::Stop (Abandonable)
  WsOptions options;
  std::string subprotocol;  // echoed in the 101; "" = no header
  std::string server_name;
  OpenHandler on_open;
  std::shared_ptr<ConnectionTracker> tracker;  // the session registers itself
  std::shared_ptr<void> keepalive;             // e.g. the TLS context of the stream
  LogFn log;
};

// Answers request with 101 (after Beast's own handshake checks) and runs the connection. Must be
// called on the stream's strand. On a failed handshake nothing is reported to the owner.
void StartServerWebSocket(PlainStream stream, http::request<http::string_body> request,
                          ServerWsParams params);
void StartServerWebSocket(TlsStream stream, http::request<http::string_body> request,
                          ServerWsParams params);

struct ClientWsParams {
  EventLoop* loop = nullptr;
  WsOptions options;
  std::string host_header;
  std::string target;
  std::string subprotocol;  // offered; the server must echo it exactly
  std::string user_agent;
  HttpHeaders headers;
  std::chrono::steady_clock::time_point deadline;  // of the whole connect
  OpenHandler on_open;
  std::function<void(const Status&)> on_error;
  std::shared_ptr<void> keepalive;
};

// Performs the client handshake and runs the connection. Must be called on the stream's strand.
// Returns a thread-safe canceller that fails a handshake still in progress with
// "connect cancelled" and does nothing once the connection is open.
std::function<void()> StartClientWebSocket(PlainStream stream, ClientWsParams params);
std::function<void()> StartClientWebSocket(TlsStream stream, ClientWsParams params);

}  // namespace crsync::net::internal

// The HTTP/WebSocket server: one listening socket (plain or TLS), a small router, and the
// WebSocket upgrade that hands connections to the owner. Knows nothing about sync messages.
//
// Routing of one request, in order:
//  1. An upgrade request (GET + Connection: upgrade + Upgrade: websocket) whose raw target
//     (path + query) matches ws_path_pattern (an ECMAScript regex searched unanchored, like the
//     reference's pathPattern.test(url), spec §1.1) goes to the upgrade handler; one that does
//     not match gets 404 and is never upgraded (the reference upgrades first, defect D3). A
//     malformed handshake (no/invalid Sec-WebSocket-Key, version not 13) gets 400/426 before the
//     handler runs. The handler decides: accept, naming the subprotocol to echo, or reject with
//     a status and a reason (sent as a text/plain body with Connection: close). The 101 is only
//     written after an accept.
//  2. GET/HEAD on a path registered with Handle() (exact match on the raw path, no query) runs
//     that handler; other methods on it get 405.
//  3. GET/HEAD under static_root serves files (see static_files.h for what is refused).
//  4. Anything else: 404.
//
// Concurrency contract: configure (Handle, SetUpgradeHandler) before Start; after Start the
// server is immutable except for Stop. Route and upgrade handlers run on the strand of the HTTP
// connection that carries the request, so with a multi-threaded EventLoop they may run in
// parallel and must be thread-safe; they must not block. An exception escaping a route handler
// becomes a 500, one escaping the upgrade handler a 500 without upgrade. port(), stats() are
// thread-safe. Stop blocks and must not be called from a loop thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "net/event_loop.h"
#include "net/http_types.h"
#include "net/ws_connection.h"

namespace crsync::net {

using HttpHandler = std::function<HttpResponse(const HttpRequest& request)>;

struct UpgradeRequest {
  HttpRequest http;
  // Every Sec-WebSocket-Protocol field value joined with ", " (as Node presents them, so that
  // ParseSyncSubprotocol refuses several offered protocols); "" when there is none.
  std::string subprotocols;
};

struct UpgradeDecision {
  static UpgradeDecision Accept(std::string subprotocol, OpenHandler on_open) {
    UpgradeDecision decision;
    decision.accepted = true;
    decision.subprotocol = std::move(subprotocol);
    decision.on_open = std::move(on_open);
    return decision;
  }
  static UpgradeDecision Reject(int status, std::string reason) {
    UpgradeDecision decision;
    decision.status = status;
    decision.reason = std::move(reason);
    return decision;
  }

  bool accepted = false;
  // Accept: the Sec-WebSocket-Protocol of the 101. Must be one of the offered values verbatim
  // (browsers fail the handshake otherwise; the server answers 500 instead of upgrading), or ""
  // for no header (browsers also fail when they offered one, spec §1.2).
  std::string subprotocol;
  OpenHandler on_open;
  // Reject: HTTP status (401 for auth, 400 for a bad header, ...) and a short text body.
  int status = 403;
  std::string reason;
};

using UpgradeHandler = std::function<UpgradeDecision(const UpgradeRequest& request)>;

struct TlsFiles {
  std::string certificate_chain_file;  // PEM, leaf first
  std::string private_key_file;        // PEM
};

struct HttpServerOptions {
  std::string host = "127.0.0.1";                     // address to bind ("0.0.0.0", "::", ...)
  std::uint16_t port = 0;                             // 0: an ephemeral port, see port()
  std::optional<TlsFiles> tls;                        // set: every connection is TLS (https/wss)
  std::string static_root;                            // "": no static files
  std::string ws_path_pattern = "/vlcn-ws";           // the reference's default pathPattern
  WsOptions ws;                                       // limits of accepted WebSocket connections
  std::chrono::milliseconds request_timeout{30'000};  // to receive one request (and TLS
                                                      // handshake); also the keep-alive idle
  std::size_t max_header_bytes = 16 * 1024;           // request line + headers; larger: 431
  std::string server_name = "crsync";                 // Server header
  std::function<void(std::string_view)> log;          // diagnostics (accept errors, handler
                                                      // exceptions); may be empty. Called on loop
                                                      // threads, possibly in parallel.
};

struct HttpServerStats {
  std::uint64_t connections_accepted = 0;  // TCP connections since Start
  std::uint64_t upgrades_accepted = 0;     // WebSocket handshakes completed
  std::uint64_t upgrades_rejected = 0;     // refused by the handler, the path or the checks
  std::size_t open_connections = 0;        // HTTP + WebSocket connections open now
};

class HttpServer {
 public:
  // The loop must outlive the server.
  HttpServer(EventLoop& loop, HttpServerOptions options);
  ~HttpServer();  // Stop(0) when still running
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Registers handler for GET/HEAD on exactly path (e.g. "/healthz"). Before Start only.
  void Handle(std::string path, HttpHandler handler);
  // Without one, every upgrade request is answered 404. Before Start only.
  void SetUpgradeHandler(UpgradeHandler handler);

  // Loads TLS files, compiles the path pattern, binds, listens and starts accepting. Errors:
  // InvalidArgument (bad pattern, unreadable/mismatched TLS files, bad host), Unavailable (bind
  // or listen failed, e.g. port in use), FailedPrecondition (already started).
  Status Start();

  // The bound port (the ephemeral one when options.port was 0); 0 before Start.
  std::uint16_t port() const;

  // Graceful stop: stops accepting, sends every WebSocket a close frame (1001 "server shutting
  // down"), lets in-flight HTTP responses finish and closes idle HTTP connections, waits up to
  // grace for all of them to end, then drops the rest. Blocking; idempotent; must not be called
  // from a loop thread (programmer error, aborts). The upgrade handler is not called once Stop
  // has begun: late upgrade requests get 503.
  void Stop(std::chrono::milliseconds grace = std::chrono::milliseconds(5'000));

  HttpServerStats stats() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace crsync::net

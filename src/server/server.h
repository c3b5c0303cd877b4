// crsync-server as a library: the WebSocket sync endpoint (wire-compatible with
// @vlcn.io/ws-server 0.2.3 and ws-client 0.2.0), /healthz, /metrics and static files, on one
// port. apps/crsync_server/main.cpp is a thin main() around this class, and tests run it in
// process (docs/server.md explains the design, docs/operations.md how to run it).
//
//   ServerOptions options;                 // port 0: an ephemeral port
//   options.schema_folder = "demo/schemas";
//   Server server(options);
//   Status started = server.Start();       // listening once OK; server.port() is the port
//   ...
//   server.Stop();                         // graceful: 1001 to every client, DBs closed
//
// Threading: Start, Stop and the destructor from one controlling thread (never from a callback
// of the server); port() and MetricsText() from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "server/authenticator.h"

namespace crsync::server {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0: ephemeral, see Server::port()
  // The sync endpoint: an exact path (any query string is allowed and ignored). The reference
  // matches an unanchored regex instead (spec §1.1); set sync_path_pattern for that.
  std::string sync_path = "/sync";
  std::string sync_path_pattern;  // non-empty: ECMAScript regex searched in path+query
  std::string db_folder;          // "": every room is an in-memory database
  std::string schema_folder;      // "": no schemas (every AnnouncePresence is refused)
  std::string static_dir;         // "": no static files
  std::string tls_cert_file;      // both set: https/wss only
  std::string tls_key_file;
  AuthOptions auth;  // no secret and no key: everyone may use every room
  std::size_t max_message_bytes = std::size_t{100} << 20;  // larger incoming: close 1009
  std::chrono::milliseconds ping_interval{25'000};         // 0: no heartbeat
  std::size_t threads = 2;                                 // event loop threads
  std::chrono::milliseconds shutdown_grace{5'000};         // Stop: wait for clients this long
  std::size_t max_changes_per_message = 1000;              // outbound batch limit (D11)
  // Per connection: a session stops pulling while more than this is queued unsent, and goes on
  // once half of it has drained (bounds the server's memory with many slow readers).
  std::size_t send_queue_bytes = std::size_t{512} << 10;
};

class Server {
 public:
  explicit Server(ServerOptions options);
  ~Server();  // Stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Checks the options, creates the db folder if needed, binds and starts serving. Errors:
  // InvalidArgument (bad options, TLS files, auth key, path pattern), Unavailable (bind
  // failed), FailedPrecondition (already started or stopped).
  Status Start();

  // The bound port; 0 before Start.
  std::uint16_t port() const;

  // Graceful stop: /healthz answers 503, no new connections, every client gets close 1001,
  // open group commits finish, room databases are closed. Blocking, idempotent.
  void Stop();

  // The /metrics text (Prometheus format).
  std::string MetricsText() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace crsync::server

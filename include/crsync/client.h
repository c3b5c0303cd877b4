// crsync native sync client: keeps one local SQLite file (with the crsqlite engine) in sync, both
// ways, with a vlcn-compatible WebSocket sync server (crsync-server or @vlcn.io/ws-server).
//
//   crsync::SyncOptions options;
//   options.on_status = [](const crsync::SyncStatus& s) { ... };
//   auto client = crsync::StartSync("local.db", "ws://127.0.0.1:8080/sync", "room", options);
//   if (!client.ok()) { ... client.status() ... }
//   (*client)->WaitUntil([](const crsync::SyncStatus& s) { return s.settled(); }, 30s);
//   (*client)->Stop();
//
// The client owns one connection to the database file and one network thread. Every connection
// to the server is a new sync session that re-reads the recorded last-seen cursors, so a
// reconnect (or a new process) resumes where the previous one stopped. Writes made by the
// application, through any connection or process, are noticed by polling crsql_db_version()
// every poll_interval, or at once after NotifyLocalChange(). Failures that retrying cannot fix
// (the server refused the token, HTTP 401/403; the server refused the session, close 1008, e.g.
// a schema mismatch) end in SyncState::kError without further attempts; everything else
// (unreachable server, dropped connection) is retried with exponential backoff and jitter.
// docs/client.md describes the up-to-date rule, the backoff and the CLI built on this API.
//
// This header exposes only standard types and crsync's own Status/Result.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace crsync {

enum class SyncState {
  kConnecting,  // opening the WebSocket and waiting for the server's StartStreaming
  kSyncing,     // streaming; changes may still be in flight either way
  kUpToDate,    // caught up both ways (see docs/client.md); goes back to kSyncing on new changes
  kOffline,     // the last attempt failed or the connection dropped; a retry is scheduled
  kError,       // a failure retrying cannot fix; no more attempts (terminal until Stop)
  kStopped,     // Stop() was called
};

// "connecting", "syncing", "up-to-date", "offline", "error", "stopped".
std::string_view SyncStateName(SyncState state);

struct SyncStatus {
  SyncState state = SyncState::kConnecting;
  // kOffline: why the last attempt or connection ended. kError: the fatal cause, with code
  // kUnauthenticated / kPermissionDenied (HTTP 401 / 403) or kFailedPrecondition (the server
  // refused the session or the connection request, e.g. schema mismatch). OK otherwise.
  Status error;
  std::chrono::milliseconds retry_in{0};  // kOffline: delay before the next attempt
  uint32_t attempts = 0;                  // connection attempts so far
  // True in the states a one-shot sync waits for: kUpToDate, kError, kStopped.
  bool settled() const {
    return state == SyncState::kUpToDate || state == SyncState::kError ||
           state == SyncState::kStopped;
  }
};

struct SyncProgress {
  uint64_t changes_received = 0;  // changes applied from the server since StartSync
  uint64_t changes_sent = 0;      // changes sent to the server since StartSync
  uint64_t connections = 0;       // sessions that reached streaming
};

struct SyncOptions {
  // Sent in the subprotocol header like ws-client 0.2.0 (auth=<token>,room=<room>).
  std::optional<std::string> token;
  // Optional schema file, applied before connecting like crsqlite-wasm's automigrateTo: a
  // database without a schema runs the file; one with the same name and another version is
  // migrated with crsql_automigrate; crsql_master then records schema_name (schema_name below,
  // default: the file's name without directories) and schema_version (cryb64 of the text).
  // A database that already records a different schema name is refused (kFailedPrecondition)
  // rather than wiped.
  std::string schema_file;
  std::string schema_name;
  // Reconnect backoff: the delay doubles from reconnect_min up to reconnect_max; each delay is
  // drawn uniformly from [delay/2, delay]; it starts over after a session reached up-to-date.
  std::chrono::milliseconds reconnect_min{500};
  std::chrono::milliseconds reconnect_max{30'000};
  // How often the database is polled for writes made elsewhere (also the up-to-date check).
  std::chrono::milliseconds poll_interval{100};
  // Up-to-date needs this long without incoming changes.
  std::chrono::milliseconds quiet_period{500};
  // A server that has not answered our protocol Ping this long after the last incoming change is
  // taken for one that ignores pings (the reference ws-server); then quiet_period alone decides.
  std::chrono::milliseconds pong_timeout{5'000};
  std::chrono::milliseconds connect_timeout{10'000};
  // WebSocket heartbeat (ping control frames) and the silence after which the link is dropped.
  std::chrono::milliseconds heartbeat_interval{25'000};
  std::chrono::milliseconds heartbeat_timeout{60'000};
  // wss://: extra PEM trust anchors; verify_peer = false only for tests and development.
  std::string ca_file;
  bool verify_peer = true;
  // Called on the client's network thread, one at a time, on every state change and whenever
  // the counts moved (at most once per poll_interval). They must not block and must not call
  // Stop() or destroy the client.
  std::function<void(const SyncStatus&)> on_status;
  std::function<void(const SyncProgress&)> on_progress;
};

// A running sync. All methods are thread-safe, but Stop() and the destructor must not be called
// from the callbacks.
class SyncClient {
 public:
  virtual ~SyncClient() = default;  // implementations Stop() first

  // The application wrote to the database: send the changes now instead of at the next poll.
  virtual void NotifyLocalChange() = 0;

  virtual SyncStatus status() const = 0;
  virtual SyncProgress progress() const = 0;

  // Blocks until done(status) holds or timeout passes; returns the last status seen. done is
  // evaluated at once and after every state change, on the calling thread.
  virtual SyncStatus WaitUntil(const std::function<bool(const SyncStatus&)>& done,
                               std::chrono::milliseconds timeout) = 0;

  // Closes the connection cleanly (close 1000, waiting a bounded time for the close handshake),
  // stops the network thread and closes the database. No callback runs after it returns.
  // Idempotent.
  virtual void Stop() = 0;
};

// Checks what StartSync would refuse before touching anything: InvalidArgument when url is not
// a ws:// or wss:// URL, or room/token cannot be put in the subprotocol header (empty room,
// characters above U+00FF, ',' or '=', see docs/client.md).
Status ValidateSyncTarget(std::string_view url, std::string_view room,
                          const std::optional<std::string>& token);

// Opens (creating if needed) the database at db_path, loads the engine, applies
// options.schema_file if given, and starts syncing it with room at url in the background.
// Errors: InvalidArgument (see ValidateSyncTarget; bad options), NotFound (schema file missing),
// FailedPrecondition (the database records another schema name), Internal (SQLite errors).
Result<std::unique_ptr<SyncClient>> StartSync(const std::string& db_path, const std::string& url,
                                              const std::string& room, SyncOptions options = {});

}  // namespace crsync

// Sync entry points for the Worker (web/src/sync_client.js): one sync::Session per open
// WebSocket, all sessions of a database sharing one sync::SqliteStore. The Worker owns sockets,
// reconnect backoff and the status it shows; the protocol itself is entirely the C++ Session
// (docs/sync.md), the same as the native client's.
//
// Lifecycle per socket id (chosen by the Worker):
//   crsync_sync_start(db, id)        when the socket opened: session created, AnnouncePresence sent
//   crsync_sync_message/_drained     socket events
//   crsync_sync_stop(id)             the session closes the socket (1000)
//   crsync_sync_transport_closed     the socket closed: the session ends and is freed
// Session events go back through crsync_js_sync_event: "streaming", "applied" (code = changes),
// "closed" (code = StatusCode, text = message; code 0 for a normal close). crsync_sync_tick
// answers "up to date?" with the native client's rule (client::CaughtUpDetector).
#include <emscripten/emscripten.h>
#include <sqlite3.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "browser_transport.h"
#include "client/caught_up_detector.h"
#include "db_registry.h"
#include "js_imports.h"
#include "net/ws_subprotocol.h"
#include "post.h"
#include "sync/session.h"
#include "sync/sqlite_store.h"

namespace crsync::web {
namespace {

using Clock = client::CaughtUpDetector::Clock;

// Up to date: the native client's rule (client/caught_up_detector.h), with a shorter quiet
// period for interactive pages.
constexpr std::chrono::milliseconds kQuietPeriod{150};
constexpr std::chrono::milliseconds kPongTimeout{2000};

// Session events: to the Worker, and into the up-to-date detector.
class EventForwarder final : public sync::SessionObserver {
 public:
  explicit EventForwarder(int socket) : socket_(socket) {}
  client::CaughtUpDetector detector{kQuietPeriod, kPongTimeout};
  bool ping_due = false;  // sent by the next crsync_sync_tick, outside the session's callbacks

  void OnStreaming() override {
    ping_due = detector.OnStreaming(Clock::now());
    crsync_js_sync_event(socket_, "streaming", 0, "");
  }
  void OnApplied(const SiteId&, size_t changes, const protocol::Cursor&) override {
    detector.OnInbound(Clock::now());
    crsync_js_sync_event(socket_, "applied", static_cast<int>(changes), "");
  }
  void OnPong() override { detector.OnPong(); }
  void OnClosed(const Status& status) override {
    crsync_js_sync_event(socket_, "closed", static_cast<int>(status.code()),
                         status.message().c_str());
  }

 private:
  const int socket_;
};

struct SocketSync {
  SocketSync(sqlite3* db, int socket, sync::SqliteStore& store)
      : db(db), store(store), transport(socket), events(socket) {}
  sqlite3* db;
  sync::SqliteStore& store;
  BrowserTransport transport;
  EventForwarder events;
  std::unique_ptr<sync::Session> session;
  sync::ChangeNotifier::ListenerId listener = 0;
};

std::map<sqlite3*, std::unique_ptr<sync::SqliteStore>>& Stores() {
  static auto* stores = new std::map<sqlite3*, std::unique_ptr<sync::SqliteStore>>();
  return *stores;
}

std::map<int, std::unique_ptr<SocketSync>>& Syncs() {
  static auto* syncs = new std::map<int, std::unique_ptr<SocketSync>>();
  return *syncs;
}

std::string& LastError() {
  static auto* error = new std::string();
  return *error;
}

SocketSync* Find(int socket) {
  auto it = Syncs().find(socket);
  return it == Syncs().end() ? nullptr : it->second.get();
}

void Free(int socket) {
  auto it = Syncs().find(socket);
  if (it == Syncs().end()) return;
  SocketSync& entry = *it->second;
  entry.store.notifier().Remove(entry.listener);
  entry.transport.set_listener(nullptr);
  Syncs().erase(it);
}

}  // namespace

Result<sync::SqliteStore*> StoreOf(sqlite3* db) {
  auto it = Stores().find(db);
  if (it != Stores().end()) return it->second.get();
  auto store = sync::SqliteStore::Open(db);
  if (!store.ok()) return store.status();
  sync::SqliteStore* raw = store->get();
  Stores().emplace(db, std::move(*store));
  return raw;
}

void CloseSyncsOf(sqlite3* db) {
  std::vector<int> sockets;
  for (auto& [socket, entry] : Syncs()) {
    if (entry->db == db) sockets.push_back(socket);
  }
  for (int socket : sockets) {
    SocketSync* entry = Find(socket);
    entry->session->Close(sync::kCloseGoingAway, "database closed");
    Free(socket);
  }
  Stores().erase(db);
}

}  // namespace crsync::web

extern "C" {

// Starts a client session on an open socket. Returns 0, or -1 with crsync_sync_error().
EMSCRIPTEN_KEEPALIVE int crsync_sync_start(sqlite3* db, int socket) {
  using namespace crsync;
  using namespace crsync::web;
  if (Find(socket) != nullptr) {
    LastError() = "socket already has a session";
    return -1;
  }
  auto store = StoreOf(db);
  if (!store.ok()) {
    LastError() = store.status().ToString();
    return -1;
  }
  auto entry = std::make_unique<SocketSync>(db, socket, **store);
  sync::SessionOptions options;
  options.post = [](std::function<void()> task) { Post(std::move(task)); };
  entry->session = std::make_unique<sync::Session>(sync::Role::kClient, **store, entry->transport,
                                                   std::move(options), &entry->events);
  entry->transport.set_listener(entry->session.get());
  sync::Session* session = entry->session.get();
  EventForwarder* events = &entry->events;
  entry->listener = (*store)->notifier().Add([session, events] {
    events->detector.OnLocalChange();
    session->OnLocalChange();
  });
  Syncs().emplace(socket, std::move(entry));
  Status started = session->Start();
  if (!started.ok()) {
    LastError() = started.ToString();
    return -1;  // the session closed itself (1011); the socket's close frees it
  }
  return 0;
}

EMSCRIPTEN_KEEPALIVE const char* crsync_sync_error() { return crsync::web::LastError().c_str(); }

EMSCRIPTEN_KEEPALIVE void crsync_sync_message(int socket, const uint8_t* data, size_t size) {
  if (auto* entry = crsync::web::Find(socket)) {
    entry->events.detector.OnInbound(crsync::web::Clock::now());
    entry->transport.DeliverMessage({data, size});
  }
}

// Advances the up-to-date rule (sends the protocol Ping it asks for). Returns 1 when the session
// is up to date, 0 when not (or unknown socket). The Worker calls it every few tens of ms while
// the session streams.
EMSCRIPTEN_KEEPALIVE int crsync_sync_tick(int socket) {
  using namespace crsync;
  auto* entry = web::Find(socket);
  if (entry == nullptr || entry->session->state() != sync::SessionState::kStreaming) return 0;
  auto& events = entry->events;
  const auto now = web::Clock::now();
  auto outbound_idle = [entry] {
    if (entry->session->awaiting_drain() || entry->transport.BufferedBytes() > 0) return false;
    const auto& cursor = entry->session->outbound_cursor();
    const auto& peer = entry->session->peer_site_id();
    if (!cursor.has_value()) return false;
    sync::PullRequest request;
    request.since_db_version = cursor->db_version;
    if (peer.has_value()) request.exclude_sites.push_back(*peer);
    request.max_changes = 1;
    auto pulled = entry->store.PullChanges(request);
    return pulled.ok() && pulled->changes.empty();
  };
  // The detector counts every Ping it asks for (the first one at OnStreaming): send each.
  int pings = (events.ping_due ? 1 : 0) + (events.detector.Tick(now, outbound_idle) ? 1 : 0);
  events.ping_due = false;
  for (int i = 0; i < pings; ++i) entry->session->SendPing();
  return events.detector.caught_up(now) ? 1 : 0;
}

EMSCRIPTEN_KEEPALIVE void crsync_sync_drained(int socket) {
  if (auto* entry = crsync::web::Find(socket)) entry->transport.DeliverDrained();
}

EMSCRIPTEN_KEEPALIVE void crsync_sync_stop(int socket) {
  if (auto* entry = crsync::web::Find(socket)) entry->session->Close(1000, "stopped");
}

EMSCRIPTEN_KEEPALIVE void crsync_sync_transport_closed(int socket, int code, const char* reason) {
  if (auto* entry = crsync::web::Find(socket)) {
    entry->transport.DeliverClosed(code, reason);
    crsync::web::Free(socket);
  }
}

// Local writes happened on db: wake every session of db whose store sees a new db_version.
// Returns 1 when the listeners ran.
EMSCRIPTEN_KEEPALIVE int crsync_db_poll(sqlite3* db) {
  auto it = crsync::web::Stores().find(db);
  if (it == crsync::web::Stores().end()) return 0;
  return it->second->PollForChanges() ? 1 : 0;
}

// The Sec-WebSocket-Protocol value ws-client 0.2.0 offers for room and token (token may be
// null). Returns it, or null with crsync_sync_error().
EMSCRIPTEN_KEEPALIVE const char* crsync_sync_subprotocol(const char* room, const char* token) {
  static std::string value;
  std::optional<std::string> maybe_token;
  if (token != nullptr) maybe_token = token;
  auto encoded = crsync::net::EncodeSyncSubprotocol(room, maybe_token);
  if (!encoded.ok()) {
    crsync::web::LastError() = encoded.status().message();
    return nullptr;
  }
  value = std::move(*encoded);
  return value.c_str();
}

}  // extern "C"

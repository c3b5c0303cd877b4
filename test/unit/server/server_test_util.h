// Helpers for the crsync-server tests: a schema folder with the demo todo schema, a server
// started in process on 127.0.0.1 port 0, and SyncClient — a real sync client built from the
// project's own layers (net::ConnectWebSocket + wslink::WsTransport + sync::Session(kClient) +
// SqliteStore on an in-memory engine database). Every wait is bounded.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/cryb64.h"
#include "net/event_loop.h"
#include "net/ws_client.h"
#include "net/ws_subprotocol.h"
#include "server/server.h"
#include "support/test_db.h"
#include "sync/session.h"
#include "sync/sqlite_store.h"
#include "unit/net/net_test_util.h"
#include "wslink/ws_transport.h"

namespace crsync::server::testing {

using namespace std::chrono_literals;
using net::testing::TempDir;
using net::testing::WaitUntil;

inline constexpr const char* kTodoSchemaName = "todo.sql";
inline constexpr const char* kTodoSchema =
    "CREATE TABLE IF NOT EXISTS todo (id PRIMARY KEY NOT NULL, text, "
    "completed INTEGER NOT NULL DEFAULT 0);\n"
    "SELECT crsql_as_crr('todo');\n";

// A temporary schema folder holding todo.sql.
class SchemaDir {
 public:
  SchemaDir() { dir_.Write(kTodoSchemaName, kTodoSchema); }
  std::string path() const { return dir_.path().string(); }
  void Write(const std::string& name, const std::string& text) const { dir_.Write(name, text); }

 private:
  TempDir dir_;
};

inline ServerOptions TestServerOptions(const std::string& schema_folder) {
  ServerOptions options;
  options.schema_folder = schema_folder;
  options.shutdown_grace = 3000ms;
  return options;
}

// A sync client with its own in-memory database. All database and session work runs on one
// strand of the given loop; the public methods block (bounded) until it is done.
class SyncClient {
 public:
  SyncClient(net::EventLoop& loop, const std::string& schema_name = kTodoSchemaName,
             const std::string& schema_sql = kTodoSchema)
      : loop_(loop), strand_(loop.MakeStrand()) {
    EXPECT_EQ("", db_.Exec(schema_sql));
    store_ = std::move(sync::SqliteStore::Open(db_.db())).value();
    EXPECT_TRUE(store_->SetSchema({schema_name, Cryb64(std::string_view(schema_sql))}).ok());
  }

  ~SyncClient() {
    OnStrand([this] { DropSession(); });
    store_.reset();
  }

  // Connects to the server's sync path and starts the session. OK once the WebSocket is open
  // (the session then announces); the connect error otherwise.
  Status Connect(uint16_t port, const std::string& room,
                 const std::optional<std::string>& token = std::nullopt,
                 const std::string& path = "/sync") {
    net::WsClientOptions options;
    options.url = "ws://127.0.0.1:" + std::to_string(port) + path;
    Result<std::string> subprotocol = net::EncodeSyncSubprotocol(room, token);
    if (!subprotocol.ok()) return subprotocol.status();
    options.subprotocol = *subprotocol;
    options.connect_timeout = 5000ms;
    auto done = std::make_shared<std::promise<Status>>();
    net::ConnectWebSocket(
        loop_, options,
        [this, done](const std::shared_ptr<net::WsConnection>& connection) {
          auto transport = std::make_shared<wslink::WsTransport>(
              connection, [strand = strand_](std::function<void()> task) {
                strand->Post(std::move(task));
              });
          net::WsHandlers handlers = transport->Handlers();
          strand_->Post([this, transport] { StartSession(transport); });
          done->set_value(Status());
          return handlers;
        },
        [done](const Status& error) { done->set_value(error); });
    std::future<Status> result = done->get_future();
    if (result.wait_for(10s) != std::future_status::ready) return Status::Unavailable("timeout");
    return result.get();
  }

  // Closes the session (1000) and forgets the connection; Connect may be called again.
  void Disconnect() {
    OnStrand([this] { DropSession(); });
  }

  // Runs sql on the client's database and tells the session.
  void Exec(const std::string& sql) {
    OnStrand([&] {
      EXPECT_EQ("", db_.Exec(sql)) << sql;
      store_->NotifyChanged();
    });
  }

  std::vector<std::string> Query(const std::string& sql) {
    std::vector<std::string> rows;
    OnStrand([&] { rows = db_.Query(sql); });
    return rows;
  }

  // Waits until Query(sql) == expected; returns whether it happened.
  bool WaitRows(const std::string& sql, const std::vector<std::string>& expected,
                std::chrono::milliseconds timeout = 10s) {
    return WaitUntil([&] { return Query(sql) == expected; }, timeout);
  }

  sync::SessionState state() {
    sync::SessionState state = sync::SessionState::kIdle;
    OnStrand([&] {
      if (session_) state = session_->state();
    });
    return state;
  }
  Status close_status() {
    Status status;
    OnStrand([&] {
      if (session_) status = session_->close_status();
    });
    return status;
  }
  bool WaitState(sync::SessionState want, std::chrono::milliseconds timeout = 10s) {
    return WaitUntil([&] { return state() == want; }, timeout);
  }

  SiteId site_id() const { return store_->site_id(); }

 private:
  void DropSession() {
    if (transport_) transport_->set_listener(nullptr);
    if (session_) session_->Close(sync::kCloseNormal, "");
    session_.reset();
    transport_.reset();
  }

  void StartSession(std::shared_ptr<wslink::WsTransport> transport) {
    DropSession();
    transport_ = std::move(transport);
    sync::SessionOptions options;
    options.max_buffered_bytes = wslink::kSessionMaxBufferedBytes;
    options.post = [strand = strand_](std::function<void()> task) { strand->Post(std::move(task)); };
    session_ = std::make_unique<sync::Session>(sync::Role::kClient, *store_, *transport_, options);
    transport_->set_listener(session_.get());
    if (listener_ == 0) listener_ = store_->notifier().Add([this] {
      if (session_) session_->OnLocalChange();
    });
    EXPECT_TRUE(session_->Start().ok());
  }

  // Runs fn on the strand and waits for it (a test that cannot get there aborts: a stuck
  // strand would otherwise leave fn referring to a dead stack frame).
  void OnStrand(const std::function<void()>& fn) {
    auto done = std::make_shared<std::promise<void>>();
    strand_->Post([&fn, done] {
      fn();
      done->set_value();
    });
    if (done->get_future().wait_for(20s) != std::future_status::ready) {
      ADD_FAILURE() << "client strand stuck";
      std::abort();
    }
  }

  net::EventLoop& loop_;
  std::shared_ptr<net::Strand> strand_;
  test::TestDb db_;
  std::unique_ptr<sync::SqliteStore> store_;
  std::shared_ptr<wslink::WsTransport> transport_;
  std::unique_ptr<sync::Session> session_;
  sync::ChangeNotifier::ListenerId listener_ = 0;
};

}  // namespace crsync::server::testing

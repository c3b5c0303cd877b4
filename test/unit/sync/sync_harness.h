// Test support for the sync layer: engine databases wrapped in SqliteStores, sessions wired over
// in-memory transports, and a driver that delivers frames until everything is quiet.
//
// A SyncDb is an in-memory SQLite database with the crsqlite engine loaded (optionally with a
// chosen site id, to reproduce recorded vectors) and the todo.sql schema of the spec's recorded
// session. A Link is one client<->server connection: a MemoryTransportPair, a client Session on
// the client's store and a server Session on the (possibly shared) server store; store change
// notifications are forwarded to the sessions the way a room owner would. Header-only.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/cryb64.h"
#include "common/hex.h"
#include "crsync/crsqlite.h"
#include "support/test_db.h"
#include "sync/memory_transport.h"
#include "sync/session.h"
#include "sync/sqlite_store.h"

namespace crsync::sync::testing {

// The oracle harness's schemas/todo.sql (sync-protocol.md §5 example 3).
inline constexpr const char* kTodoSql =
    "CREATE TABLE IF NOT EXISTS todo (\n"
    "  id INTEGER PRIMARY KEY NOT NULL,\n"
    "  title TEXT,\n"
    "  done INTEGER DEFAULT 0\n"
    ");\n"
    "SELECT crsql_as_crr('todo');\n";
inline constexpr int64_t kTodoVersion = -6352387177184518618;

// An untyped table to check that storage classes survive the trip.
inline constexpr const char* kAnySql =
    "CREATE TABLE IF NOT EXISTS anyv (id PRIMARY KEY NOT NULL, v);"
    "SELECT crsql_as_crr('anyv');";

inline SiteId SiteFromHex(const std::string& hex) {
  auto bytes = HexDecode(hex);
  if (!bytes.ok() || bytes->size() != kSiteIdSize) throw std::runtime_error("bad site id " + hex);
  SiteId id{};
  std::copy(bytes->begin(), bytes->end(), id.begin());
  return id;
}

class SyncDb {
 public:
  // Opens :memory:, optionally seeds crsql_site_id with site (hex), loads the engine, runs
  // schema_sql and records schema {name, version}.
  explicit SyncDb(const std::string& site_hex = "", const std::string& schema_sql = kTodoSql,
                  const std::string& schema_name = "todo.sql",
                  std::optional<int64_t> schema_version = std::nullopt) {
    if (sqlite3_open(":memory:", &db_) != SQLITE_OK) throw std::runtime_error("open");
    if (!site_hex.empty()) {
      Check(
          Exec("CREATE TABLE \"crsql_site_id\" (site_id BLOB NOT NULL, ordinal INTEGER PRIMARY "
               "KEY); CREATE UNIQUE INDEX crsql_site_id_site_id ON \"crsql_site_id\" (site_id);"
               "INSERT INTO crsql_site_id VALUES (X'" +
               site_hex + "', 0);"));
    }
    char* err = nullptr;
    if (sqlite3_crsqlite_init(db_, &err, nullptr) != SQLITE_OK) {
      std::string message = err ? err : "init";
      sqlite3_free(err);
      throw std::runtime_error(message);
    }
    Check(Exec(schema_sql));
    auto store = SqliteStore::Open(db_);
    if (!store.ok()) throw std::runtime_error(store.status().ToString());
    store_ = std::move(store).value();
    const int64_t version = schema_version.value_or(Cryb64(std::string_view(schema_sql)));
    Check(store_->SetSchema({schema_name, version}).ok() ? "" : "set schema");
  }
  ~SyncDb() {
    store_.reset();
    sqlite3_exec(db_, "SELECT crsql_finalize()", nullptr, nullptr, nullptr);
    sqlite3_close_v2(db_);
  }
  SyncDb(const SyncDb&) = delete;
  SyncDb& operator=(const SyncDb&) = delete;

  sqlite3* db() const { return db_; }
  SqliteStore& store() { return *store_; }
  const SiteId& site_id() const { return store_->site_id(); }

  // Runs sql; "" on success, else the error message.
  std::string Exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) == SQLITE_OK) return "";
    std::string message = err ? err : "error";
    sqlite3_free(err);
    return message;
  }
  // A local write: runs sql and tells the store (what an application's write path does).
  void Write(const std::string& sql) {
    Check(Exec(sql));
    store_->NotifyChanged();
  }
  // Rows rendered like quote(), "(a, b)".
  std::vector<std::string> Query(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    std::vector<std::string> rows;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      sqlite3_finalize(stmt);
      return {std::string("error: ") + sqlite3_errmsg(db_)};
    }
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      std::string row = "(";
      for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
        if (c > 0) row += ", ";
        row += test::RenderValue(stmt, c);
      }
      rows.push_back(row + ")");
    }
    sqlite3_finalize(stmt);
    return rows;
  }
  std::string One(const std::string& sql) {
    auto rows = Query(sql);
    return rows.empty() ? "" : rows.front();
  }
  // The data of table, with storage classes, ordered by primary key.
  std::vector<std::string> Table(const std::string& table) {
    return Query("SELECT *, typeof(" + std::string(table == "anyv" ? "v" : "title") + ") FROM " +
                 table + " ORDER BY 1");
  }
  // The replicated state that must converge: everything in crsql_changes but the local
  // bookkeeping (db_version, seq, attribution).
  std::vector<std::string> Changes() {
    return Query(
        "SELECT \"table\", quote(pk), cid, quote(val), col_version, cl FROM crsql_changes "
        "ORDER BY 1, 2, 3");
  }

 private:
  static void Check(const std::string& error) {
    if (!error.empty()) throw std::runtime_error(error);
  }
  sqlite3* db_ = nullptr;
  std::unique_ptr<SqliteStore> store_;
};

// Records observer events.
class RecordingObserver : public SessionObserver {
 public:
  void OnStreaming() override { ++streaming; }
  void OnApplied(const SiteId&, size_t changes, const protocol::Cursor&) override {
    applied_changes += changes;
  }
  void OnPong() override { ++pongs; }
  void OnClosed(const Status& status) override {
    ++closed;
    close_status = status;
  }
  int streaming = 0;
  size_t applied_changes = 0;
  int pongs = 0;
  int closed = 0;
  Status close_status;
};

// One client<->server connection over a MemoryTransportPair (a = client, b = server).
class Link {
 public:
  Link(SyncDb& client_db, Store& server_store, SessionOptions client_options = {},
       SessionOptions server_options = {})
      : client(Role::kClient, client_db.store(), pair.a(), client_options, &client_events),
        server(Role::kServer, server_store, pair.b(), server_options, &server_events),
        client_store_(client_db.store()),
        server_store_(server_store) {
    pair.a().set_listener(&client);
    pair.b().set_listener(&server);
    client_listener_ = client_store_.notifier().Add([this] { client.OnLocalChange(); });
    server_listener_ = server_store_.notifier().Add([this] { server.OnLocalChange(); });
  }
  ~Link() {
    client_store_.notifier().Remove(client_listener_);
    server_store_.notifier().Remove(server_listener_);
    pair.a().set_listener(nullptr);
    pair.b().set_listener(nullptr);
  }
  Link(const Link&) = delete;
  Link& operator=(const Link&) = delete;

  // Starts both sessions (server first, as a server accepts before the client speaks).
  void Start() {
    ASSERT_TRUE(server.Start().ok());
    ASSERT_TRUE(client.Start().ok());
  }

  MemoryTransportPair pair;
  RecordingObserver client_events;
  RecordingObserver server_events;
  Session client;
  Session server;

 private:
  Store& client_store_;
  Store& server_store_;
  ChangeNotifier::ListenerId client_listener_ = 0;
  ChangeNotifier::ListenerId server_listener_ = 0;
};

// Delivers frames on every link until none moves (bounded). Returns the frames delivered.
inline size_t Settle(const std::vector<Link*>& links, size_t max_rounds = 10'000) {
  size_t total = 0;
  for (size_t round = 0; round < max_rounds; ++round) {
    size_t moved = 0;
    for (Link* link : links) moved += link->pair.DeliverAll(1000);
    total += moved;
    if (moved == 0) break;
  }
  return total;
}

// Decodes every frame queued in an outbox (for assertions on what a session sent).
inline std::vector<protocol::Message> Outbox(MemoryTransport& endpoint) {
  std::vector<protocol::Message> out;
  for (const MemoryFrame& frame : endpoint.outbox()) {
    if (frame.is_close) continue;
    auto decoded = protocol::Decode(frame.bytes);
    if (decoded.ok()) out.push_back(std::move(decoded).value());
  }
  return out;
}

}  // namespace crsync::sync::testing

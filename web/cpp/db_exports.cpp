// Database entry points for the Worker (web/src/engine.js): open a connection on the browser VFS
// with the crsqlite engine loaded, track which tables each statement changed (for the per-table
// change notifications of the JS API), and close cleanly (crsql_finalize first).
//
// The JS side drives statements through the exported SQLite C API (prepare/bind/step/column);
// only what needs C++ state lives here.
#include <emscripten/emscripten.h>
#include <sqlite3.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "client/local_database.h"
#include "client/schema_migration.h"
#include "db_registry.h"

namespace crsync::web {
namespace {

// Tables written since the last crsync_take_changed_tables, per connection. The engine's own
// bookkeeping tables (crsql_*, *__crsql_clock, *__crsql_pks) are left out.
std::map<sqlite3*, std::set<std::string>>& ChangedTables() {
  static auto* tables = new std::map<sqlite3*, std::set<std::string>>();
  return *tables;
}

bool IsEngineTable(std::string_view name) {
  auto ends_with = [&](std::string_view suffix) {
    return name.size() >= suffix.size() && name.substr(name.size() - suffix.size()) == suffix;
  };
  return name.starts_with("crsql_") || name.starts_with("sqlite_") || ends_with("__crsql_clock") ||
         ends_with("__crsql_pks");
}

void OnUpdate(void* arg, int, const char*, const char* table, sqlite3_int64) {
  if (IsEngineTable(table)) return;
  ChangedTables()[static_cast<sqlite3*>(arg)].insert(table);
}

std::string& LastError() {
  static auto* error = new std::string();
  return *error;
}

std::map<sqlite3*, std::unique_ptr<client::LocalDatabase>>& Databases() {
  static auto* databases = new std::map<sqlite3*, std::unique_ptr<client::LocalDatabase>>();
  return *databases;
}

}  // namespace
}  // namespace crsync::web

extern "C" {

// Opens (creating) the database `name` on the browser VFS (the only, hence default, VFS) with
// the engine loaded, as the native client does (client::LocalDatabase). Returns the connection,
// or null with the reason in crsync_db_error().
EMSCRIPTEN_KEEPALIVE sqlite3* crsync_open(const char* name) {
  using namespace crsync::web;
  auto database = crsync::client::LocalDatabase::Open(name);
  if (!database.ok()) {
    LastError() = database.status().message();
    return nullptr;
  }
  sqlite3* db = (*database)->db();
  sqlite3_update_hook(db, OnUpdate, db);
  ChangedTables()[db];
  Databases().emplace(db, std::move(*database));
  return db;
}

EMSCRIPTEN_KEEPALIVE const char* crsync_db_error() { return crsync::web::LastError().c_str(); }

// Applies a schema the way the native client does (client::ApplySchema: run it on a database
// without one, crsql_automigrate on a new version, record name and cryb64 version in
// crsql_master). Returns 0 unchanged, 1 applied, 2 migrated, or -1 with crsync_db_error().
EMSCRIPTEN_KEEPALIVE int crsync_apply_schema(sqlite3* db, const char* name, const char* text) {
  using namespace crsync::web;
  auto store = StoreOf(db);
  auto it = Databases().find(db);
  if (!store.ok() || it == Databases().end()) {
    LastError() = store.ok() ? "unknown database" : store.status().message();
    return -1;
  }
  auto outcome = crsync::client::ApplySchema(*it->second, **store, name, text);
  if (!outcome.ok()) {
    LastError() = outcome.status().message();
    return -1;
  }
  return static_cast<int>(*outcome);
}

// The tables changed since the previous call, as one string, names separated by '\n' (valid
// until the next call).
EMSCRIPTEN_KEEPALIVE const char* crsync_take_changed_tables(sqlite3* db) {
  static std::string joined;
  joined.clear();
  auto& tables = crsync::web::ChangedTables()[db];
  for (const std::string& table : tables) {
    if (!joined.empty()) joined += '\n';
    joined += table;
  }
  tables.clear();
  return joined.c_str();
}

// Ends every sync session on db, finalizes the engine and closes the connection.
EMSCRIPTEN_KEEPALIVE void crsync_close(sqlite3* db) {
  crsync::web::CloseSyncsOf(db);
  crsync::web::ChangedTables().erase(db);
  crsync::web::Databases().erase(db);  // ~LocalDatabase: crsql_finalize, close
}

}  // extern "C"

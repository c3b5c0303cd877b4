// Database entry points for the Worker (web/src/engine.js): open a connection on the browser VFS
// with the crsqlite engine loaded, track which tables each statement changed (for the per-table
// change notifications of the JS API), and close cleanly (crsql_finalize first).
//
// The JS side drives statements through the exported SQLite C API (prepare/bind/step/column);
// only what needs C++ state lives here.
#include <emscripten/emscripten.h>
#include <sqlite3.h>

#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "client/local_database.h"
#include "client/schema_migration.h"
#include "db_registry.h"

namespace crsync::web {
namespace {

bool IsEngineTable(std::string_view name) {
  auto ends_with = [&](std::string_view suffix) {
    return name.size() >= suffix.size() && name.substr(name.size() - suffix.size()) == suffix;
  };
  return name.starts_with("crsql_") || name.starts_with("sqlite_") || ends_with("__crsql_clock") ||
         ends_with("__crsql_pks");
}

// Tables written since the last crsync_take_changed_tables, per connection. The engine's own
// bookkeeping tables (crsql_*, *__crsql_clock, *__crsql_pks) are left out. The update hook runs
// for every row written (a CRR insert writes the table, its pks and clock tables), so the names
// already seen are kept in a short list with their verdict: a row costs a few string compares,
// not a classification and a set lookup.
struct Changed {
  struct Seen {
    std::string name;
    bool engine;    // an engine table: never reported
    bool recorded;  // in `tables` since the last take
  };
  std::set<std::string> tables;
  std::vector<Seen> seen;
};

std::map<sqlite3*, Changed>& ChangedTables() {
  static auto* tables = new std::map<sqlite3*, Changed>();
  return *tables;
}

// The update hook: arg is the Changed of the connection.
void OnUpdate(void* arg, int, const char*, const char* table, sqlite3_int64) {
  auto* changed = static_cast<Changed*>(arg);
  for (Changed::Seen& seen : changed->seen) {
    if (std::strcmp(seen.name.c_str(), table) != 0) continue;
    if (!seen.engine && !seen.recorded) {
      seen.recorded = true;
      changed->tables.insert(seen.name);
    }
    return;
  }
  constexpr size_t kMaxSeen = 64;  // a schema with more tables just classifies again
  if (changed->seen.size() >= kMaxSeen) changed->seen.clear();
  const bool engine = IsEngineTable(table);
  changed->seen.push_back({table, engine, !engine});
  if (!engine) changed->tables.insert(table);
}

std::string& LastError() {
  static auto* error = new std::string();
  return *error;
}

// SQL that crsync_open runs on its new connection before the engine loads (set only for the
// duration of that call): the file backend's pragmas, then BEGIN, so that the engine's setup of
// a fresh file (its bookkeeping tables, several statements) commits once instead of once per
// statement. Runs as an auto-extension because client::LocalDatabase::Open opens the
// connection and loads the engine in one call.
const char* g_before_engine = nullptr;

int BeforeEngine(sqlite3* db, char** error, const sqlite3_api_routines*) {
  if (g_before_engine == nullptr) return SQLITE_OK;
  return sqlite3_exec(db, g_before_engine, nullptr, nullptr, error);
}

std::map<sqlite3*, std::unique_ptr<client::LocalDatabase>>& Databases() {
  static auto* databases = new std::map<sqlite3*, std::unique_ptr<client::LocalDatabase>>();
  return *databases;
}

}  // namespace
}  // namespace crsync::web

extern "C" {

// Opens (creating) the database `name` on the browser VFS (the only, hence default, VFS) with
// the engine loaded, as the native client does (client::LocalDatabase). `pragmas` (SQL, may be
// empty) runs first, before the engine touches the file: the backend's journal settings
// (web/src/files_*.js). Returns the connection, or null with the reason in crsync_db_error().
EMSCRIPTEN_KEEPALIVE sqlite3* crsync_open(const char* name, const char* pragmas) {
  using namespace crsync::web;
  static const bool registered =
      sqlite3_auto_extension(reinterpret_cast<void (*)(void)>(BeforeEngine)) == SQLITE_OK;
  if (!registered) {
    LastError() = "cannot register the connection setup";
    return nullptr;
  }
  const std::string before = std::string(pragmas) + ";BEGIN";
  g_before_engine = before.c_str();
  auto database = crsync::client::LocalDatabase::Open(name);
  g_before_engine = nullptr;
  if (!database.ok()) {
    LastError() = database.status().message();
    return nullptr;
  }
  sqlite3* db = (*database)->db();
  if (sqlite3_get_autocommit(db) == 0 &&
      sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    LastError() = std::string("cannot commit the engine's setup: ") + sqlite3_errmsg(db);
    return nullptr;  // ~LocalDatabase closes the connection (rolling back)
  }
  sqlite3_update_hook(db, OnUpdate, &ChangedTables()[db]);  // std::map: the entry never moves
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
  auto& changed = crsync::web::ChangedTables()[db];
  for (const std::string& table : changed.tables) {
    if (!joined.empty()) joined += '\n';
    joined += table;
  }
  changed.tables.clear();
  for (auto& seen : changed.seen) seen.recorded = false;
  return joined.c_str();
}

// Ends every sync session on db, finalizes the engine and closes the connection.
EMSCRIPTEN_KEEPALIVE void crsync_close(sqlite3* db) {
  crsync::web::CloseSyncsOf(db);
  crsync::web::Databases().erase(db);  // ~LocalDatabase: crsql_finalize, close
  crsync::web::ChangedTables().erase(db);  // after: the update hook points into it
}

}  // extern "C"

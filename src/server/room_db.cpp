// RoomDb (see room_db.h): open with engine, WAL, synchronous=FULL; close after crsql_finalize.
#include "server/room_db.h"

#include <utility>

#include "crsync/crsqlite.h"

namespace crsync::server {
namespace {

constexpr int kBusyTimeoutMs = 5000;

}  // namespace

Result<RoomDb> RoomDb::Open(const std::string& path) {
  sqlite3* raw = nullptr;
  const std::string name = path.empty() ? ":memory:" : path;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(name.c_str(), &raw, flags, nullptr) != SQLITE_OK) {
    std::string message = "cannot open room database: " +
                          std::string(raw != nullptr ? sqlite3_errmsg(raw) : "out of memory");
    sqlite3_close_v2(raw);
    return Status::Internal(std::move(message));
  }
  RoomDb db(raw);
  // Before the engine loads: loading writes (site id, metadata tables) and must wait too.
  sqlite3_busy_timeout(raw, kBusyTimeoutMs);
  char* err = nullptr;
  if (sqlite3_crsqlite_init(raw, &err, nullptr) != SQLITE_OK) {
    std::string message = "cannot load the crsqlite engine: " +
                          std::string(err != nullptr ? err : "unknown error");
    sqlite3_free(err);
    return Status::Internal(std::move(message));
  }
  if (!path.empty()) {
    // journal_mode answers with the mode in effect; anything but "wal" means WAL is unavailable
    // (e.g. a file system without shared memory), which we refuse rather than run weaker.
    sqlite3_stmt* stmt = nullptr;
    bool wal = false;
    if (sqlite3_prepare_v2(raw, "PRAGMA journal_mode=WAL", -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      const auto* mode = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
      wal = mode != nullptr && std::string(mode) == "wal";
    }
    sqlite3_finalize(stmt);
    if (!wal) return Status::Internal("cannot switch the room database to WAL mode");
  }
  CRSYNC_RETURN_IF_ERROR(db.Exec("PRAGMA synchronous=FULL"));
  // Savepoint (statement) journals in memory: group commit opens one savepoint per batch, whose
  // page copies would otherwise go through a temporary file, one pwrite per page.
  CRSYNC_RETURN_IF_ERROR(db.Exec("PRAGMA temp_store=MEMORY"));
  return db;
}

RoomDb& RoomDb::operator=(RoomDb&& other) noexcept {
  if (this != &other) {
    Close();
    db_ = std::exchange(other.db_, nullptr);
  }
  return *this;
}

Status RoomDb::Exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) == SQLITE_OK) return Status();
  std::string message = err != nullptr ? err : sqlite3_errmsg(db_);
  sqlite3_free(err);
  return Status::Internal(std::move(message));
}

void RoomDb::Close() {
  if (db_ == nullptr) return;
  sqlite3_exec(db_, "SELECT crsql_finalize()", nullptr, nullptr, nullptr);
  sqlite3_close_v2(db_);
  db_ = nullptr;
}

}  // namespace crsync::server

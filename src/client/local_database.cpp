// LocalDatabase (see local_database.h): open a file with the engine loaded; run SQL.
#include "client/local_database.h"

#include "crsync/crsqlite.h"

namespace crsync::client {
namespace {

constexpr int kBusyTimeoutMs = 5'000;

}  // namespace

Result<std::unique_ptr<LocalDatabase>> LocalDatabase::Open(const std::string& path) {
  sqlite3* db = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    Status status = Status::Internal("cannot open " + path + ": " +
                                     (db != nullptr ? sqlite3_errmsg(db) : "out of memory"));
    sqlite3_close_v2(db);
    return status;
  }
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  char* error = nullptr;
  if (sqlite3_crsqlite_init(db, &error, nullptr) != SQLITE_OK) {
    Status status = Status::Internal("cannot load the crsqlite engine on " + path + ": " +
                                     (error != nullptr ? error : sqlite3_errmsg(db)));
    sqlite3_free(error);
    sqlite3_close_v2(db);
    return status;
  }
  return std::unique_ptr<LocalDatabase>(new LocalDatabase(db));
}

LocalDatabase::~LocalDatabase() {
  sqlite3_exec(db_, "SELECT crsql_finalize()", nullptr, nullptr, nullptr);
  sqlite3_close_v2(db_);
}

Status LocalDatabase::Exec(std::string_view sql) {
  char* error = nullptr;
  const std::string text(sql);
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error) == SQLITE_OK) return Status();
  Status status = Status::Internal(error != nullptr ? error : sqlite3_errmsg(db_));
  sqlite3_free(error);
  return status;
}

}  // namespace crsync::client

// Connection and statement helpers for crsqlite-bench (see bench_db.h).
#include "bench_db.h"

#include "crsync/crsqlite.h"

namespace crsync::bench {

const char* StorageName(Storage s) {
  return s == Storage::kFile ? "file (WAL, synchronous=NORMAL)" : ":memory:";
}

Stmt::Stmt(sqlite3* db, const std::string& sql) {
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt_, nullptr) != SQLITE_OK) {
    throw BenchError("prepare failed: " + std::string(sqlite3_errmsg(db)) + " [" + sql + "]");
  }
}

Stmt& Stmt::operator=(Stmt&& o) noexcept {
  if (this != &o) {
    sqlite3_finalize(stmt_);
    stmt_ = o.stmt_;
    o.stmt_ = nullptr;
  }
  return *this;
}

Stmt::~Stmt() { sqlite3_finalize(stmt_); }

Db::Db(const std::string& path, bool with_engine, const EngineSource& source)
    : with_engine_(with_engine) {
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw BenchError("cannot open " + path + ": " + msg);
  }
  if (with_engine) {
    char* err = nullptr;
    int rc;
    if (source.extension_path.empty()) {
      rc = sqlite3_crsqlite_init(db_, &err, nullptr);
    } else {
      sqlite3_enable_load_extension(db_, 1);
      rc = sqlite3_load_extension(db_, source.extension_path.c_str(), nullptr, &err);
    }
    if (rc != SQLITE_OK) {
      std::string msg = err ? err : sqlite3_errstr(rc);
      sqlite3_free(err);
      sqlite3_close_v2(db_);
      db_ = nullptr;
      throw BenchError("cannot load the crsqlite engine: " + msg);
    }
  }
  if (path != ":memory:") Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
}

Db::~Db() { Close(); }

void Db::Close() {
  if (!db_) return;
  if (with_engine_) sqlite3_exec(db_, "SELECT crsql_finalize()", nullptr, nullptr, nullptr);
  sqlite3_close_v2(db_);
  db_ = nullptr;
}

void Db::Fail(const std::string& what) const {
  throw BenchError(what + ": " + sqlite3_errmsg(db_));
}

void Db::Exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    throw BenchError(msg + " [" + sql + "]");
  }
}

std::optional<int64_t> Db::QueryInt(const std::string& sql) {
  Stmt stmt(db_, sql);
  int rc = sqlite3_step(stmt.get());
  if (rc == SQLITE_DONE) return std::nullopt;
  if (rc != SQLITE_ROW) Fail(sql);
  if (sqlite3_column_type(stmt.get(), 0) == SQLITE_NULL) return std::nullopt;
  return sqlite3_column_int64(stmt.get(), 0);
}

void StepDone(sqlite3* db, sqlite3_stmt* stmt, const char* what) {
  int rc = sqlite3_step(stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
    throw BenchError(std::string(what) + ": " + sqlite3_errmsg(db));
  }
}

}  // namespace crsync::bench

// Benchmark plumbing: an SQLite connection that optionally carries the crsqlite engine, an RAII
// prepared statement, and a monotonic stopwatch. The benchmark is a program, not a library, so
// SQL failures throw BenchError and main() turns them into a printed error cell or exit code.
// Invariant: every connection opened here is closed with sqlite3_close_v2 after
// `SELECT crsql_finalize()` when the engine is loaded (the engine caches statements per db).
#pragma once

#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

namespace crsync::bench {

class BenchError final : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// How the CRR engine gets onto a connection: the statically linked crsqlite_core (default) or a
// loadable extension file (e.g. build/crsqlite.so, or any other cr-sqlite build to compare with).
struct EngineSource {
  std::string extension_path;  // empty: call sqlite3_crsqlite_init from crsqlite_core
};

// Where a workload's databases live. kFile uses PRAGMA journal_mode=WAL; synchronous=NORMAL.
enum class Storage { kFile, kMemory };
const char* StorageName(Storage s);

class Stmt {
 public:
  Stmt() = default;
  Stmt(sqlite3* db, const std::string& sql);  // throws BenchError on prepare failure
  Stmt(Stmt&& o) noexcept : stmt_(o.stmt_) { o.stmt_ = nullptr; }
  Stmt& operator=(Stmt&& o) noexcept;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt();
  sqlite3_stmt* get() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

class Db {
 public:
  // Opens path (":memory:" or a file name). When with_engine, loads the CRR engine from source.
  // For file databases applies WAL + synchronous=NORMAL. Throws BenchError.
  Db(const std::string& path, bool with_engine, const EngineSource& source);
  ~Db();
  Db(Db&& o) noexcept : db_(o.db_), with_engine_(o.with_engine_) { o.db_ = nullptr; }
  Db& operator=(Db&&) = delete;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  sqlite3* get() const { return db_; }
  bool with_engine() const { return with_engine_; }
  // Runs every statement of sql; throws BenchError naming `sql` on failure.
  void Exec(const std::string& sql);
  // First column of the first row as int64 (nullopt: no row or NULL). Throws BenchError.
  std::optional<int64_t> QueryInt(const std::string& sql);
  // Throws BenchError with the connection's current error message, prefixed by what.
  [[noreturn]] void Fail(const std::string& what) const;
  void Close();

 private:
  sqlite3* db_ = nullptr;
  bool with_engine_ = false;
};

// Steps stmt expecting SQLITE_DONE (or ROW, which is ignored); throws BenchError otherwise.
void StepDone(sqlite3* db, sqlite3_stmt* stmt, const char* what);

class Stopwatch {
 public:
  Stopwatch() : start_(std::chrono::steady_clock::now()) {}
  double Seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::chrono::steady_clock::time_point start_;
};

}  // namespace crsync::bench

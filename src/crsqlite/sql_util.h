// Small helpers shared by the engine's SQL-building and SQL-running code: identifier and literal
// quoting, running a statement string, reading one value, and RAII for prepared statements.
// Invariant: every identifier interpolated into SQL goes through QuoteIdent (double quotes,
// embedded quotes doubled) and every string literal through QuoteLiteral.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crsqlite/sqlite_api.h"

namespace crsync::crsqlite {

// "name" with embedded double quotes doubled.
std::string QuoteIdent(std::string_view name);
// 'text' with embedded single quotes doubled.
std::string QuoteLiteral(std::string_view text);
// Joins items with sep.
std::string Join(const std::vector<std::string>& items, std::string_view sep);

// Owns one prepared statement; finalizes it on destruction.
class Stmt {
 public:
  Stmt() = default;
  explicit Stmt(sqlite3_stmt* s) : stmt_(s) {}
  Stmt(Stmt&& o) noexcept : stmt_(o.stmt_) { o.stmt_ = nullptr; }
  Stmt& operator=(Stmt&& o) noexcept;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt();
  sqlite3_stmt* get() const { return stmt_; }
  explicit operator bool() const { return stmt_ != nullptr; }
  void Reset();

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

// Prepares sql; on failure returns an empty Stmt and sets *rc (if given) and err.
Stmt Prepare(sqlite3* db, const std::string& sql, int* rc = nullptr, std::string* err = nullptr);
// Runs sql (may hold several statements). Returns SQLITE_OK or the error code; err gets the message.
int Exec(sqlite3* db, const std::string& sql, std::string* err = nullptr);
// Runs sql and returns the first column of the first row as int64, if any row (NULL -> nullopt).
std::optional<int64_t> QueryInt(sqlite3* db, const std::string& sql, int* rc = nullptr);
// Same, as text.
std::optional<std::string> QueryText(sqlite3* db, const std::string& sql, int* rc = nullptr);

}  // namespace crsync::crsqlite

// Implementation of the quoting and statement helpers declared in sql_util.h.
#include "crsqlite/sql_util.h"

namespace crsync::crsqlite {

std::string QuoteIdent(std::string_view name) {
  std::string out;
  out.reserve(name.size() + 2);
  out.push_back('"');
  for (char c : name) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string QuoteLiteral(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back('\'');
  for (char c : text) {
    if (c == '\'') out.push_back('\'');
    out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

std::string Join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out.append(sep);
    out.append(items[i]);
  }
  return out;
}

Stmt& Stmt::operator=(Stmt&& o) noexcept {
  if (this != &o) {
    if (stmt_) sqlite3_finalize(stmt_);
    stmt_ = o.stmt_;
    o.stmt_ = nullptr;
  }
  return *this;
}

Stmt::~Stmt() {
  if (stmt_) sqlite3_finalize(stmt_);
}

void Stmt::Reset() {
  if (stmt_) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

Stmt Prepare(sqlite3* db, const std::string& sql, int* rc, std::string* err) {
  sqlite3_stmt* s = nullptr;
  int r = sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &s, nullptr);
  if (rc) *rc = r;
  if (r != SQLITE_OK) {
    if (err) *err = sqlite3_errmsg(db);
    if (s) sqlite3_finalize(s);
    return Stmt();
  }
  return Stmt(s);
}

int Exec(sqlite3* db, const std::string& sql, std::string* err) {
  char* msg = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &msg);
  if (rc != SQLITE_OK && err) *err = msg ? msg : sqlite3_errstr(rc);
  if (msg) sqlite3_free(msg);
  return rc;
}

std::optional<int64_t> QueryInt(sqlite3* db, const std::string& sql, int* rc) {
  int r = SQLITE_OK;
  Stmt s = Prepare(db, sql, &r);
  std::optional<int64_t> out;
  if (s) {
    r = sqlite3_step(s.get());
    if (r == SQLITE_ROW) {
      if (sqlite3_column_type(s.get(), 0) != SQLITE_NULL) out = sqlite3_column_int64(s.get(), 0);
      r = SQLITE_OK;
    } else if (r == SQLITE_DONE) {
      r = SQLITE_OK;
    }
  }
  if (rc) *rc = r;
  return out;
}

std::optional<std::string> QueryText(sqlite3* db, const std::string& sql, int* rc) {
  int r = SQLITE_OK;
  Stmt s = Prepare(db, sql, &r);
  std::optional<std::string> out;
  if (s) {
    r = sqlite3_step(s.get());
    if (r == SQLITE_ROW) {
      if (sqlite3_column_type(s.get(), 0) != SQLITE_NULL) {
        const unsigned char* t = sqlite3_column_text(s.get(), 0);
        out = std::string(reinterpret_cast<const char*>(t), sqlite3_column_bytes(s.get(), 0));
      }
      r = SQLITE_OK;
    } else if (r == SQLITE_DONE) {
      r = SQLITE_OK;
    }
  }
  if (rc) *rc = r;
  return out;
}

}  // namespace crsync::crsqlite

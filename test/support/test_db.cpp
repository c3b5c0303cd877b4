// Implementation of the TestDb helper (see test_db.h).
#include "support/test_db.h"

#include <cstdio>
#include <stdexcept>

#include "crsync/crsqlite.h"

namespace crsync::test {

std::string Hex(const std::string& bytes) {
  static const char* kDigits = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

std::string Unhex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

std::string RenderValue(sqlite3_stmt* stmt, int col) {
  switch (sqlite3_column_type(stmt, col)) {
    case SQLITE_INTEGER:
      return std::to_string(sqlite3_column_int64(stmt, col));
    case SQLITE_FLOAT: {
      char buf[64];
      sqlite3_snprintf(sizeof buf, buf, "%!.15g", sqlite3_column_double(stmt, col));
      return buf;
    }
    case SQLITE_TEXT: {
      const char* t = reinterpret_cast<const char*>(sqlite3_column_text(stmt, col));
      std::string s(t, sqlite3_column_bytes(stmt, col));
      std::string out = "'";
      for (char c : s) {
        if (c == '\'') out.push_back('\'');
        out.push_back(c);
      }
      return out + "'";
    }
    case SQLITE_BLOB: {
      const char* b = static_cast<const char*>(sqlite3_column_blob(stmt, col));
      return "X'" + Hex(std::string(b ? b : "", sqlite3_column_bytes(stmt, col))) + "'";
    }
    default:
      return "NULL";
  }
}

TestDb::TestDb(const std::string& path) {
  if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) {
    throw std::runtime_error("open failed");
  }
  char* err = nullptr;
  if (sqlite3_crsqlite_init(db_, &err, nullptr) != SQLITE_OK) {
    std::string msg = err ? err : "init failed";
    sqlite3_free(err);
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw std::runtime_error(msg);
  }
}

TestDb::~TestDb() { Close(); }

void TestDb::Close() {
  if (!db_) return;
  sqlite3_exec(db_, "SELECT crsql_finalize()", nullptr, nullptr, nullptr);
  sqlite3_close_v2(db_);
  db_ = nullptr;
}

std::string TestDb::Exec(const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  last_rc_ = rc == SQLITE_OK ? 0 : sqlite3_extended_errcode(db_);
  if (rc == SQLITE_OK) return "";
  std::string msg = err ? err : sqlite3_errstr(rc);
  sqlite3_free(err);
  return msg;
}

static void Bind(sqlite3_stmt* s, int i, const Param& p) {
  if (std::holds_alternative<Null>(p)) {
    sqlite3_bind_null(s, i);
  } else if (auto* v = std::get_if<int64_t>(&p)) {
    sqlite3_bind_int64(s, i, *v);
  } else if (auto* d = std::get_if<double>(&p)) {
    sqlite3_bind_double(s, i, *d);
  } else if (auto* t = std::get_if<std::string>(&p)) {
    sqlite3_bind_text(s, i, t->data(), static_cast<int>(t->size()), SQLITE_TRANSIENT);
  } else if (auto* b = std::get_if<Blob>(&p)) {
    sqlite3_bind_blob(s, i, b->bytes.data(), static_cast<int>(b->bytes.size()), SQLITE_TRANSIENT);
  }
}

std::vector<std::string> TestDb::Query(const std::string& sql, const std::vector<Param>& params) {
  sqlite3_stmt* s = nullptr;
  std::vector<std::string> rows;
  int rc = sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr);
  if (rc != SQLITE_OK) {
    last_rc_ = sqlite3_extended_errcode(db_);
    return {"error: " + std::string(sqlite3_errmsg(db_))};
  }
  for (size_t i = 0; i < params.size(); ++i) Bind(s, static_cast<int>(i + 1), params[i]);
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    std::string row = "(";
    for (int c = 0; c < sqlite3_column_count(s); ++c) {
      if (c) row += ", ";
      row += RenderValue(s, c);
    }
    rows.push_back(row + ")");
  }
  if (rc != SQLITE_DONE) {
    last_rc_ = sqlite3_extended_errcode(db_);
    std::string msg = sqlite3_errmsg(db_);
    sqlite3_finalize(s);
    return {"error: " + msg};
  }
  last_rc_ = 0;
  sqlite3_finalize(s);
  return rows;
}

std::string TestDb::One(const std::string& sql, const std::vector<Param>& params) {
  std::vector<std::string> rows = Query(sql, params);
  if (rows.empty()) return "";
  const std::string& r = rows[0];
  if (r.rfind("error: ", 0) == 0) return r;
  // Strip "(" ")" and keep the first column: callers use One() on single-column queries.
  return r.substr(1, r.size() - 2);
}

}  // namespace crsync::test

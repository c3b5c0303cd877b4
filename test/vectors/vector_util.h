// Shared helpers for the crsqlite 0.16 test-vector suites (test/vectors/*_test.cpp). They are the
// "Conventions" section of /work/shared/spec/crsqlite-0.16-test-vectors.md written as functions:
//
//   changes(P)   -> Changes(p, names)     rows of crsql_changes in the default order, rendered like
//                                         SQLite's quote(), site ids shown as peer letters (A/B/C)
//   apply(Q, rs) -> Apply(q, rows)        BEGIN; INSERT INTO crsql_changes VALUES (?x9) per row;
//   COMMIT sync(P->Q,s) -> Sync(p, q, s)         Apply(q, rows of p WHERE db_version > s AND
//   site_id IS NOT q)
//
// Values travel between connections as sqlite3_value copies (sqlite3_value_dup), so every value
// keeps its storage class exactly, as the vectors require.
//
// Rows with equal (db_version, seq) have no defined order in crsql_changes (behaviour spec §9.3),
// so Changes() sorts each such run of ties by its rendered text, and reports a row
// "ORDER VIOLATION ..." if the default order is not ascending (db_version, seq). Expected lists
// in the tests therefore write tied rows in lexicographic order of their rendering.
//
// Header-only on purpose: the top-level CMakeLists.txt compiles only *_test.cpp from this folder.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "support/test_db.h"

namespace crsync::test::vectors {

// The nine columns of a change row, in the order every vector uses.
inline constexpr char kChangeColumns[] =
    "\"table\", pk, cid, val, col_version, db_version, site_id, cl, seq";

// Raw bytes of db's site id (SELECT crsql_site_id()); "" on failure (and the test fails).
inline std::string SiteIdBytes(TestDb& db) {
  sqlite3_stmt* stmt = nullptr;
  std::string out;
  if (sqlite3_prepare_v2(db.db(), "SELECT crsql_site_id()", -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW) {
    const char* bytes = static_cast<const char*>(sqlite3_column_blob(stmt, 0));
    out.assign(bytes ? bytes : "", sqlite3_column_bytes(stmt, 0));
  } else {
    ADD_FAILURE() << "crsql_site_id() failed: " << sqlite3_errmsg(db.db());
  }
  sqlite3_finalize(stmt);
  return out;
}

// db's site id as an SQL blob literal X'..', for building SQL text.
inline std::string SiteLiteral(TestDb& db) { return "X'" + Hex(SiteIdBytes(db)) + "'"; }

// Maps site ids to the peer letters used in the vectors' tuples.
class PeerNames {
 public:
  PeerNames() = default;
  PeerNames(std::initializer_list<std::pair<std::string, TestDb*>> peers) {
    for (const auto& [name, db] : peers) Add(name, *db);
  }
  void Add(const std::string& name, TestDb& db) { by_site_[SiteIdBytes(db)] = name; }

  // Renders column col of a stepped statement like quote(), but a blob equal to a known site id
  // is rendered as that peer's name.
  std::string Render(sqlite3_stmt* stmt, int col) const {
    if (sqlite3_column_type(stmt, col) == SQLITE_BLOB) {
      const char* bytes = static_cast<const char*>(sqlite3_column_blob(stmt, col));
      auto it = by_site_.find(std::string(bytes ? bytes : "", sqlite3_column_bytes(stmt, col)));
      if (it != by_site_.end()) return it->second;
    }
    return RenderValue(stmt, col);
  }

 private:
  std::map<std::string, std::string> by_site_;  // site id bytes -> peer name
};

// Rows of one SELECT on db, rendered "(v1, v2, ...)" with site ids replaced by peer names.
// On error: a single element "error: <message>".
inline std::vector<std::string> Rows(TestDb& db, const std::string& sql,
                                     const PeerNames& names = {}) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db.db(), sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    return {"error: " + std::string(sqlite3_errmsg(db.db()))};
  }
  std::vector<std::string> rows;
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    std::string row = "(";
    for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
      if (c) row += ", ";
      row += names.Render(stmt, c);
    }
    rows.push_back(row + ")");
  }
  if (rc != SQLITE_DONE) rows = {"error: " + std::string(sqlite3_errmsg(db.db()))};
  sqlite3_finalize(stmt);
  return rows;
}

// Sorted copy, for comparing results whose order is not defined.
inline std::vector<std::string> Sorted(std::vector<std::string> rows) {
  std::sort(rows.begin(), rows.end());
  return rows;
}

// changes(P): SELECT <9 columns> FROM crsql_changes [where] in the default order (no ORDER BY),
// site ids rendered as peer names, runs of equal (db_version, seq) sorted by text.
inline std::vector<std::string> Changes(TestDb& db, const PeerNames& names = {},
                                        const std::string& where = "") {
  std::string sql = std::string("SELECT ") + kChangeColumns + " FROM crsql_changes " + where;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db.db(), sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    return {"error: " + std::string(sqlite3_errmsg(db.db()))};
  }
  struct Row {
    int64_t db_version;
    int64_t seq;
    std::string text;
  };
  std::vector<Row> rows;
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    std::string text = "(";
    for (int c = 0; c < 9; ++c) {
      if (c) text += ", ";
      text += names.Render(stmt, c);
    }
    rows.push_back({sqlite3_column_int64(stmt, 5), sqlite3_column_int64(stmt, 8), text + ")"});
  }
  if (rc != SQLITE_DONE) {
    std::string msg = sqlite3_errmsg(db.db());
    sqlite3_finalize(stmt);
    return {"error: " + msg};
  }
  sqlite3_finalize(stmt);
  std::vector<std::string> out;
  size_t i = 0;
  while (i < rows.size()) {
    size_t j = i;
    std::vector<std::string> ties;
    while (j < rows.size() && rows[j].db_version == rows[i].db_version &&
           rows[j].seq == rows[i].seq) {
      ties.push_back(rows[j++].text);
    }
    std::sort(ties.begin(), ties.end());
    out.insert(out.end(), ties.begin(), ties.end());
    if (j < rows.size() &&
        (rows[j].db_version < rows[i].db_version ||
         (rows[j].db_version == rows[i].db_version && rows[j].seq < rows[i].seq))) {
      out.push_back("ORDER VIOLATION before " + rows[j].text);
    }
    i = j;
  }
  return out;
}

// One change row: nine protected sqlite3_value copies (storage classes preserved).
using OwnedValue = std::shared_ptr<sqlite3_value>;
using ChangeRow = std::vector<OwnedValue>;
using ChangeSet = std::vector<ChangeRow>;

// Rows of any 9-column SELECT on p, as change rows. Fails the test on error.
inline ChangeSet PullSql(TestDb& p, const std::string& sql) {
  ChangeSet out;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(p.db(), sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "pull failed: " << sqlite3_errmsg(p.db()) << " in " << sql;
    return out;
  }
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    ChangeRow row;
    for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
      row.emplace_back(sqlite3_value_dup(sqlite3_column_value(stmt, c)), sqlite3_value_free);
    }
    out.push_back(std::move(row));
  }
  if (rc != SQLITE_DONE)
    ADD_FAILURE() << "pull failed: " << sqlite3_errmsg(p.db()) << " in " << sql;
  sqlite3_finalize(stmt);
  return out;
}

// Rows of `SELECT <9 columns> FROM crsql_changes <where>` on p.
inline ChangeSet Pull(TestDb& p, const std::string& where = "") {
  return PullSql(p, std::string("SELECT ") + kChangeColumns + " FROM crsql_changes " + where);
}

// INSERT INTO crsql_changes VALUES (?,?,?,?,?,?,?,?,?) for each row, in q's current transaction
// state (no BEGIN/COMMIT). Returns "" or the first error message (rows after it are not applied).
inline std::string InsertChanges(TestDb& q, const ChangeSet& rows) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(q.db(), "INSERT INTO crsql_changes VALUES (?,?,?,?,?,?,?,?,?)", -1, &stmt,
                         nullptr) != SQLITE_OK) {
    return sqlite3_errmsg(q.db());
  }
  std::string error;
  for (const ChangeRow& row : rows) {
    for (size_t c = 0; c < row.size(); ++c)
      sqlite3_bind_value(stmt, static_cast<int>(c + 1), row[c].get());
    if (sqlite3_step(stmt) != SQLITE_DONE) {
      error = sqlite3_errmsg(q.db());
      break;
    }
    sqlite3_reset(stmt);
  }
  sqlite3_finalize(stmt);
  return error;
}

// apply(Q, rows): BEGIN; insert every row; COMMIT. On error rolls back and returns the message.
inline std::string Apply(TestDb& q, const ChangeSet& rows) {
  std::string error = q.Exec("BEGIN");
  if (!error.empty()) return error;
  error = InsertChanges(q, rows);
  if (!error.empty()) {
    q.Exec("ROLLBACK");
    return error;
  }
  return q.Exec("COMMIT");
}

// sync(P->Q, s).
inline std::string Sync(TestDb& p, TestDb& q, int64_t since) {
  return Apply(q, Pull(p, "WHERE db_version > " + std::to_string(since) + " AND site_id IS NOT " +
                              SiteLiteral(q)));
}

// SQL text with whitespace made irrelevant where SQL ignores it: runs of whitespace between two
// identifier characters become one space, all other whitespace is dropped.
inline std::string NormalizeSql(const std::string& sql) {
  auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  std::string out;
  size_t i = 0;
  while (i < sql.size()) {
    if (std::isspace(static_cast<unsigned char>(sql[i]))) {
      size_t j = i;
      while (j < sql.size() && std::isspace(static_cast<unsigned char>(sql[j]))) ++j;
      if (!out.empty() && j < sql.size() && word(out.back()) && word(sql[j])) out.push_back(' ');
      i = j;
    } else {
      out.push_back(sql[i++]);
    }
  }
  return out;
}

// A fresh directory under /tmp for file databases, removed with its contents on destruction.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/crsync-vectors-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) {
      ADD_FAILURE() << "mkdtemp failed";
    } else {
      path_ = tmpl;
    }
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // Path of a file named name inside the directory.
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace crsync::test::vectors

// crsql_automigrate(schema [, cleanup]) (spec §12.4): brings the local tables to the shape of a
// schema script. The script (minus its crsql_as_crr / crsql_fract_as_ordered lines) is run in a
// scratch :memory: database; tables absent from it are dropped, common tables get columns
// dropped/added and indices dropped when they changed (via the alter protocol for CRRs), then the
// whole script runs on the real database. Everything happens inside one savepoint.
//
// Deliberate deviations from cr-sqlite 0.16 (docs/crdt.md): failures raise an SQL error and roll
// back only this function's savepoint (the original returns the text 'not an error' after a bare
// ROLLBACK); dropped CRRs lose their clock tables too (no orphans); an index whose definition
// changed is recreated (the original only notices a change of uniqueness); the scratch database
// has the engine loaded, so the 2-argument form with 'SELECT crsql_finalize();' works.
#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <string>

#include "crsqlite/crr_schema.h"
#include "crsqlite/ext_data.h"
#include "crsqlite/registration.h"

namespace crsync::crsqlite {

namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string StripCrrLines(const std::string& schema) {
  std::string out;
  size_t pos = 0;
  while (pos <= schema.size()) {
    size_t nl = schema.find('\n', pos);
    std::string line = schema.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    std::string low = Lower(line);
    if (low.find("crsql_as_crr") == std::string::npos &&
        low.find("crsql_fract_as_ordered") == std::string::npos) {
      out += line;
      out += '\n';
    }
    if (nl == std::string::npos) break;
    pos = nl + 1;
  }
  return out;
}

constexpr const char* kUserTablesSql =
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE "
    "'\\' AND name NOT LIKE 'crsql\\_%' ESCAPE '\\' AND name NOT LIKE '%\\_\\_crsql\\_%' ESCAPE "
    "'\\'";

int ListStrings(sqlite3* db, const std::string& sql, const std::string& bind,
                std::vector<std::string>* out, std::string* err) {
  int rc = SQLITE_OK;
  Stmt s = Prepare(db, sql, &rc, err);
  if (!s) return rc;
  if (!bind.empty() || sqlite3_bind_parameter_count(s.get()) > 0) {
    sqlite3_bind_text(s.get(), 1, bind.data(), static_cast<int>(bind.size()), SQLITE_TRANSIENT);
  }
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    const unsigned char* t = sqlite3_column_text(s.get(), 0);
    out->push_back(t ? reinterpret_cast<const char*>(t) : "");
  }
  if (rc != SQLITE_DONE) return *err = sqlite3_errmsg(db), rc;
  return SQLITE_OK;
}

struct IndexDef {
  bool unique = false;
  std::string sql;
};

int ListIndexes(sqlite3* db, const std::string& table, std::map<std::string, IndexDef>* out,
                std::string* err) {
  int rc = SQLITE_OK;
  Stmt s = Prepare(db,
                   "SELECT il.name, il.\"unique\", m.sql FROM pragma_index_list(?1) AS il LEFT "
                   "JOIN sqlite_master AS m ON m.type = 'index' AND m.name = il.name WHERE "
                   "il.origin = 'c'",
                   &rc, err);
  if (!s) return rc;
  sqlite3_bind_text(s.get(), 1, table.data(), static_cast<int>(table.size()), SQLITE_TRANSIENT);
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    IndexDef d;
    d.unique = sqlite3_column_int(s.get(), 1) != 0;
    const unsigned char* sql = sqlite3_column_text(s.get(), 2);
    d.sql = sql ? reinterpret_cast<const char*>(sql) : "";
    (*out)[reinterpret_cast<const char*>(sqlite3_column_text(s.get(), 0))] = d;
  }
  if (rc != SQLITE_DONE) return *err = sqlite3_errmsg(db), rc;
  return SQLITE_OK;
}

std::string ColumnDefinition(const ColumnInfo& c) {
  // cr-sqlite's shape: "name" TYPE [NOT NULL] [DEFAULT x], single-space joined, so a column
  // without NOT NULL gets two spaces (SQLite trims the trailing ones).
  return QuoteIdent(c.name) + " " + c.type + " " + (c.notnull ? "NOT NULL" : "") + " " +
         (c.dflt ? "DEFAULT " + *c.dflt : "");
}

int MigrateTable(ExtData* ext, sqlite3* mem, const std::string& table, std::string* err) {
  sqlite3* db = ext->db;
  TableInfo local, target;
  if (!LoadTableInfo(db, table, &local, err) || !LoadTableInfo(mem, table, &target, err)) {
    if (err->empty()) *err = "could not read the columns of " + table;
    return SQLITE_ERROR;
  }
  bool crr = IsCrr(db, table);
  int rc = SQLITE_OK;
  if (crr && (rc = DropCrrTriggers(db, table, err)) != SQLITE_OK) return rc;
  rc = Exec(db, "DROP VIEW IF EXISTS " + QuoteIdent(table + "_fractindex"), err);
  if (rc != SQLITE_OK) return rc;

  // Indices first, so columns they cover can be dropped.
  std::map<std::string, IndexDef> local_idx, target_idx;
  if ((rc = ListIndexes(db, table, &local_idx, err)) != SQLITE_OK) return rc;
  if ((rc = ListIndexes(mem, table, &target_idx, err)) != SQLITE_OK) return rc;
  for (const auto& [name, def] : local_idx) {
    auto it = target_idx.find(name);
    if (it == target_idx.end() || it->second.unique != def.unique || it->second.sql != def.sql) {
      rc = Exec(db, "DROP INDEX " + QuoteIdent(name), err);
      if (rc != SQLITE_OK) return rc;
    }
  }

  std::set<std::string> local_cols, target_cols;
  for (const auto* info : {&local, &target}) {
    auto& set = info == &local ? local_cols : target_cols;
    for (const auto& c : info->pks) set.insert(c.name);
    for (const auto& c : info->non_pks) set.insert(c.name);
  }
  for (const auto& c : local.non_pks) {
    if (target_cols.count(c.name)) continue;
    rc = Exec(db, "ALTER TABLE " + QuoteIdent(table) + " DROP COLUMN " + QuoteIdent(c.name), err);
    if (rc != SQLITE_OK) return rc;
  }
  for (const auto& c : target.pks) {
    if (!local_cols.count(c.name)) {
      *err = "cannot add primary key column " + c.name + " to " + table +
             " by migration; create a new table instead";
      return SQLITE_ERROR;
    }
  }
  for (const auto& c : target.non_pks) {
    if (local_cols.count(c.name)) continue;
    rc = Exec(db, "ALTER TABLE " + QuoteIdent(table) + " ADD COLUMN " + ColumnDefinition(c), err);
    if (rc != SQLITE_OK) return rc;
  }
  if (crr) {
    rc = CompactPostAlter(ext, table, err);
    if (rc == SQLITE_OK) rc = CreateCrr(ext, table, true, err);
  }
  return rc;
}

int MigrateTables(ExtData* ext, sqlite3* mem, std::string* err) {
  sqlite3* db = ext->db;
  std::vector<std::string> local, target;
  int rc = ListStrings(db, kUserTablesSql, "", &local, err);
  if (rc == SQLITE_OK) rc = ListStrings(mem, kUserTablesSql, "", &target, err);
  if (rc != SQLITE_OK) return rc;
  std::set<std::string> target_set(target.begin(), target.end());
  for (const std::string& t : local) {
    if (target_set.count(t)) {
      rc = MigrateTable(ext, mem, t, err);
    } else {
      rc = RemoveCrr(db, t, err);  // no-op for plain tables; avoids orphan clock tables
      if (rc == SQLITE_OK) rc = Exec(db, "DROP TABLE " + QuoteIdent(t), err);
    }
    if (rc != SQLITE_OK) return rc;
  }
  return SQLITE_OK;
}

void AutomigrateFunc(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  auto* ext = static_cast<ExtData*>(sqlite3_user_data(ctx));
  if (argc < 1) {
    sqlite3_result_error(ctx, "Had no args. Expected a schema to migrate to", -1);
    return;
  }
  const unsigned char* text = sqlite3_value_text(argv[0]);
  std::string schema = text ? reinterpret_cast<const char*>(text) : "";
  std::string cleanup;
  if (argc >= 2 && sqlite3_value_type(argv[1]) != SQLITE_NULL) {
    cleanup = reinterpret_cast<const char*>(sqlite3_value_text(argv[1]));
  }
  sqlite3* mem = nullptr;
  if (sqlite3_open(":memory:", &mem) != SQLITE_OK) {
    sqlite3_close(mem);
    sqlite3_result_error(ctx, "could not open a scratch database for the migration", -1);
    return;
  }
  std::string err;
  int rc = LoadEngine(mem, &err);
  if (rc == SQLITE_OK) rc = Exec(mem, StripCrrLines(schema), &err);
  if (rc != SQLITE_OK) {
    sqlite3_exec(mem, "SELECT crsql_finalize()", nullptr, nullptr, nullptr);
    sqlite3_close_v2(mem);
    sqlite3_result_error(ctx, err.c_str(), -1);
    sqlite3_result_error_code(ctx, rc);
    return;
  }
  sqlite3* db = ext->db;
  rc = Exec(db, "SAVEPOINT automigrate_tables", &err);
  if (rc == SQLITE_OK) {
    rc = MigrateTables(ext, mem, &err);
    if (rc != SQLITE_OK) err = "automigrate failed: " + err;
    if (rc == SQLITE_OK && !cleanup.empty()) {
      rc = Exec(mem, cleanup, &err);
      if (rc != SQLITE_OK) err = "automigrate cleanup failed: " + err;
    }
    ext->InvalidateTableInfos();
    if (rc == SQLITE_OK) {
      rc = Exec(db, schema, &err);
      if (rc != SQLITE_OK) err = "failed to apply the updated schema: " + err;
    }
    if (rc == SQLITE_OK) rc = Exec(db, "RELEASE automigrate_tables", &err);
    if (rc != SQLITE_OK) {
      std::string ignored;
      Exec(db, "ROLLBACK TO automigrate_tables", &ignored);
      Exec(db, "RELEASE automigrate_tables", &ignored);
    }
  }
  ext->InvalidateTableInfos();
  sqlite3_exec(mem, "SELECT crsql_finalize()", nullptr, nullptr, nullptr);
  sqlite3_close_v2(mem);
  if (rc != SQLITE_OK) {
    sqlite3_result_error(ctx, err.c_str(), -1);
    sqlite3_result_error_code(ctx, rc);
    return;
  }
  sqlite3_result_text(ctx, "migration complete", -1, SQLITE_STATIC);
}

}  // namespace

int RegisterAutomigrate(sqlite3* db, ExtData* ext) {
  return sqlite3_create_function_v2(db, "crsql_automigrate", -1, SQLITE_UTF8, ext, AutomigrateFunc,
                                    nullptr, nullptr, nullptr);
}

}  // namespace crsync::crsqlite

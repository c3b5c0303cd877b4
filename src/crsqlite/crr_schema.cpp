// Metadata DDL of a CRR, the compatibility checks, backfill and post-alter compaction
// (spec §5, §6, §12.2, §13). DDL text matches cr-sqlite 0.16 byte for byte where it lands in
// sqlite_master, so database files stay interchangeable with the original. Unlike the original,
// every identifier is quoted, so tables whose names need quoting work.
#include "crsqlite/crr_schema.h"

#include <set>

#include "crsqlite/table_statements.h"

namespace crsync::crsqlite {

namespace {

int64_t CountQuery(sqlite3* db, const std::string& sql, const std::string& bind, int* rc) {
  Stmt s = Prepare(db, sql, rc);
  if (!s) return -1;
  sqlite3_bind_text(s.get(), 1, bind.data(), static_cast<int>(bind.size()), SQLITE_TRANSIENT);
  int r = sqlite3_step(s.get());
  if (r != SQLITE_ROW) {
    *rc = r;
    return -1;
  }
  *rc = SQLITE_OK;
  return sqlite3_column_int64(s.get(), 0);
}

std::string ColumnList(const std::vector<ColumnInfo>& cols, const std::string& prefix,
                       const char* sep) {
  std::vector<std::string> parts;
  for (const auto& c : cols) parts.push_back(prefix + QuoteIdent(c.name));
  return Join(parts, sep);
}

std::string ClockDdl(const std::string& table) {
  return "CREATE TABLE IF NOT EXISTS " + QuoteIdent(table + kClockSuffix) +
         " (\n"
         "      key INTEGER NOT NULL,\n"
         "      col_name TEXT NOT NULL,\n"
         "      col_version INTEGER NOT NULL,\n"
         "      db_version INTEGER NOT NULL,\n"
         "      site_id INTEGER NOT NULL DEFAULT 0,\n"
         "      seq INTEGER NOT NULL,\n"
         "      PRIMARY KEY (key, col_name)\n"
         "    ) WITHOUT ROWID, STRICT";
}

std::string TriggerDdl(const TableInfo& t) {
  const std::string q = QuoteIdent(t.name);
  const std::string lit = QuoteLiteral(t.name);
  std::string new_pks = ColumnList(t.pks, "NEW.", ",");
  std::string old_pks = ColumnList(t.pks, "OLD.", ",");
  std::string update_args = lit + ", " + new_pks + ", " + old_pks;
  if (!t.non_pks.empty()) {
    update_args += ", " + ColumnList(t.non_pks, "NEW.", ",") + ", " +
                   ColumnList(t.non_pks, "OLD.", ",");
  }
  return "CREATE TRIGGER IF NOT EXISTS " + QuoteIdent(t.name + "__crsql_itrig") +
         "\n      AFTER INSERT ON " + q +
         " WHEN crsql_internal_sync_bit() = 0\n      BEGIN\n        VALUES (crsql_after_insert(" +
         lit + ", " + new_pks + "));\n      END;\n" +
         "CREATE TRIGGER IF NOT EXISTS " + QuoteIdent(t.name + "__crsql_utrig") +
         "\n      AFTER UPDATE ON " + q +
         " WHEN crsql_internal_sync_bit() = 0\n      BEGIN\n        VALUES (crsql_after_update(" +
         update_args + "));\n      END;\n" +
         "CREATE TRIGGER IF NOT EXISTS " + QuoteIdent(t.name + "__crsql_dtrig") +
         "\n    AFTER DELETE ON " + q +
         " WHEN crsql_internal_sync_bit() = 0\n    BEGIN\n      VALUES (crsql_after_delete(" + lit +
         ", " + old_pks + "));\n    END;";
}

// Inserts a fresh clock row (INSERT OR IGNORE) for backfill.
int BackfillClock(ExtData* ext, sqlite3_stmt* ins, int64_t key, const std::string& col,
                  int64_t version, std::string* err) {
  StmtUse use(ins);
  sqlite3_bind_int64(ins, 1, key);
  sqlite3_bind_text(ins, 2, col.data(), static_cast<int>(col.size()), SQLITE_TRANSIENT);
  sqlite3_bind_int64(ins, 3, version);
  sqlite3_bind_int64(ins, 4, ext->BumpSeq());
  return StepDone(ext->db, ins, err);
}

int Backfill(ExtData* ext, TableInfo* t, bool is_commit_alter, std::string* err) {
  sqlite3* db = ext->db;
  bool have_version = false;
  int64_t version = 0;
  auto get_version = [&](int64_t* out) {
    if (!have_version) {
      int rc = is_commit_alter ? ext->FillDbVersion(err) : ext->NextDbVersion(0, &version, err);
      if (rc != SQLITE_OK) return rc;
      if (is_commit_alter) version = ext->db_version;
      have_version = true;
    }
    *out = version;
    return SQLITE_OK;
  };
  int rc = SQLITE_OK;
  Stmt ins = Prepare(db,
                     "INSERT OR IGNORE INTO " + QuoteIdent(t->name + kClockSuffix) +
                         " (key, col_name, col_version, db_version, seq, site_id) VALUES "
                         "(?1, ?2, 1, ?3, ?4, 0)",
                     &rc, err);
  if (!ins) return rc;

  // 1. Rows whose PK tuple has no lookaside key yet: every column gets a clock.
  std::string pk_cols = ColumnList(t->pks, "", ",");
  Stmt missing = Prepare(db,
                         "SELECT " + pk_cols + " FROM " + QuoteIdent(t->name) + " EXCEPT SELECT " +
                             pk_cols + " FROM " + QuoteIdent(t->name + kPksSuffix),
                         &rc, err);
  if (!missing) return rc;
  std::vector<std::vector<Value>> rows;
  while ((rc = sqlite3_step(missing.get())) == SQLITE_ROW) {
    std::vector<Value> row;
    for (size_t k = 0; k < t->pks.size(); ++k) {
      row.push_back(Value::FromColumn(missing.get(), static_cast<int>(k)));
    }
    rows.push_back(std::move(row));
  }
  if (rc != SQLITE_DONE) {
    *err = sqlite3_errmsg(db);
    return rc;
  }
  for (const auto& row : rows) {
    int64_t key = 0, v = 0;
    rc = GetOrCreateKeyFromValues(db, t, row, &key, err);
    if (rc != SQLITE_OK) return rc;
    if ((rc = get_version(&v)) != SQLITE_OK) return rc;
    if (t->non_pks.empty()) {
      rc = BackfillClock(ext, ins.get(), key, kSentinel, v, err);
      if (rc != SQLITE_OK) return rc;
    }
    for (const auto& c : t->non_pks) {
      rc = BackfillClock(ext, ins.get(), key, c.name, v, err);
      if (rc != SQLITE_OK) return rc;
    }
  }

  // 2. Rows with a key but no clock for a column whose value is not the column default.
  std::vector<std::string> join;
  for (const auto& c : t->pks) {
    join.push_back("t." + QuoteIdent(c.name) + " = p." + QuoteIdent(c.name));
  }
  for (const auto& c : t->non_pks) {
    std::string dflt = c.dflt ? "(" + *c.dflt + ")" : "NULL";
    Stmt q = Prepare(db,
                     "SELECT p.__crsql_key FROM " + QuoteIdent(t->name) + " AS t JOIN " +
                         QuoteIdent(t->name + kPksSuffix) + " AS p ON " + Join(join, " AND ") +
                         " WHERE NOT EXISTS (SELECT 1 FROM " +
                         QuoteIdent(t->name + kClockSuffix) +
                         " AS c WHERE c.key = p.__crsql_key AND c.col_name = " +
                         QuoteLiteral(c.name) + ") AND t." + QuoteIdent(c.name) + " IS NOT " +
                         dflt,
                     &rc, err);
    if (!q) return rc;
    std::vector<int64_t> keys;
    while ((rc = sqlite3_step(q.get())) == SQLITE_ROW) keys.push_back(sqlite3_column_int64(q.get(), 0));
    if (rc != SQLITE_DONE) {
      *err = sqlite3_errmsg(db);
      return rc;
    }
    for (int64_t key : keys) {
      int64_t v = 0;
      if ((rc = get_version(&v)) != SQLITE_OK) return rc;
      rc = BackfillClock(ext, ins.get(), key, c.name, v, err);
      if (rc != SQLITE_OK) return rc;
    }
  }
  return SQLITE_OK;
}

}  // namespace

int CheckCrrCompatible(sqlite3* db, const std::string& table, std::string* err) {
  int rc = SQLITE_OK;
  int64_t n = CountQuery(db,
                         "SELECT count(*) FROM pragma_index_list(?1) WHERE \"unique\" = 1 AND "
                         "origin != 'pk'",
                         table, &rc);
  if (rc != SQLITE_OK) return *err = sqlite3_errmsg(db), rc;
  if (n > 0) {
    *err = "Table " + table +
           " has unique indices besidesthe primary key. This is not allowed for CRRs";
    return SQLITE_ERROR;
  }
  n = CountQuery(db, "SELECT count(*) FROM pragma_table_info(?1) WHERE pk > 0 AND \"notnull\" > 0",
                 table, &rc);
  if (rc != SQLITE_OK) return *err = sqlite3_errmsg(db), rc;
  if (n == 0) {
    *err = "Table " + table +
           " has no primary key or primary key is nullable. CRRs must have a non nullable "
           "primary key";
    return SQLITE_ERROR;
  }
  n = CountQuery(db, "SELECT count(*) FROM pragma_table_info(?1) WHERE pk > 0 AND \"notnull\" = 0",
                 table, &rc);
  if (rc != SQLITE_OK) return *err = sqlite3_errmsg(db), rc;
  if (n > 0) {
    *err = "Table " + table +
           " has composite primary key part of which is nullable. CRRs must have a non nullable "
           "primary key";
    return SQLITE_ERROR;
  }
  n = CountQuery(db,
                 "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1 AND sql "
                 "LIKE '%autoincrement%'",
                 table, &rc);
  if (rc != SQLITE_OK) return *err = sqlite3_errmsg(db), rc;
  if (n > 0) {
    *err = table +
           " has auto-increment primary keys. This is likely a mistake as two concurrent nodes "
           "will assign unrelated rows the same primary key. Either use a primary key that "
           "represents the identity of your row or use a database friendly UUID such as UUIDv7";
    return SQLITE_ERROR;
  }
  n = CountQuery(db, "SELECT count(*) FROM pragma_foreign_key_list(?1)", table, &rc);
  if (rc != SQLITE_OK) return *err = sqlite3_errmsg(db), rc;
  if (n > 0) {
    *err = "Table " + table +
           " has checked foreign key constraints. CRRs may have foreign keys but must not have "
           "checked foreign key constraints as they can be violated by row level security or "
           "replication.";
    return SQLITE_ERROR;
  }
  n = CountQuery(db,
                 "SELECT count(*) FROM pragma_table_xinfo(?1) WHERE pk = 0 AND \"notnull\" = 1 "
                 "AND dflt_value IS NULL",
                 table, &rc);
  if (rc != SQLITE_OK) return *err = sqlite3_errmsg(db), rc;
  if (n > 0) {
    *err = "Table " + table +
           " has a NOT NULL column without a DEFAULT VALUE. This is not allowed as it prevents "
           "forwards and backwards compatibility between schema versions. Make the column "
           "nullable or assign a default value to it.";
    return SQLITE_ERROR;
  }
  return SQLITE_OK;
}

bool IsCrr(sqlite3* db, const std::string& table) {
  int rc = SQLITE_OK;
  int64_t n = CountQuery(db,
                         "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = ?1",
                         table + "__crsql_itrig", &rc);
  return rc == SQLITE_OK && n > 0;
}

int DropCrrTriggers(sqlite3* db, const std::string& table, std::string* err) {
  std::string sql;
  for (const char* suffix : {"__crsql_itrig", "__crsql_utrig", "__crsql_dtrig"}) {
    sql += "DROP TRIGGER IF EXISTS " + QuoteIdent(table + suffix) + ";";
  }
  // Legacy (pre-0.15) per-pk update triggers: "T_<pk>__crsql_utrig".
  TableInfo info;
  std::string ignored;
  if (LoadTableInfo(db, table, &info, &ignored)) {
    for (const auto& c : info.pks) {
      sql += "DROP TRIGGER IF EXISTS " + QuoteIdent(table + "_" + c.name + "__crsql_utrig") + ";";
    }
  }
  return Exec(db, sql, err);
}

int RemoveCrr(sqlite3* db, const std::string& table, std::string* err) {
  int rc = DropCrrTriggers(db, table, err);
  if (rc != SQLITE_OK) return rc;
  return Exec(db,
              "DROP TABLE IF EXISTS " + QuoteIdent(table + kClockSuffix) +
                  "; DROP TABLE IF EXISTS " + QuoteIdent(table + kPksSuffix) + ";",
              err);
}

int CreateCrr(ExtData* ext, const std::string& table, bool is_commit_alter, std::string* err) {
  sqlite3* db = ext->db;
  int rc = CheckCrrCompatible(db, table, err);
  if (rc != SQLITE_OK) return rc;
  if (!is_commit_alter && IsCrr(db, table)) return SQLITE_OK;

  TableInfo info;
  if (!LoadTableInfo(db, table, &info, err)) return SQLITE_ERROR;
  std::string pk_cols = ColumnList(info.pks, "", ",");
  std::string ddl = ClockDdl(table) + ";\nCREATE INDEX IF NOT EXISTS " +
                    QuoteIdent(table + "__crsql_clock_dbv_idx") + " ON " +
                    QuoteIdent(table + kClockSuffix) + " (\"db_version\");\n" +
                    "CREATE TABLE IF NOT EXISTS " + QuoteIdent(table + kPksSuffix) +
                    " (__crsql_key INTEGER PRIMARY KEY, " + pk_cols + ");\n" +
                    "CREATE UNIQUE INDEX IF NOT EXISTS " + QuoteIdent(table + "__crsql_pks_pks") +
                    " ON " + QuoteIdent(table + kPksSuffix) + " (" + pk_cols + ");\n";
  if (is_commit_alter) {
    rc = DropCrrTriggers(db, table, err);
    if (rc != SQLITE_OK) return rc;
  }
  ddl += TriggerDdl(info);
  rc = Exec(db, ddl, err);
  if (rc != SQLITE_OK) return rc;
  ext->InvalidateTableInfos();
  int lookup_rc = SQLITE_OK;
  TableInfo* t = ext->FindTable(table, err, &lookup_rc);
  if (!t) {
    if (err->empty()) *err = "table " + table + " not found";
    return lookup_rc == SQLITE_OK ? SQLITE_ERROR : lookup_rc;
  }
  return Backfill(ext, t, is_commit_alter, err);
}

int CompactPostAlter(ExtData* ext, const std::string& table, std::string* err) {
  sqlite3* db = ext->db;
  int rc = ext->FillDbVersion(err);
  if (rc != SQLITE_OK) return rc;
  rc = Exec(db,
            "INSERT OR REPLACE INTO crsql_master VALUES ('pre_compact_dbversion', " +
                std::to_string(ext->db_version) + ")",
            err);
  if (rc != SQLITE_OK) return rc;

  TableInfo info;
  if (!LoadTableInfo(db, table, &info, err)) {
    if (err->empty()) *err = "table " + table + " not found";
    return SQLITE_ERROR;
  }
  std::set<std::string> current_pks, indexed_pks;
  for (const auto& c : info.pks) current_pks.insert(c.name);
  Stmt idx = Prepare(db, "SELECT name FROM pragma_index_info(?1)", &rc, err);
  if (!idx) return rc;
  std::string idx_name = table + "__crsql_pks_pks";
  sqlite3_bind_text(idx.get(), 1, idx_name.data(), static_cast<int>(idx_name.size()),
                    SQLITE_TRANSIENT);
  while ((rc = sqlite3_step(idx.get())) == SQLITE_ROW) {
    const unsigned char* n = sqlite3_column_text(idx.get(), 0);
    if (n) indexed_pks.insert(reinterpret_cast<const char*>(n));
  }
  if (rc != SQLITE_DONE) return *err = sqlite3_errmsg(db), rc;

  const std::string clock = QuoteIdent(table + kClockSuffix);
  const std::string pks = QuoteIdent(table + kPksSuffix);
  if (current_pks != indexed_pks) {
    // The primary key changed: histories cannot be mapped; start over (§12.2 step 2).
    return Exec(db, "DROP TABLE IF EXISTS " + clock + "; DROP TABLE IF EXISTS " + pks + ";", err);
  }
  std::vector<std::string> keep = {QuoteLiteral(kSentinel)};
  for (const auto& c : info.non_pks) keep.push_back(QuoteLiteral(c.name));
  std::vector<std::string> join;
  for (const auto& c : info.pks) {
    join.push_back("t." + QuoteIdent(c.name) + " = p." + QuoteIdent(c.name));
  }
  std::string sql =
      "DELETE FROM " + clock + " WHERE col_name NOT IN (" + Join(keep, ", ") + ");\n" +
      "DELETE FROM " + clock + " WHERE key IN (SELECT p.__crsql_key FROM " + pks +
      " AS p WHERE NOT EXISTS (SELECT 1 FROM " + QuoteIdent(table) + " AS t WHERE " +
      Join(join, " AND ") + ")) AND NOT (col_name = '-1' AND col_version % 2 = 0);\n" +
      "DELETE FROM " + pks + " WHERE __crsql_key NOT IN (SELECT key FROM " + clock + ");";
  return Exec(db, sql, err);
}

}  // namespace crsync::crsqlite

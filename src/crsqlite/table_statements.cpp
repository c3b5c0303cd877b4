// SQL text and lazy preparation of the per-CRR statements (see table_statements.h). The clock
// upserts encode spec §7's primitives: mark_created moves the sentinel to the next odd causal
// length, mark_deleted adds one, mark_updated bumps a cell's col_version; all stamp site 0.
#include "crsqlite/table_statements.h"

namespace crsync::crsqlite {

namespace {

std::string PkList(const TableInfo& t, const std::string& prefix = "") {
  std::vector<std::string> cols;
  for (const auto& c : t.pks) cols.push_back(prefix + QuoteIdent(c.name));
  return Join(cols, ",");
}

// "pk1" IS ?1 AND "pk2" IS ?2 ... starting at parameter first.
std::string PkWhere(const TableInfo& t, const char* op, int first) {
  std::vector<std::string> parts;
  for (size_t k = 0; k < t.pks.size(); ++k) {
    parts.push_back(QuoteIdent(t.pks[k].name) + " " + op + " ?" + std::to_string(first + k));
  }
  return Join(parts, " AND ");
}

std::string Params(int first, size_t n) {
  std::vector<std::string> parts;
  for (size_t k = 0; k < n; ++k) parts.push_back("?" + std::to_string(first + k));
  return Join(parts, ",");
}

std::string Clock(const TableInfo& t) { return QuoteIdent(t.name + kClockSuffix); }
std::string Pks(const TableInfo& t) { return QuoteIdent(t.name + kPksSuffix); }

std::string BuildSql(const TableInfo& t, TableStmt which) {
  const std::string next_odd =
      "CASE col_version % 2 WHEN 0 THEN col_version + 1 ELSE col_version + 2 END";
  switch (which) {
    case TableStmt::kSelectKey:
      return "SELECT __crsql_key FROM " + Pks(t) + " WHERE " + PkWhere(t, "IS", 1);
    case TableStmt::kInsertKey:
      // No RETURNING (it costs a temp table per row): the new key is last_insert_rowid().
      return "INSERT OR IGNORE INTO " + Pks(t) + " (" + PkList(t) + ") VALUES (" +
             Params(1, t.pks.size()) + ")";
    case TableStmt::kMarkUpdated:
      return "INSERT INTO " + Clock(t) +
             " (key, col_name, col_version, db_version, seq, site_id) VALUES (?1, ?2, 1, ?3, ?4, "
             "0) ON CONFLICT DO UPDATE SET col_version = col_version + 1, db_version = "
             "excluded.db_version, seq = excluded.seq, site_id = 0";
    case TableStmt::kMarkAllCells: {
      std::vector<std::string> rows;
      for (size_t k = 0; k < t.non_pks.size(); ++k) {
        rows.push_back("(?1, " + QuoteLiteral(t.non_pks[k].name) + ", 1, ?2, ?" +
                       std::to_string(3 + k) + ", 0)");
      }
      return "INSERT INTO " + Clock(t) +
             " (key, col_name, col_version, db_version, seq, site_id) VALUES " + Join(rows, ",") +
             " ON CONFLICT DO UPDATE SET col_version = col_version + 1, db_version = "
             "excluded.db_version, seq = excluded.seq, site_id = 0";
    }
    case TableStmt::kMarkCreated:
      return "INSERT INTO " + Clock(t) +
             " (key, col_name, col_version, db_version, seq, site_id) VALUES (?1, '-1', 1, ?2, "
             "?3, 0) ON CONFLICT DO UPDATE SET col_version = " +
             next_odd + ", db_version = excluded.db_version, seq = excluded.seq, site_id = 0";
    case TableStmt::kMarkDeleted:
      return "INSERT INTO " + Clock(t) +
             " (key, col_name, col_version, db_version, seq, site_id) VALUES (?1, '-1', 2, ?2, "
             "?3, 0) ON CONFLICT DO UPDATE SET col_version = col_version + 1, db_version = "
             "excluded.db_version, seq = excluded.seq, site_id = 0";
    case TableStmt::kBumpSentinel:
      return "UPDATE " + Clock(t) + " SET col_version = " + next_odd +
             ", db_version = ?2, seq = ?3, site_id = 0 WHERE key = ?1 AND col_name = '-1'";
    case TableStmt::kDropCells:
      return "DELETE FROM " + Clock(t) + " WHERE key = ?1 AND col_name != '-1'";
    case TableStmt::kMoveCells:
      return "UPDATE OR REPLACE " + Clock(t) +
             " SET key = ?1 WHERE key = ?2 AND col_name != '-1'";
    case TableStmt::kLocalCl:
      return "SELECT (SELECT col_version FROM " + Clock(t) +
             " WHERE key = ?1 AND col_name = '-1'), EXISTS (SELECT 1 FROM " + Clock(t) +
             " WHERE key = ?1)";
    case TableStmt::kCellVersion:
      return "SELECT col_version, site_id FROM " + Clock(t) + " WHERE key = ?1 AND col_name = ?2";
    case TableStmt::kSetWinner:
      return "INSERT OR REPLACE INTO " + Clock(t) +
             " (key, col_name, col_version, db_version, seq, site_id) VALUES (?1, ?2, ?3, ?4, ?5, "
             "?6)";
    case TableStmt::kInsertClock:
      return "INSERT INTO " + Clock(t) +
             " (key, col_name, col_version, db_version, seq, site_id) VALUES (?1, ?2, ?3, ?4, ?5, "
             "?6)";
    case TableStmt::kZeroCells:
      return "UPDATE " + Clock(t) +
             " SET col_version = 0, db_version = ?2 WHERE key = ?1 AND col_name != '-1'";
    case TableStmt::kDeleteBase:
      return "DELETE FROM " + QuoteIdent(t.name) + " WHERE " + PkWhere(t, "=", 1);
    case TableStmt::kCreateBase:
      return "INSERT OR IGNORE INTO " + QuoteIdent(t.name) + " (" + PkList(t) + ") VALUES (" +
             Params(1, t.pks.size()) + ")";
  }
  return "";
}

Stmt& Slot(TableInfo* t, TableStmt which) {
  switch (which) {
    case TableStmt::kSelectKey:
      return t->select_key;
    case TableStmt::kInsertKey:
      return t->insert_key;
    case TableStmt::kMarkUpdated:
      return t->mark_updated;
    case TableStmt::kMarkAllCells:
      return t->mark_all_cells;
    case TableStmt::kMarkCreated:
      return t->mark_created;
    case TableStmt::kMarkDeleted:
      return t->mark_deleted;
    case TableStmt::kBumpSentinel:
      return t->bump_sentinel;
    case TableStmt::kDropCells:
      return t->drop_cells;
    case TableStmt::kMoveCells:
      return t->move_cells;
    case TableStmt::kLocalCl:
      return t->local_cl;
    case TableStmt::kCellVersion:
      return t->cell_version;
    case TableStmt::kSetWinner:
      return t->set_winner;
    case TableStmt::kInsertClock:
      return t->insert_clock;
    case TableStmt::kZeroCells:
      return t->zero_cells;
    case TableStmt::kDeleteBase:
      return t->delete_base;
    case TableStmt::kCreateBase:
      return t->create_base;
  }
  return t->select_key;  // unreachable: the switch covers every enumerator
}

}  // namespace

sqlite3_stmt* GetTableStmt(sqlite3* db, TableInfo* t, TableStmt which, std::string* err) {
  Stmt& slot = Slot(t, which);
  if (!slot) slot = Prepare(db, BuildSql(*t, which), nullptr, err);
  return slot.get();
}

sqlite3_stmt* GetUpsertCellStmt(sqlite3* db, TableInfo* t, int col, std::string* err) {
  if (t->upsert_cell.size() != t->non_pks.size()) t->upsert_cell.resize(t->non_pks.size());
  Stmt& slot = t->upsert_cell[col];
  if (!slot) {
    const std::string c = QuoteIdent(t->non_pks[col].name);
    std::string sql = "INSERT INTO " + QuoteIdent(t->name) + " (" + PkList(*t) + "," + c +
                      ") VALUES (" + Params(1, t->pks.size() + 1) +
                      ") ON CONFLICT DO UPDATE SET " + c + " = excluded." + c;
    slot = Prepare(db, sql, nullptr, err);
  }
  return slot.get();
}

sqlite3_stmt* GetSelectCellStmt(sqlite3* db, TableInfo* t, int col, std::string* err) {
  if (t->select_cell.size() != t->non_pks.size()) t->select_cell.resize(t->non_pks.size());
  Stmt& slot = t->select_cell[col];
  if (!slot) {
    std::string sql = "SELECT " + QuoteIdent(t->non_pks[col].name) + " FROM " +
                      QuoteIdent(t->name) + " WHERE " + PkWhere(*t, "=", 1);
    slot = Prepare(db, sql, nullptr, err);
  }
  return slot.get();
}

int StepDone(sqlite3* db, sqlite3_stmt* s, std::string* err) {
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
  }
  if (rc != SQLITE_DONE) {
    if (err) *err = sqlite3_errmsg(db);
    return sqlite3_extended_errcode(db);
  }
  return SQLITE_OK;
}

namespace {

template <typename BindFn>
int GetOrCreateKey(sqlite3* db, TableInfo* t, BindFn bind, bool try_insert_first, int64_t* key,
                   bool* existed, std::string* err) {
  sqlite3_stmt* sel = GetTableStmt(db, t, TableStmt::kSelectKey, err);
  sqlite3_stmt* ins = GetTableStmt(db, t, TableStmt::kInsertKey, err);
  if (!sel || !ins) return SQLITE_ERROR;
  auto select = [&](bool* found) {
    StmtUse use(sel);
    bind(sel);
    int rc = sqlite3_step(sel);
    *found = rc == SQLITE_ROW;
    if (*found) {
      *key = sqlite3_column_int64(sel, 0);
      return SQLITE_OK;
    }
    if (rc != SQLITE_DONE) {
      if (err) *err = sqlite3_errmsg(db);
      return rc;
    }
    return SQLITE_OK;
  };
  auto insert = [&](bool* inserted) {
    StmtUse use(ins);
    bind(ins);
    int rc = sqlite3_step(ins);
    if (rc != SQLITE_DONE) {
      if (err) *err = sqlite3_errmsg(db);
      return sqlite3_extended_errcode(db);
    }
    *inserted = sqlite3_changes(db) > 0;
    if (*inserted) *key = sqlite3_last_insert_rowid(db);
    return SQLITE_OK;
  };
  bool found = false;
  int rc;
  if (try_insert_first) {
    rc = insert(&found);
    if (rc != SQLITE_OK) return rc;
    if (found) {
      *existed = false;
      return SQLITE_OK;
    }
    rc = select(&found);
    if (rc != SQLITE_OK) return rc;
    *existed = true;
    if (!found) {
      if (err) *err = "crsql - lookaside key vanished for table " + t->name;
      return SQLITE_ERROR;
    }
    return SQLITE_OK;
  }
  rc = select(&found);
  if (rc != SQLITE_OK) return rc;
  if (found) {
    *existed = true;
    return SQLITE_OK;
  }
  rc = insert(&found);
  if (rc != SQLITE_OK) return rc;
  *existed = false;
  if (!found) {
    if (err) *err = "crsql - could not create a lookaside key for table " + t->name;
    return SQLITE_ERROR;
  }
  return SQLITE_OK;
}

}  // namespace

int GetOrCreateKeyFromArgs(sqlite3* db, TableInfo* t, sqlite3_value** pks, bool try_insert_first,
                           int64_t* key, bool* existed, std::string* err) {
  size_t n = t->pks.size();
  auto bind = [&](sqlite3_stmt* s) {
    for (size_t k = 0; k < n; ++k) sqlite3_bind_value(s, static_cast<int>(k + 1), pks[k]);
  };
  return GetOrCreateKey(db, t, bind, try_insert_first, key, existed, err);
}

int GetOrCreateKeyFromValues(sqlite3* db, TableInfo* t, const std::vector<Value>& pks,
                             bool try_insert_first, int64_t* key, bool* existed,
                             std::string* err) {
  auto bind = [&](sqlite3_stmt* s) {
    for (size_t k = 0; k < pks.size(); ++k) BindValue(s, static_cast<int>(k + 1), pks[k]);
  };
  return GetOrCreateKey(db, t, bind, try_insert_first, key, existed, err);
}

int GetOrCreateKeyFromValues(sqlite3* db, TableInfo* t, const std::vector<Value>& pks,
                             int64_t* key, std::string* err) {
  bool existed = false;
  return GetOrCreateKeyFromValues(db, t, pks, false, key, &existed, err);
}

}  // namespace crsync::crsqlite

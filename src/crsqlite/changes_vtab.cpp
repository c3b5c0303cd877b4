// The eponymous virtual table crsql_changes (spec §9, §10): SELECT reads the change feed, INSERT
// merges remote changes, UPDATE/DELETE are refused.
//
// Reading compiles to one SQL statement: a UNION ALL over every CRR joining its clock table with
// the lookaside (packed PK), the base row (current value), the site-id table and the row's
// sentinel (causal length), with the pushed-down constraints and ordering applied on top.
// Statements are cached per (constraint shape, schema). Without an ORDER BY the feed is ordered
// by (db_version, seq) ascending, which sync layers rely on. Unlike cr-sqlite 0.16 an explicit
// ORDER BY is honoured term by term, and CRRs whose base table was dropped are skipped instead
// of failing every read (docs/crdt.md).
#include <cstring>
#include <map>
#include <new>
#include <string>

#include "crsqlite/changes_merge.h"
#include "crsqlite/ext_data.h"
#include "crsqlite/registration.h"

namespace crsync::crsqlite {

namespace {

// Names of the inner query's columns, by crsql_changes column index.
const char* const kInnerNames[kChangesColumnCount] = {"tbl",      "pks",     "cid", "val", "col_vrsn",
                                                      "db_vrsn", "site_id", "cl",  "seq"};
// idxNum bits of pushed-down columns (db_version | site_id = 6, as the original reports).
int ColumnBit(int col) {
  switch (col) {
    case kChangesColVersion:
      return 1;
    case kChangesDbVersion:
      return 2;
    case kChangesSiteId:
      return 4;
    case kChangesCid:
      return 8;
    case kChangesCl:
      return 16;
    case kChangesSeq:
      return 32;
    default:
      return 0;
  }
}

const char* OperatorSql(int op) {
  switch (op) {
    case SQLITE_INDEX_CONSTRAINT_EQ:
      return "=";
    case SQLITE_INDEX_CONSTRAINT_GT:
      return ">";
    case SQLITE_INDEX_CONSTRAINT_LE:
      return "<=";
    case SQLITE_INDEX_CONSTRAINT_LT:
      return "<";
    case SQLITE_INDEX_CONSTRAINT_GE:
      return ">=";
    case SQLITE_INDEX_CONSTRAINT_NE:
      return "!=";
    case SQLITE_INDEX_CONSTRAINT_IS:
      return "IS";
    case SQLITE_INDEX_CONSTRAINT_ISNOT:
      return "IS NOT";
    case SQLITE_INDEX_CONSTRAINT_LIKE:
      return "LIKE";
    case SQLITE_INDEX_CONSTRAINT_GLOB:
      return "GLOB";
    default:
      return nullptr;
  }
}

struct ChangesVtab {
  sqlite3_vtab base;
  ExtData* ext;
};

// A cursor owns its statement while reading; it takes one from the connection's pool
// (ExtData::changes_read_cache) and gives it back when done, so clearing the pool never
// finalizes a statement in use.
struct ChangesCursor {
  sqlite3_vtab_cursor base;
  ChangesVtab* vtab = nullptr;
  sqlite3_stmt* stmt = nullptr;  // == owned.get()
  Stmt owned;
  std::string key;  // idxStr the statement was built for
  int64_t schema = -1;
  bool eof = true;
};

int SetError(sqlite3_vtab* vtab, const std::string& msg) {
  sqlite3_free(vtab->zErrMsg);
  vtab->zErrMsg = sqlite3_mprintf("%s", msg.c_str());
  return SQLITE_ERROR;
}

std::string BuildReadSql(ExtData* ext, const std::string& idx_str) {
  std::vector<std::string> arms;
  for (const auto& tp : ext->tables) {
    const TableInfo& t = *tp;
    std::vector<std::string> pk_cols, join;
    for (const auto& c : t.pks) {
      pk_cols.push_back("p." + QuoteIdent(c.name));
      join.push_back("b." + QuoteIdent(c.name) + " = p." + QuoteIdent(c.name));
    }
    std::string val = "NULL";
    if (!t.non_pks.empty()) {
      val = "CASE c.col_name";
      for (const auto& c : t.non_pks) {
        val += " WHEN " + QuoteLiteral(c.name) + " THEN b." + QuoteIdent(c.name);
      }
      val += " END";
    }
    const std::string clock = QuoteIdent(t.name + kClockSuffix);
    arms.push_back("SELECT " + QuoteLiteral(t.name) + " AS tbl, crsql_pack_columns(" +
                   Join(pk_cols, ", ") + ") AS pks, c.col_name AS cid, " + val +
                   " AS val, c.col_version AS col_vrsn, c.db_version AS db_vrsn, s.site_id AS "
                   "site_id, COALESCE(t2.col_version, 1) AS cl, c.seq AS seq, " +
                   std::to_string(t.index) + " AS tidx, c.key AS key FROM " + clock +
                   " AS c JOIN " + QuoteIdent(t.name + kPksSuffix) +
                   " AS p ON c.key = p.__crsql_key LEFT JOIN " + QuoteIdent(t.name) + " AS b ON " +
                   Join(join, " AND ") +
                   " LEFT JOIN crsql_site_id AS s ON c.site_id = s.ordinal LEFT JOIN " + clock +
                   " AS t2 ON t2.key = c.key AND t2.col_name = '-1'");
  }
  return "SELECT tbl, pks, cid, val, col_vrsn, db_vrsn, site_id, cl, seq, tidx, key FROM (" +
         Join(arms, " UNION ALL ") + ") " + idx_str;
}

// ---- module callbacks ------------------------------------------------------------------------

int ChangesConnect(sqlite3* db, void* aux, int, const char* const*, sqlite3_vtab** out, char**) {
  int rc = sqlite3_declare_vtab(
      db,
      "CREATE TABLE x([table] TEXT NOT NULL, [pk] BLOB NOT NULL, [cid] TEXT NOT NULL, [val] ANY, "
      "[col_version] INTEGER NOT NULL, [db_version] INTEGER NOT NULL, [site_id] BLOB NOT NULL, "
      "[cl] INTEGER NOT NULL, [seq] INTEGER NOT NULL)");
  if (rc != SQLITE_OK) return rc;
  auto* vtab = new (std::nothrow) ChangesVtab();
  if (!vtab) return SQLITE_NOMEM;
  std::memset(&vtab->base, 0, sizeof vtab->base);
  vtab->ext = static_cast<ExtData*>(aux);
  *out = &vtab->base;
  return SQLITE_OK;
}

int ChangesDisconnect(sqlite3_vtab* base) {
  auto* vtab = reinterpret_cast<ChangesVtab*>(base);
  sqlite3_free(vtab->base.zErrMsg);
  delete vtab;
  return SQLITE_OK;
}

int ChangesBestIndex(sqlite3_vtab*, sqlite3_index_info* info) {
  std::vector<std::string> where;
  int idx_num = 0;
  int argv_index = 0;
  for (int k = 0; k < info->nConstraint; ++k) {
    const auto& c = info->aConstraint[k];
    if (!c.usable || ColumnBit(c.iColumn) == 0) continue;
    std::string col = kInnerNames[c.iColumn];
    if (c.op == SQLITE_INDEX_CONSTRAINT_ISNULL || c.op == SQLITE_INDEX_CONSTRAINT_ISNOTNULL) {
      where.push_back(col + (c.op == SQLITE_INDEX_CONSTRAINT_ISNULL ? " IS NULL" : " IS NOT NULL"));
      info->aConstraintUsage[k].omit = 1;
      idx_num |= ColumnBit(c.iColumn);
      continue;
    }
    const char* op = OperatorSql(c.op);
    if (!op) continue;
    where.push_back(col + " " + op + " ?");
    info->aConstraintUsage[k].argvIndex = ++argv_index;
    info->aConstraintUsage[k].omit = 1;
    idx_num |= ColumnBit(c.iColumn);
  }
  std::string idx = where.empty() ? "" : "WHERE " + Join(where, " AND ");
  std::string order;
  if (info->nOrderBy == 0) {
    order = "ORDER BY db_vrsn, seq ASC";
  } else {
    std::vector<std::string> terms;
    for (int k = 0; k < info->nOrderBy; ++k) {
      const auto& o = info->aOrderBy[k];
      if (o.iColumn < 0 || o.iColumn >= kChangesColumnCount) {
        terms.clear();
        break;
      }
      terms.push_back(std::string(kInnerNames[o.iColumn]) + (o.desc ? " DESC" : " ASC"));
    }
    if (!terms.empty()) {
      order = "ORDER BY " + Join(terms, ", ");
      info->orderByConsumed = 1;
    }
  }
  if (!order.empty()) idx += (idx.empty() ? "" : " ") + order;
  info->idxNum = idx_num;
  info->idxStr = sqlite3_mprintf("%s", idx.c_str());
  info->needToFreeIdxStr = 1;
  bool has_dbv = idx_num & ColumnBit(kChangesDbVersion);
  bool has_site = idx_num & ColumnBit(kChangesSiteId);
  info->estimatedCost = has_dbv && has_site ? 1.0 : (has_dbv ? 10.0 : 2147483647.0);
  return SQLITE_OK;
}

int ChangesOpen(sqlite3_vtab* base, sqlite3_vtab_cursor** out) {
  auto* cur = new (std::nothrow) ChangesCursor();
  if (!cur) return SQLITE_NOMEM;
  std::memset(&cur->base, 0, sizeof cur->base);
  cur->vtab = reinterpret_cast<ChangesVtab*>(base);
  *out = &cur->base;
  return SQLITE_OK;
}

void ReleaseStatement(ChangesCursor* cur) {
  if (!cur->owned) return;
  sqlite3_reset(cur->stmt);
  ExtData* ext = cur->vtab->ext;
  if (ext->changes_read_schema == cur->schema) {
    Stmt& slot = ext->changes_read_cache[cur->key];
    if (!slot) slot = std::move(cur->owned);
  }
  cur->owned = Stmt();
  cur->stmt = nullptr;
}

int ChangesClose(sqlite3_vtab_cursor* base) {
  auto* cur = reinterpret_cast<ChangesCursor*>(base);
  ReleaseStatement(cur);
  delete cur;
  return SQLITE_OK;
}

int ChangesStep(ChangesCursor* cur) {
  int rc = sqlite3_step(cur->stmt);
  if (rc == SQLITE_ROW) {
    cur->eof = false;
    return SQLITE_OK;
  }
  cur->eof = true;
  if (rc == SQLITE_DONE) return SQLITE_OK;
  return SetError(&cur->vtab->base, sqlite3_errmsg(cur->vtab->ext->db));
}

int ChangesFilter(sqlite3_vtab_cursor* base, int, const char* idx_str, int argc,
                  sqlite3_value** argv) {
  auto* cur = reinterpret_cast<ChangesCursor*>(base);
  ChangesVtab* vtab = cur->vtab;
  ExtData* ext = vtab->ext;
  ReleaseStatement(cur);
  cur->eof = true;
  // Reads always re-check the schema: another connection may have added a CRR.
  ext->tables_checked_this_tx = false;
  std::string err;
  int rc = ext->EnsureTableInfos(&err);
  if (rc != SQLITE_OK) return SetError(&vtab->base, err);
  if (ext->tables.empty()) return SQLITE_OK;
  if (ext->changes_read_schema != ext->tables_schema_version) {
    ext->changes_read_cache.clear();
    ext->changes_read_schema = ext->tables_schema_version;
  }
  cur->key = idx_str ? idx_str : "";
  cur->schema = ext->changes_read_schema;
  auto it = ext->changes_read_cache.find(cur->key);
  if (it != ext->changes_read_cache.end() && it->second) {
    cur->owned = std::move(it->second);
  } else {
    cur->owned = Prepare(ext->db, BuildReadSql(ext, cur->key), &rc, &err);
    if (!cur->owned) return SetError(&vtab->base, err);
  }
  cur->stmt = cur->owned.get();
  sqlite3_clear_bindings(cur->stmt);
  for (int k = 0; k < argc; ++k) sqlite3_bind_value(cur->stmt, k + 1, argv[k]);
  return ChangesStep(cur);
}

int ChangesNext(sqlite3_vtab_cursor* base) {
  return ChangesStep(reinterpret_cast<ChangesCursor*>(base));
}

int ChangesEof(sqlite3_vtab_cursor* base) {
  return reinterpret_cast<ChangesCursor*>(base)->eof;
}

int ChangesColumn(sqlite3_vtab_cursor* base, sqlite3_context* ctx, int col) {
  auto* cur = reinterpret_cast<ChangesCursor*>(base);
  if (col >= 0 && col < kChangesColumnCount) {
    sqlite3_result_value(ctx, sqlite3_column_value(cur->stmt, col));
  }
  return SQLITE_OK;
}

int ChangesRowid(sqlite3_vtab_cursor* base, sqlite3_int64* rowid) {
  auto* cur = reinterpret_cast<ChangesCursor*>(base);
  constexpr int64_t kSlab = 10000000000000LL;  // 10^13
  int64_t tidx = sqlite3_column_int64(cur->stmt, 9);
  int64_t key = sqlite3_column_int64(cur->stmt, 10);
  *rowid = tidx * kSlab + key % kSlab;
  return SQLITE_OK;
}

int ChangesUpdate(sqlite3_vtab* base, int argc, sqlite3_value** argv, sqlite3_int64* rowid) {
  auto* vtab = reinterpret_cast<ChangesVtab*>(base);
  if (argc == 1 || sqlite3_value_type(argv[0]) != SQLITE_NULL) {
    sqlite3_free(base->zErrMsg);
    base->zErrMsg = sqlite3_mprintf(
        "Only INSERT and SELECT statements are allowed against the crsql changes table");
    return SQLITE_MISUSE;
  }
  if (argc < 2 + kChangesColumnCount) return SetError(base, "crsql - wrong number of columns");
  std::string err;
  int64_t out_rowid = 0;
  int rc;
  try {
    rc = MergeChange(vtab->ext, argv + 2, &out_rowid, &err);
  } catch (...) {
    rc = SQLITE_NOMEM;
    err = "out of memory during merge";
  }
  if (rc != SQLITE_OK) {
    sqlite3_free(base->zErrMsg);
    base->zErrMsg = sqlite3_mprintf("%s", err.c_str());
    return rc;
  }
  *rowid = out_rowid;
  return SQLITE_OK;
}

int ChangesBegin(sqlite3_vtab*) { return SQLITE_OK; }
int ChangesSync(sqlite3_vtab*) { return SQLITE_OK; }
int ChangesCommit(sqlite3_vtab* base) {
  reinterpret_cast<ChangesVtab*>(base)->ext->rows_impacted = 0;
  return SQLITE_OK;
}
int ChangesRollback(sqlite3_vtab*) { return SQLITE_OK; }

sqlite3_module MakeChangesModule() {
  sqlite3_module m;
  std::memset(&m, 0, sizeof m);
  m.iVersion = 0;
  m.xCreate = nullptr;  // eponymous-only
  m.xConnect = ChangesConnect;
  m.xBestIndex = ChangesBestIndex;
  m.xDisconnect = ChangesDisconnect;
  m.xDestroy = ChangesDisconnect;
  m.xOpen = ChangesOpen;
  m.xClose = ChangesClose;
  m.xFilter = ChangesFilter;
  m.xNext = ChangesNext;
  m.xEof = ChangesEof;
  m.xColumn = ChangesColumn;
  m.xRowid = ChangesRowid;
  m.xUpdate = ChangesUpdate;
  m.xBegin = ChangesBegin;
  m.xSync = ChangesSync;
  m.xCommit = ChangesCommit;
  m.xRollback = ChangesRollback;
  return m;
}

const sqlite3_module kChangesModule = MakeChangesModule();

void DestroyExt(void* p) { delete static_cast<ExtData*>(p); }

}  // namespace

int RegisterChangesVtab(sqlite3* db, ExtData* ext) {
  return sqlite3_create_module_v2(db, "crsql_changes", &kChangesModule, ext, DestroyExt);
}

}  // namespace crsync::crsqlite

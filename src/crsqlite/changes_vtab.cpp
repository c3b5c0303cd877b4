// The eponymous virtual table crsql_changes (spec §9, §10): SELECT reads the change feed, INSERT
// merges remote changes, UPDATE/DELETE are refused.
//
// xBestIndex pushes the constraints of §9.3 down and describes them, with the order it will
// produce, in idxStr (what EXPLAIN QUERY PLAN shows, in the original's words). xFilter parses
// that back and runs a ChangeScan (changes_read.h), which materialises the matching changes in
// (db_version, seq) order; the cursor walks them. Unlike cr-sqlite 0.16 an explicit ORDER BY is
// honoured term by term: orders the scan produces itself (db_version[, seq], one direction) are
// consumed, any other is left to SQLite. CRRs whose base table was dropped are skipped instead
// of failing every read (docs/crdt.md).
#include <cstring>
#include <new>
#include <string>

#include "crsqlite/changes_merge.h"
#include "crsqlite/changes_read.h"
#include "crsqlite/ext_data.h"
#include "crsqlite/registration.h"

namespace crsync::crsqlite {

namespace {

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

struct ChangesVtab {
  sqlite3_vtab base;
  ExtData* ext;
  int utf8 = -1;  // main database's text encoding is UTF-8 (fixed once it has tables); -1 unknown
};

// A cursor owns the changes it returns (see changes_read.h), so any number can be open at once.
struct ChangesCursor {
  sqlite3_vtab_cursor base;
  ChangesVtab* vtab = nullptr;
  ChangeScan scan;
};

int SetError(sqlite3_vtab* vtab, const std::string& msg) {
  sqlite3_free(vtab->zErrMsg);
  vtab->zErrMsg = sqlite3_mprintf("%s", msg.c_str());
  return SQLITE_ERROR;
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
  ChangesScanSpec spec;
  int idx_num = 0;
  int argv_index = 0;
  for (int k = 0; k < info->nConstraint; ++k) {
    const auto& c = info->aConstraint[k];
    if (!c.usable || !IsPushableConstraint(c.iColumn, c.op)) continue;
    ChangesConstraint pushed;
    pushed.column = c.iColumn;
    pushed.op = c.op;
    pushed.has_arg =
        c.op != SQLITE_INDEX_CONSTRAINT_ISNULL && c.op != SQLITE_INDEX_CONSTRAINT_ISNOTNULL;
    if (pushed.has_arg) info->aConstraintUsage[k].argvIndex = ++argv_index;
    info->aConstraintUsage[k].omit = 1;
    idx_num |= ColumnBit(c.iColumn);
    spec.constraints.push_back(pushed);
  }
  if (info->nOrderBy > 0) {
    std::vector<std::pair<int, bool>> terms;
    for (int k = 0; k < info->nOrderBy; ++k) {
      terms.emplace_back(info->aOrderBy[k].iColumn, info->aOrderBy[k].desc != 0);
    }
    // Other orders are sorted by SQLite on top of the default order.
    if (IsConsumableOrder(terms)) {
      spec.order = std::move(terms);
      info->orderByConsumed = 1;
    }
  }
  info->idxNum = idx_num;
  info->idxStr = sqlite3_mprintf("%s", FormatScanSpec(spec).c_str());
  if (!info->idxStr) return SQLITE_NOMEM;
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

int ChangesClose(sqlite3_vtab_cursor* base) {
  delete reinterpret_cast<ChangesCursor*>(base);
  return SQLITE_OK;
}

int ChangesFilter(sqlite3_vtab_cursor* base, int, const char* idx_str, int, sqlite3_value** argv) {
  auto* cur = reinterpret_cast<ChangesCursor*>(base);
  ChangesVtab* vtab = cur->vtab;
  ExtData* ext = vtab->ext;
  ChangesScanSpec spec;
  if (!ParseScanSpec(idx_str ? idx_str : "", &spec)) {
    return SetError(&vtab->base, "crsql - unexpected crsql_changes query plan");
  }
  // Reads always re-check the schema: another connection may have added a CRR.
  ext->tables_checked_this_tx = false;
  std::string err;
  int rc = ext->EnsureTableInfos(&err);
  if (rc != SQLITE_OK) return SetError(&vtab->base, err);
  if (ext->changes_read_schema != ext->tables_schema_version) {
    ext->changes_read_cache.clear();
    ext->changes_read_schema = ext->tables_schema_version;
  }
  if (vtab->utf8 < 0) {
    auto encoding = QueryText(ext->db, "PRAGMA main.encoding", &rc);
    if (rc != SQLITE_OK) return SetError(&vtab->base, sqlite3_errmsg(ext->db));
    vtab->utf8 = encoding.value_or("") == "UTF-8" ? 1 : 0;
  }
  try {
    rc = cur->scan.Run(ext, spec, argv, vtab->utf8 == 1, &err);
  } catch (const std::bad_alloc&) {
    rc = SQLITE_NOMEM;
    err = "out of memory reading crsql_changes";
  }
  if (rc != SQLITE_OK) {
    SetError(&vtab->base, err);
    return rc;
  }
  return SQLITE_OK;
}

int ChangesNext(sqlite3_vtab_cursor* base) {
  reinterpret_cast<ChangesCursor*>(base)->scan.Next();
  return SQLITE_OK;
}

int ChangesEof(sqlite3_vtab_cursor* base) {
  return reinterpret_cast<ChangesCursor*>(base)->scan.Eof();
}

int ChangesColumn(sqlite3_vtab_cursor* base, sqlite3_context* ctx, int col) {
  reinterpret_cast<ChangesCursor*>(base)->scan.Column(ctx, col);
  return SQLITE_OK;
}

int ChangesRowid(sqlite3_vtab_cursor* base, sqlite3_int64* rowid) {
  *rowid = reinterpret_cast<ChangesCursor*>(base)->scan.Rowid();
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
// Savepoints matter only to the merge cache: a rollback to one may undo merges it remembers.
int ChangesSavepoint(sqlite3_vtab*, int) { return SQLITE_OK; }
int ChangesRelease(sqlite3_vtab*, int) { return SQLITE_OK; }
int ChangesRollbackTo(sqlite3_vtab* base, int) {
  reinterpret_cast<ChangesVtab*>(base)->ext->merge_cache.Invalidate();
  return SQLITE_OK;
}

sqlite3_module MakeChangesModule() {
  sqlite3_module m;
  std::memset(&m, 0, sizeof m);
  m.iVersion = 2;  // for xRollbackTo
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
  m.xSavepoint = ChangesSavepoint;
  m.xRelease = ChangesRelease;
  m.xRollbackTo = ChangesRollbackTo;
  return m;
}

const sqlite3_module kChangesModule = MakeChangesModule();

void DestroyExt(void* p) { delete static_cast<ExtData*>(p); }

}  // namespace

int RegisterChangesVtab(sqlite3* db, ExtData* ext) {
  int rc = sqlite3_create_module_v2(db, "crsql_changes", &kChangesModule, ext, DestroyExt);
  if (rc != SQLITE_OK) return rc;
  // The scan's row sink (changes_read.h); part of this module, not a public function.
  return RegisterChangesCollector(db);
}

}  // namespace crsync::crsqlite

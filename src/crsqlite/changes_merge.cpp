// The merge of spec §10: each incoming change is resolved against local metadata by causal
// length first (bigger wins; even = deleted), then by col_version, then by value (cr-sqlite's
// order NULL < BLOB < TEXT < REAL < INTEGER), then optionally by site id. Winning changes write
// the base table with the sync bit set (so CRR triggers stay quiet) and store the remote
// col_version/seq/site with a local db_version = max(local + 1, pending, remote).
//
// Consecutive changes of one row reuse what the previous merge learnt or wrote (merge_cache.h):
// the decoded pk, the lookaside key, the causal length and the cell clocks. Every decision is
// taken on the same values the clock table would return, so outcomes are unchanged; statements
// whose effect is known to be nil (zeroing or dropping the cells of a row without any) are
// skipped.
#include "crsqlite/changes_merge.h"

#include <cstring>

#include "crsqlite/pack_columns.h"
#include "crsqlite/table_statements.h"
#include "crsqlite/value.h"

namespace crsync::crsqlite {

namespace {

constexpr int kMaxNameLength = 2048;
constexpr int kMaxSiteIdLength = 16;
constexpr int64_t kMaxDbVersion = int64_t{1} << 62;

// Sets the sync bit for the lifetime of the guard so CRR triggers ignore merge writes.
class SyncBitGuard {
 public:
  explicit SyncBitGuard(ExtData* ext) : ext_(ext), saved_(ext->sync_bit) { ext->sync_bit = 1; }
  ~SyncBitGuard() { ext_->sync_bit = saved_; }

 private:
  ExtData* ext_;
  int64_t saved_;
};

struct Change {
  TableInfo* table = nullptr;
  const std::vector<Value>* pks = nullptr;  // owned by the merge cache
  std::string_view cid;
  sqlite3_value* val = nullptr;
  int64_t col_version = 0;
  int64_t db_version = 0;
  const void* site = nullptr;
  int site_len = 0;
  int64_t cl = 0;
  int64_t seq = 0;
  int64_t key = 0;
};

void BindPks(sqlite3_stmt* s, const std::vector<Value>& pks, int first) {
  for (size_t k = 0; k < pks.size(); ++k) BindValue(s, static_cast<int>(first + k), pks[k]);
}

int CachedSiteOrdinal(ExtData* ext, const Change& c, int64_t* ordinal, std::string* err) {
  if (c.site == nullptr || c.site_len <= 0) return ext->SiteOrdinal(c.site, c.site_len, ordinal, err);
  if (ext->merge_cache.FindSite(c.site, c.site_len, ordinal)) return SQLITE_OK;
  int rc = ext->SiteOrdinal(c.site, c.site_len, ordinal, err);
  if (rc == SQLITE_OK) ext->merge_cache.RememberSite(c.site, c.site_len, *ordinal);
  return rc;
}

// Records the winning clock entry. known_new: the cache knows the entry does not exist, so a
// plain INSERT stores exactly what INSERT OR REPLACE would, without a statement journal.
int SetWinnerClock(ExtData* ext, const Change& c, std::string_view col, int64_t col_version,
                   bool known_new, int64_t* ordinal, std::string* err) {
  int rc = CachedSiteOrdinal(ext, c, ordinal, err);
  if (rc != SQLITE_OK) return rc;
  int64_t v = 0;
  rc = ext->NextDbVersion(c.db_version, &v, err);
  if (rc != SQLITE_OK) return rc;
  sqlite3_stmt* s = GetTableStmt(ext->db, c.table,
                                 known_new ? TableStmt::kInsertClock : TableStmt::kSetWinner, err);
  if (!s) return SQLITE_ERROR;
  StmtUse use(s);
  sqlite3_bind_int64(s, 1, c.key);
  sqlite3_bind_text(s, 2, col.data(), static_cast<int>(col.size()), SQLITE_STATIC);
  sqlite3_bind_int64(s, 3, col_version);
  sqlite3_bind_int64(s, 4, v);
  sqlite3_bind_int64(s, 5, c.seq);
  sqlite3_bind_int64(s, 6, *ordinal);
  return StepDone(ext->db, s, err);
}

// Creates or resurrects the row: base row with defaults if absent, cell clocks zeroed (so values
// from before a delete this node missed lose to any write of the new life), sentinel recorded.
int MergeSentinel(ExtData* ext, const Change& c, int64_t sentinel_version, std::string* err) {
  sqlite3* db = ext->db;
  MergeCache& cache = ext->merge_cache;
  sqlite3_stmt* create = GetTableStmt(db, c.table, TableStmt::kCreateBase, err);
  if (!create) return SQLITE_ERROR;
  int rc;
  {
    SyncBitGuard guard(ext);
    StmtUse use(create);
    BindPks(create, *c.pks, 1);
    rc = StepDone(db, create, err);
  }
  if (rc != SQLITE_OK) return rc;
  int64_t v = 0;
  rc = ext->NextDbVersion(c.db_version, &v, err);
  if (rc != SQLITE_OK) return rc;
  if (!cache.NoCells()) {
    sqlite3_stmt* zero = GetTableStmt(db, c.table, TableStmt::kZeroCells, err);
    if (!zero) return SQLITE_ERROR;
    StmtUse use(zero);
    sqlite3_bind_int64(zero, 1, c.key);
    sqlite3_bind_int64(zero, 2, v);
    rc = StepDone(db, zero, err);
    if (rc != SQLITE_OK) return rc;
    cache.CellsZeroed();
  }
  int64_t ordinal = 0;
  rc = SetWinnerClock(ext, c, kSentinel, sentinel_version, !cache.HasSentinel(), &ordinal, err);
  if (rc == SQLITE_OK) cache.SentinelWritten(sentinel_version);
  return rc;
}

int MergeDelete(ExtData* ext, const Change& c, std::string* err) {
  sqlite3* db = ext->db;
  MergeCache& cache = ext->merge_cache;
  sqlite3_stmt* del = GetTableStmt(db, c.table, TableStmt::kDeleteBase, err);
  if (!del) return SQLITE_ERROR;
  int rc;
  {
    SyncBitGuard guard(ext);
    StmtUse use(del);
    BindPks(del, *c.pks, 1);
    rc = StepDone(db, del, err);
  }
  if (rc != SQLITE_OK) return rc;
  int64_t ordinal = 0;
  rc = SetWinnerClock(ext, c, kSentinel, c.col_version, !cache.HasSentinel(), &ordinal, err);
  if (rc != SQLITE_OK) return rc;
  cache.SentinelWritten(c.col_version);
  if (cache.NoCells()) return SQLITE_OK;
  sqlite3_stmt* drop = GetTableStmt(db, c.table, TableStmt::kDropCells, err);
  if (!drop) return SQLITE_ERROR;
  StmtUse use(drop);
  sqlite3_bind_int64(drop, 1, c.key);
  rc = StepDone(db, drop, err);
  if (rc == SQLITE_OK) cache.CellsDropped();
  return rc;
}

// Reads the key's sentinel and whether it has any clock entry; starts caching the row.
int StartCachedRow(ExtData* ext, const Change& c, std::string_view pk_blob,
                   std::vector<Value> pks, std::string* err) {
  sqlite3_stmt* s = GetTableStmt(ext->db, c.table, TableStmt::kLocalCl, err);
  if (!s) return SQLITE_ERROR;
  StmtUse use(s);
  sqlite3_bind_int64(s, 1, c.key);
  int rc = sqlite3_step(s);
  if (rc != SQLITE_ROW) {
    *err = sqlite3_errmsg(ext->db);
    return rc;
  }
  bool has_sentinel = sqlite3_column_type(s, 0) != SQLITE_NULL;
  ext->merge_cache.StartRow(c.table, pk_blob, std::move(pks), c.key, has_sentinel,
                            has_sentinel ? sqlite3_column_int64(s, 0) : 0,
                            sqlite3_column_int64(s, 1) != 0, c.table->non_pks.size());
  return SQLITE_OK;
}

// §10.4: only reached with cl == local cl (odd) and a known row.
int DidCidWin(ExtData* ext, const Change& c, int col, bool* wins, std::string* err) {
  sqlite3* db = ext->db;
  MergeCache& cache = ext->merge_cache;
  CachedCellClock local = cache.Cell(col);
  if (!local.known) {
    sqlite3_stmt* cv = GetTableStmt(db, c.table, TableStmt::kCellVersion, err);
    if (!cv) return SQLITE_ERROR;
    StmtUse use(cv);
    sqlite3_bind_int64(cv, 1, c.key);
    sqlite3_bind_text(cv, 2, c.cid.data(), static_cast<int>(c.cid.size()), SQLITE_STATIC);
    int rc = sqlite3_step(cv);
    if (rc == SQLITE_ROW) {
      local = CachedCellClock{true, true, sqlite3_column_int64(cv, 0), sqlite3_column_int64(cv, 1)};
    } else if (rc == SQLITE_DONE) {
      local = CachedCellClock{true, false, 0, 0};
    } else {
      *err = sqlite3_errmsg(db);
      return rc;
    }
    cache.CellRead(col, local.present, local.version, local.ordinal);
  }
  if (!local.present) {
    *wins = true;
    return SQLITE_OK;
  }
  if (c.col_version != local.version) {
    *wins = c.col_version > local.version;
    return SQLITE_OK;
  }
  sqlite3_stmt* sel = GetSelectCellStmt(db, c.table, col, err);
  if (!sel) return SQLITE_ERROR;
  StmtUse use(sel);
  BindPks(sel, *c.pks, 1);
  int rc = sqlite3_step(sel);
  if (rc == SQLITE_DONE) {
    // The clock says the row is alive but the base row is gone (deleted with the sync bit set or
    // during an alter window). cr-sqlite 0.16 fails the merge here forever; we let the incoming
    // value win so the row is restored and peers converge (docs/crdt.md).
    *wins = true;
    return SQLITE_OK;
  }
  if (rc != SQLITE_ROW) {
    *err = sqlite3_errmsg(db);
    return rc;
  }
  int cmp = CompareSqliteValues(c.val, sqlite3_column_value(sel, 0));
  if (cmp == 0 && ext->merge_equal_values == 1) {
    std::string local_site;
    if (!ext->SiteIdForOrdinal(local.ordinal, &local_site)) {
      *err = "crsql - could not find site_id for previous change, cr-sqlite clock table might be "
             "corrupt for tbl " + c.table->name;
      return SQLITE_ERROR;
    }
    size_t n = std::min<size_t>(c.site_len, local_site.size());
    int bc = n ? std::memcmp(c.site, local_site.data(), n) : 0;
    if (bc == 0 && static_cast<size_t>(c.site_len) != local_site.size()) {
      bc = static_cast<size_t>(c.site_len) < local_site.size() ? -1 : 1;
    }
    cmp = bc;
  }
  *wins = cmp > 0;
  return SQLITE_OK;
}

int WriteCell(ExtData* ext, const Change& c, int col, std::string* err) {
  sqlite3_stmt* up = GetUpsertCellStmt(ext->db, c.table, col, err);
  if (!up) return SQLITE_ERROR;
  SyncBitGuard guard(ext);
  StmtUse use(up);
  BindPks(up, *c.pks, 1);
  sqlite3_bind_value(up, static_cast<int>(c.pks->size() + 1), c.val);
  return StepDone(ext->db, up, err);
}

std::string_view TextOf(sqlite3_value* v) {
  const unsigned char* t = sqlite3_value_text(v);
  return t ? std::string_view(reinterpret_cast<const char*>(t),
                              static_cast<size_t>(sqlite3_value_bytes(v)))
           : std::string_view();
}

int MergeChangeImpl(ExtData* ext, sqlite3_value** cols, int64_t* rowid, std::string* err) {
  MergeCache& cache = ext->merge_cache;
  Change c;
  if (sqlite3_value_bytes(cols[kChangesTable]) > kMaxNameLength) {
    *err = "crsql - table name exceeded max length";
    return SQLITE_ERROR;
  }
  std::string_view tbl = TextOf(cols[kChangesTable]);
  int rc = SQLITE_OK;
  c.table = ext->FindTable(tbl, err, &rc);
  if (rc != SQLITE_OK) return rc;
  if (!c.table) {
    *err = "crsql - could not find the schema information for table " + std::string(tbl);
    return SQLITE_ERROR;
  }
  sqlite3* db = ext->db;
  cache.Revalidate(db, ext->tables_generation);
  sqlite3_value* pk = cols[kChangesPk];
  const void* pk_bytes = sqlite3_value_blob(pk);
  std::string_view pk_blob(static_cast<const char*>(pk_bytes ? pk_bytes : ""),
                           static_cast<size_t>(sqlite3_value_bytes(pk)));
  const bool cached_row = cache.HasRow(c.table, pk_blob);
  std::vector<Value> pks;
  if (!cached_row) {
    UnpackResult unpacked = UnpackValues(pk_blob);
    if (unpacked.rc != SQLITE_OK) {
      *err = unpacked.error;
      return unpacked.rc;
    }
    if (unpacked.values.size() != c.table->pks.size()) {
      *err = "crsql - pk has " + std::to_string(unpacked.values.size()) + " values but table " +
             std::string(tbl) + " has " + std::to_string(c.table->pks.size()) +
             " primary key columns";
      return SQLITE_RANGE;
    }
    pks = std::move(unpacked.values);
  }
  if (sqlite3_value_bytes(cols[kChangesCid]) > kMaxNameLength) {
    *err = "crsql - column name exceeded max length";
    return SQLITE_ERROR;
  }
  c.cid = TextOf(cols[kChangesCid]);
  c.val = cols[kChangesVal];
  c.col_version = sqlite3_value_int64(cols[kChangesColVersion]);
  // A hostile db_version near INT64_MAX would become the local version (merges store
  // max(local + 1, remote)) and make every later write overflow; NULL or negative ones are
  // never sent by a real peer. Refuse them (docs/crdt.md).
  sqlite3_value* dbv = cols[kChangesDbVersion];
  if (sqlite3_value_type(dbv) != SQLITE_INTEGER || sqlite3_value_int64(dbv) < 0 ||
      sqlite3_value_int64(dbv) > kMaxDbVersion) {
    *err = "crsql - db_version must be an integer between 0 and " + std::to_string(kMaxDbVersion);
    return SQLITE_MISMATCH;
  }
  c.db_version = sqlite3_value_int64(dbv);
  sqlite3_value* site = cols[kChangesSiteId];
  if (sqlite3_value_type(site) != SQLITE_NULL) {
    c.site = sqlite3_value_blob(site);
    c.site_len = sqlite3_value_bytes(site);
  }
  if (c.site_len > kMaxSiteIdLength) {
    *err = "crsql - site id exceeded max length";
    return SQLITE_ERROR;
  }
  c.cl = sqlite3_value_int64(cols[kChangesCl]);
  c.seq = sqlite3_value_int64(cols[kChangesSeq]);

  if (cached_row) {
    c.key = cache.key();
  } else {
    bool existed = false;
    rc = GetOrCreateKeyFromValues(db, c.table, pks, cache.last_key_was_new, &c.key, &existed,
                                  err);
    if (rc != SQLITE_OK) return rc;
    cache.last_key_was_new = !existed;
    rc = StartCachedRow(ext, c, pk_blob, std::move(pks), err);
    if (rc != SQLITE_OK) return rc;
  }
  c.pks = &cache.pks();
  *rowid = c.key;
  const int64_t local_cl = cache.LocalCausalLength();

  if (c.cl < local_cl) return SQLITE_OK;  // stale: an older life of the row
  const bool is_delete = c.cl % 2 == 0;
  const bool needs_resurrect = c.cl > local_cl && c.cl % 2 == 1;
  const bool row_exists = local_cl != 0;

  if (is_delete) {
    if (c.cl == local_cl) return SQLITE_OK;
    rc = MergeDelete(ext, c, err);
    if (rc == SQLITE_OK) ext->rows_impacted += 1;
    return rc;
  }
  if (c.cid == kSentinel) {
    if (c.cl == local_cl) return SQLITE_OK;
    rc = MergeSentinel(ext, c, c.col_version, err);
    if (rc == SQLITE_OK) ext->rows_impacted += 1;
    return rc;
  }
  int col = c.table->NonPkIndex(c.cid);
  if (col < 0) {
    *err = "crsql - column " + std::string(c.cid) + " does not exist in table " + std::string(tbl);
    return SQLITE_ERROR;
  }
  if (needs_resurrect && (row_exists || c.cl > 1)) {
    rc = MergeSentinel(ext, c, c.cl, err);
    if (rc != SQLITE_OK) return rc;
    ext->rows_impacted += 1;
  }
  bool wins = needs_resurrect || !row_exists;
  if (!wins) {
    rc = DidCidWin(ext, c, col, &wins, err);
    if (rc != SQLITE_OK) return rc;
  }
  if (!wins) return SQLITE_OK;
  rc = WriteCell(ext, c, col, err);
  if (rc != SQLITE_OK) return rc;
  int64_t ordinal = 0;
  const CachedCellClock local = cache.Cell(col);
  rc = SetWinnerClock(ext, c, c.cid, c.col_version, local.known && !local.present, &ordinal, err);
  if (rc != SQLITE_OK) return rc;
  cache.CellWritten(col, c.col_version, ordinal);
  ext->rows_impacted += 1;
  return SQLITE_OK;
}

}  // namespace

int MergeChange(ExtData* ext, sqlite3_value** cols, int64_t* rowid, std::string* err) {
  int rc;
  try {
    rc = MergeChangeImpl(ext, cols, rowid, err);
  } catch (...) {
    ext->merge_cache.Invalidate();
    throw;
  }
  if (rc == SQLITE_OK) {
    ext->merge_cache.MergeSucceeded(ext->db, ext->tables_generation);
  } else {
    ext->merge_cache.Invalidate();
  }
  return rc;
}

}  // namespace crsync::crsqlite

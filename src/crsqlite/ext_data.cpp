// Per-connection state: table-info cache, db_version/seq bookkeeping, site-id ordinals and the
// transaction hooks (see ext_data.h and spec §4, §8).
#include "crsqlite/ext_data.h"

#include <algorithm>
#include <cstdint>

namespace crsync::crsqlite {

int TableInfo::NonPkIndex(std::string_view col) const {
  for (size_t k = 0; k < non_pks.size(); ++k) {
    if (non_pks[k].name == col) return static_cast<int>(k);
  }
  return -1;
}

bool LoadTableInfo(sqlite3* db, const std::string& name, TableInfo* out, std::string* err) {
  int rc = SQLITE_OK;
  Stmt s = Prepare(db,
                   "SELECT cid, name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?1) "
                   "ORDER BY cid",
                   &rc, err);
  if (!s) return false;
  sqlite3_bind_text(s.get(), 1, name.data(), static_cast<int>(name.size()), SQLITE_TRANSIENT);
  out->name = name;
  out->pks.clear();
  out->non_pks.clear();
  bool any = false;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    any = true;
    ColumnInfo c;
    c.cid = sqlite3_column_int(s.get(), 0);
    c.name = reinterpret_cast<const char*>(sqlite3_column_text(s.get(), 1));
    const unsigned char* type = sqlite3_column_text(s.get(), 2);
    c.type = type ? reinterpret_cast<const char*>(type) : "";
    c.notnull = sqlite3_column_int(s.get(), 3) != 0;
    if (sqlite3_column_type(s.get(), 4) != SQLITE_NULL) {
      c.dflt = reinterpret_cast<const char*>(sqlite3_column_text(s.get(), 4));
    }
    c.pk = sqlite3_column_int(s.get(), 5);
    if (c.pk > 0) {
      out->pks.push_back(std::move(c));
    } else {
      out->non_pks.push_back(std::move(c));
    }
  }
  if (rc != SQLITE_DONE) {
    if (err) *err = sqlite3_errmsg(db);
    return false;
  }
  std::stable_sort(out->pks.begin(), out->pks.end(),
                   [](const ColumnInfo& a, const ColumnInfo& b) { return a.pk < b.pk; });
  return any;
}

void ExtData::FinalizeStatements() {
  ++tables_generation;
  merge_cache.Invalidate();
  tables.clear();
  clock_tables.clear();
  tables_schema_version = -1;
  data_version_stmt = Stmt();
  schema_version_stmt = Stmt();
  db_version_stmt = Stmt();
  db_version_stmt_schema = -1;
  site_ordinal_select = Stmt();
  site_ordinal_insert = Stmt();
  site_by_ordinal = Stmt();
  changes_read_cache.clear();
  changes_read_schema = -1;
}

void ExtData::InvalidateTableInfos() {
  ++tables_generation;
  tables_schema_version = -1;
  tables_checked_this_tx = false;
  db_version_stmt_schema = -1;
}

static int ReadSchemaVersion(ExtData* ext, int64_t* out) {
  if (!ext->schema_version_stmt) {
    int rc = SQLITE_OK;
    ext->schema_version_stmt = Prepare(ext->db, "PRAGMA schema_version", &rc);
    if (!ext->schema_version_stmt) return rc;
  }
  sqlite3_stmt* s = ext->schema_version_stmt.get();
  int rc = sqlite3_step(s);
  *out = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
  sqlite3_reset(s);
  return rc == SQLITE_ROW ? SQLITE_OK : rc;
}

static int ReloadTableInfos(ExtData* ext, int64_t schema_version, std::string* err) {
  ++ext->tables_generation;
  ext->tables.clear();
  ext->clock_tables.clear();
  int rc = SQLITE_OK;
  Stmt s = Prepare(ext->db,
                   "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE "
                   "'%\\_\\_crsql\\_clock' ESCAPE '\\'",
                   &rc, err);
  if (!s) return rc;
  std::vector<std::string> names;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    names.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(s.get(), 0)));
  }
  if (rc != SQLITE_DONE) {
    if (err) *err = sqlite3_errmsg(ext->db);
    return rc;
  }
  const std::string suffix = kClockSuffix;
  for (const std::string& clock : names) {
    if (clock.size() <= suffix.size()) continue;
    ext->clock_tables.push_back(clock);
    auto info = std::make_unique<TableInfo>();
    std::string base = clock.substr(0, clock.size() - suffix.size());
    if (!LoadTableInfo(ext->db, base, info.get(), err)) continue;  // orphan clock table
    if (info->pks.empty()) continue;
    info->index = static_cast<int>(ext->tables.size());
    ext->tables.push_back(std::move(info));
  }
  ext->tables_schema_version = schema_version;
  return SQLITE_OK;
}

int ExtData::EnsureTableInfos(std::string* err) {
  if (tables_checked_this_tx && tables_schema_version >= 0) return SQLITE_OK;
  int64_t sv = -1;
  int rc = ReadSchemaVersion(this, &sv);
  if (rc != SQLITE_OK) {
    if (err) *err = sqlite3_errmsg(db);
    return rc;
  }
  tables_checked_this_tx = true;
  if (sv == tables_schema_version) return SQLITE_OK;
  return ReloadTableInfos(this, sv, err);
}

TableInfo* ExtData::FindTable(std::string_view name, std::string* err, int* rc) {
  *rc = EnsureTableInfos(err);
  if (*rc != SQLITE_OK) return nullptr;
  for (auto& t : tables) {
    if (t->name == name) return t.get();
  }
  // A miss may be a CRR created since the last check (same transaction or another connection).
  int64_t sv = -1;
  *rc = ReadSchemaVersion(this, &sv);
  if (*rc != SQLITE_OK) return nullptr;
  if (sv != tables_schema_version) {
    *rc = ReloadTableInfos(this, sv, err);
    if (*rc != SQLITE_OK) return nullptr;
    for (auto& t : tables) {
      if (t->name == name) return t.get();
    }
  }
  return nullptr;
}

int ExtData::FillDbVersion(std::string* err) {
  if (!data_version_stmt) {
    int rc = SQLITE_OK;
    data_version_stmt = Prepare(db, "PRAGMA data_version", &rc, err);
    if (!data_version_stmt) return rc;
  }
  sqlite3_stmt* dv = data_version_stmt.get();
  int rc = sqlite3_step(dv);
  int64_t data_version = rc == SQLITE_ROW ? sqlite3_column_int64(dv, 0) : -1;
  sqlite3_reset(dv);
  if (rc != SQLITE_ROW) {
    if (err) *err = "failed to fill db version";
    return rc == SQLITE_DONE ? SQLITE_ERROR : rc;
  }
  if (db_version != -1 && data_version == last_data_version) return SQLITE_OK;

  // Reload from storage over every clock table (orphans included: their versions happened).
  int64_t sv = -1;
  rc = ReadSchemaVersion(this, &sv);
  if (rc != SQLITE_OK) return rc;
  if (sv != tables_schema_version) {
    rc = ReloadTableInfos(this, sv, err);
    if (rc != SQLITE_OK) return rc;
  }
  if (clock_tables.empty()) {
    db_version = 0;
    last_data_version = data_version;
    return SQLITE_OK;
  }
  if (!db_version_stmt || db_version_stmt_schema != sv) {
    std::vector<std::string> parts;
    for (const std::string& clock : clock_tables) {
      parts.push_back("SELECT max(db_version) AS version FROM " + QuoteIdent(clock));
    }
    std::string sql = "SELECT max(version) FROM (" + Join(parts, " UNION ALL ") +
                      " UNION SELECT value FROM crsql_master WHERE key = 'pre_compact_dbversion')";
    db_version_stmt = Prepare(db, sql, &rc, err);
    if (!db_version_stmt) return rc;
    db_version_stmt_schema = sv;
  }
  sqlite3_stmt* q = db_version_stmt.get();
  rc = sqlite3_step(q);
  if (rc == SQLITE_ROW) {
    db_version = sqlite3_column_type(q, 0) == SQLITE_NULL ? 0 : sqlite3_column_int64(q, 0);
    rc = SQLITE_OK;
  } else {
    if (err) *err = "failed to fill db version";
    rc = rc == SQLITE_DONE ? SQLITE_ERROR : rc;
  }
  sqlite3_reset(q);
  if (rc == SQLITE_OK) last_data_version = data_version;
  return rc;
}

int ExtData::NextDbVersion(int64_t merging, int64_t* out, std::string* err) {
  if (!pending_in_write_tx) {
    int rc = FillDbVersion(err);
    if (rc != SQLITE_OK) return rc;
  }
  if (db_version >= INT64_MAX - 1 || pending_db_version >= INT64_MAX - 1) {
    if (err) *err = "crsql - db_version exhausted";
    return SQLITE_FULL;
  }
  int64_t ret = db_version + 1;
  if (pending_db_version > ret) ret = pending_db_version;
  if (merging > ret) ret = merging;
  pending_db_version = ret;
  pending_in_write_tx = sqlite3_txn_state(db, "main") == SQLITE_TXN_WRITE;
  *out = ret;
  return SQLITE_OK;
}

int ExtData::SiteOrdinal(const void* site, int len, int64_t* ordinal, std::string* err) {
  *ordinal = 0;
  if (site == nullptr || len <= 0) return SQLITE_OK;
  if (static_cast<size_t>(len) == site_id.size() && std::equal(site_id.begin(), site_id.end(),
                                                               static_cast<const char*>(site))) {
    return SQLITE_OK;
  }
  int rc = SQLITE_OK;
  if (!site_ordinal_select) {
    site_ordinal_select =
        Prepare(db, "SELECT ordinal FROM crsql_site_id WHERE site_id = ?1", &rc, err);
    if (!site_ordinal_select) return rc;
  }
  sqlite3_stmt* s = site_ordinal_select.get();
  sqlite3_bind_blob(s, 1, site, len, SQLITE_STATIC);
  rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) {
    *ordinal = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return SQLITE_OK;
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    if (err) *err = sqlite3_errmsg(db);
    return rc;
  }
  if (!site_ordinal_insert) {
    site_ordinal_insert = Prepare(
        db, "INSERT INTO crsql_site_id (site_id) VALUES (?1) RETURNING ordinal", &rc, err);
    if (!site_ordinal_insert) return rc;
  }
  s = site_ordinal_insert.get();
  sqlite3_bind_blob(s, 1, site, len, SQLITE_STATIC);
  rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) *ordinal = sqlite3_column_int64(s, 0);
  if (rc == SQLITE_ROW) rc = sqlite3_step(s);
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    if (err) *err = sqlite3_errmsg(db);
    return rc;
  }
  return SQLITE_OK;
}

bool ExtData::SiteIdForOrdinal(int64_t ordinal, std::string* out) {
  if (ordinal == 0) {
    *out = site_id;
    return true;
  }
  if (!site_by_ordinal) {
    site_by_ordinal = Prepare(db, "SELECT site_id FROM crsql_site_id WHERE ordinal = ?1");
    if (!site_by_ordinal) return false;
  }
  sqlite3_stmt* s = site_by_ordinal.get();
  sqlite3_bind_int64(s, 1, ordinal);
  bool found = sqlite3_step(s) == SQLITE_ROW;
  if (found) {
    const void* b = sqlite3_column_blob(s, 0);
    int n = sqlite3_column_bytes(s, 0);
    out->assign(static_cast<const char*>(b ? b : ""), n);
  }
  sqlite3_reset(s);
  return found;
}

void ExtData::OnCommit() {
  db_version = pending_db_version;
  pending_db_version = -1;
  pending_in_write_tx = false;
  seq = 0;
  tables_checked_this_tx = false;
  merge_cache.Invalidate();
}

void ExtData::OnRollback() {
  pending_db_version = -1;
  pending_in_write_tx = false;
  seq = 0;
  tables_checked_this_tx = false;
  merge_cache.Invalidate();
}

}  // namespace crsync::crsqlite

// Per-connection engine state ("ext data", spec §4): db_version bookkeeping, seq, the sync bit,
// rows_impacted, the merge-equal-values flag, the site id, the table-info cache and the cache of
// prepared statements. One ExtData exists per connection; every SQL function, trigger helper and
// the crsql_changes vtab of that connection share it. Not thread-safe: SQLite serialises calls
// on one connection, and that is the only access path.
//
// Table-info cache: unlike cr-sqlite 0.16 (refresh at most once per transaction, only when
// schema_version grew), we refresh whenever schema_version differs, on any lookup miss, and
// whenever the engine itself changes CRR schemas — so a CRR created or altered inside a
// transaction is usable at once and rolled-back DDL never leaves stale column lists.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "crsqlite/merge_cache.h"
#include "crsqlite/sql_util.h"
#include "crsqlite/sqlite_api.h"

namespace crsync::crsqlite {

inline constexpr const char* kSentinel = "-1";
inline constexpr const char* kClockSuffix = "__crsql_clock";
inline constexpr const char* kPksSuffix = "__crsql_pks";

struct ColumnInfo {
  std::string name;
  int cid = 0;
  int pk = 0;  // position in PRIMARY KEY (1-based), 0 if not part of it
  std::string type;
  std::optional<std::string> dflt;  // default expression text, as pragma_table_info reports it
  bool notnull = false;
};

// A CRR known to the cache, with its lazily prepared statements.
struct TableInfo {
  std::string name;
  int index = 0;                    // position in the cache (rowid of crsql_changes rows)
  std::vector<ColumnInfo> pks;      // PRIMARY KEY order
  std::vector<ColumnInfo> non_pks;  // cid order

  // Returns the index of non-PK column `name` or -1.
  int NonPkIndex(std::string_view col) const;

  // Lookaside (T__crsql_pks) and clock statements, prepared on first use.
  Stmt select_key;       // SELECT __crsql_key FROM pks WHERE pk1 IS ?1 AND ...
  Stmt insert_key;       // INSERT OR IGNORE INTO pks (pk...) VALUES (...)
  Stmt mark_updated;     // upsert one cell clock (?1 key, ?2 col, ?3 dbv, ?4 seq)
  Stmt mark_all_cells;   // upsert every non-PK cell clock (?1 key, ?2 dbv, ?3.. seqs)
  Stmt mark_created;     // sentinel upsert to next odd (?1 key, ?2 dbv, ?3 seq)
  Stmt mark_deleted;     // sentinel upsert +1 (?1 key, ?2 dbv, ?3 seq)
  Stmt bump_sentinel;    // existing sentinel to next odd (?1 key, ?2 dbv, ?3 seq)
  Stmt drop_cells;       // delete non-sentinel clocks of ?1
  Stmt move_cells;       // move non-sentinel clocks from ?2 to ?1
  Stmt local_cl;         // sentinel col_version (or NULL), whether ?1 has any clock entry
  Stmt cell_version;     // col_version and site ordinal of (?1 key, ?2 col)
  Stmt set_winner;       // INSERT OR REPLACE clock row
  Stmt insert_clock;     // INSERT clock row (known to be new: no statement journal needed)
  Stmt zero_cells;       // col_version = 0, db_version = ?2 for non-sentinel clocks of ?1
  Stmt delete_base;      // DELETE FROM T WHERE pks
  Stmt create_base;      // INSERT OR IGNORE INTO T (pks) VALUES (...)
  std::vector<Stmt> upsert_cell;   // per non-PK column: INSERT .. ON CONFLICT DO UPDATE
  std::vector<Stmt> select_cell;   // per non-PK column: SELECT c FROM T WHERE pks
};

struct ExtData {
  sqlite3* db = nullptr;
  std::string site_id;  // 16 bytes, ordinal 0

  int64_t db_version = -1;
  int64_t pending_db_version = -1;
  // True when pending_db_version was taken inside the current write transaction; then no other
  // connection can commit before it ends and the data_version check can be skipped.
  bool pending_in_write_tx = false;
  int32_t seq = 0;
  int64_t rows_impacted = 0;
  int64_t merge_equal_values = 0;
  int64_t sync_bit = 0;
  int64_t last_data_version = -1;

  // Table-info cache.
  std::vector<std::unique_ptr<TableInfo>> tables;
  std::vector<std::string> clock_tables;  // every *__crsql_clock table, orphans included
  int64_t tables_schema_version = -1;
  bool tables_checked_this_tx = false;
  // Grows whenever the TableInfo objects are replaced or may be stale (caches holding a
  // TableInfo* compare it).
  uint64_t tables_generation = 0;

  // What consecutive merges remember (merge_cache.h).
  MergeCache merge_cache;

  // Connection-level statements, prepared on first use.
  Stmt data_version_stmt;
  Stmt schema_version_stmt;
  Stmt db_version_stmt;
  int64_t db_version_stmt_schema = -1;
  Stmt site_ordinal_select;
  Stmt site_ordinal_insert;
  Stmt site_by_ordinal;
  // crsql_changes read statements by idxStr, valid for one CRR set (tables_schema_version).
  std::map<std::string, Stmt> changes_read_cache;
  int64_t changes_read_schema = -1;

  explicit ExtData(sqlite3* d) : db(d) {}

  // Finalizes every cached statement (crsql_finalize). The state stays usable.
  void FinalizeStatements();

  // --- table infos ---
  // Makes sure the cache reflects the schema (see the file comment). SQLite code on error.
  int EnsureTableInfos(std::string* err);
  // Forces a reload at the next EnsureTableInfos.
  void InvalidateTableInfos();
  // Looks up a CRR by exact name, reloading once on a miss. nullptr if unknown.
  TableInfo* FindTable(std::string_view name, std::string* err, int* rc);

  // --- versions ---
  // Loads db_version from storage if another connection committed or it is unknown (§8.1).
  int FillDbVersion(std::string* err);
  // max(db_version + 1, pending, merging); records it as pending (§8.2).
  int NextDbVersion(int64_t merging, int64_t* out, std::string* err);
  int32_t BumpSeq() { return seq++; }

  // --- site ids ---
  // Ordinal of a site id blob, inserting it when unseen. Empty/NULL and our own id map to 0.
  int SiteOrdinal(const void* site, int len, int64_t* ordinal, std::string* err);
  // Site id bytes of an ordinal; false when unknown.
  bool SiteIdForOrdinal(int64_t ordinal, std::string* out);

  // --- transaction hooks ---
  void OnCommit();
  void OnRollback();
};

// Loads one table's info from pragma_table_info. Returns false if the table does not exist.
bool LoadTableInfo(sqlite3* db, const std::string& name, TableInfo* out, std::string* err);

}  // namespace crsync::crsqlite

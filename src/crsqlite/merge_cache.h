// What consecutive merges (changes_merge.cpp) remember of the row they merged last. A peer
// sends all cells of a row one after the other, so the next change usually targets the same
// row: the cache lets it skip unpacking the pk, the lookaside-key and causal-length lookups and
// most cell-clock lookups, whose answers the previous merges already know or wrote themselves.
// It also remembers the last remote site id's crsql_site_id ordinal.
//
// Invariant: the cache only holds what the database holds. It describes the database as the
// previous merge left it, so it is dropped whenever something else may have written since:
//   * commit and rollback (ExtData::OnCommit/OnRollback), any savepoint or statement rollback
//     (crsql_changes' xRollbackTo), crsql_finalize and table-info reloads (tables_generation);
//   * a merge that failed (its statement's partial writes may be rolled back);
//   * sqlite3_total_changes64 grew by more than the merges' own INSERT statements account for
//     (each merged row counts at most one change when its statement ends); any other write —
//     local writes through the CRR triggers, direct SQL — counts too and drops the cache.
// Base-table values are never cached; they are always read from the table.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crsqlite/sqlite_api.h"
#include "crsqlite/value.h"

namespace crsync::crsqlite {

struct TableInfo;

// The clock entry of one non-PK cell, as far as the cache knows it.
struct CachedCellClock {
  bool known = false;    // false: ask the clock table (unless the row's cells are complete)
  bool present = false;  // a clock entry exists
  int64_t version = 0;   // its col_version
  int64_t ordinal = 0;   // its site ordinal
};

class MergeCache {
 public:
  // At the start of a merge: drops everything when the database may have changed since the
  // previous merge ended (see the file comment).
  void Revalidate(sqlite3* db, uint64_t tables_generation);
  // After a successful merge: from now on the cache describes the database.
  void MergeSucceeded(sqlite3* db, uint64_t tables_generation);
  void Invalidate();

  // --- the row of the previous merge ---
  bool HasRow(const TableInfo* t, std::string_view pk_blob) const {
    return row_valid_ && table_ == t && pk_blob_ == pk_blob;
  }
  // Starts describing a row whose clock entries were just read: the sentinel's col_version
  // (when has_sentinel) and whether any clock entry exists for the key.
  void StartRow(TableInfo* t, std::string_view pk_blob, std::vector<Value> pks, int64_t key,
                bool has_sentinel, int64_t sentinel, bool any_entry, size_t columns);
  const std::vector<Value>& pks() const { return pks_; }
  int64_t key() const { return key_; }
  // The causal length the clock table reports: the sentinel's col_version, else 1 if the key has
  // any clock entry, else 0.
  int64_t LocalCausalLength() const { return has_sentinel_ ? sentinel_ : (any_entry_ ? 1 : 0); }
  // True when the key has a sentinel clock entry.
  bool HasSentinel() const { return has_sentinel_; }
  // True when every non-PK clock entry of the key is known (absent unless recorded).
  bool cells_complete() const { return cells_complete_; }
  // True when the key is known to have no non-PK clock entry.
  bool NoCells() const;
  CachedCellClock Cell(int col) const;

  // Records the writes of a merge (after they succeeded).
  void CellRead(int col, bool present, int64_t version, int64_t ordinal);
  void CellWritten(int col, int64_t version, int64_t ordinal);
  void SentinelWritten(int64_t version);
  void CellsZeroed();   // col_version = 0 for every non-PK entry
  void CellsDropped();  // every non-PK entry deleted

  // Whether the last row merged without a cached key needed a new lookaside key: then the next
  // one most likely does too (a fresh peer), and creating before looking up saves a statement.
  bool last_key_was_new = false;

  // --- the last remote site id ---
  bool FindSite(const void* site, int len, int64_t* ordinal) const;
  void RememberSite(const void* site, int len, int64_t ordinal);

 private:
  bool valid_ = false;
  uint64_t tables_generation_ = 0;
  int64_t total_changes_ = 0;   // sqlite3_total_changes64 when the last merge ended
  int64_t unaccounted_ = 0;     // merges whose INSERT statement may not have ended yet

  bool row_valid_ = false;
  TableInfo* table_ = nullptr;
  std::string pk_blob_;
  std::vector<Value> pks_;
  int64_t key_ = 0;
  bool has_sentinel_ = false;
  int64_t sentinel_ = 0;
  bool any_entry_ = false;
  bool cells_complete_ = false;
  std::vector<CachedCellClock> cells_;

  bool site_valid_ = false;
  std::string site_;
  int64_t site_ordinal_ = 0;
};

}  // namespace crsync::crsqlite

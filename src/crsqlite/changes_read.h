// Reading crsql_changes (spec §9): the scan behind the virtual table's xFilter.
//
// A scan reads every CRR with statements that do not return rows: they feed each change to the
// internal aggregate crsql_internal_changes_collect, which copies it into the scan's memory. The
// scan then orders all changes of all tables by (db_version, seq) in C++ and the cursor walks
// them. Compared with the original's UNION ALL + ORDER BY this saves SQLite's sorter records and
// the per-row sqlite3_step/sqlite3_column_* round trips, and copies each value once. The whole
// result is held in memory (the original's sorter held it too, but could spill to temp files).
//
// Two ways to read a table; results are identical, only the cost differs:
//   * full scan, when the filter keeps a third of the table or more: one pass over the lookaside
//     joined with the base table (packed PK and current values, once per row), then one pass
//     over the clock table in primary-key order. Both are in key order, so C++ joins them by
//     walking, and takes the causal length from the key's sentinel entry (no second clock lookup).
//     The constraints are evaluated per entry by SQLite, as an expression passed to the collector.
//   * filtered, otherwise (typically the `db_version > ? AND site_id IS NOT ?` of an incremental
//     pull): the original's join with the constraints in WHERE, so the db_version index is used.
// Constraints on site_id are evaluated by SQLite once per crsql_site_id row (the table is tiny)
// and applied per change in C++; the site-id blobs come from that same read.
//
// Invariant: every pushed-down constraint is evaluated by SQLite on the same operand expression
// as in the original's query (same affinity, same collation), so the result never depends on
// which way a table was read. A scan owns everything it returns; it uses the connection's cached
// statements only inside Run, so any number of scans may be open at once.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crsqlite/sqlite_api.h"

namespace crsync::crsqlite {

struct ExtData;

// One constraint pushed down by xBestIndex.
struct ChangesConstraint {
  int column = 0;        // crsql_changes column index (ChangesColumn)
  int op = 0;            // SQLITE_INDEX_CONSTRAINT_*
  bool has_arg = false;  // false for IS NULL / IS NOT NULL
};

// What xBestIndex decided for one scan. Its text form is the idxStr that EXPLAIN QUERY PLAN
// shows, in the original's words: "WHERE db_vrsn > ? AND site_id IS NOT ? ORDER BY db_vrsn,
// seq ASC".
struct ChangesScanSpec {
  // The k-th constraint with has_arg receives xFilter's k-th argument.
  std::vector<ChangesConstraint> constraints;
  // Consumed ORDER BY terms (column, descending); empty means the default (db_version, seq) ASC.
  // Only orders accepted by IsConsumableOrder are stored.
  std::vector<std::pair<int, bool>> order;

  bool descending() const { return !order.empty() && order.front().second; }
};

// True when a constraint on `column` with operator `op` is pushed down (spec §9.3).
bool IsPushableConstraint(int column, int op);
// True when the scan itself produces rows in this ORDER BY (column, descending) order:
// db_version, optionally followed by seq, in one direction; repeated terms are ignored.
bool IsConsumableOrder(const std::vector<std::pair<int, bool>>& terms);
// The idxStr of a spec, and back. Parse returns false for text Format cannot produce.
std::string FormatScanSpec(const ChangesScanSpec& spec);
bool ParseScanSpec(std::string_view idx_str, ChangesScanSpec* spec);

// The result of one scan, in output order. Not thread-safe (used by one connection).
class ChangeScan {
 public:
  ChangeScan() = default;
  ChangeScan(const ChangeScan&) = delete;
  ChangeScan& operator=(const ChangeScan&) = delete;

  // Reads every change matching spec from every CRR of ext; argv holds the constraint values.
  // utf8: the main database's text encoding is UTF-8 (text is then read in place).
  // Replaces any previous result. Returns an SQLite code; on error err says why and the scan is
  // empty. ext's table infos must be current (ExtData::EnsureTableInfos).
  int Run(ExtData* ext, const ChangesScanSpec& spec, sqlite3_value** argv, bool utf8,
          std::string* err);

  bool Eof() const { return pos_ >= order_.size(); }
  void Next() { ++pos_; }
  // Sets the result of column col (ChangesColumn) of the current change; values are copied.
  // Only while !Eof().
  void Column(sqlite3_context* ctx, int col) const;
  // tableIndex * 10^13 + key mod 10^13 (spec §9.3). Only while !Eof().
  int64_t Rowid() const;

 private:
  friend class ChangeCollector;

  struct Table {
    std::string name;
    int index = 0;                  // TableInfo::index at scan time (for the rowid)
    std::vector<std::string> cids;  // the non-PK columns in table order, "-1", other names seen
  };
  // A copied value; TEXT and BLOB bytes live in bytes_.
  struct Value {
    int64_t bits = 0;   // INTEGER value, REAL bits, or offset of the bytes
    uint32_t size = 0;  // TEXT/BLOB size
    uint8_t type = SQLITE_NULL;
    bool terminated = false;  // TEXT followed by a NUL in bytes_ and holding none
  };
  // One change.
  struct Row {
    int64_t key;
    int64_t col_version;
    int64_t db_version;
    int64_t seq;
    int64_t cl;
    int64_t site;  // crsql_site_id ordinal
    uint64_t pk;   // offset of the packed PK in bytes_
    uint32_t pk_size;
    uint32_t table;  // index into tables_
    uint32_t cid;    // index into tables_[table].cids
    Value val;
  };
  // One crsql_site_id row.
  struct Site {
    bool known = false;   // a row exists for the ordinal
    bool passes = false;  // the site_id constraints hold for its site_id
    Value id;             // site_id as stored (normally a 16-byte BLOB)
  };

  int LoadSites(ExtData* ext, const ChangesScanSpec& spec, sqlite3_value** argv, std::string* err);
  int ReadTable(ExtData* ext, size_t table, const ChangesScanSpec& spec, sqlite3_value** argv,
                bool utf8, std::string* err);
  int ShouldScanFully(ExtData* ext, size_t table, const ChangesScanSpec& spec, sqlite3_value** argv,
                      bool* full, std::string* err);
  const Site* FindSite(int64_t ordinal) const;
  bool SitePasses(int64_t ordinal) const;
  void SetValue(sqlite3_context* ctx, const Value& v) const;
  const Row& Current() const;
  void Sort();
  void Clear();

  std::vector<Table> tables_;
  std::vector<Row> rows_;
  std::string bytes_;
  std::vector<Site> sites_;                             // by ordinal, when small
  std::vector<std::pair<int64_t, Site>> sparse_sites_;  // other ordinals, sorted
  bool missing_site_passes_ = true;  // the constraints hold for a NULL site_id (no such ordinal)
  std::vector<size_t> order_;        // indexes into rows_, ascending output order
  size_t pos_ = 0;
  bool descending_ = false;
};

// Registers crsql_internal_changes_collect, the scans' row sink, on db. SQLite result code.
int RegisterChangesCollector(sqlite3* db);

}  // namespace crsync::crsqlite

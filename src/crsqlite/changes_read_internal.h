// Internal to the crsql_changes scan (changes_read*.cpp): the collector that receives the rows
// of the scan's statements, and small shared helpers. See changes_read.h for the design.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "crsqlite/changes_read.h"

namespace crsync::crsqlite {

// The SQL function the scan's statements call with every row, and the pointer type under which
// the collector is bound as its first argument (sqlite3_bind_pointer): SQL text cannot forge it.
inline constexpr const char* kCollectFunction = "crsql_internal_changes_collect";
inline constexpr const char* kCollectorPointerType = "crsync_change_collector";

// SQL text of a pushable binary operator ("=", "IS NOT", "LIKE", ...); nullptr if not pushable.
const char* ConstraintOperatorSql(int op);

// Receives the rows of one table's statements and appends its changes to a scan. Modes and
// their argument lists (after the pointer):
//   kKeys      lookaside joined with the base row, in key order:
//              key, each non-PK column's value (table order), each PK column's value
//   kClock     clock entries in key order (after kKeys; the full scan):
//              key, col_name, col_version, db_version, site ordinal, seq, keep
//   kFiltered  the original's join, already filtered:
//              key, col_name, col_version, db_version, site ordinal, seq, cl, val, PK values...
class ChangeCollector {
 public:
  enum class Mode { kKeys, kClock, kFiltered };

  // table: index into the scan's tables; value_columns: the table's number of non-PK columns.
  ChangeCollector(ChangeScan* scan, uint32_t table, size_t value_columns, bool utf8)
      : scan_(scan), table_(table), value_columns_(value_columns), utf8_(utf8) {}
  ChangeCollector(const ChangeCollector&) = delete;
  ChangeCollector& operator=(const ChangeCollector&) = delete;

  void Start(Mode mode) { mode_ = mode; }
  // Takes one row. On failure returns false with *rc and *err (a static string) set.
  bool Add(int argc, sqlite3_value** argv, int* rc, const char** err);
  // Ends the clock pass: the last key's entries get their causal length.
  void Finish() { CloseGroup(); }
  // The lookaside keys did not arrive strictly ascending (e.g. a key matched two base rows) or
  // the clock entries not in ascending key order: the full scan's result is unusable and the
  // caller reads the table filtered instead. Not expected with the statements the scan builds.
  bool out_of_order() const { return out_of_order_; }
  // Lookaside keys taken so far (kKeys).
  size_t key_count() const { return keys_.size(); }

 private:
  struct Key {
    int64_t key;
    uint64_t pk;  // offset of the packed PK in the scan's bytes
    uint32_t pk_size;
    size_t values;  // index of its first value in values_
  };

  bool AddKey(int argc, sqlite3_value** argv, int* rc, const char** err);
  void AddClock(sqlite3_value** argv);
  bool AddFiltered(int argc, sqlite3_value** argv, int* rc, const char** err);
  void CloseGroup();
  bool PackPk(int64_t key, int argc, sqlite3_value** argv, int* rc, const char** err);
  ChangeScan::Value Store(sqlite3_value* v);
  const char* TextBytes(sqlite3_value* v, size_t* size) const;
  uint32_t Intern(const char* name, size_t size);

  ChangeScan* scan_;
  uint32_t table_;
  size_t value_columns_;
  bool utf8_;
  Mode mode_ = Mode::kKeys;
  bool out_of_order_ = false;
  // kKeys results, walked by kClock.
  std::vector<Key> keys_;
  std::vector<ChangeScan::Value> values_;
  size_t key_pos_ = 0;
  // The key whose clock entries are arriving (kClock).
  bool in_group_ = false;
  int64_t group_key_ = 0;
  size_t group_start_ = 0;
  int64_t group_cl_ = 1;
  // Last packed PK (kKeys, kFiltered).
  bool have_pk_ = false;
  int64_t pk_key_ = 0;
  uint64_t pk_offset_ = 0;
  uint32_t pk_size_ = 0;
  size_t last_cid_ = 0;
};

}  // namespace crsync::crsqlite

// Lazily prepared per-CRR statements over the metadata tables (clock, lookaside) and the base
// table, plus the lookaside key helpers shared by local-write tracking and merges.
// Each getter returns a reset, ready-to-bind statement owned by the TableInfo, or nullptr with
// *err set. Callers must reset the statement after use (StmtUse does it).
#pragma once

#include <string>

#include "crsqlite/ext_data.h"
#include "crsqlite/value.h"

namespace crsync::crsqlite {

// Resets a borrowed cached statement (and clears bindings) when leaving scope.
class StmtUse {
 public:
  explicit StmtUse(sqlite3_stmt* s) : s_(s) {}
  ~StmtUse() {
    if (s_) {
      sqlite3_reset(s_);
      sqlite3_clear_bindings(s_);
    }
  }
  StmtUse(const StmtUse&) = delete;
  StmtUse& operator=(const StmtUse&) = delete;
  sqlite3_stmt* get() const { return s_; }

 private:
  sqlite3_stmt* s_;
};

enum class TableStmt {
  kSelectKey,
  kInsertKey,
  kMarkUpdated,
  kMarkAllCells,
  kMarkCreated,
  kMarkDeleted,
  kBumpSentinel,
  kDropCells,
  kMoveCells,
  kLocalCl,
  kCellVersion,
  kSetWinner,
  kInsertClock,
  kZeroCells,
  kDeleteBase,
  kCreateBase,
};

sqlite3_stmt* GetTableStmt(sqlite3* db, TableInfo* t, TableStmt which, std::string* err);
// Per-column statements (col = index into t->non_pks).
sqlite3_stmt* GetUpsertCellStmt(sqlite3* db, TableInfo* t, int col, std::string* err);
sqlite3_stmt* GetSelectCellStmt(sqlite3* db, TableInfo* t, int col, std::string* err);

// Lookaside key of a PK tuple given as sqlite3_values (trigger arguments). Creates it when absent
// and reports whether it existed. try_insert_first picks the cheaper order for fresh rows.
int GetOrCreateKeyFromArgs(sqlite3* db, TableInfo* t, sqlite3_value** pks, bool try_insert_first,
                           int64_t* key, bool* existed, std::string* err);
// Same for decoded values (merges).
int GetOrCreateKeyFromValues(sqlite3* db, TableInfo* t, const std::vector<Value>& pks,
                             bool try_insert_first, int64_t* key, bool* existed,
                             std::string* err);
// Same, looking the key up before creating it.
int GetOrCreateKeyFromValues(sqlite3* db, TableInfo* t, const std::vector<Value>& pks,
                             int64_t* key, std::string* err);

// Steps a statement to completion, ignoring rows. Returns SQLITE_OK or the error (err set).
int StepDone(sqlite3* db, sqlite3_stmt* s, std::string* err);

}  // namespace crsync::crsqlite

// The five workloads of crsqlite-bench. Every workload is a function that builds its own fresh
// databases (so repetitions do not see each other's rows) and returns measured seconds or
// counts; timing covers only the statement loop (schema creation and crsql_as_crr are outside).
// The same code runs on a plain table (with_engine = false, no crsql_as_crr) and on a CRR, so a
// ratio compares like with like: same rows, same prepared statements, same pragmas.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <vector>

#include "bench_db.h"

namespace crsync::bench {

// Where the databases of one run go and how the engine is loaded.
struct BenchEnv {
  std::string temp_dir;  // file databases are created (and deleted) here
  EngineSource engine;
};

// Schema used by every workload: INTEGER PRIMARY KEY + an int, a ~20-char text and a real.
inline constexpr const char* kTableName = "items";
inline constexpr int kValueColumns = 3;  // non-PK columns: one change each per inserted row

// Opens a fresh database (deleting an old file of that name) with the items table; as a CRR
// when crr. name is the file stem for kFile.
Db OpenFresh(const BenchEnv& env, Storage storage, const std::string& name, bool crr);

// Inserts rows [0, count) with one prepared statement. one_transaction: BEGIN..COMMIT around
// all of them; else each INSERT is its own autocommit transaction. Returns seconds.
double InsertRows(Db& db, int64_t count, bool one_transaction);

// Workload 3: steps the change feed and touches every column. checksum mixes the values read
// so the loop cannot be optimised away and runs can be compared.
struct PullResult {
  double seconds = 0;
  int64_t changes = 0;
  uint64_t checksum = 0;
};
PullResult PullChanges(Db& db);

// A pulled change feed kept as owned sqlite3_value copies (9 per change), for workload 4.
class ChangeSet {
 public:
  ChangeSet() = default;
  ChangeSet(const ChangeSet&) = delete;
  ChangeSet& operator=(const ChangeSet&) = delete;
  ~ChangeSet();
  // Reads the whole crsql_changes feed of db (untimed).
  void Collect(Db& db);
  int64_t size() const { return static_cast<int64_t>(values_.size() / 9); }
  sqlite3_value* at(int64_t change, int col) const { return values_[change * 9 + col]; }

 private:
  std::vector<sqlite3_value*> values_;
};

// Workload 4: INSERT INTO crsql_changes of every change in one transaction, binding the pulled
// values with sqlite3_bind_value. Returns seconds.
double MergeChanges(Db& peer, const ChangeSet& changes);

// Workload 5: space used by one database, read after VACUUM.
struct SpaceUsage {
  int64_t total_bytes = 0;     // page_count * page_size
  int64_t table_bytes = 0;     // dbstat: the items table b-tree (and its indexes)
  int64_t metadata_bytes = 0;  // dbstat: everything else (clock, pks, crsql_* tables, schema)
  bool has_dbstat = false;
};
SpaceUsage MeasureSpace(Db& db);

}  // namespace crsync::bench

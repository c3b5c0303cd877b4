// Workload 5: how much space the CRR metadata takes. Measured two ways so the numbers line up
// with the wasm reference (which has no dbstat): the whole database after VACUUM
// (page_count * page_size, comparable CRR vs plain), and, where the dbstat virtual table exists,
// the bytes of the items b-tree versus everything else.
#include "workloads.h"

namespace crsync::bench {

SpaceUsage MeasureSpace(Db& db) {
  SpaceUsage usage;
  db.Exec("VACUUM");
  usage.total_bytes =
      db.QueryInt("PRAGMA page_count").value_or(0) * db.QueryInt("PRAGMA page_size").value_or(0);
  // dbstat is optional in SQLite builds; its absence is reported, not fatal.
  sqlite3_stmt* probe = nullptr;
  if (sqlite3_prepare_v2(db.get(), "SELECT 1 FROM dbstat LIMIT 1", -1, &probe, nullptr) !=
      SQLITE_OK) {
    sqlite3_finalize(probe);
    return usage;
  }
  sqlite3_finalize(probe);
  usage.has_dbstat = true;
  usage.table_bytes =
      db.QueryInt(std::string("SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name IN ("
                              "SELECT name FROM sqlite_schema WHERE tbl_name = '") +
                  kTableName + "')")
          .value_or(0);
  int64_t all = db.QueryInt("SELECT coalesce(sum(pgsize), 0) FROM dbstat").value_or(0);
  usage.metadata_bytes = all - usage.table_bytes;
  return usage;
}

}  // namespace crsync::bench

// Workloads 3 and 4: reading the change feed and merging it into a fresh peer. The pull reads
// each column with the getter of its storage class (what a sync layer does when it serialises a
// change); the merge binds the pulled values verbatim with sqlite3_bind_value, as a peer does
// after decoding them.
#include "workloads.h"

namespace crsync::bench {
namespace {

constexpr const char* kPullSql =
    "SELECT \"table\",pk,cid,val,col_version,db_version,site_id,cl,seq FROM crsql_changes "
    "WHERE db_version > 0";
constexpr const char* kMergeSql = "INSERT INTO crsql_changes VALUES (?,?,?,?,?,?,?,?,?)";

// FNV-1a style mixing over the bytes of one column value.
uint64_t Mix(uint64_t h, const void* data, int n) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (int i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
  return h;
}

uint64_t TouchColumn(sqlite3_stmt* stmt, int col, uint64_t h) {
  switch (sqlite3_column_type(stmt, col)) {
    case SQLITE_INTEGER: {
      int64_t v = sqlite3_column_int64(stmt, col);
      return Mix(h, &v, sizeof v);
    }
    case SQLITE_FLOAT: {
      double v = sqlite3_column_double(stmt, col);
      return Mix(h, &v, sizeof v);
    }
    case SQLITE_TEXT: {
      const unsigned char* v = sqlite3_column_text(stmt, col);
      return Mix(h, v, sqlite3_column_bytes(stmt, col));
    }
    case SQLITE_BLOB: {
      const void* v = sqlite3_column_blob(stmt, col);
      return Mix(h, v, sqlite3_column_bytes(stmt, col));
    }
    default:
      return h * 31 + 7;
  }
}

}  // namespace

PullResult PullChanges(Db& db) {
  PullResult result;
  Stmt pull(db.get(), kPullSql);
  uint64_t h = 14695981039346656037ull;
  Stopwatch watch;
  int rc;
  while ((rc = sqlite3_step(pull.get())) == SQLITE_ROW) {
    for (int col = 0; col < 9; ++col) h = TouchColumn(pull.get(), col, h);
    ++result.changes;
  }
  result.seconds = watch.Seconds();
  if (rc != SQLITE_DONE) db.Fail("pull");
  result.checksum = h;
  return result;
}

ChangeSet::~ChangeSet() {
  for (sqlite3_value* v : values_) sqlite3_value_free(v);
}

void ChangeSet::Collect(Db& db) {
  Stmt pull(db.get(), kPullSql);
  int rc;
  while ((rc = sqlite3_step(pull.get())) == SQLITE_ROW) {
    for (int col = 0; col < 9; ++col) {
      sqlite3_value* copy = sqlite3_value_dup(sqlite3_column_value(pull.get(), col));
      if (!copy) throw BenchError("out of memory copying the change feed");
      values_.push_back(copy);
    }
  }
  if (rc != SQLITE_DONE) db.Fail("collect changes");
}

double MergeChanges(Db& peer, const ChangeSet& changes) {
  Stmt merge(peer.get(), kMergeSql);
  Stopwatch watch;
  peer.Exec("BEGIN");
  for (int64_t i = 0; i < changes.size(); ++i) {
    for (int col = 0; col < 9; ++col) sqlite3_bind_value(merge.get(), col + 1, changes.at(i, col));
    StepDone(peer.get(), merge.get(), "merge");
    sqlite3_reset(merge.get());
  }
  peer.Exec("COMMIT");
  return watch.Seconds();
}

}  // namespace crsync::bench

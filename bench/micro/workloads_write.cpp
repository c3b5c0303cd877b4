// Workloads 1 and 2 (local inserts) and the shared fresh-database setup. Row i is a pure
// function of i (see BindRow), so a CRR and a plain table receive byte-identical rows.
#include <cstdio>
#include <filesystem>

#include "workloads.h"

namespace crsync::bench {
namespace {

// id = i + 1; a = a scrambled int; b = 20-char text; c = a real with a fraction.
void BindRow(sqlite3_stmt* stmt, int64_t i) {
  char text[32];
  int len = std::snprintf(text, sizeof text, "item-%015lld", static_cast<long long>(i));
  sqlite3_bind_int64(stmt, 1, i + 1);
  sqlite3_bind_int64(stmt, 2, (i * 7919) % 1000003);
  sqlite3_bind_text(stmt, 3, text, len, SQLITE_TRANSIENT);
  sqlite3_bind_double(stmt, 4, static_cast<double>(i) * 0.25 + 0.1);
}

}  // namespace

Db OpenFresh(const BenchEnv& env, Storage storage, const std::string& name, bool crr) {
  std::string path = ":memory:";
  if (storage == Storage::kFile) {
    path = env.temp_dir + "/" + name + ".db";
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  }
  Db db(path, crr, env.engine);
  db.Exec(std::string("CREATE TABLE ") + kTableName +
          " (id INTEGER PRIMARY KEY NOT NULL, a INTEGER, b TEXT, c REAL)");
  if (crr) db.Exec(std::string("SELECT crsql_as_crr('") + kTableName + "')");
  return db;
}

double InsertRows(Db& db, int64_t count, bool one_transaction) {
  Stmt insert(db.get(), std::string("INSERT INTO ") + kTableName + " VALUES (?, ?, ?, ?)");
  Stopwatch watch;
  if (one_transaction) db.Exec("BEGIN");
  for (int64_t i = 0; i < count; ++i) {
    BindRow(insert.get(), i);
    StepDone(db.get(), insert.get(), "insert");
    sqlite3_reset(insert.get());
  }
  if (one_transaction) db.Exec("COMMIT");
  return watch.Seconds();
}

}  // namespace crsync::bench

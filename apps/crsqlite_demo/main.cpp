// crsqlite-demo: a short tour of the engine for the README's run command. Two peers (SQLite
// databases with crsqlite loaded) edit the same CRR concurrently — including a delete and a
// conflicting update — exchange their crsql_changes rows both ways, and end up identical.
#include <sqlite3.h>

#include <cstdio>
#include <string>

#include "crsync/crsqlite.h"

namespace {

sqlite3* OpenPeer(const char* name) {
  sqlite3* db = nullptr;
  sqlite3_open(":memory:", &db);
  char* err = nullptr;
  if (sqlite3_crsqlite_init(db, &err, nullptr) != SQLITE_OK) {
    std::fprintf(stderr, "%s: cannot load crsqlite: %s\n", name, err ? err : "?");
    sqlite3_free(err);
    return nullptr;
  }
  sqlite3_exec(db,
               "CREATE TABLE todo (id INTEGER PRIMARY KEY NOT NULL, title TEXT, done INTEGER "
               "DEFAULT 0);"
               "SELECT crsql_as_crr('todo');",
               nullptr, nullptr, nullptr);
  return db;
}

void Run(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::fprintf(stderr, "error: %s\n", err);
    sqlite3_free(err);
  }
}

// Pulls every change `to` has not seen from `from` and merges it into `to` in one transaction.
int Sync(sqlite3* from, sqlite3* to) {
  sqlite3_stmt* pull = nullptr;
  sqlite3_stmt* push = nullptr;
  sqlite3_prepare_v2(from,
                     "SELECT \"table\", pk, cid, val, col_version, db_version, site_id, cl, seq "
                     "FROM crsql_changes WHERE site_id IS NOT ?1",
                     -1, &pull, nullptr);
  sqlite3_prepare_v2(to, "INSERT INTO crsql_changes VALUES (?,?,?,?,?,?,?,?,?)", -1, &push,
                     nullptr);
  sqlite3_stmt* site = nullptr;
  sqlite3_prepare_v2(to, "SELECT crsql_site_id()", -1, &site, nullptr);
  sqlite3_step(site);
  sqlite3_bind_blob(pull, 1, sqlite3_column_blob(site, 0), sqlite3_column_bytes(site, 0),
                    SQLITE_TRANSIENT);
  sqlite3_finalize(site);
  int n = 0;
  Run(to, "BEGIN");
  while (sqlite3_step(pull) == SQLITE_ROW) {
    for (int c = 0; c < 9; ++c) sqlite3_bind_value(push, c + 1, sqlite3_column_value(pull, c));
    sqlite3_step(push);
    sqlite3_reset(push);
    ++n;
  }
  Run(to, "COMMIT");
  sqlite3_finalize(pull);
  sqlite3_finalize(push);
  return n;
}

void Print(const char* name, sqlite3* db) {
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db, "SELECT id, title, done FROM todo ORDER BY id", -1, &s, nullptr);
  std::printf("  %s:", name);
  while (sqlite3_step(s) == SQLITE_ROW) {
    std::printf(" [%lld %s %lld]", sqlite3_column_int64(s, 0),
                reinterpret_cast<const char*>(sqlite3_column_text(s, 1)),
                sqlite3_column_int64(s, 2));
  }
  sqlite3_finalize(s);
  sqlite3_prepare_v2(db, "SELECT crsql_db_version()", -1, &s, nullptr);
  sqlite3_step(s);
  std::printf("   (db_version %lld)\n", sqlite3_column_int64(s, 0));
  sqlite3_finalize(s);
}

void Close(sqlite3* db) {
  sqlite3_exec(db, "SELECT crsql_finalize()", nullptr, nullptr, nullptr);
  sqlite3_close(db);
}

}  // namespace

int main() {
  sqlite3* a = OpenPeer("alice");
  sqlite3* b = OpenPeer("bob");
  if (!a || !b) return 1;
  std::printf("crsqlite demo: two peers, one CRR table 'todo'\n\n");
  Run(a, "INSERT INTO todo (id, title) VALUES (1, 'buy milk'), (2, 'write docs')");
  std::printf("alice adds two todos; sync alice -> bob: %d changes\n", Sync(a, b));
  Run(a, "UPDATE todo SET done = 1 WHERE id = 1");
  Run(b, "UPDATE todo SET title = 'buy oat milk' WHERE id = 1");
  Run(b, "DELETE FROM todo WHERE id = 2");
  Run(b, "INSERT INTO todo (id, title) VALUES (3, 'call bob')");
  std::printf("offline: alice marks 1 done; bob renames 1, deletes 2, adds 3\n");
  Print("alice", a);
  Print("bob  ", b);
  std::printf("sync alice -> bob: %d changes; ", Sync(a, b));
  std::printf("sync bob -> alice: %d changes\n", Sync(b, a));
  Print("alice", a);
  Print("bob  ", b);
  Close(a);
  Close(b);
  return 0;
}

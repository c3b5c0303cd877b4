// Test vectors TV-67 and TV-68 (section H, "lifecycle") of crsqlite-0.16-test-vectors.md: loading
// the engine into databases written by other versions (behaviour spec §2 step 5) and closing a
// connection after crsql_finalize(). Uses the raw SQLite API where TestDb would hide the result.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "crsync/crsqlite.h"
#include "support/test_db.h"
#include "vectors/vector_util.h"

namespace crsync::test::vectors {
namespace {

// Runs sql on a plain SQLite connection (no engine) to path.
void ExecPlain(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(SQLITE_OK, sqlite3_open(path.c_str(), &db));
  char* err = nullptr;
  EXPECT_EQ(SQLITE_OK, sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err)) << (err ? err : "");
  sqlite3_free(err);
  EXPECT_EQ(SQLITE_OK, sqlite3_close(db));
}

TEST(Lifecycle, TV67_LoadFailures) {
  TempDir dir;
  {
    const std::string path = dir.File("no_version.db");
    ExecPlain(path, "CREATE TABLE crsql_master (key TEXT PRIMARY KEY, value ANY)");
    sqlite3* db = nullptr;
    ASSERT_EQ(SQLITE_OK, sqlite3_open(path.c_str(), &db));
    char* err = nullptr;
    EXPECT_EQ(SQLITE_ERROR, sqlite3_crsqlite_init(db, &err, nullptr));
    EXPECT_EQ(
        std::string("Opening a db created with cr-sqlite version 0 is not supported. Upcoming "
                    "release 0.15.0 is a breaking change."),
        err ? err : "");
    sqlite3_free(err);
    sqlite3_close_v2(db);
    // Same through the helper, which reports it as an exception.
    try {
      TestDb again(path);
      ADD_FAILURE() << "load succeeded";
    } catch (const std::runtime_error& e) {
      EXPECT_EQ(std::string("Opening a db created with cr-sqlite version 0 is not supported. "
                            "Upcoming release 0.15.0 is a breaking change."),
                e.what());
    }
  }
  {
    // A database recorded by wasm 0.16.0 (crsqlite_version 150000) loads and is upgraded.
    const std::string path = dir.File("v150000.db");
    std::string site;
    {
      TestDb a(path);
      ASSERT_EQ("",
                a.Exec("CREATE TABLE foo (id PRIMARY KEY NOT NULL, v); SELECT crsql_as_crr('foo');"
                       "INSERT INTO foo VALUES (1, 'x');"));
      site = SiteIdBytes(a);
    }
    ExecPlain(path, "UPDATE crsql_master SET value = 150000 WHERE key = 'crsqlite_version'");
    TestDb a(path);
    EXPECT_EQ("160300", a.One("SELECT value FROM crsql_master WHERE key = 'crsqlite_version'"));
    EXPECT_EQ(site, SiteIdBytes(a));
    EXPECT_EQ("1", a.One("SELECT crsql_db_version()"));
    ASSERT_EQ("", a.Exec("INSERT INTO foo VALUES (2, 'y')"));
    EXPECT_EQ("2", a.One("SELECT max(db_version) FROM crsql_changes"));
  }
}

// TV-68. The real cr-sqlite's sqlite3_close() returns SQLITE_BUSY unless crsql_finalize() ran
// first; ours must accept crsql_finalize() ('finalized'), after which sqlite3_close succeeds.
TEST(Lifecycle, TV68_CloseAfterFinalize) {
  sqlite3* db = nullptr;
  ASSERT_EQ(SQLITE_OK, sqlite3_open(":memory:", &db));
  char* err = nullptr;
  ASSERT_EQ(SQLITE_OK, sqlite3_crsqlite_init(db, &err, nullptr)) << (err ? err : "");
  // Exercise the engine so that it caches prepared statements.
  ASSERT_EQ(SQLITE_OK,
            sqlite3_exec(
                db,
                "CREATE TABLE foo (id PRIMARY KEY NOT NULL, v); SELECT crsql_as_crr('foo');"
                "INSERT INTO foo VALUES (1, 'a'); UPDATE foo SET v = 'b'; DELETE FROM foo;"
                "INSERT INTO crsql_changes VALUES ('foo', X'010902', 'v', 'r', 1, 1, X'01', 1, 0);"
                "SELECT * FROM crsql_changes; SELECT crsql_db_version();",
                nullptr, nullptr, &err))
      << (err ? err : "");
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(SQLITE_OK, sqlite3_prepare_v2(db, "SELECT crsql_finalize()", -1, &stmt, nullptr));
  ASSERT_EQ(SQLITE_ROW, sqlite3_step(stmt));
  EXPECT_EQ(std::string("finalized"), reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
  EXPECT_EQ(SQLITE_OK, sqlite3_finalize(stmt));
  const int rc = sqlite3_close(db);
  EXPECT_EQ(SQLITE_OK, rc) << sqlite3_errstr(rc);
  if (rc != SQLITE_OK) sqlite3_close_v2(db);
}

}  // namespace
}  // namespace crsync::test::vectors

// Test vectors TV-06..TV-10 (section B, "Bootstrap and CRR creation") of
// crsqlite-0.16-test-vectors.md: what loading the engine creates (behaviour spec §2, §3.3), the
// crsql_as_crr compatibility checks (§5), the metadata objects of a CRR (§6) and backfill (§13).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/test_db.h"
#include "vectors/vector_util.h"

namespace crsync::test::vectors {
namespace {

TEST(Bootstrap, TV06_FreshDatabase) {
  TestDb a;
  EXPECT_EQ(
      (std::vector<std::string>{
          "('table', 'crsql_master', "
          "'CREATE TABLE \"crsql_master\" (\"key\" TEXT PRIMARY KEY, \"value\" ANY)')",
          "('table', 'crsql_site_id', "
          "'CREATE TABLE \"crsql_site_id\" (site_id BLOB NOT NULL, ordinal INTEGER PRIMARY KEY)')",
          "('index', 'crsql_site_id_site_id', "
          "'CREATE UNIQUE INDEX crsql_site_id_site_id ON \"crsql_site_id\" (site_id)')",
          "('table', 'crsql_tracked_peers', "
          "'CREATE TABLE crsql_tracked_peers (\"site_id\" BLOB NOT NULL, \"version\" INTEGER NOT "
          "NULL, \"seq\" INTEGER DEFAULT 0, \"tag\" INTEGER, \"event\" INTEGER, PRIMARY KEY "
          "(\"site_id\", \"tag\", \"event\")) STRICT')",
      }),
      a.Query("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name"));
  // The only other objects are the automatic indexes of those primary keys.
  EXPECT_EQ((std::vector<std::string>{"('index', 'sqlite_autoindex_crsql_master_1')",
                                      "('index', 'sqlite_autoindex_crsql_tracked_peers_1')"}),
            a.Query("SELECT type, name FROM sqlite_master WHERE sql IS NULL ORDER BY name"));

  EXPECT_EQ(std::vector<std::string>{"('crsqlite_version', 160300)"},
            a.Query("SELECT * FROM crsql_master"));

  // Site id: 16 random bytes in RFC-4122 version-4 layout.
  const std::string site = SiteIdBytes(a);
  ASSERT_EQ(16u, site.size());
  EXPECT_EQ(4, static_cast<unsigned char>(site[6]) >> 4);
  EXPECT_EQ(2, static_cast<unsigned char>(site[8]) >> 6);
  EXPECT_EQ("'blob'", a.One("SELECT typeof(crsql_site_id())"));
  EXPECT_EQ(std::vector<std::string>{"(" + SiteLiteral(a) + ", 0)"},
            a.Query("SELECT * FROM crsql_site_id"));
  // Two databases get different site ids.
  TestDb b;
  EXPECT_NE(site, SiteIdBytes(b));

  EXPECT_EQ(std::vector<std::string>{"(0, 0, 0, 0)"},
            a.Query("SELECT crsql_db_version(), crsql_get_seq(), crsql_rows_impacted(), "
                    "crsql_internal_sync_bit()"));
}

TEST(Bootstrap, TV07_ReopenFileDatabase) {
  TempDir dir;
  const std::string path = dir.File("tv07.db");
  std::string site;
  {
    TestDb s1(path);
    ASSERT_EQ("",
              s1.Exec("CREATE TABLE foo (id PRIMARY KEY NOT NULL, v); SELECT crsql_as_crr('foo');"
                      "INSERT INTO foo VALUES (1, 'a');"
                      "UPDATE foo SET v = 'a';"));
    EXPECT_EQ("2", s1.One("SELECT crsql_db_version()"));  // the no-op update consumed a version
    site = SiteIdBytes(s1);
  }  // TestDb closes with SELECT crsql_finalize() first (TV-68 covers sqlite3_close itself)
  TestDb s2(path);
  EXPECT_EQ("1", s2.One("SELECT crsql_db_version()"));  // recomputed from the clock tables
  EXPECT_EQ(site, SiteIdBytes(s2));
  EXPECT_EQ(std::vector<std::string>{"(1, 'a')"}, s2.Query("SELECT * FROM foo"));
}

// TV-08. Two rows deliberately differ from the real cr-sqlite: tables whose names need quoting
// ("order", "t16 x") fail there with 'SQL logic error' because backfill interpolates the name
// unquoted; ours quotes identifiers, so crsql_as_crr returns 'OK' and the tables work as CRRs.
TEST(Bootstrap, TV08_AsCrrRejectionMatrix) {
  TestDb a;
  PeerNames names{{"A", &a}};
  const std::string kNoPk =
      " has no primary key or primary key is nullable. CRRs must have a non nullable primary key";
  const std::string kUnique =
      " has unique indices besidesthe primary key. This is not allowed for CRRs";
  struct Case {
    std::string create;  // DDL to run first ("" = none)
    std::string table;
    std::string expected;  // error message, or "" for 'OK'
  };
  const std::vector<Case> cases = {
      {"CREATE TABLE t1 (a, b)", "t1", "Table t1" + kNoPk},
      {"CREATE TABLE t2 (a PRIMARY KEY, b)", "t2", "Table t2" + kNoPk},
      {"CREATE TABLE t10 (a INTEGER PRIMARY KEY, b)", "t10", "Table t10" + kNoPk},
      {"CREATE TABLE t3 (a NOT NULL, b, PRIMARY KEY (a, b))", "t3",
       "Table t3 has composite primary key part of which is nullable. CRRs must have a non "
       "nullable primary key"},
      {"CREATE TABLE t4 (a INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, b)", "t4",
       "t4 has auto-increment primary keys. This is likely a mistake as two concurrent nodes will "
       "assign unrelated rows the same primary key. Either use a primary key that represents the "
       "identity of your row or use a database friendly UUID such as UUIDv7"},
      {"CREATE TABLE t5 (a PRIMARY KEY NOT NULL, b UNIQUE)", "t5", "Table t5" + kUnique},
      {"CREATE TABLE t11 (a PRIMARY KEY NOT NULL, b); CREATE UNIQUE INDEX t11_b ON t11(b)", "t11",
       "Table t11" + kUnique},
      {"CREATE TABLE t17 (a PRIMARY KEY NOT NULL, b, UNIQUE (a, b))", "t17", "Table t17" + kUnique},
      {"CREATE TABLE t6 (a PRIMARY KEY NOT NULL, b NOT NULL)", "t6",
       "Table t6 has a NOT NULL column without a DEFAULT VALUE. This is not allowed as it prevents "
       "forwards and backwards compatibility between schema versions. Make the column nullable or "
       "assign a default value to it."},
      {"CREATE TABLE t8 (a PRIMARY KEY NOT NULL, b REFERENCES t7(a))", "t8",
       "Table t8 has checked foreign key constraints. CRRs may have foreign keys but must not have "
       "checked foreign key constraints as they can be violated by row level security or "
       "replication."},
      {"", "nonexistent", "Table nonexistent" + kNoPk},
      {"CREATE TABLE t7 (a PRIMARY KEY NOT NULL, b NOT NULL DEFAULT 0)", "t7", ""},
      {"CREATE TABLE t9 (a PRIMARY KEY NOT NULL, b CHECK (b > 0))", "t9", ""},
      {"CREATE TABLE t12 (a PRIMARY KEY NOT NULL, b); CREATE INDEX t12_b ON t12(b)", "t12", ""},
      {"CREATE TABLE t13 (a PRIMARY KEY NOT NULL, b) WITHOUT ROWID", "t13", ""},
      {"CREATE TABLE t14 (a PRIMARY KEY NOT NULL, b GENERATED ALWAYS AS (a*2))", "t14", ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.table);
    if (!c.create.empty()) {
      ASSERT_EQ("", a.Exec(c.create));
    }
    std::vector<std::string> rows = a.Query("SELECT crsql_as_crr('" + c.table + "')");
    if (c.expected.empty()) {
      EXPECT_EQ(std::vector<std::string>{"('OK')"}, rows);
      EXPECT_EQ("1",
                a.One("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = '" +
                      c.table + "__crsql_itrig'"));
    } else {
      EXPECT_EQ(std::vector<std::string>{"error: " + c.expected}, rows);
      EXPECT_EQ(SQLITE_ERROR, a.last_rc());
      EXPECT_EQ("0", a.One("SELECT count(*) FROM sqlite_master WHERE name LIKE '" + c.table +
                           "\\_\\_crsql\\_%' ESCAPE '\\'"));
    }
  }

  // The generated column is invisible: t14 behaves as a PK-only table.
  ASSERT_EQ("", a.Exec("INSERT INTO t14 (a) VALUES (1)"));
  EXPECT_EQ(std::vector<std::string>{"('t14', X'010901', '-1', NULL, 1, 1, A, 1, 0)"},
            Changes(a, names, "WHERE \"table\" = 't14'"));

  std::vector<std::string> rows = a.Query("SELECT crsql_as_crr()");
  ASSERT_EQ(1u, rows.size());
  EXPECT_EQ(0u, rows[0].rfind("error: Wrong number of args provided to crsql_as_crr.", 0))
      << rows[0];
  EXPECT_EQ(SQLITE_ERROR, a.last_rc());
}

// Deliberate difference from the real cr-sqlite (see TV08_AsCrrRejectionMatrix): names that need
// quoting work, including backfill of existing rows and every trigger.
TEST(Bootstrap, TV08_QuotedTableNamesWork) {
  TestDb a;
  PeerNames names{{"A", &a}};
  ASSERT_EQ("", a.Exec("CREATE TABLE \"order\" (a PRIMARY KEY NOT NULL, b);"
                       "INSERT INTO \"order\" VALUES (1, 'x');"));
  EXPECT_EQ("'OK'", a.One("SELECT crsql_as_crr('order')"));
  ASSERT_EQ("", a.Exec("INSERT INTO \"order\" VALUES (2, 'y');"
                       "UPDATE \"order\" SET b = 'z' WHERE a = 1;"));
  EXPECT_EQ((std::vector<std::string>{"('order', X'010902', 'b', 'y', 1, 2, A, 1, 0)",
                                      "('order', X'010901', 'b', 'z', 2, 3, A, 1, 0)"}),
            Changes(a, names));

  TestDb b;
  PeerNames names_b{{"B", &b}};
  ASSERT_EQ("", b.Exec("CREATE TABLE \"t16 x\" (\"a b\" PRIMARY KEY NOT NULL, \"c'd\", \"e\"\"f\");"
                       "INSERT INTO \"t16 x\" VALUES (1, 'p', 'q');"));
  EXPECT_EQ("'OK'", b.One("SELECT crsql_as_crr('t16 x')"));
  ASSERT_EQ("", b.Exec("INSERT INTO \"t16 x\" VALUES (2, 'r', 's');"
                       "UPDATE \"t16 x\" SET \"e\"\"f\" = 't' WHERE \"a b\" = 1;"
                       "DELETE FROM \"t16 x\" WHERE \"a b\" = 2;"));
  EXPECT_EQ((std::vector<std::string>{"('t16 x', X'010901', 'c''d', 'p', 1, 1, B, 1, 0)",
                                      "('t16 x', X'010901', 'e\"f', 't', 2, 3, B, 1, 0)",
                                      "('t16 x', X'010902', '-1', NULL, 2, 4, B, 2, 0)"}),
            Changes(b, names_b));

  // Both merge as well.
  TestDb c;
  ASSERT_EQ("", c.Exec("CREATE TABLE \"t16 x\" (\"a b\" PRIMARY KEY NOT NULL, \"c'd\", \"e\"\"f\");"
                       "SELECT crsql_as_crr('t16 x');"));
  EXPECT_EQ("", Sync(b, c, 0));
  EXPECT_EQ(std::vector<std::string>{"(1, 'p', 't')"}, c.Query("SELECT * FROM \"t16 x\""));
}

TEST(Bootstrap, TV09_CrrArtefactsAndIdempotence) {
  TestDb a;
  ASSERT_EQ("", a.Exec("CREATE TABLE foo (a INTEGER PRIMARY KEY NOT NULL, b, c DEFAULT 5)"));
  EXPECT_EQ("'OK'", a.One("SELECT crsql_as_crr('foo')"));

  std::vector<std::string> objects = a.Query(
      "SELECT type, name, tbl_name FROM sqlite_master WHERE name LIKE 'foo%' ORDER BY name");
  EXPECT_EQ((std::vector<std::string>{
                "('table', 'foo', 'foo')",
                "('table', 'foo__crsql_clock', 'foo__crsql_clock')",
                "('index', 'foo__crsql_clock_dbv_idx', 'foo__crsql_clock')",
                "('trigger', 'foo__crsql_dtrig', 'foo')",
                "('trigger', 'foo__crsql_itrig', 'foo')",
                "('table', 'foo__crsql_pks', 'foo__crsql_pks')",
                "('index', 'foo__crsql_pks_pks', 'foo__crsql_pks')",
                "('trigger', 'foo__crsql_utrig', 'foo')",
            }),
            objects);

  auto sql_of = [&](const std::string& name) {
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(a.db(), "SELECT sql FROM sqlite_master WHERE name = ?", -1, &stmt, nullptr);
    sqlite3_bind_text(stmt, 1, name.c_str(), -1, SQLITE_TRANSIENT);
    std::string sql = "<missing>";
    if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0)) {
      sql = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    return NormalizeSql(sql);
  };
  // Spec §6 text; whitespace differences are irrelevant to SQLite (NormalizeSql).
  EXPECT_EQ(NormalizeSql(R"(CREATE TABLE "foo__crsql_clock" (
      key INTEGER NOT NULL,
      col_name TEXT NOT NULL,
      col_version INTEGER NOT NULL,
      db_version INTEGER NOT NULL,
      site_id INTEGER NOT NULL DEFAULT 0,
      seq INTEGER NOT NULL,
      PRIMARY KEY (key, col_name)
    ) WITHOUT ROWID, STRICT)"),
            sql_of("foo__crsql_clock"));
  EXPECT_EQ(NormalizeSql(
                R"(CREATE INDEX "foo__crsql_clock_dbv_idx" ON "foo__crsql_clock" ("db_version"))"),
            sql_of("foo__crsql_clock_dbv_idx"));
  EXPECT_EQ(NormalizeSql(R"(CREATE TABLE "foo__crsql_pks" (__crsql_key INTEGER PRIMARY KEY, "a"))"),
            sql_of("foo__crsql_pks"));
  EXPECT_EQ(NormalizeSql(R"(CREATE UNIQUE INDEX "foo__crsql_pks_pks" ON "foo__crsql_pks" ("a"))"),
            sql_of("foo__crsql_pks_pks"));
  EXPECT_EQ(NormalizeSql(R"(CREATE TRIGGER "foo__crsql_itrig"
      AFTER INSERT ON "foo" WHEN crsql_internal_sync_bit() = 0
      BEGIN
        VALUES (crsql_after_insert('foo', NEW."a"));
      END)"),
            sql_of("foo__crsql_itrig"));
  EXPECT_EQ(NormalizeSql(R"(CREATE TRIGGER "foo__crsql_utrig"
      AFTER UPDATE ON "foo" WHEN crsql_internal_sync_bit() = 0
      BEGIN
        VALUES (crsql_after_update('foo', NEW."a", OLD."a", NEW."b",NEW."c", OLD."b",OLD."c"));
      END)"),
            sql_of("foo__crsql_utrig"));
  EXPECT_EQ(NormalizeSql(R"(CREATE TRIGGER "foo__crsql_dtrig"
    AFTER DELETE ON "foo" WHEN crsql_internal_sync_bit() = 0
    BEGIN
      VALUES (crsql_after_delete('foo', OLD."a"));
    END)"),
            sql_of("foo__crsql_dtrig"));
  EXPECT_EQ(std::vector<std::string>{"(1, 1)"},
            a.Query("SELECT wr, strict FROM pragma_table_list WHERE name = 'foo__crsql_clock'"));

  // Idempotence: both call forms return 'OK' and change nothing (schema, clocks, version).
  ASSERT_EQ("", a.Exec("INSERT INTO foo VALUES (1, 'x', 2)"));
  const std::vector<std::string> schema_before =
      a.Query("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name");
  const std::vector<std::string> changes_before = Changes(a);
  EXPECT_EQ("'OK'", a.One("SELECT crsql_as_crr('foo')"));
  EXPECT_EQ("'OK'", a.One("SELECT crsql_as_crr('main', 'foo')"));
  EXPECT_EQ(schema_before,
            a.Query("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name"));
  EXPECT_EQ(changes_before, Changes(a));
  EXPECT_EQ(2u, changes_before.size());
  EXPECT_EQ("1", a.One("SELECT crsql_db_version()"));
}

TEST(Bootstrap, TV10_BackfillOfExistingRows) {
  TestDb a;
  PeerNames names{{"A", &a}};
  ASSERT_EQ(
      "", a.Exec("CREATE TABLE foo (id PRIMARY KEY NOT NULL, a, b DEFAULT 7);"
                 "INSERT INTO foo VALUES (1, 'one', 7), (2, NULL, NULL), (3, 'three', 8);"
                 "CREATE TABLE bar (id PRIMARY KEY NOT NULL); INSERT INTO bar VALUES (10), (11);"));
  EXPECT_EQ("'OK'", a.One("SELECT crsql_as_crr('foo')"));
  EXPECT_EQ("'OK'", a.One("SELECT crsql_as_crr('bar')"));
  EXPECT_EQ((std::vector<std::string>{
                "('foo', X'010901', 'a', 'one', 1, 1, A, 1, 0)",
                "('foo', X'010901', 'b', 7, 1, 1, A, 1, 1)",
                "('foo', X'010902', 'a', NULL, 1, 1, A, 1, 2)",
                "('foo', X'010902', 'b', NULL, 1, 1, A, 1, 3)",
                "('foo', X'010903', 'a', 'three', 1, 1, A, 1, 4)",
                "('foo', X'010903', 'b', 8, 1, 1, A, 1, 5)",
                "('bar', X'01090A', '-1', NULL, 1, 2, A, 1, 0)",
                "('bar', X'01090B', '-1', NULL, 1, 2, A, 1, 1)",
            }),
            Changes(a, names));
  EXPECT_EQ("2", a.One("SELECT crsql_db_version()"));
}

}  // namespace
}  // namespace crsync::test::vectors

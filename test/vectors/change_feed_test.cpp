// Test vectors TV-20..TV-25 (section D, "db_version and the change feed") of
// crsqlite-0.16-test-vectors.md: Lamport versioning on merge (behaviour spec §8.4) and reading
// crsql_changes — shape, filters, ordering, rowid, allowed statements (§9).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>
#include <vector>

#include "support/test_db.h"
#include "vectors/vector_util.h"

namespace crsync::test::vectors {
namespace {

constexpr char kFoo[] =
    "CREATE TABLE foo (id INTEGER PRIMARY KEY NOT NULL, b, c); SELECT crsql_as_crr('foo');";

TEST(ChangeFeed, TV20_LamportJumpOnMerge) {
  TestDb a, b;
  PeerNames names{{"A", &a}, {"B", &b}};
  ASSERT_EQ("", a.Exec(kFoo));
  ASSERT_EQ("", b.Exec(kFoo));
  for (int i = 0; i <= 9; ++i) {
    ASSERT_EQ("", a.Exec("INSERT INTO foo VALUES (" + std::to_string(i) + ", " + std::to_string(i) +
                         ", NULL)"));
  }
  EXPECT_EQ("10", a.One("SELECT crsql_db_version()"));
  ASSERT_EQ("", b.Exec("INSERT INTO foo VALUES (100, 100, NULL)"));
  EXPECT_EQ("", Sync(a, b, 8));
  EXPECT_EQ((std::vector<std::string>{
                "('foo', X'010964', 'b', 100, 1, 1, B, 1, 0)",
                "('foo', X'010964', 'c', NULL, 1, 1, B, 1, 1)",
                "('foo', X'010908', 'b', 8, 1, 9, A, 1, 0)",
                "('foo', X'010908', 'c', NULL, 1, 9, A, 1, 1)",
                "('foo', X'010909', 'b', 9, 1, 10, A, 1, 0)",
                "('foo', X'010909', 'c', NULL, 1, 10, A, 1, 1)",
            }),
            Changes(b, names));
  EXPECT_EQ("10", b.One("SELECT crsql_db_version()"));

  ASSERT_EQ("", b.Exec("BEGIN;"
                       "INSERT INTO crsql_changes VALUES "
                       "('foo', X'010905', 'b', 'r', 1, 100, X'0102', 1, 0);"
                       "INSERT INTO foo VALUES (6, 'local', NULL);"));
  EXPECT_EQ(std::vector<std::string>{"(10, 100)"},
            b.Query("SELECT crsql_db_version(), crsql_next_db_version()"));
  ASSERT_EQ("", b.Exec("COMMIT"));
  EXPECT_EQ((std::vector<std::string>{"(X'010905', 'b', 100, 0)", "(X'010906', 'b', 100, 0)",
                                      "(X'010906', 'c', 100, 1)"}),
            Sorted(b.Query("SELECT pk, cid, db_version, seq FROM crsql_changes "
                           "WHERE db_version >= 100")));
  EXPECT_EQ("100", b.One("SELECT crsql_db_version()"));
  ASSERT_EQ("", b.Exec("INSERT INTO foo VALUES (7, 'next', NULL)"));
  EXPECT_EQ((std::vector<std::string>{"(X'010907', 101)", "(X'010907', 101)"}),
            b.Query("SELECT pk, db_version FROM crsql_changes WHERE db_version > 100"));
}

TEST(ChangeFeed, TV21_ChangesShape) {
  TestDb a;
  EXPECT_EQ((std::vector<std::string>{"('table', 'TEXT')", "('pk', 'BLOB')", "('cid', 'TEXT')",
                                      "('val', 'ANY')", "('col_version', 'INTEGER')",
                                      "('db_version', 'INTEGER')", "('site_id', 'BLOB')",
                                      "('cl', 'INTEGER')", "('seq', 'INTEGER')"}),
            a.Query("SELECT name, type FROM pragma_table_xinfo('crsql_changes')"));
  ASSERT_EQ("", a.Exec(kFoo));
  ASSERT_EQ("", a.Exec("INSERT INTO foo VALUES (1, 'x', 2.5)"));
  EXPECT_EQ((std::vector<std::string>{
                "('text', 'blob', 'text', 'text', 'integer', 'integer', 'blob', 16, 'integer', "
                "'integer')",
                "('text', 'blob', 'text', 'real', 'integer', 'integer', 'blob', 16, 'integer', "
                "'integer')"}),
            a.Query("SELECT typeof(\"table\"), typeof(pk), typeof(cid), typeof(val), "
                    "typeof(col_version), typeof(db_version), typeof(site_id), length(site_id), "
                    "typeof(cl), typeof(seq) FROM crsql_changes"));
}

// Fixture of TV-22/TV-23: versions 1..6 local, version 7 merged from site X'AA..AA'.
void MakeFilterFixture(TestDb& a) {
  ASSERT_EQ("", a.Exec("CREATE TABLE foo (a PRIMARY KEY NOT NULL, b);"
                       "CREATE TABLE bar (a PRIMARY KEY NOT NULL, b);"
                       "SELECT crsql_as_crr('foo'); SELECT crsql_as_crr('bar');"));
  for (int i = 1; i <= 3; ++i) {
    const std::string s = std::to_string(i);
    ASSERT_EQ("", a.Exec("INSERT INTO foo VALUES (" + s + ", " + s + "*10)"));
    ASSERT_EQ("", a.Exec("INSERT INTO bar VALUES (" + s + ", 'x'||" + s + ")"));
  }
  ASSERT_EQ("", a.Exec("INSERT INTO crsql_changes VALUES ('foo', X'010909', 'b', 99, 1, 3, "
                       "X'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 1, 0)"));
  ASSERT_EQ("7", a.One("SELECT crsql_db_version()"));
}

// The "detail" column of every EXPLAIN QUERY PLAN row.
std::vector<std::string> PlanDetails(TestDb& db, const std::string& sql) {
  std::vector<std::string> out;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db.db(), ("EXPLAIN QUERY PLAN " + sql).c_str(), -1, &stmt, nullptr) !=
      SQLITE_OK) {
    return {"error: " + std::string(sqlite3_errmsg(db.db()))};
  }
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    out.push_back(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 3)));
  }
  sqlite3_finalize(stmt);
  return out;
}

TEST(ChangeFeed, TV22_Filters) {
  TestDb a;
  MakeFilterFixture(a);
  auto count = [&](const std::string& where) {
    return a.One("SELECT count(*) FROM crsql_changes " + where);
  };
  EXPECT_EQ("7", count(""));
  EXPECT_EQ("0", count("WHERE site_id IS NULL"));
  EXPECT_EQ("1", count("WHERE site_id = X'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'"));
  EXPECT_EQ("1", count("WHERE site_id IS NOT crsql_site_id()"));
  EXPECT_EQ("1", count("WHERE site_id != crsql_site_id()"));
  EXPECT_EQ("6", count("WHERE site_id = crsql_site_id()"));
  EXPECT_EQ((std::vector<std::string>{"('bar', 2)", "('bar', 4)", "('bar', 6)"}),
            a.Query("SELECT \"table\", db_version FROM crsql_changes WHERE \"table\" = 'bar'"));
  EXPECT_EQ("2", count("WHERE db_version IN (1, 2)"));
  EXPECT_EQ("5", count("WHERE db_version > 2 OR site_id IS NOT crsql_site_id()"));
  EXPECT_EQ((std::vector<std::string>{"('foo', 3)", "('bar', 4)"}),
            a.Query("SELECT \"table\", db_version FROM crsql_changes WHERE pk = X'010902'"));
  EXPECT_EQ((std::vector<std::string>{"('bar', 'b', 2)", "('foo', 'b', 3)"}),
            a.Query("SELECT \"table\", cid, db_version FROM crsql_changes "
                    "WHERE cid = 'b' AND db_version BETWEEN 2 AND 3"));
  EXPECT_EQ(
      (std::vector<std::string>{
          "SCAN crsql_changes VIRTUAL TABLE INDEX 6:WHERE db_vrsn > ? AND site_id IS NOT ? "
          "ORDER BY db_vrsn, seq ASC"}),
      PlanDetails(a, "SELECT * FROM crsql_changes WHERE db_version > 2 AND site_id IS NOT X'00'"));
}

// TV-23. The real cr-sqlite applies only the last ORDER BY term's direction (so
// `ORDER BY db_version DESC, seq ASC` comes back ascending) and fails `ORDER BY val` with
// 'SQL logic error'. Ours deliberately fixes both (Tier-4 quirks): every ORDER BY sorts like
// SQLite.
TEST(ChangeFeed, TV23_OrderBy) {
  TestDb a;
  MakeFilterFixture(a);
  EXPECT_EQ((std::vector<std::string>{"(7, 0)", "(6, 0)", "(5, 0)"}),
            a.Query("SELECT db_version, seq FROM crsql_changes "
                    "ORDER BY db_version DESC, seq ASC LIMIT 3"));
  EXPECT_EQ((std::vector<std::string>{"(7)", "(6)", "(5)", "(4)", "(3)", "(2)", "(1)"}),
            a.Query("SELECT db_version FROM crsql_changes ORDER BY db_version DESC"));
  EXPECT_EQ(
      (std::vector<std::string>{"(10)", "(20)", "(30)", "(99)", "('x1')", "('x2')", "('x3')"}),
      a.Query("SELECT val FROM crsql_changes ORDER BY val"));
  EXPECT_EQ(
      (std::vector<std::string>{"('x3')", "('x2')", "('x1')", "(99)", "(30)", "(20)", "(10)"}),
      a.Query("SELECT val FROM crsql_changes ORDER BY val DESC, db_version"));
  EXPECT_EQ((std::vector<std::string>{"(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)"}),
            a.Query("SELECT db_version FROM crsql_changes"));
  // Same answers as SQLite gives for the materialised rows.
  ASSERT_EQ("", a.Exec("CREATE TEMP TABLE snap AS SELECT * FROM crsql_changes"));
  for (const std::string order :
       {"db_version DESC, seq ASC", "val", "val DESC, db_version", "seq DESC, db_version DESC",
        "\"table\", db_version DESC", "cid, pk DESC, db_version"}) {
    SCOPED_TRACE(order);
    EXPECT_EQ(a.Query("SELECT \"table\", pk, db_version FROM snap ORDER BY " + order),
              a.Query("SELECT \"table\", pk, db_version FROM crsql_changes ORDER BY " + order));
  }
}

TEST(ChangeFeed, TV24_Rowid) {
  TestDb a;
  ASSERT_EQ("", a.Exec("CREATE TABLE foo (a PRIMARY KEY NOT NULL, b); SELECT crsql_as_crr('foo');"
                       "INSERT INTO foo VALUES (1, 2); INSERT INTO foo VALUES (2, 3);"
                       "CREATE TABLE bar (a PRIMARY KEY NOT NULL, b); SELECT crsql_as_crr('bar');"
                       "INSERT INTO bar VALUES (1, 2); INSERT INTO bar VALUES (2, 3);"));
  EXPECT_EQ((std::vector<std::string>{"('foo', 1, 1)", "('foo', 2, 2)",
                                      "('bar', 3, 10000000000001)", "('bar', 4, 10000000000002)"}),
            a.Query("SELECT \"table\", db_version, _rowid_ FROM crsql_changes"));
}

TEST(ChangeFeed, TV25_OnlyInsertAndSelectAllowed) {
  TestDb a;
  ASSERT_EQ("", a.Exec(kFoo));
  ASSERT_EQ("", a.Exec("INSERT INTO foo VALUES (1, 'x', 'y')"));
  const std::string kMsg =
      "Only INSERT and SELECT statements are allowed against the crsql changes table";
  EXPECT_EQ(kMsg, a.Exec("UPDATE crsql_changes SET val = 3"));
  EXPECT_EQ(SQLITE_MISUSE, a.last_rc());
  EXPECT_EQ(kMsg, a.Exec("DELETE FROM crsql_changes"));
  EXPECT_EQ(SQLITE_MISUSE, a.last_rc());
  EXPECT_EQ("2", a.One("SELECT count(*) FROM crsql_changes"));
  EXPECT_EQ(std::vector<std::string>{"(1, 'x', 'y')"}, a.Query("SELECT * FROM foo"));
}

}  // namespace
}  // namespace crsync::test::vectors

// Test vectors TV-35..TV-42 (section E, "Merge semantics", causal-length part) of
// crsqlite-0.16-test-vectors.md: a larger causal length wins outright, resurrection through the
// sentinel or through a cell change arriving first, stale changes, tombstones of unknown rows,
// idempotence and out-of-order delivery (behaviour spec §10.2, §10.5). All Tier 1, matched exactly.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/test_db.h"
#include "vectors/vector_util.h"

namespace crsync::test::vectors {
namespace {

constexpr char kFoo[] =
    "CREATE TABLE foo (id INTEGER PRIMARY KEY NOT NULL, b, c); SELECT crsql_as_crr('foo');";
// Schema S of TV-35..TV-39.
constexpr char kStrict[] =
    "CREATE TABLE foo (a INTEGER PRIMARY KEY NOT NULL, b INTEGER) STRICT; SELECT "
    "crsql_as_crr('foo');";
// Peer A of TV-35..TV-38: insert, delete, re-insert in one transaction (cl 3).
constexpr char kReinsertTx[] =
    "BEGIN; INSERT INTO foo VALUES (1,1); DELETE FROM foo; INSERT INTO foo VALUES (1,1); COMMIT;";

TEST(Merge, TV35_LargerClWinsOverMoreColumnUpdates) {
  TestDb a, b;
  PeerNames names{{"A", &a}, {"B", &b}};
  ASSERT_EQ("", a.Exec(kStrict));
  ASSERT_EQ("", b.Exec(kStrict));
  ASSERT_EQ("", a.Exec(kReinsertTx));
  ASSERT_EQ(
      "", b.Exec("BEGIN; INSERT INTO foo VALUES (1,1); UPDATE foo SET b = 3; UPDATE foo SET b = 4;"
                 "COMMIT;"));
  EXPECT_EQ((std::vector<std::string>{"('foo', X'010901', '-1', NULL, 3, 1, A, 3, 2)",
                                      "('foo', X'010901', 'b', 1, 1, 1, A, 3, 3)"}),
            Changes(a, names));
  EXPECT_EQ(std::vector<std::string>{"('foo', X'010901', 'b', 4, 3, 1, B, 1, 2)"},
            Changes(b, names));
  EXPECT_EQ("", Sync(a, b, 0));
  EXPECT_EQ((std::vector<std::string>{"('foo', X'010901', '-1', NULL, 3, 2, A, 3, 2)",
                                      "('foo', X'010901', 'b', 1, 1, 2, A, 3, 3)"}),
            Changes(b, names));
  EXPECT_EQ(std::vector<std::string>{"(1, 1)"}, b.Query("SELECT * FROM foo"));
}

TEST(Merge, TV35_VariantDeleteWithLargerClWins) {
  TestDb a, b;
  PeerNames names{{"A", &a}, {"B", &b}};
  ASSERT_EQ("", a.Exec(kStrict));
  ASSERT_EQ("", b.Exec(kStrict));
  ASSERT_EQ("", a.Exec("BEGIN; INSERT INTO foo VALUES (1,1); DELETE FROM foo; COMMIT;"));  // cl 2
  ASSERT_EQ(
      "", b.Exec("BEGIN; INSERT INTO foo VALUES (1,1); UPDATE foo SET b = 3; UPDATE foo SET b = 4;"
                 "COMMIT;"));  // cl 1, col_version 3
  EXPECT_EQ("", Sync(a, b, 0));
  EXPECT_EQ(std::vector<std::string>{"('foo', X'010901', '-1', NULL, 2, 2, A, 2, 1)"},
            Changes(b, names));
  EXPECT_TRUE(b.Query("SELECT * FROM foo").empty());
}

TEST(Merge, TV36_ResurrectLiveRowViaSentinelAlone) {
  TestDb a, b;
  PeerNames names{{"A", &a}, {"B", &b}};
  ASSERT_EQ("", a.Exec(kStrict));
  ASSERT_EQ("", b.Exec(kStrict));
  ASSERT_EQ("", a.Exec(kReinsertTx));
  ASSERT_EQ("", b.Exec("INSERT INTO foo VALUES (1, 7)"));

  EXPECT_EQ("", Apply(b, Pull(a, "WHERE cid = '-1'")));
  // B's cell clock is zeroed and its db_version bumped; site and seq are kept.
  EXPECT_EQ((std::vector<std::string>{"('foo', X'010901', 'b', 7, 0, 2, B, 3, 0)",
                                      "('foo', X'010901', '-1', NULL, 3, 2, A, 3, 2)"}),
            Changes(b, names));
  EXPECT_EQ(std::vector<std::string>{"(1, 7)"}, b.Query("SELECT * FROM foo"));

  EXPECT_EQ("", Apply(b, Pull(a, "WHERE cid != '-1'")));
  EXPECT_EQ((std::vector<std::string>{"('foo', X'010901', '-1', NULL, 3, 2, A, 3, 2)",
                                      "('foo', X'010901', 'b', 1, 1, 3, A, 3, 3)"}),
            Changes(b, names));
  EXPECT_EQ(std::vector<std::string>{"(1, 1)"}, b.Query("SELECT * FROM foo"));
}

TEST(Merge, TV37_ResurrectViaCellChangeArrivingFirst) {
  TestDb a, b;
  PeerNames names{{"A", &a}, {"B", &b}};
  ASSERT_EQ("", a.Exec(kStrict));
  ASSERT_EQ("", b.Exec(kStrict));
  ASSERT_EQ("", a.Exec(kReinsertTx));
  ASSERT_EQ("", b.Exec("INSERT INTO foo VALUES (1, 7)"));

  ASSERT_EQ("", b.Exec("BEGIN"));
  EXPECT_EQ("", InsertChanges(b, Pull(a, "WHERE cid = 'b'")));
  EXPECT_EQ("2", b.One("SELECT crsql_rows_impacted()"));  // resurrect step + cell write
  ASSERT_EQ("", b.Exec("COMMIT"));
  // The sentinel takes the cell's seq 3.
  const std::vector<std::string> expected = {"('foo', X'010901', '-1', NULL, 3, 2, A, 3, 3)",
                                             "('foo', X'010901', 'b', 1, 1, 2, A, 3, 3)"};
  EXPECT_EQ(expected, Changes(b, names));
  EXPECT_EQ(std::vector<std::string>{"(1, 1)"}, b.Query("SELECT * FROM foo"));

  EXPECT_EQ("", Sync(a, b, 0));  // a later full sync changes nothing
  EXPECT_EQ(expected, Changes(b, names));
  EXPECT_EQ("2", b.One("SELECT crsql_db_version()"));
}

TEST(Merge, TV38_ResurrectDeadRowViaSentinel) {
  TestDb a, b;
  PeerNames names{{"A", &a}, {"B", &b}};
  ASSERT_EQ("", a.Exec(kStrict));
  ASSERT_EQ("", b.Exec(kStrict));
  ASSERT_EQ("", a.Exec(kReinsertTx));
  ASSERT_EQ("", b.Exec("BEGIN; INSERT INTO foo VALUES (1,1); DELETE FROM foo; COMMIT;"));
  EXPECT_EQ("", Apply(b, Pull(a, "WHERE cid = '-1'")));
  EXPECT_EQ(std::vector<std::string>{"('foo', X'010901', '-1', NULL, 3, 2, A, 3, 2)"},
            Changes(b, names));
  // Recreated with defaults; the value arrives with the cell change.
  EXPECT_EQ(std::vector<std::string>{"(1, NULL)"}, b.Query("SELECT * FROM foo"));
}

TEST(Merge, TV39_StaleLowerClChangesAreIgnored) {
  TestDb a, b;
  PeerNames names{{"A", &a}, {"B", &b}};
  ASSERT_EQ("", a.Exec(kStrict));
  ASSERT_EQ("", b.Exec(kStrict));
  ASSERT_EQ("", a.Exec("INSERT INTO foo VALUES (1,1); UPDATE foo SET b = 123;"));  // cl 1
  ASSERT_EQ("", b.Exec(kReinsertTx));                                              // cl 3
  const std::vector<std::string> before = Changes(b, names);
  ASSERT_EQ(2u, before.size());
  ASSERT_EQ("", b.Exec("BEGIN"));
  EXPECT_EQ("", InsertChanges(b, Pull(a, "WHERE site_id IS NOT " + SiteLiteral(b))));
  EXPECT_EQ("0", b.One("SELECT crsql_rows_impacted()"));
  ASSERT_EQ("", b.Exec("COMMIT"));
  EXPECT_EQ(before, Changes(b, names));
  EXPECT_EQ(std::vector<std::string>{"(1, 1)"}, b.Query("SELECT * FROM foo"));
}

TEST(Merge, TV40_DeleteOfUnknownRowThenLocalInsert) {
  TestDb a;
  PeerNames names{{"A", &a}};
  ASSERT_EQ("", a.Exec(kFoo));
  ASSERT_EQ(
      "",
      a.Exec("INSERT INTO crsql_changes VALUES ('foo', X'010907', '-1', NULL, 2, 5, X'0A', 2, 0)"));
  EXPECT_EQ(std::vector<std::string>{"('foo', X'010907', '-1', NULL, 2, 5, X'0A', 2, 0)"},
            Changes(a, names));
  EXPECT_TRUE(a.Query("SELECT * FROM foo").empty());
  EXPECT_EQ(std::vector<std::string>{"(1, 7)"}, a.Query("SELECT * FROM foo__crsql_pks"));
  ASSERT_EQ("", a.Exec("INSERT INTO foo VALUES (7, 'mine', NULL)"));
  EXPECT_EQ((std::vector<std::string>{"('foo', X'010907', '-1', NULL, 3, 6, A, 3, 0)",
                                      "('foo', X'010907', 'b', 'mine', 1, 6, A, 3, 1)",
                                      "('foo', X'010907', 'c', NULL, 1, 6, A, 3, 2)"}),
            Changes(a, names));
}

TEST(Merge, TV41_IdempotentReapplication) {
  TestDb a, b;
  PeerNames names{{"A", &a}, {"B", &b}};
  ASSERT_EQ("", a.Exec(kFoo));
  ASSERT_EQ("", b.Exec(kFoo));
  ASSERT_EQ(
      "", a.Exec("INSERT INTO foo VALUES (1,'a','x'), (2,'b','y'); DELETE FROM foo WHERE id = 2;"));
  const ChangeSet ch = Pull(a);
  EXPECT_EQ("", Apply(b, ch));
  EXPECT_EQ("2", b.One("SELECT crsql_db_version()"));
  const std::vector<std::string> expected = {"('foo', X'010901', 'b', 'a', 1, 1, A, 1, 0)",
                                             "('foo', X'010901', 'c', 'x', 1, 1, A, 1, 1)",
                                             "('foo', X'010902', '-1', NULL, 2, 2, A, 2, 0)"};
  EXPECT_EQ(expected, Changes(b, names));

  ASSERT_EQ("", b.Exec("BEGIN"));
  EXPECT_EQ("", InsertChanges(b, ch));
  EXPECT_EQ("0", b.One("SELECT crsql_rows_impacted()"));
  ASSERT_EQ("", b.Exec("COMMIT"));
  EXPECT_EQ("2", b.One("SELECT crsql_db_version()"));
  EXPECT_EQ(expected, Changes(b, names));
  EXPECT_EQ(std::vector<std::string>{"(1, 'a', 'x')"}, b.Query("SELECT * FROM foo"));
}

TEST(Merge, TV42_OutOfOrderNewerLifeFirstStaleEventsLater) {
  TestDb a, b;
  PeerNames names{{"A", &a}, {"B", &b}};
  ASSERT_EQ("", a.Exec(kFoo));
  ASSERT_EQ("", b.Exec(kFoo));
  ASSERT_EQ("", a.Exec("INSERT INTO foo VALUES (1,'a','x')"));
  ASSERT_EQ("", a.Exec("DELETE FROM foo"));
  ASSERT_EQ("", a.Exec("INSERT INTO foo VALUES (1,'a2','x2')"));
  EXPECT_EQ((std::vector<std::string>{"('foo', X'010901', '-1', NULL, 3, 3, A, 3, 0)",
                                      "('foo', X'010901', 'b', 'a2', 1, 3, A, 3, 1)",
                                      "('foo', X'010901', 'c', 'x2', 1, 3, A, 3, 2)"}),
            Changes(a, names));

  EXPECT_EQ("", Apply(b, Pull(a, "WHERE cid = 'b'")));
  EXPECT_EQ(std::vector<std::string>{"(1, 'a2', NULL)"}, b.Query("SELECT * FROM foo"));
  const std::vector<std::string> after_b = {"('foo', X'010901', '-1', NULL, 3, 3, A, 3, 1)",
                                            "('foo', X'010901', 'b', 'a2', 1, 3, A, 3, 1)"};
  EXPECT_EQ(after_b, Changes(b, names));

  const std::string site_a = SiteLiteral(a);
  // Stale cl 1 cell change: ignored.
  EXPECT_EQ(
      "", Apply(b, PullSql(a, "SELECT 'foo', X'010901', 'c', 'OLD', 1, 1, " + site_a + ", 1, 1")));
  EXPECT_EQ(after_b, Changes(b, names));
  // Stale delete (cl 2): ignored.
  EXPECT_EQ(
      "", Apply(b, PullSql(a, "SELECT 'foo', X'010901', '-1', NULL, 2, 2, " + site_a + ", 2, 0")));
  EXPECT_EQ(after_b, Changes(b, names));
  EXPECT_EQ(std::vector<std::string>{"(1, 'a2', NULL)"}, b.Query("SELECT * FROM foo"));
  EXPECT_EQ("3", b.One("SELECT crsql_db_version()"));

  EXPECT_EQ("", Apply(b, Pull(a)));
  EXPECT_EQ(std::vector<std::string>{"(1, 'a2', 'x2')"}, b.Query("SELECT * FROM foo"));
  EXPECT_EQ((std::vector<std::string>{"('foo', X'010901', '-1', NULL, 3, 3, A, 3, 1)",
                                      "('foo', X'010901', 'b', 'a2', 1, 3, A, 3, 1)",
                                      "('foo', X'010901', 'c', 'x2', 1, 4, A, 3, 2)"}),
            Changes(b, names));
}

}  // namespace
}  // namespace crsync::test::vectors

// Test vectors TV-26..TV-34 (section E, "Merge semantics", first part) of
// crsqlite-0.16-test-vectors.md: per-cell last-writer-wins resolution on INSERT INTO
// crsql_changes — creation from a cell change, col_version then value tie-breaks with the
// NULL < BLOB < TEXT < REAL < INTEGER order, merge-equal-values, and deletes (behaviour spec §10).
// Everything here is Tier 1 (visible to peers) and is matched exactly.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/test_db.h"
#include "vectors/vector_util.h"

namespace crsync::test::vectors {
namespace {

constexpr char kFoo[] =
    "CREATE TABLE foo (id INTEGER PRIMARY KEY NOT NULL, b, c); SELECT crsql_as_crr('foo');";

TEST(Merge, TV26_NewRowFromCellChange) {
  TestDb a;
  ASSERT_EQ("", a.Exec(kFoo));
  ASSERT_EQ(
      "", a.Exec("INSERT INTO crsql_changes VALUES ('foo', X'010901', 'b', 5, 1, 7, X'01', 1, 0)"));
  EXPECT_EQ(std::vector<std::string>{"(1, 5, NULL)"}, a.Query("SELECT * FROM foo"));
  // No sentinel; the remote site got ordinal 1.
  EXPECT_EQ(std::vector<std::string>{"(1, 'b', 1, 7, 1, 0)"},
            a.Query("SELECT * FROM foo__crsql_clock"));
  EXPECT_EQ(std::vector<std::string>{"(X'01', 1)"},
            a.Query("SELECT * FROM crsql_site_id WHERE ordinal > 0"));
  EXPECT_EQ(std::vector<std::string>{"('foo', X'010901', 'b', 5, 1, 7, X'01', 1, 0)"}, Changes(a));
  EXPECT_EQ("7", a.One("SELECT crsql_db_version()"));
}

TEST(Merge, TV27_ConcurrentInsertsValueTieBreak) {
  TestDb a, b;
  PeerNames names{{"A", &a}, {"B", &b}};
  ASSERT_EQ("", a.Exec(kFoo));
  ASSERT_EQ("", b.Exec(kFoo));
  ASSERT_EQ("", a.Exec("INSERT INTO foo VALUES (1, 'apple', NULL)"));
  ASSERT_EQ("", b.Exec("INSERT INTO foo VALUES (1, 'banana', 5)"));
  EXPECT_EQ("", Sync(a, b, 0));
  EXPECT_EQ("", Sync(b, a, 0));
  for (TestDb* p : {&a, &b}) {
    EXPECT_EQ(std::vector<std::string>{"(1, 'banana', 5)"}, p->Query("SELECT * FROM foo"));
  }
  EXPECT_EQ((std::vector<std::string>{"('foo', X'010901', 'b', 'banana', 1, 2, B, 1, 0)",
                                      "('foo', X'010901', 'c', 5, 1, 2, B, 1, 1)"}),
            Changes(a, names));
  EXPECT_EQ((std::vector<std::string>{"('foo', X'010901', 'b', 'banana', 1, 1, B, 1, 0)",
                                      "('foo', X'010901', 'c', 5, 1, 1, B, 1, 1)"}),
            Changes(b, names));
}

TEST(Merge, TV28_HigherColVersionWinsRegardlessOfValue) {
  TestDb a, b;
  ASSERT_EQ("", a.Exec(kFoo));
  ASSERT_EQ("", b.Exec(kFoo));
  ASSERT_EQ("", a.Exec("INSERT INTO foo VALUES (1, 'a', NULL)"));
  EXPECT_EQ("", Sync(a, b, 0));
  ASSERT_EQ("", a.Exec("UPDATE foo SET b = 'z'"));                           // col_version 2
  ASSERT_EQ("", b.Exec("UPDATE foo SET b = 'm'; UPDATE foo SET b = 'a';"));  // col_version 3
  EXPECT_EQ("", Sync(a, b, 0));
  EXPECT_EQ("", Sync(b, a, 0));
  for (TestDb* p : {&a, &b}) {
    EXPECT_EQ(std::vector<std::string>{"(1, 'a', NULL)"}, p->Query("SELECT * FROM foo"));
    EXPECT_EQ("3", p->One("SELECT col_version FROM crsql_changes WHERE cid = 'b'"));
  }
}

TEST(Merge, TV29_ValueOrderingAcrossStorageClasses) {
  struct Case {
    std::string local;
    std::string incoming;
    bool incoming_wins;
  };
  std::vector<Case> cases = {
      {"NULL", "X'00'", true},     {"X'FF'", "''", true},    {"'b'", "-1.5", true},
      {"2.5", "1", true},          {"1", "2.5", false},      {"1.0", "1", true},
      {"1", "1.0", false},         {"-5", "1", true},        {"'a'", "'b'", true},
      {"'b'", "'a'", false},       {"X'00'", "X'FF'", true}, {"'ab'", "'abc'", true},
      {"X'0001'", "X'00'", false}, {"-1.5", "2.25", true},   {"NULL", "NULL", false},
  };
  // (9223372036854775807, any) -> local wins.
  for (const std::string any :
       {"NULL", "X'FF'", "'zzz'", "1e308", "9223372036854775806", "9223372036854775807"}) {
    cases.push_back({"9223372036854775807", any, false});
  }
  // (x, x) -> local wins (no-op) for every x.
  for (const std::string x : {"1", "1.5", "'a'", "''", "X'00'", "X''", "-7"}) {
    cases.push_back({x, x, false});
  }
  for (const Case& c : cases) {
    SCOPED_TRACE("local " + c.local + ", incoming " + c.incoming);
    TestDb a;
    PeerNames names{{"A", &a}};
    ASSERT_EQ("",
              a.Exec("CREATE TABLE foo (id PRIMARY KEY NOT NULL, v); SELECT crsql_as_crr('foo');"
                     "INSERT INTO foo VALUES (1, " +
                     c.local + ")"));
    ASSERT_EQ("", a.Exec("INSERT INTO crsql_changes VALUES ('foo', X'010901', 'v', " + c.incoming +
                         ", 1, 1, X'01', 1, 0)"));
    const std::string winner = c.incoming_wins ? c.incoming : c.local;
    EXPECT_EQ(a.Query("SELECT 1, " + winner + ", typeof(" + winner + ")"),
              a.Query("SELECT id, v, typeof(v) FROM foo"));
    EXPECT_EQ(std::vector<std::string>{c.incoming_wins ? "(X'01')" : "(A)"},
              Rows(a, "SELECT site_id FROM crsql_changes", names));
    EXPECT_EQ(c.incoming_wins ? "2" : "1", a.One("SELECT crsql_db_version()"));
  }
}

TEST(Merge, TV30_EqualValueAndVersionIsNoOp) {
  TestDb a, b;
  PeerNames names{{"A", &a}, {"B", &b}};
  ASSERT_EQ("", a.Exec(kFoo));
  ASSERT_EQ("", b.Exec(kFoo));
  ASSERT_EQ("", a.Exec("INSERT INTO foo VALUES (1, 'same', NULL)"));
  ASSERT_EQ("", b.Exec("INSERT INTO foo VALUES (1, 'same', NULL)"));
  ASSERT_EQ("", b.Exec("BEGIN"));
  EXPECT_EQ("", InsertChanges(b, Pull(a)));
  EXPECT_EQ("0", b.One("SELECT crsql_rows_impacted()"));
  ASSERT_EQ("", b.Exec("COMMIT"));
  EXPECT_EQ("1", b.One("SELECT crsql_db_version()"));
  EXPECT_EQ((std::vector<std::string>{"('foo', X'010901', 'b', 'same', 1, 1, B, 1, 0)",
                                      "('foo', X'010901', 'c', NULL, 1, 1, B, 1, 1)"}),
            Changes(b, names));
}

// TV-31. The vector uses S = X'FF' as "greater than the local site id"; that holds only when the
// random local id does not start with 0xFF, so the greater case uses 16 bytes of 0xFF, which is
// greater than every version-4 site id (byte 6 is 0x4X).
TEST(Merge, TV31_MergeEqualValues) {
  const std::string kMax = "X'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF'";
  struct Case {
    int m;
    std::string site;
    bool wins;
  };
  const std::vector<Case> cases = {{0, "X'00'", false}, {0, kMax, false}, {0, "NULL", false},
                                   {1, "X'00'", false}, {1, kMax, true},  {1, "NULL", false}};
  for (const Case& c : cases) {
    SCOPED_TRACE("m=" + std::to_string(c.m) + " S=" + c.site);
    TestDb a;
    PeerNames names{{"A", &a}};
    ASSERT_EQ("",
              a.Exec("CREATE TABLE foo (id PRIMARY KEY NOT NULL, v); SELECT crsql_as_crr('foo');"));
    EXPECT_EQ(std::to_string(c.m),
              a.One("SELECT crsql_config_set('merge-equal-values', " + std::to_string(c.m) + ")"));
    ASSERT_EQ("", a.Exec("INSERT INTO foo VALUES (1, 'same')"));
    ASSERT_EQ(
        "",
        a.Exec("BEGIN; INSERT INTO crsql_changes VALUES ('foo', X'010901', 'v', 'same', 1, 7, " +
               c.site + ", 1, 3)"));
    EXPECT_EQ(c.wins ? "1" : "0", a.One("SELECT crsql_rows_impacted()"));
    ASSERT_EQ("", a.Exec("COMMIT"));
    if (c.wins) {
      EXPECT_EQ(
          std::vector<std::string>{"('foo', X'010901', 'v', 'same', 1, 7, " + kMax + ", 1, 3)"},
          Changes(a, names));
      EXPECT_EQ("7", a.One("SELECT crsql_db_version()"));
    } else {
      EXPECT_EQ(std::vector<std::string>{"('foo', X'010901', 'v', 'same', 1, 1, A, 1, 0)"},
                Changes(a, names));
      EXPECT_EQ("1", a.One("SELECT crsql_db_version()"));
    }
    EXPECT_EQ(std::vector<std::string>{"(1, 'same')"}, a.Query("SELECT * FROM foo"));
  }
}

TEST(Merge, TV32_DeleteVsConcurrentUpdate) {
  TestDb a, b;
  PeerNames names{{"A", &a}, {"B", &b}};
  ASSERT_EQ("", a.Exec(kFoo));
  ASSERT_EQ("", b.Exec(kFoo));
  ASSERT_EQ("", a.Exec("INSERT INTO foo VALUES (1, 'b0', 'c0')"));
  EXPECT_EQ("", Sync(a, b, 0));
  ASSERT_EQ("", a.Exec("DELETE FROM foo WHERE id = 1"));
  ASSERT_EQ("",
            b.Exec("UPDATE foo SET b = 'b1' WHERE id = 1; UPDATE foo SET b = 'b2' WHERE id = 1;"));
  EXPECT_EQ("", Sync(a, b, 0));
  EXPECT_EQ("", Sync(b, a, 0));
  EXPECT_TRUE(a.Query("SELECT * FROM foo").empty());
  EXPECT_TRUE(b.Query("SELECT * FROM foo").empty());
  EXPECT_EQ(std::vector<std::string>{"('foo', X'010901', '-1', NULL, 2, 2, A, 2, 0)"},
            Changes(a, names));
  EXPECT_EQ(std::vector<std::string>{"('foo', X'010901', '-1', NULL, 2, 4, A, 2, 0)"},
            Changes(b, names));
}

TEST(Merge, TV33_DeleteAndReinsertBeatsConcurrentUpdates) {
  TestDb a, b;
  PeerNames names{{"A", &a}, {"B", &b}};
  ASSERT_EQ("", a.Exec(kFoo));
  ASSERT_EQ("", b.Exec(kFoo));
  ASSERT_EQ("", a.Exec("INSERT INTO foo VALUES (1, 'a', 'x')"));
  EXPECT_EQ("", Sync(a, b, 0));
  ASSERT_EQ("", a.Exec("DELETE FROM foo; INSERT INTO foo (id, b) VALUES (1, 'new');"));
  ASSERT_EQ("", b.Exec("UPDATE foo SET b = 'zzz', c = 'y'; UPDATE foo SET b = 'zzzz';"));
  EXPECT_EQ("", Sync(b, a, 0));
  EXPECT_EQ("", Sync(a, b, 0));
  for (TestDb* p : {&a, &b}) {
    EXPECT_EQ(std::vector<std::string>{"(1, 'new', NULL)"}, p->Query("SELECT * FROM foo"));
  }
  EXPECT_EQ((std::vector<std::string>{"('foo', X'010901', '-1', NULL, 3, 4, A, 3, 0)",
                                      "('foo', X'010901', 'b', 'new', 1, 4, A, 3, 1)",
                                      "('foo', X'010901', 'c', NULL, 1, 4, A, 3, 2)"}),
            Changes(b, names));
}

TEST(Merge, TV34_BothPeersDelete) {
  TestDb a, b;
  PeerNames names{{"A", &a}, {"B", &b}};
  ASSERT_EQ("", a.Exec(kFoo));
  ASSERT_EQ("", b.Exec(kFoo));
  ASSERT_EQ("", a.Exec("INSERT INTO foo VALUES (1, 'a', 'x')"));
  EXPECT_EQ("", Sync(a, b, 0));
  ASSERT_EQ("", a.Exec("DELETE FROM foo"));
  ASSERT_EQ("", b.Exec("DELETE FROM foo"));
  EXPECT_EQ("", Sync(a, b, 0));
  EXPECT_EQ("", Sync(b, a, 0));
  EXPECT_EQ(std::vector<std::string>{"('foo', X'010901', '-1', NULL, 2, 2, A, 2, 0)"},
            Changes(a, names));
  EXPECT_EQ(std::vector<std::string>{"('foo', X'010901', '-1', NULL, 2, 2, B, 2, 0)"},
            Changes(b, names));
  EXPECT_EQ("2", a.One("SELECT crsql_db_version()"));  // equal-cl deletes are no-ops
  EXPECT_EQ("2", b.One("SELECT crsql_db_version()"));
}

}  // namespace
}  // namespace crsync::test::vectors

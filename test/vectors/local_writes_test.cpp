// Test vectors TV-11..TV-19 (section C, "Local writes") of crsqlite-0.16-test-vectors.md: what
// the CRR triggers record for local INSERT/UPDATE/DELETE (behaviour spec §7), and the per-
// transaction db_version / seq bookkeeping (§8). All of it is visible to peers through
// crsql_changes, so the versions, seq and cl arithmetic are matched exactly, quirks included.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/test_db.h"
#include "vectors/vector_util.h"

namespace crsync::test::vectors {
namespace {

constexpr char kFoo[] =
    "CREATE TABLE foo (id INTEGER PRIMARY KEY NOT NULL, b, c); SELECT crsql_as_crr('foo');";

TEST(LocalWrites, TV11_RowLifecycle) {
  TestDb a;
  PeerNames names{{"A", &a}};
  ASSERT_EQ("", a.Exec(kFoo));

  ASSERT_EQ("", a.Exec("INSERT INTO foo VALUES (1, 'x', 2)"));
  EXPECT_EQ((std::vector<std::string>{"('foo', X'010901', 'b', 'x', 1, 1, A, 1, 0)",
                                      "('foo', X'010901', 'c', 2, 1, 1, A, 1, 1)"}),
            Changes(a, names));
  EXPECT_EQ("0", a.One("SELECT count(*) FROM foo__crsql_clock WHERE col_name = '-1'"));

  ASSERT_EQ("", a.Exec("UPDATE foo SET b = 'y' WHERE id = 1"));
  const std::vector<std::string> after_update = {"('foo', X'010901', 'c', 2, 1, 1, A, 1, 1)",
                                                 "('foo', X'010901', 'b', 'y', 2, 2, A, 1, 0)"};
  EXPECT_EQ(after_update, Changes(a, names));

  // No-op update: nothing recorded, but a version is consumed (visible to peers via the next
  // write's db_version).
  ASSERT_EQ("", a.Exec("UPDATE foo SET b = 'y' WHERE id = 1"));
  EXPECT_EQ(after_update, Changes(a, names));
  EXPECT_EQ("3", a.One("SELECT crsql_db_version()"));

  ASSERT_EQ("", a.Exec("DELETE FROM foo WHERE id = 1"));
  EXPECT_EQ(std::vector<std::string>{"('foo', X'010901', '-1', NULL, 2, 4, A, 2, 0)"},
            Changes(a, names));
  EXPECT_EQ(std::vector<std::string>{"(1, 1)"}, a.Query("SELECT * FROM foo__crsql_pks"));

  ASSERT_EQ("", a.Exec("INSERT INTO foo VALUES (1, 'z', NULL)"));
  EXPECT_EQ((std::vector<std::string>{"('foo', X'010901', '-1', NULL, 3, 5, A, 3, 0)",
                                      "('foo', X'010901', 'b', 'z', 1, 5, A, 3, 1)",
                                      "('foo', X'010901', 'c', NULL, 1, 5, A, 3, 2)"}),
            Changes(a, names));
}

TEST(LocalWrites, TV12_InsertOrReplaceAndUpsert) {
  {
    TestDb a;
    PeerNames names{{"A", &a}};
    ASSERT_EQ("",
              a.Exec("CREATE TABLE foo (id PRIMARY KEY NOT NULL, v); SELECT crsql_as_crr('foo');"));
    ASSERT_EQ("", a.Exec("INSERT INTO foo VALUES (1, 'a')"));
    ASSERT_EQ("", a.Exec("INSERT OR REPLACE INTO foo VALUES (1, 'a')"));
    // col_version bumped although unchanged; seq 1 because the sentinel bump consumed seq 0.
    EXPECT_EQ(std::vector<std::string>{"('foo', X'010901', 'v', 'a', 2, 2, A, 1, 1)"},
              Changes(a, names));
    ASSERT_EQ("",
              a.Exec("INSERT INTO foo VALUES (1, 'b') ON CONFLICT DO UPDATE SET v = excluded.v"));
    EXPECT_EQ(std::vector<std::string>{"('foo', X'010901', 'v', 'b', 3, 3, A, 1, 0)"},
              Changes(a, names));
  }
  {
    TestDb a;
    PeerNames names{{"A", &a}};
    ASSERT_EQ(
        "",
        a.Exec("CREATE TABLE foo (id PRIMARY KEY NOT NULL, v, w); SELECT crsql_as_crr('foo');"));
    ASSERT_EQ("", a.Exec("INSERT INTO foo VALUES (7, 'a', 1)"));
    EXPECT_EQ("0", a.One("SELECT count(*) FROM foo__crsql_clock WHERE col_name = '-1'"));
    ASSERT_EQ("", a.Exec("DELETE FROM foo WHERE id = 7"));
    EXPECT_EQ(std::vector<std::string>{"('foo', X'010907', '-1', NULL, 2, 2, A, 2, 0)"},
              Changes(a, names));
    // Row absent: a plain insert after delete.
    ASSERT_EQ("", a.Exec("INSERT OR REPLACE INTO foo VALUES (7, 'again', 1)"));
    EXPECT_EQ((std::vector<std::string>{"('foo', X'010907', '-1', NULL, 3, 3, A, 3, 0)",
                                        "('foo', X'010907', 'v', 'again', 1, 3, A, 3, 1)",
                                        "('foo', X'010907', 'w', 1, 1, 3, A, 3, 2)"}),
              Changes(a, names));
    // Row present: REPLACE fires no delete trigger; cl jumps by 2 (quirk replicated: visible
    // to peers).
    ASSERT_EQ("", a.Exec("INSERT OR REPLACE INTO foo VALUES (7, 'again', 1)"));
    EXPECT_EQ((std::vector<std::string>{"('foo', X'010907', '-1', NULL, 5, 4, A, 5, 0)",
                                        "('foo', X'010907', 'v', 'again', 2, 4, A, 5, 1)",
                                        "('foo', X'010907', 'w', 1, 2, 4, A, 5, 2)"}),
              Changes(a, names));
  }
}

TEST(LocalWrites, TV13_PkOnlyTable) {
  TestDb a, b;
  PeerNames names{{"A", &a}, {"B", &b}};
  for (TestDb* p : {&a, &b}) {
    ASSERT_EQ(
        "", p->Exec("CREATE TABLE tag (t TEXT PRIMARY KEY NOT NULL); SELECT crsql_as_crr('tag');"));
  }
  ASSERT_EQ("", a.Exec("INSERT INTO tag VALUES ('red')"));
  EXPECT_EQ(std::vector<std::string>{"('tag', X'010B03726564', '-1', NULL, 1, 1, A, 1, 0)"},
            Changes(a, names));
  ASSERT_EQ("", a.Exec("DELETE FROM tag"));
  ASSERT_EQ("", a.Exec("INSERT INTO tag VALUES ('red')"));
  EXPECT_EQ(std::vector<std::string>{"('tag', X'010B03726564', '-1', NULL, 3, 3, A, 3, 0)"},
            Changes(a, names));
  ASSERT_EQ("", a.Exec("INSERT OR REPLACE INTO tag VALUES ('red')"));  // cl +2 quirk
  const std::vector<std::string> expected = {"('tag', X'010B03726564', '-1', NULL, 5, 4, A, 5, 0)"};
  EXPECT_EQ(expected, Changes(a, names));

  EXPECT_EQ("", Sync(a, b, 0));
  EXPECT_EQ(std::vector<std::string>{"('red')"}, b.Query("SELECT * FROM tag"));
  EXPECT_EQ(expected, Changes(b, names));  // db_version 4 on B too: B was at 0
}

TEST(LocalWrites, TV14_PkChangeMetadata) {
  TestDb a;
  PeerNames names{{"A", &a}};
  ASSERT_EQ("",
            a.Exec("CREATE TABLE foo (id PRIMARY KEY NOT NULL, v, w); SELECT crsql_as_crr('foo');"
                   "INSERT INTO foo VALUES (1, 'a', 'b');"
                   "UPDATE foo SET id = 2, v = 'z' WHERE id = 1;"));
  EXPECT_EQ((std::vector<std::string>{
                "('foo', X'010902', 'w', 'b', 1, 1, A, 1, 1)",    // moved clock keeps version, seq
                "('foo', X'010901', '-1', NULL, 2, 2, A, 2, 0)",  // old key deleted
                "('foo', X'010902', '-1', NULL, 1, 2, A, 1, 1)",  // new key created
                "('foo', X'010902', 'v', 'z', 2, 2, A, 1, 2)",    // moved (1) then updated (+1)
            }),
            Changes(a, names));
}

// The PK-update replication gap is visible to peers and is replicated on purpose.
TEST(LocalWrites, TV15_PkChangeDoesNotReplicateUnderDeltaSync) {
  TestDb a, b;
  PeerNames names{{"A", &a}, {"B", &b}};
  for (TestDb* p : {&a, &b}) {
    ASSERT_EQ("", p->Exec("CREATE TABLE foo (x NOT NULL, y NOT NULL, v, PRIMARY KEY (y, x));"
                          "SELECT crsql_as_crr('foo');"));
  }
  ASSERT_EQ("", a.Exec("INSERT INTO foo VALUES ('a', 2, 'v1')"));
  EXPECT_EQ("", Sync(a, b, 0));
  ASSERT_EQ("", a.Exec("UPDATE foo SET x = 'b' WHERE x = 'a'"));
  EXPECT_EQ((std::vector<std::string>{"('foo', X'0209020B0162', 'v', 'v1', 1, 1, A, 1, 0)",
                                      "('foo', X'0209020B0161', '-1', NULL, 2, 2, A, 2, 0)",
                                      "('foo', X'0209020B0162', '-1', NULL, 1, 2, A, 1, 1)"}),
            Changes(a, names));

  EXPECT_EQ("", Sync(a, b, 1));
  EXPECT_EQ(std::vector<std::string>{"('b', 2, NULL)"}, b.Query("SELECT * FROM foo"));
  EXPECT_EQ(std::vector<std::string>{"('b', 2, 'v1')"}, a.Query("SELECT * FROM foo"));

  EXPECT_EQ("", Sync(a, b, 0));  // a full resync brings v1
  EXPECT_EQ(std::vector<std::string>{"('b', 2, 'v1')"}, b.Query("SELECT * FROM foo"));
}

TEST(LocalWrites, TV16_TransactionGroupingAndSeq) {
  TestDb a;
  PeerNames names{{"A", &a}};
  ASSERT_EQ("", a.Exec(kFoo));
  ASSERT_EQ("",
            a.Exec("BEGIN; INSERT INTO foo VALUES (1,'a','b'); INSERT INTO foo VALUES (2,'c','d');"
                   "UPDATE foo SET c = 'e' WHERE id = 1; COMMIT;"));
  EXPECT_EQ((std::vector<std::string>{"('foo', X'010901', 'b', 'a', 1, 1, A, 1, 0)",
                                      "('foo', X'010902', 'b', 'c', 1, 1, A, 1, 2)",
                                      "('foo', X'010902', 'c', 'd', 1, 1, A, 1, 3)",
                                      "('foo', X'010901', 'c', 'e', 2, 1, A, 1, 4)"}),
            Changes(a, names));
  EXPECT_EQ(std::vector<std::string>{"(1, 0)"},
            a.Query("SELECT crsql_db_version(), crsql_get_seq()"));
  ASSERT_EQ("", a.Exec("INSERT INTO foo VALUES (3,'f','g')"));
  EXPECT_EQ((std::vector<std::string>{"('foo', X'010903', 'b', 'f', 1, 2, A, 1, 0)",
                                      "('foo', X'010903', 'c', 'g', 1, 2, A, 1, 1)"}),
            Changes(a, names, "WHERE db_version > 1"));
}

TEST(LocalWrites, TV17_SyncBitSuppressesTracking) {
  TestDb a;
  PeerNames names{{"A", &a}};
  ASSERT_EQ("",
            a.Exec("CREATE TABLE foo (a PRIMARY KEY NOT NULL, b); SELECT crsql_as_crr('foo');"));
  EXPECT_EQ("1", a.One("SELECT crsql_internal_sync_bit(1)"));
  ASSERT_EQ("", a.Exec("INSERT INTO foo VALUES (1, 'x'); UPDATE foo SET b = 'y';"
                       "INSERT INTO foo VALUES (2, 'z'); DELETE FROM foo WHERE a = 1;"));
  EXPECT_EQ(std::vector<std::string>{"(2, 'z')"}, a.Query("SELECT * FROM foo"));
  EXPECT_TRUE(a.Query("SELECT * FROM foo__crsql_clock").empty());
  EXPECT_TRUE(a.Query("SELECT * FROM foo__crsql_pks").empty());

  EXPECT_EQ("5", a.One("SELECT crsql_internal_sync_bit(5)"));
  EXPECT_EQ("5", a.One("SELECT crsql_internal_sync_bit()"));
  EXPECT_EQ("0", a.One("SELECT crsql_internal_sync_bit(0)"));

  // A tracked row deleted while the bit is set keeps its cell clock; val reads as NULL.
  TestDb t;
  PeerNames t_names{{"A", &t}};
  ASSERT_EQ("", t.Exec("CREATE TABLE t (id PRIMARY KEY NOT NULL, v); SELECT crsql_as_crr('t');"
                       "INSERT INTO t VALUES (1, 'x');"
                       "SELECT crsql_internal_sync_bit(1);"
                       "DELETE FROM t;"
                       "SELECT crsql_internal_sync_bit(0);"));
  EXPECT_EQ(std::vector<std::string>{"('t', X'010901', 'v', NULL, 1, 1, A, 1, 0)"},
            Changes(t, t_names));
}

// Quirk replicated: seq survives read-only statements (no commit hook runs).
TEST(LocalWrites, TV18_SeqSurvivesReadOnlyStatements) {
  TestDb a;
  EXPECT_EQ(std::vector<std::string>{"(0, 0, 1, 2)"},
            a.Query("SELECT crsql_get_seq(), crsql_increment_and_get_seq(), "
                    "crsql_increment_and_get_seq(), crsql_get_seq()"));
  EXPECT_EQ("2", a.One("SELECT crsql_get_seq()"));
}

TEST(LocalWrites, TV19_NextDbVersion) {
  {
    TestDb a;
    EXPECT_EQ(std::vector<std::string>{"(1, 50, 50, 0)"},
              a.Query("SELECT crsql_next_db_version(), crsql_next_db_version(50), "
                      "crsql_next_db_version(10), crsql_db_version()"));
    EXPECT_EQ("0", a.One("SELECT crsql_db_version()"));  // read-only: nothing committed
  }
  {
    TestDb a;
    ASSERT_EQ("", a.Exec(kFoo));
    ASSERT_EQ("", a.Exec("INSERT INTO foo VALUES (1, 'a', NULL)"));
    ASSERT_EQ("", a.Exec("BEGIN; INSERT INTO foo VALUES (2, 'b', NULL);"));
    // Inside the write transaction: the committed (pre-transaction) value.
    EXPECT_EQ("1", a.One("SELECT crsql_db_version()"));
    EXPECT_EQ("2", a.One("SELECT crsql_next_db_version()"));
    ASSERT_EQ("", a.Exec("COMMIT"));
    EXPECT_EQ("2", a.One("SELECT crsql_db_version()"));
  }
}

}  // namespace
}  // namespace crsync::test::vectors

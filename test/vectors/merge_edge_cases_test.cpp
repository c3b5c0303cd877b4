// Test vectors TV-43..TV-52 (section E, "Merge semantics", edge cases) of
// crsqlite-0.16-test-vectors.md: site-id variants, unknown tables/columns, degenerate cl values,
// constraint failures and batch atomicity, storage classes of pks and values, forwarding, and
// crsql_rows_impacted accounting (behaviour spec §8.6, §10, §11).
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
constexpr char kFooV[] =
    "CREATE TABLE foo (id PRIMARY KEY NOT NULL, v); SELECT crsql_as_crr('foo');";

// Quirk replicated (visible to peers): a NULL site id is stored as local (ordinal 0).
TEST(Merge, TV43_NullSiteIdMeansLocal) {
  TestDb a;
  PeerNames names{{"A", &a}};
  ASSERT_EQ("", a.Exec(kFoo));
  ASSERT_EQ(
      "", a.Exec("INSERT INTO crsql_changes VALUES ('foo', X'010901', 'b', 5, 1, 7, NULL, 1, 0)"));
  EXPECT_EQ(std::vector<std::string>{"('foo', X'010901', 'b', 5, 1, 7, A, 1, 0)"},
            Changes(a, names));
  EXPECT_EQ(std::vector<std::string>{"(1, 'b', 1, 7, 0, 0)"},
            a.Query("SELECT * FROM foo__crsql_clock"));
  EXPECT_EQ("7", a.One("SELECT crsql_db_version()"));
  EXPECT_EQ("1", a.One("SELECT count(*) FROM crsql_site_id"));
}

TEST(Merge, TV44_SiteIdVariants) {
  TestDb a;
  PeerNames names{{"A", &a}};
  ASSERT_EQ("", a.Exec(kFooV));
  EXPECT_EQ("crsql - site id exceeded max length",
            a.Exec("INSERT INTO crsql_changes VALUES ('foo', X'010901', 'v', 'x', 1, 1, "
                   "X'0102030405060708090A0B0C0D0E0F1011', 1, 0)"));
  EXPECT_TRUE(a.Query("SELECT * FROM foo").empty());

  // Text site id: accepted, its bytes recorded as a new site.
  EXPECT_EQ(
      "",
      a.Exec("INSERT INTO crsql_changes VALUES ('foo', X'010902', 'v', 'x', 1, 1, 'abc', 1, 0)"));
  EXPECT_EQ(std::vector<std::string>{"(X'616263', 1)"},
            a.Query("SELECT * FROM crsql_site_id WHERE ordinal > 0"));
  EXPECT_EQ(std::vector<std::string>{"(X'616263')"},
            a.Query("SELECT site_id FROM crsql_changes WHERE pk = X'010902'"));

  // Empty site id: recorded as local (ordinal 0).
  EXPECT_EQ(
      "", a.Exec("INSERT INTO crsql_changes VALUES ('foo', X'010903', 'v', 'x', 1, 1, X'', 1, 0)"));
  EXPECT_EQ(std::vector<std::string>{"(A)"},
            Rows(a, "SELECT site_id FROM crsql_changes WHERE pk = X'010903'", names));
  EXPECT_EQ("0", a.One("SELECT c.site_id FROM foo__crsql_clock c JOIN foo__crsql_pks p "
                       "ON c.key = p.__crsql_key WHERE p.id = 3"));

  // Short blob: accepted, new ordinal.
  EXPECT_EQ(
      "",
      a.Exec("INSERT INTO crsql_changes VALUES ('foo', X'010904', 'v', 'x', 1, 1, X'0102', 1, 0)"));
  EXPECT_EQ((std::vector<std::string>{"(X'616263', 1)", "(X'0102', 2)"}),
            a.Query("SELECT * FROM crsql_site_id WHERE ordinal > 0 ORDER BY ordinal"));
  EXPECT_EQ(std::vector<std::string>{"(X'0102')"},
            a.Query("SELECT site_id FROM crsql_changes WHERE pk = X'010904'"));
  EXPECT_EQ((std::vector<std::string>{"(2, 'x')", "(3, 'x')", "(4, 'x')"}),
            a.Query("SELECT * FROM foo ORDER BY id"));
}

// TV-45. The real extension fails unknown columns with a bare 'SQL logic error'; ours keeps the
// code (SQLITE_ERROR) and the point in the algorithm but names the column (docs/crdt.md #13).
TEST(Merge, TV45_UnknownTableOrColumn) {
  TestDb a;
  PeerNames names{{"A", &a}};
  ASSERT_EQ("", a.Exec(kFoo));
  EXPECT_EQ(
      "crsql - could not find the schema information for table nope",
      a.Exec("INSERT INTO crsql_changes VALUES ('nope', X'010901', 'b', 1, 1, 1, X'01', 1, 0)"));

  EXPECT_EQ(
      "crsql - column zz does not exist in table foo",
      a.Exec("INSERT INTO crsql_changes VALUES ('foo', X'010905', 'zz', 1, 1, 1, X'01', 1, 0)"));
  EXPECT_EQ(SQLITE_ERROR, a.last_rc());
  EXPECT_TRUE(a.Query("SELECT * FROM foo").empty());
  EXPECT_TRUE(a.Query("SELECT * FROM foo__crsql_pks").empty());
  EXPECT_TRUE(a.Query("SELECT * FROM foo__crsql_clock").empty());

  // The resurrect step runs before the column lookup fails; statement rollback undoes it.
  ASSERT_EQ("", a.Exec("INSERT INTO foo VALUES (1, 'x', 'y'); DELETE FROM foo;"));
  const std::vector<std::string> before = Changes(a, names);
  ASSERT_EQ(1u, before.size());
  EXPECT_EQ(
      "crsql - column zz does not exist in table foo",
      a.Exec("INSERT INTO crsql_changes VALUES ('foo', X'010901', 'zz', 1, 1, 9, X'01', 3, 0)"));
  EXPECT_EQ(SQLITE_ERROR, a.last_rc());
  EXPECT_EQ(before, Changes(a, names));
  EXPECT_TRUE(a.Query("SELECT * FROM foo").empty());
  EXPECT_EQ("2", a.One("SELECT crsql_db_version()"));

  ASSERT_EQ("", a.Exec("CREATE TABLE tag (t PRIMARY KEY NOT NULL); SELECT crsql_as_crr('tag');"));
  EXPECT_EQ("crsql - column t does not exist in table tag",
            a.Exec("INSERT INTO crsql_changes VALUES ('tag', X'010B03726564', "
                   "'t', 'red', 1, 1, X'01', 1, 0)"));
  EXPECT_EQ(SQLITE_ERROR, a.last_rc());
  EXPECT_TRUE(a.Query("SELECT * FROM tag").empty());

  ASSERT_EQ("",
            a.Exec("CREATE TABLE baz (id PRIMARY KEY NOT NULL, a, b); SELECT crsql_as_crr('baz');"
                   "SELECT crsql_begin_alter('baz'); ALTER TABLE baz DROP COLUMN a;"
                   "SELECT crsql_commit_alter('baz');"));
  EXPECT_EQ(
      "crsql - column a does not exist in table baz",
      a.Exec("INSERT INTO crsql_changes VALUES ('baz', X'010901', 'a', 1, 1, 1, X'01', 1, 0)"));
  EXPECT_EQ(SQLITE_ERROR, a.last_rc());
  EXPECT_EQ(
      "", a.Exec("INSERT INTO crsql_changes VALUES ('baz', X'010901', 'b', 1, 1, 1, X'01', 1, 0)"));
  EXPECT_EQ(std::vector<std::string>{"(1, 1)"}, a.Query("SELECT * FROM baz"));
}

// Quirks replicated (they decide what peers converge to): cl NULL/0/negative is ignored but
// still creates a lookaside row; an even cl on a cell change deletes the row and records the
// cell's col_version as the sentinel.
TEST(Merge, TV46_DegenerateClValues) {
  TestDb a;
  ASSERT_EQ("", a.Exec(kFooV));
  EXPECT_EQ(
      "",
      a.Exec(
          "INSERT INTO crsql_changes (\"table\", pk, cid, val, col_version, db_version, site_id) "
          "VALUES ('foo', X'010901', 'v', 'x', 1, 1, X'01')"));
  EXPECT_EQ(
      "",
      a.Exec("INSERT INTO crsql_changes VALUES ('foo', X'010902', 'v', 'x', 1, 1, X'01', 0, 0)"));
  EXPECT_EQ(
      "",
      a.Exec("INSERT INTO crsql_changes VALUES ('foo', X'010903', 'v', 'x', 1, 1, X'01', -1, 0)"));
  EXPECT_EQ("0", a.One("SELECT count(*) FROM crsql_changes"));
  EXPECT_EQ("3", a.One("SELECT count(*) FROM foo__crsql_pks"));
  EXPECT_TRUE(a.Query("SELECT * FROM foo").empty());
  EXPECT_EQ("0", a.One("SELECT crsql_db_version()"));

  ASSERT_EQ("", a.Exec("INSERT INTO foo VALUES (4, 'live')"));
  EXPECT_EQ(
      "",
      a.Exec("INSERT INTO crsql_changes VALUES ('foo', X'010904', 'v', 'x', 3, 9, X'01', 2, 0)"));
  EXPECT_TRUE(a.Query("SELECT * FROM foo").empty());
  EXPECT_EQ(std::vector<std::string>{"(X'010904', '-1', 3, 9, 3)"},
            a.Query("SELECT pk, cid, col_version, db_version, cl FROM crsql_changes"));
}

TEST(Merge, TV47_SentinelValueIsIgnored) {
  TestDb a;
  ASSERT_EQ("", a.Exec("CREATE TABLE foo (id PRIMARY KEY NOT NULL, v DEFAULT 'dflt');"
                       "SELECT crsql_as_crr('foo');"));
  ASSERT_EQ("", a.Exec("INSERT INTO crsql_changes VALUES ('foo', X'010901', '-1', 'ignored', 1, 1, "
                       "X'01', 1, 0)"));
  EXPECT_EQ(std::vector<std::string>{"(1, 'dflt')"}, a.Query("SELECT * FROM foo"));
  EXPECT_EQ(std::vector<std::string>{"(X'010901', '-1', NULL, 1, 1)"},
            a.Query("SELECT pk, cid, val, col_version, cl FROM crsql_changes"));
}

TEST(Merge, TV48_ConstraintFailuresAndBatchAtomicity) {
  {
    TestDb a;
    ASSERT_EQ("", a.Exec("CREATE TABLE foo (id INTEGER PRIMARY KEY NOT NULL, v INTEGER) STRICT;"
                         "SELECT crsql_as_crr('foo');"));
    // Same extended code as the real one; SQLite's own message instead of the bare
    // 'constraint failed' (docs/crdt.md #16).
    EXPECT_EQ(
        "cannot store TEXT value in INTEGER column foo.v",
        a.Exec(
            "INSERT INTO crsql_changes VALUES ('foo', X'010901', 'v', 'text', 1, 1, X'01', 1, 0)"));
    EXPECT_EQ(SQLITE_CONSTRAINT_DATATYPE, a.last_rc());
    EXPECT_TRUE(a.Query("SELECT * FROM foo").empty());
    EXPECT_TRUE(a.Query("SELECT * FROM foo__crsql_pks").empty());
    EXPECT_EQ(
        "",
        a.Exec(
            "INSERT INTO crsql_changes VALUES ('foo', X'010902', 'v', '12', 1, 1, X'01', 1, 0)"));
    EXPECT_EQ(std::vector<std::string>{"(2, 12, 'integer')"},
              a.Query("SELECT id, v, typeof(v) FROM foo"));
  }
  {
    TestDb a;
    ASSERT_EQ("", a.Exec("CREATE TABLE foo (id PRIMARY KEY NOT NULL, v CHECK (v > 0));"
                         "SELECT crsql_as_crr('foo');"));
    EXPECT_EQ(
        "CHECK constraint failed: v > 0",
        a.Exec("INSERT INTO crsql_changes VALUES ('foo', X'010901', 'v', -5, 1, 1, X'01', 1, 0)"));
    EXPECT_EQ(SQLITE_CONSTRAINT_CHECK, a.last_rc());
    EXPECT_TRUE(a.Query("SELECT * FROM foo__crsql_pks").empty());
    EXPECT_TRUE(a.Query("SELECT * FROM foo").empty());
  }
  {
    TestDb a;
    ASSERT_EQ("", a.Exec(kFoo));
    ASSERT_EQ("", a.Exec("BEGIN"));
    EXPECT_EQ(
        "",
        a.Exec(
            "INSERT INTO crsql_changes VALUES ('foo', X'010901', 'b', 'good', 1, 1, X'01', 1, 0)"));
    EXPECT_NE(
        "",
        a.Exec(
            "INSERT INTO crsql_changes VALUES ('foo', X'010902', 'zz', 'bad', 1, 1, X'01', 1, 0)"));
    EXPECT_EQ(std::vector<std::string>{"(1, 'good', NULL)"}, a.Query("SELECT * FROM foo"));
    ASSERT_EQ("", a.Exec("ROLLBACK"));
    EXPECT_TRUE(a.Query("SELECT * FROM foo").empty());
    EXPECT_EQ("0", a.One("SELECT count(*) FROM crsql_changes"));
    EXPECT_EQ("0", a.One("SELECT crsql_db_version()"));
  }
  {
    TestDb a;
    ASSERT_EQ("", a.Exec(kFoo));
    EXPECT_NE("", a.Exec("INSERT INTO crsql_changes VALUES "
                         "('foo', X'010901', 'b', 'good', 1, 1, X'01', 1, 0), "
                         "('foo', X'010902', 'zz', 'bad', 1, 1, X'01', 1, 0)"));
    EXPECT_TRUE(a.Query("SELECT * FROM foo").empty());
    EXPECT_TRUE(a.Query("SELECT * FROM foo__crsql_pks").empty());
    EXPECT_EQ("0", a.One("SELECT count(*) FROM crsql_changes"));
    EXPECT_EQ("0", a.One("SELECT crsql_db_version()"));
  }
}

// Quirk replicated (visible to peers): a pk with a different storage class is a different
// lookaside key, although it is the same base row.
TEST(Merge, TV49_PkStorageClassMismatch) {
  TestDb a;
  PeerNames names{{"A", &a}};
  ASSERT_EQ(
      "",
      a.Exec("CREATE TABLE foo (id INTEGER PRIMARY KEY NOT NULL, v); SELECT crsql_as_crr('foo');"
             "INSERT INTO foo VALUES (1, 'local');"));
  ASSERT_EQ("", a.Exec("INSERT INTO crsql_changes VALUES ('foo', X'010B0131', 'v', 'remote', 1, 1, "
                       "X'01', 1, 0)"));
  EXPECT_EQ(std::vector<std::string>{"(1, 'remote')"}, a.Query("SELECT * FROM foo"));
  EXPECT_EQ((std::vector<std::string>{"(1, 1, 'integer')", "(2, '1', 'text')"}),
            a.Query("SELECT __crsql_key, id, typeof(id) FROM foo__crsql_pks ORDER BY __crsql_key"));
  EXPECT_EQ((std::vector<std::string>{"(X'010901', 'v', 'remote', A)",
                                      "(X'010B0131', 'v', 'remote', X'01')"}),
            Sorted(Rows(a, "SELECT pk, cid, val, site_id FROM crsql_changes", names)));
}

TEST(Merge, TV50_LargeIntegersRealsBlobsUnicodeRoundTrip) {
  TestDb a, b;
  const std::string schema =
      "CREATE TABLE v (k BLOB PRIMARY KEY NOT NULL, i INTEGER, r REAL, t TEXT, x); SELECT "
      "crsql_as_crr('v');"
      "CREATE TABLE r (k REAL PRIMARY KEY NOT NULL, v); SELECT crsql_as_crr('r');";
  ASSERT_EQ("", a.Exec(schema));
  ASSERT_EQ("", b.Exec(schema));
  ASSERT_EQ(
      "", a.Exec("INSERT INTO v VALUES (X'0001FF', 9223372036854775807, 0.1, 'h\xC3\xA9llo', X'');"
                 "INSERT INTO v VALUES (X'02', -9223372036854775808, 0.0, '', 1e300);"
                 "INSERT INTO r VALUES (1.5, 'a'), (-2.25, 'b');"));
  EXPECT_EQ("", Sync(a, b, 0));
  EXPECT_EQ(Sorted({"(X'010C030001FF')", "(X'010C0102')", "(X'01023FF8000000000000')",
                    "(X'0102C002000000000000')"}),
            Sorted(a.Query("SELECT DISTINCT pk FROM crsql_changes")));
  // Bit-for-bit: packing encodes every value with its storage class and exact bytes.
  const std::string dump =
      "SELECT hex(crsql_pack_columns(k, i, r, t, x)), typeof(i), typeof(r), typeof(t), typeof(x) "
      "FROM v ORDER BY k";
  ASSERT_EQ(2u, a.Query(dump).size());
  EXPECT_EQ(a.Query(dump), b.Query(dump));
  EXPECT_EQ("'0.1'", b.One("SELECT quote(r) FROM v WHERE k = X'0001FF'"));
  EXPECT_EQ(std::vector<std::string>{"(X'', 'blob')"},
            b.Query("SELECT x, typeof(x) FROM v WHERE k = X'0001FF'"));
  EXPECT_EQ(std::vector<std::string>{"('1.0e+300', 'real')"},
            b.Query("SELECT quote(x), typeof(x) FROM v WHERE k = X'02'"));
  EXPECT_EQ(std::vector<std::string>{"(9223372036854775807, -9223372036854775808)"},
            b.Query("SELECT max(i), min(i) FROM v"));
  EXPECT_EQ((std::vector<std::string>{"(-2.25, 'b')", "(1.5, 'a')"}),
            b.Query("SELECT * FROM r ORDER BY k"));
}

TEST(Merge, TV51_ForwardingKeepsTheAuthor) {
  TestDb a, b, c;
  PeerNames names{{"A", &a}, {"B", &b}, {"C", &c}};
  for (TestDb* p : {&a, &b, &c}) ASSERT_EQ("", p->Exec(kFoo));
  ASSERT_EQ("", b.Exec("INSERT INTO foo VALUES (50, 'b', NULL)"));
  ASSERT_EQ("", b.Exec("INSERT INTO foo VALUES (51, 'b', NULL)"));
  ASSERT_EQ("", a.Exec("INSERT INTO foo VALUES (1, 'a', NULL)"));
  EXPECT_EQ("", Sync(a, b, 0));
  EXPECT_EQ("", Sync(b, c, 0));
  const std::string kSql =
      "SELECT pk, cid, val, col_version, db_version, site_id, cl, seq FROM crsql_changes";
  const std::vector<std::string> expected = {
      "(X'010932', 'b', 'b', 1, 1, B, 1, 0)", "(X'010932', 'c', NULL, 1, 1, B, 1, 1)",
      "(X'010933', 'b', 'b', 1, 2, B, 1, 0)", "(X'010933', 'c', NULL, 1, 2, B, 1, 1)",
      "(X'010901', 'b', 'a', 1, 3, A, 1, 0)", "(X'010901', 'c', NULL, 1, 3, A, 1, 1)"};
  EXPECT_EQ(expected, Rows(b, kSql, names));
  EXPECT_EQ(expected, Rows(c, kSql, names));
}

TEST(Merge, TV52_RowsImpactedAccounting) {
  TestDb a;
  ASSERT_EQ("", a.Exec(kFoo));
  ASSERT_EQ("", a.Exec("INSERT INTO foo VALUES (1,'a','b')"));
  ASSERT_EQ(
      "",
      a.Exec("INSERT INTO crsql_changes VALUES ('foo', X'010901', 'b', 'z', 5, 3, X'01', 1, 0)"));
  EXPECT_EQ("0", a.One("SELECT crsql_rows_impacted()"));
  EXPECT_EQ("3", a.One("SELECT crsql_db_version()"));

  ASSERT_EQ("", a.Exec("BEGIN"));
  const std::vector<std::pair<std::string, std::string>> steps = {
      {"('foo',X'010901','b','y',4,3,X'01',1,0)", "0"},
      {"('foo',X'010901','c','c',2,3,X'02',1,0)", "1"},
      {"('foo',X'010902','-1',NULL,1,3,X'02',1,0)", "2"},
      {"('foo',X'010902','-1',NULL,1,3,X'02',1,0)", "2"},
      {"('foo',X'010903','b','q',1,3,X'02',3,7)", "4"},
      {"('foo',X'010904','-1',NULL,2,3,X'02',2,7)", "5"},
  };
  for (const auto& [row, impacted] : steps) {
    SCOPED_TRACE(row);
    ASSERT_EQ("", a.Exec("INSERT INTO crsql_changes VALUES " + row));
    EXPECT_EQ(impacted, a.One("SELECT crsql_rows_impacted()"));
  }
  ASSERT_EQ("", a.Exec("COMMIT"));
  EXPECT_EQ("0", a.One("SELECT crsql_rows_impacted()"));

  EXPECT_EQ((std::vector<std::string>{"(1, 'z', 'c')", "(2, NULL, NULL)", "(3, 'q', NULL)"}),
            a.Query("SELECT * FROM foo ORDER BY id"));
  EXPECT_EQ((std::vector<std::string>{
                "('foo', X'010901', 'b', 'z', 5, 3, X'01', 1, 0)",
                "('foo', X'010901', 'c', 'c', 2, 4, X'02', 1, 0)",
                "('foo', X'010902', '-1', NULL, 1, 4, X'02', 1, 0)",
                "('foo', X'010903', '-1', NULL, 3, 4, X'02', 3, 7)",
                "('foo', X'010903', 'b', 'q', 1, 4, X'02', 3, 7)",
                "('foo', X'010904', '-1', NULL, 2, 4, X'02', 2, 7)",
            }),
            Changes(a));

  // Quirk kept (local API only, not in the list of fixed quirks): ROLLBACK does not reset it.
  ASSERT_EQ("", a.Exec("BEGIN; INSERT INTO crsql_changes VALUES ('foo', X'010905', 'b', 'w', 1, 3, "
                       "X'02', 1, 0);"));
  EXPECT_EQ("1", a.One("SELECT crsql_rows_impacted()"));
  ASSERT_EQ("", a.Exec("ROLLBACK"));
  EXPECT_EQ("1", a.One("SELECT crsql_rows_impacted()"));
  EXPECT_TRUE(a.Query("SELECT * FROM foo WHERE id = 5").empty());
}

}  // namespace
}  // namespace crsync::test::vectors

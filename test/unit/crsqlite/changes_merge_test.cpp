// Unit tests of merge input validation (src/crsqlite/changes_merge.cpp) beyond the spec vectors:
// hostile db_versions are refused without changing anything, and valid extremes still merge.
#include <gtest/gtest.h>

#include "support/test_db.h"

namespace crsync::test {
namespace {

constexpr const char* kFoo =
    "CREATE TABLE foo (id PRIMARY KEY NOT NULL, v); SELECT crsql_as_crr('foo');";

TEST(ChangesMerge, RefusesHostileDbVersions) {
  TestDb db;
  ASSERT_EQ("", db.Exec(kFoo));
  for (const char* dbv : {"9223372036854775807", "-1", "NULL", "'7'", "1.5", "4611686018427387905"}) {
    SCOPED_TRACE(dbv);
    std::string sql = std::string("INSERT INTO crsql_changes VALUES ('foo', X'010901', 'v', 'x', 1, ") +
                      dbv + ", X'01', 1, 0)";
    EXPECT_NE("", db.Exec(sql));
    EXPECT_EQ(SQLITE_MISMATCH, db.last_rc() & 0xff);
    EXPECT_TRUE(db.Query("SELECT * FROM foo").empty());
    EXPECT_TRUE(db.Query("SELECT * FROM foo__crsql_pks").empty());
    EXPECT_EQ("0", db.One("SELECT crsql_db_version()"));
  }
  // The largest accepted version still merges, and local writes continue after it.
  ASSERT_EQ("", db.Exec("INSERT INTO crsql_changes VALUES ('foo', X'010901', 'v', 'x', 1, "
                        "4611686018427387904, X'01', 1, 0)"));
  EXPECT_EQ("4611686018427387904", db.One("SELECT crsql_db_version()"));
  ASSERT_EQ("", db.Exec("INSERT INTO foo VALUES (2, 'local')"));
  EXPECT_EQ("4611686018427387905", db.One("SELECT crsql_db_version()"));
}

TEST(ChangesMerge, MissingBaseRowLetsIncomingValueWin) {
  // A row deleted while the sync bit was set keeps live clocks; the original errors forever.
  TestDb db;
  ASSERT_EQ("", db.Exec(kFoo));
  ASSERT_EQ("", db.Exec("INSERT INTO foo VALUES (1, 'a'); SELECT crsql_internal_sync_bit(1);"
                        "DELETE FROM foo; SELECT crsql_internal_sync_bit(0);"));
  ASSERT_EQ("", db.Exec("INSERT INTO crsql_changes VALUES ('foo', X'010901', 'v', 'b', 1, 5, "
                        "X'01', 1, 0)"));
  EXPECT_EQ(std::vector<std::string>{"(1, 'b')"}, db.Query("SELECT * FROM foo"));
}

}  // namespace
}  // namespace crsync::test

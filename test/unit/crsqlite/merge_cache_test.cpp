// Unit tests of the merge cache (src/crsqlite/merge_cache.h): consecutive changes of one row
// merged in one transaction (the cache is used) must end exactly like the same changes merged
// with the cache dropped before each one (an empty savepoint rolled back between merges; no data
// changes), and anything that writes between two merges of a row — local writes, direct SQL,
// savepoint rollbacks — must not be hidden by it.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/test_db.h"

namespace crsync::test {
namespace {

constexpr const char* kFoo =
    "CREATE TABLE foo (id PRIMARY KEY NOT NULL, a, b, c); SELECT crsql_as_crr('foo');";

// One change as crsql_changes column values (site id X'01' unless given).
struct Change {
  std::string pk;  // hex of the packed pk
  std::string cid;
  Param val;
  int64_t col_version;
  int64_t db_version;
  int64_t cl;
  int64_t seq = 0;
  std::string site = "01";
};

std::string Merge(TestDb& db, const Change& c) {
  auto rows = db.Query("INSERT INTO crsql_changes VALUES ('foo', ?, ?, ?, ?, ?, ?, ?, ?)",
                       {Blob{Unhex(c.pk)}, c.cid, c.val, c.col_version, c.db_version,
                        Blob{Unhex(c.site)}, c.cl, c.seq});
  return rows.empty() ? "" : rows.front();
}

// Everything a merge can change, rendered.
std::vector<std::string> State(TestDb& db) {
  std::vector<std::string> out;
  for (const char* sql :
       {"SELECT * FROM foo ORDER BY id", "SELECT * FROM foo__crsql_pks ORDER BY 1",
        "SELECT key, col_name, col_version, db_version, site_id, seq FROM foo__crsql_clock "
        "ORDER BY key, col_name",
        "SELECT * FROM crsql_site_id WHERE ordinal != 0 ORDER BY ordinal", "SELECT crsql_db_version()"}) {
    for (auto& row : db.Query(sql)) out.push_back(row);
    out.push_back("--");
  }
  return out;
}

// Merges changes into a fresh database in one transaction; uncached: the cache is dropped
// before every merge by rolling back an empty savepoint.
std::vector<std::string> MergeAll(const std::vector<Change>& changes, bool uncached) {
  TestDb db;
  EXPECT_EQ("", db.Exec(kFoo));
  EXPECT_EQ("", db.Exec("BEGIN"));
  for (const auto& c : changes) {
    if (uncached) {
      EXPECT_EQ("", db.Exec("SAVEPOINT s; ROLLBACK TO s; RELEASE s"));
    }
    EXPECT_EQ("", Merge(db, c));
  }
  EXPECT_EQ("", db.Exec("COMMIT"));
  return State(db);
}

void ExpectSameBothWays(const std::vector<Change>& changes) {
  auto cached = MergeAll(changes, false);
  auto uncached = MergeAll(changes, true);
  EXPECT_EQ(uncached, cached);
}

// Packed pks of integer ids 1 and 2.
const std::string kPk1 = "010901";
const std::string kPk2 = "010902";

TEST(MergeCache, SeveralCellsOfOneRow) {
  std::vector<Change> changes = {{kPk1, "a", int64_t{1}, 1, 1, 1, 0},
                                 {kPk1, "b", std::string("x"), 1, 1, 1, 1},
                                 {kPk1, "c", 2.5, 1, 1, 1, 2},
                                 {kPk2, "a", int64_t{7}, 1, 2, 1, 0},
                                 {kPk1, "b", std::string("y"), 2, 3, 1, 0}};
  ExpectSameBothWays(changes);
  TestDb db;
  ASSERT_EQ("", db.Exec(kFoo));
  ASSERT_EQ("", db.Exec("BEGIN"));
  for (const auto& c : changes) ASSERT_EQ("", Merge(db, c));
  ASSERT_EQ("", db.Exec("COMMIT"));
  EXPECT_EQ((std::vector<std::string>{"(1, 1, 'y', 2.5)", "(2, 7, NULL, NULL)"}),
            db.Query("SELECT * FROM foo ORDER BY id"));
}

TEST(MergeCache, LoserInTheMiddleOfARow) {
  // b at version 3 wins, then an older b (version 2) loses, then c still wins; a tie on a with a
  // smaller value loses, a tie with a bigger value wins.
  std::vector<Change> changes = {{kPk1, "a", int64_t{5}, 1, 4, 1, 0},
                                 {kPk1, "b", std::string("new"), 3, 4, 1, 1},
                                 {kPk1, "b", std::string("old"), 2, 3, 1, 0},
                                 {kPk1, "c", int64_t{9}, 1, 4, 1, 2},
                                 {kPk1, "a", int64_t{4}, 1, 5, 1, 0},
                                 {kPk1, "a", int64_t{6}, 1, 6, 1, 0}};
  ExpectSameBothWays(changes);
  TestDb db;
  ASSERT_EQ("", db.Exec(kFoo));
  ASSERT_EQ("", db.Exec("BEGIN"));
  for (const auto& c : changes) ASSERT_EQ("", Merge(db, c));
  ASSERT_EQ("", db.Exec("COMMIT"));
  EXPECT_EQ(std::vector<std::string>{"(1, 6, 'new', 9)"}, db.Query("SELECT * FROM foo"));
}

TEST(MergeCache, DeleteAndReinsertInOneBatch) {
  std::vector<Change> changes = {{kPk1, "a", int64_t{1}, 1, 1, 1, 0},
                                 {kPk1, "b", int64_t{2}, 1, 1, 1, 1},
                                 {kPk1, "-1", Null{}, 2, 2, 2, 0},  // delete
                                 {kPk1, "a", int64_t{3}, 1, 1, 1, 0},  // stale: older life
                                 {kPk1, "-1", Null{}, 3, 3, 3, 0},  // resurrect
                                 {kPk1, "c", int64_t{4}, 1, 3, 3, 1},
                                 {kPk1, "b", int64_t{5}, 1, 4, 5, 0},  // missed delete + reinsert
                                 {kPk1, "-1", Null{}, 6, 5, 6, 0},  // delete again
                                 {kPk2, "a", int64_t{8}, 1, 6, 3, 0}};  // row born at cl 3
  ExpectSameBothWays(changes);
  TestDb db;
  ASSERT_EQ("", db.Exec(kFoo));
  ASSERT_EQ("", db.Exec("BEGIN"));
  for (const auto& c : changes) ASSERT_EQ("", Merge(db, c));
  ASSERT_EQ("", db.Exec("COMMIT"));
  EXPECT_EQ(std::vector<std::string>{"(2, 8, NULL, NULL)"}, db.Query("SELECT * FROM foo"));
  EXPECT_EQ("6", db.One("SELECT col_version FROM foo__crsql_clock WHERE key = 1 AND "
                        "col_name = '-1'"));
}

TEST(MergeCache, LocalWriteBetweenMergesIsSeen) {
  TestDb db;
  ASSERT_EQ("", db.Exec(kFoo));
  ASSERT_EQ("", db.Exec("BEGIN"));
  ASSERT_EQ("", Merge(db, {kPk1, "a", int64_t{1}, 1, 1, 1, 0}));
  // A local update bumps a to col_version 2; the incoming a at version 2 then ties on version
  // and loses on value (50 < 100). Had the merge trusted version 1 from before, 50 would win.
  ASSERT_EQ("", db.Exec("UPDATE foo SET a = 100 WHERE id = 1"));
  ASSERT_EQ("", Merge(db, {kPk1, "a", int64_t{50}, 2, 5, 1, 0}));
  ASSERT_EQ("", db.Exec("COMMIT"));
  EXPECT_EQ("100", db.One("SELECT a FROM foo"));
  // A local delete between merges: the incoming cell of the old life (cl 1) is stale.
  ASSERT_EQ("", db.Exec("BEGIN"));
  ASSERT_EQ("", Merge(db, {kPk1, "b", int64_t{1}, 1, 6, 1, 0}));
  ASSERT_EQ("", db.Exec("DELETE FROM foo WHERE id = 1"));
  ASSERT_EQ("", Merge(db, {kPk1, "c", int64_t{1}, 1, 7, 1, 0}));
  ASSERT_EQ("", db.Exec("COMMIT"));
  EXPECT_TRUE(db.Query("SELECT * FROM foo").empty());
  EXPECT_EQ("2", db.One("SELECT col_version FROM foo__crsql_clock WHERE col_name = '-1'"));
}

TEST(MergeCache, DirectMetadataWriteBetweenMergesIsSeen) {
  TestDb db;
  ASSERT_EQ("", db.Exec(kFoo));
  ASSERT_EQ("", db.Exec("BEGIN"));
  ASSERT_EQ("", Merge(db, {kPk1, "a", int64_t{1}, 1, 1, 1, 0}));
  // Raise a's clock behind the engine's back: the next merge must compare with version 9.
  ASSERT_EQ("", db.Exec("UPDATE foo__crsql_clock SET col_version = 9 WHERE col_name = 'a'"));
  ASSERT_EQ("", Merge(db, {kPk1, "a", int64_t{2}, 5, 2, 1, 0}));
  ASSERT_EQ("", db.Exec("COMMIT"));
  EXPECT_EQ("1", db.One("SELECT a FROM foo"));
}

TEST(MergeCache, SavepointRollbackBetweenMergesIsSeen) {
  TestDb db;
  ASSERT_EQ("", db.Exec(kFoo));
  ASSERT_EQ("", db.Exec("BEGIN"));
  ASSERT_EQ("", Merge(db, {kPk2, "a", int64_t{1}, 1, 1, 1, 0}));
  ASSERT_EQ("", db.Exec("SAVEPOINT s"));
  ASSERT_EQ("", Merge(db, {kPk1, "a", int64_t{1}, 3, 1, 1, 0}));
  ASSERT_EQ("", db.Exec("ROLLBACK TO s; RELEASE s"));
  // The row and its key are gone again: version 1 must win and create them anew.
  ASSERT_EQ("", Merge(db, {kPk1, "a", int64_t{2}, 1, 2, 1, 0}));
  ASSERT_EQ("", Merge(db, {kPk1, "b", int64_t{3}, 1, 2, 1, 1}));
  ASSERT_EQ("", db.Exec("COMMIT"));
  EXPECT_EQ((std::vector<std::string>{"(1, 2, 3, NULL)", "(2, 1, NULL, NULL)"}),
            db.Query("SELECT * FROM foo ORDER BY id"));
  EXPECT_EQ("1", db.One("SELECT c.col_version FROM foo__crsql_clock AS c JOIN foo__crsql_pks AS p "
                        "ON c.key = p.__crsql_key WHERE p.id = 1 AND c.col_name = 'a'"));
}

TEST(MergeCache, MultiRowInsertStatement) {
  // One INSERT ... SELECT merging a whole row and a loser; same end state as one by one.
  TestDb batched;
  ASSERT_EQ("", batched.Exec(kFoo));
  ASSERT_EQ("", batched.Exec(
                    "BEGIN; INSERT INTO crsql_changes SELECT 'foo', X'010901', column1, column2, "
                    "column3, 1, X'01', 1, 0 FROM (VALUES ('a', 1, 2), ('b', 2, 1), ('a', 0, 1), "
                    "('c', 3, 1)); COMMIT;"));
  std::vector<Change> changes = {{kPk1, "a", int64_t{1}, 2, 1, 1, 0},
                                 {kPk1, "b", int64_t{2}, 1, 1, 1, 0},
                                 {kPk1, "a", int64_t{0}, 1, 1, 1, 0},
                                 {kPk1, "c", int64_t{3}, 1, 1, 1, 0}};
  EXPECT_EQ(MergeAll(changes, true), State(batched));
  EXPECT_EQ(std::vector<std::string>{"(1, 1, 2, 3)"}, batched.Query("SELECT * FROM foo"));
}

}  // namespace
}  // namespace crsync::test

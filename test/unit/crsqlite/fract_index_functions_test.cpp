// Unit tests of the fractional-index SQL functions (src/crsqlite/fract_index_functions.cpp):
// crsql_fract_key_between through SQL, the full TV-64 sequence of crsql_fract_as_ordered, its
// errors and savepoint handling, odd identifiers, the view's conflict repair, and a randomized
// comparison of view insertions against an in-memory list.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "support/test_db.h"

namespace crsync::crsqlite {
namespace {

using test::Null;
using test::Param;
using test::TestDb;

// Ids of list `list_id` of table todo, in order-column order, as "id:'key'" strings.
std::vector<std::string> Listing(TestDb& db, int64_t list_id) {
  return db.Query(
      "SELECT id || ':' || quote(ordering) FROM todo WHERE list_id = ? "
      "ORDER BY ordering COLLATE BINARY, id",
      {list_id});
}

std::string OrderOf(TestDb& db, int64_t id) {
  return db.One("SELECT ordering FROM todo WHERE id = ?", {id});
}

// Number of objects crsql_fract_as_ordered created (any table).
constexpr const char* kCountObjects =
    "SELECT count(*) FROM sqlite_master WHERE type IN ('trigger', 'view') "
    "AND name LIKE '%fractindex%'";

constexpr const char* kTodo =
    "CREATE TABLE todo (id PRIMARY KEY NOT NULL, list_id, ordering, content, complete);";

// ---- crsql_fract_key_between ----------------------------------------------------------------

TEST(FractKeyBetweenSql, VectorsAndErrors) {
  TestDb db;
  EXPECT_EQ(db.One("SELECT crsql_fract_key_between(NULL, NULL)"), "'a '");
  EXPECT_EQ(db.One("SELECT crsql_fract_key_between(NULL, 'a ')"), "'Z~'");
  EXPECT_EQ(db.One("SELECT crsql_fract_key_between('a0V', 'a1')"), "'a0k'");
  EXPECT_EQ(db.One("SELECT crsql_fract_key_between('a ', 'a!')"), "'a P'");
  EXPECT_EQ(db.One("SELECT crsql_fract_key_between(?, NULL)", {std::string("a!")}), "'a\"'");
  EXPECT_EQ(db.One("SELECT crsql_fract_key_between('a1', 'a0')"),
            "error: key_between - a must be before b");
  EXPECT_EQ(db.One("SELECT crsql_fract_key_between(NULL, 'A' || printf('%26s', ''))"),
            "error: Key is too small");
  EXPECT_EQ(db.One("SELECT crsql_fract_key_between('a0 ', 'a1')"),
            "error: Fractional part should not end with ' ' (space)");
  EXPECT_EQ(db.One("SELECT crsql_fract_key_between('0', '1')"), "error: head is out of range");
  EXPECT_EQ(db.One("SELECT crsql_fract_key_between(0, 1)"), "error: head is out of range");
  // The original aborts the process on these; here they are ordinary SQL errors.
  EXPECT_EQ(db.One("SELECT crsql_fract_key_between('a1', 'a1')").rfind("error: ", 0), 0u);
  EXPECT_EQ(db.One("SELECT crsql_fract_key_between('', 'a')").rfind("error: ", 0), 0u);
  EXPECT_EQ(db.One("SELECT crsql_fract_key_between(x'', NULL)").rfind("error: ", 0), 0u);
  EXPECT_EQ(db.One("SELECT crsql_fract_key_between('a')"),
            "error: wrong number of arguments to function crsql_fract_key_between()");
  // Still usable afterwards.
  EXPECT_EQ(db.One("SELECT crsql_fract_key_between('a ', NULL)"), "'a!'");
}

TEST(FractKeyBetweenSql, IsInnocuousAndDeterministic) {
  TestDb db;
  // Usable from schema objects even with trusted_schema off, and in index expressions.
  EXPECT_EQ(db.Exec("PRAGMA trusted_schema = OFF; CREATE TABLE k (a TEXT);"
                    "CREATE VIEW v AS SELECT crsql_fract_key_between(a, NULL) AS b FROM k;"
                    "CREATE INDEX k_next ON k (crsql_fract_key_between(a, NULL));"
                    "INSERT INTO k VALUES ('a '), ('b12');"),
            "");
  EXPECT_EQ(db.Query("SELECT b FROM v ORDER BY b"),
            (std::vector<std::string>{"('a!')", "('b13')"}));
}

// ---- crsql_fract_as_ordered: TV-64 ------------------------------------------------------------

TEST(FractAsOrdered, TestVector64) {
  TestDb db;
  ASSERT_EQ(db.Exec(kTodo), "");
  EXPECT_EQ(db.One("SELECT crsql_fract_as_ordered('todo', 'ordering', 'list_id')"), "NULL");
  EXPECT_EQ(db.One("SELECT crsql_fract_as_ordered('todo', 'ordering', 'list_id')"), "NULL");
  EXPECT_EQ(db.One("SELECT crsql_as_crr('todo')"), "'OK'");

  ASSERT_EQ(db.Exec("INSERT INTO todo VALUES (1, 1, -1, 'head', 0)"), "");
  EXPECT_EQ(OrderOf(db, 1), "'a '");
  ASSERT_EQ(db.Exec("INSERT INTO todo VALUES (3, 1, 1, 'tail', 0)"), "");
  EXPECT_EQ(OrderOf(db, 3), "'a!'");
  ASSERT_EQ(db.Exec("INSERT INTO todo_fractindex (id, list_id, content, complete, after_id) "
                    "VALUES (2, 1, 'mid', 0, 1)"),
            "");
  EXPECT_EQ(OrderOf(db, 2), "'a P'");
  ASSERT_EQ(db.Exec("INSERT INTO todo VALUES (10, 2, 1, 'other list', 0)"), "");
  EXPECT_EQ(OrderOf(db, 10), "'a '");

  // Continuation of the upstream C test on list 1.
  ASSERT_EQ(db.Exec("INSERT INTO todo VALUES (0, 1, -1, 'new head', 0)"), "");
  EXPECT_EQ(OrderOf(db, 0), "'Z~'");
  ASSERT_EQ(db.Exec("INSERT INTO todo VALUES (4, 1, 1, 'new tail', 0)"), "");
  EXPECT_EQ(OrderOf(db, 4), "'a\"'");
  ASSERT_EQ(db.Exec("INSERT INTO todo_fractindex (id, list_id, content, complete, after_id) "
                    "VALUES (-1, 1, 'first', 0, NULL)"),
            "");
  EXPECT_EQ(OrderOf(db, -1), "'Z}'");
  ASSERT_EQ(db.Exec("INSERT INTO todo_fractindex (id, list_id, content, complete, after_id) "
                    "VALUES (5, 1, 'last', 0, 4)"),
            "");
  EXPECT_EQ(OrderOf(db, 5), "'a#'");
  ASSERT_EQ(db.Exec("UPDATE todo_fractindex SET after_id = 4 WHERE id = 3"), "");
  EXPECT_EQ(OrderOf(db, 3), "'a\"P'");

  EXPECT_EQ(Listing(db, 1), (std::vector<std::string>{
                                "('-1:''Z}''')", "('0:''Z~''')", "('1:''a ''')", "('2:''a P''')",
                                "('4:''a\"''')", "('3:''a\"P''')", "('5:''a#''')"}));
  EXPECT_EQ(Listing(db, 2), (std::vector<std::string>{"('10:''a ''')"}));
  // The other columns went through the view unchanged.
  EXPECT_EQ(db.Query("SELECT content, complete FROM todo WHERE id IN (2, 3) ORDER BY id"),
            (std::vector<std::string>{"('mid', 0)", "('tail', 0)"}));

  EXPECT_EQ(
      db.One("SELECT crsql_fract_as_ordered('todo')"),
      "error: Must provide at least 2 arguments -- the table name and the column to order by");
  EXPECT_EQ(db.One("SELECT crsql_fract_as_ordered('todo', 'nope')"),
            "error: all columns are not present in the base table");
}

TEST(FractAsOrdered, CreatesExactlyTheNamedObjectsIdempotently) {
  TestDb db;
  ASSERT_EQ(db.Exec(kTodo), "");
  const std::vector<std::string> expected = {
      "('trigger', '__crsql_todo_fractindex_ezmove', 'todo')",
      "('trigger', '__crsql_todo_fractindex_pend_trig', 'todo')",
      "('trigger', 'todo_fractindex_insert_trig', 'todo_fractindex')",
      "('trigger', 'todo_fractindex_update_trig', 'todo_fractindex')",
      "('view', 'todo_fractindex', 'todo_fractindex')",
  };
  const std::string objects =
      "SELECT type, name, tbl_name FROM sqlite_master WHERE name LIKE '%fractindex%' "
      "ORDER BY type, name";
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(db.One("SELECT crsql_fract_as_ordered('todo', 'ordering', 'list_id')"), "NULL");
    EXPECT_EQ(db.Query(objects), expected);
  }
  EXPECT_EQ(db.Query("SELECT name FROM pragma_table_info('todo_fractindex')"),
            (std::vector<std::string>{"('id')", "('list_id')", "('ordering')", "('content')",
                                      "('complete')", "('after_id')"}));
  // Re-running with other columns replaces the objects (here: no list column at all).
  EXPECT_EQ(db.One("SELECT crsql_fract_as_ordered('todo', 'ordering')"), "NULL");
  EXPECT_EQ(db.Query(objects), expected);
  ASSERT_EQ(db.Exec("INSERT INTO todo VALUES (1, 1, 1, 'x', 0); INSERT INTO todo VALUES (2, 2, 1, "
                    "'y', 0);"),
            "");
  EXPECT_EQ(OrderOf(db, 2), "'a!'");  // One list for the whole table.
}

TEST(FractAsOrdered, ErrorsLeaveNothingBehindAndKeepTheCallersTransaction) {
  TestDb db;
  ASSERT_EQ(db.Exec(kTodo), "");
  EXPECT_EQ(
      db.One("SELECT crsql_fract_as_ordered()"),
      "error: Must provide at least 2 arguments -- the table name and the column to order by");
  EXPECT_EQ(db.One("SELECT crsql_fract_as_ordered('todo', 'ordering', 'nope')"),
            "error: all columns are not present in the base table");
  EXPECT_EQ(db.One("SELECT crsql_fract_as_ordered('nope', 'ordering')"),
            "error: all columns are not present in the base table");
  EXPECT_EQ(db.One("SELECT crsql_fract_as_ordered(NULL, 'ordering')"),
            "error: all columns are not present in the base table");
  EXPECT_EQ(db.One("SELECT crsql_fract_as_ordered('todo', NULL)"),
            "error: all columns are not present in the base table");

  // A failure half-way (the view name is taken by a table) rolls back to the savepoint only.
  ASSERT_EQ(db.Exec("BEGIN; INSERT INTO todo VALUES (1, 1, 'a ', 'kept', 0);"
                    "CREATE TABLE todo_fractindex (x);"),
            "");
  EXPECT_EQ(db.One("SELECT crsql_fract_as_ordered('todo', 'ordering', 'list_id')"),
            "error: use DROP TABLE to delete table todo_fractindex");
  EXPECT_EQ(db.One(kCountObjects), "0");
  EXPECT_EQ(db.Exec("COMMIT"), "");  // The caller's transaction was still open.
  EXPECT_EQ(db.One("SELECT content FROM todo WHERE id = 1"), "'kept'");
  EXPECT_EQ(db.One("SELECT count(*) FROM todo_fractindex"), "0");
}

TEST(FractAsOrdered, IsDirectOnly) {
  TestDb db;
  ASSERT_EQ(db.Exec(kTodo), "");
  ASSERT_EQ(db.Exec("CREATE VIEW sneaky AS SELECT crsql_fract_as_ordered('todo', 'ordering')"), "");
  EXPECT_EQ(db.One("SELECT * FROM sneaky"), "error: unsafe use of crsql_fract_as_ordered()");
  EXPECT_EQ(db.One(kCountObjects), "0");
}

TEST(FractAsOrdered, UnsupportedTables) {
  TestDb db;
  ASSERT_EQ(db.Exec("CREATE TABLE wr (id PRIMARY KEY, o) WITHOUT ROWID;"
                    "CREATE TABLE nopk (o, l);"),
            "");
  EXPECT_EQ(db.One("SELECT crsql_fract_as_ordered('wr', 'o')"),
            "error: crsql_fract_as_ordered - table wr has no rowid (WITHOUT ROWID tables are not "
            "supported)");
  EXPECT_EQ(db.One("SELECT crsql_fract_as_ordered('nopk', 'o', 'l')"),
            "error: crsql_fract_as_ordered - table nopk has no PRIMARY KEY, which the "
            "nopk_fractindex view needs");
  EXPECT_EQ(db.One(kCountObjects), "0");
}

TEST(FractAsOrdered, FollowsTheCallersTransaction) {
  TestDb db;
  ASSERT_EQ(db.Exec(kTodo), "");
  ASSERT_EQ(db.Exec("BEGIN"), "");
  EXPECT_EQ(db.One("SELECT crsql_fract_as_ordered('todo', 'ordering', 'list_id')"), "NULL");
  EXPECT_EQ(db.One(kCountObjects), "5");
  ASSERT_EQ(db.Exec("ROLLBACK"), "");
  EXPECT_EQ(db.One(kCountObjects), "0");
}

TEST(FractAsOrdered, TriggersWorkWithTrustedSchemaOff) {
  TestDb db;
  ASSERT_EQ(db.Exec(kTodo), "");
  EXPECT_EQ(db.One("SELECT crsql_fract_as_ordered('todo', 'ordering', 'list_id')"), "NULL");
  ASSERT_EQ(db.Exec("PRAGMA trusted_schema = OFF;"
                    "INSERT INTO todo VALUES (1, 1, 1, 'a', 0);"
                    "INSERT INTO todo VALUES (2, 1, 'a ', 'b', 0);"
                    "INSERT INTO todo_fractindex (id, list_id, after_id) VALUES (3, 1, 1);"
                    "UPDATE todo SET ordering = 1 WHERE id = 1;"),
            "");
  EXPECT_EQ(db.Query("SELECT id, ordering FROM todo ORDER BY ordering"),
            (std::vector<std::string>{"(3, 'Z~P')", "(2, 'a ')", "(1, 'a!')"}));
}

// ---- triggers ---------------------------------------------------------------------------------

class OrderedTodo : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(db_.Exec(kTodo), "");
    ASSERT_EQ(db_.One("SELECT crsql_fract_as_ordered('todo', 'ordering', 'list_id')"), "NULL");
  }
  void Insert(int64_t id, int64_t list, Param order) {
    ASSERT_EQ(db_.Query("INSERT INTO todo VALUES (?, ?, ?, 'c', 0)", {id, list, order}),
              std::vector<std::string>{});
  }
  void InsertAfter(int64_t id, int64_t list, Param after) {
    ASSERT_EQ(db_.Query("INSERT INTO todo_fractindex (id, list_id, content, complete, after_id) "
                        "VALUES (?, ?, 'c', 0, ?)",
                        {id, list, after}),
              std::vector<std::string>{});
  }
  // Ids of list `list` in order.
  std::vector<std::string> Ids(int64_t list) {
    return db_.Query("SELECT id FROM todo WHERE list_id IS ? ORDER BY ordering COLLATE BINARY, id",
                     {list});
  }
  TestDb db_;
};

std::vector<std::string> Rows(std::initializer_list<int> ids) {
  std::vector<std::string> out;
  for (int id : ids) out.push_back("(" + std::to_string(id) + ")");
  return out;
}

TEST_F(OrderedTodo, EzMoveMovesToTheEnds) {
  Insert(1, 1, int64_t{1});
  Insert(2, 1, int64_t{1});
  Insert(3, 1, int64_t{1});
  EXPECT_EQ(Ids(1), Rows({1, 2, 3}));
  ASSERT_EQ(db_.Exec("UPDATE todo SET ordering = -1 WHERE id = 3"), "");
  EXPECT_EQ(Ids(1), Rows({3, 1, 2}));
  EXPECT_EQ(OrderOf(db_, 3), "'Z~'");
  ASSERT_EQ(db_.Exec("UPDATE todo SET ordering = 1 WHERE id = 1"), "");
  EXPECT_EQ(Ids(1), Rows({3, 2, 1}));
  EXPECT_EQ(OrderOf(db_, 1), "'a\"'");
  // Text '1' and '-1' count too (CAST AS INTEGER), as do reals truncating to +-1.
  ASSERT_EQ(db_.Exec("UPDATE todo SET ordering = '-1' WHERE id = 1"), "");
  EXPECT_EQ(Ids(1), Rows({1, 3, 2}));
  ASSERT_EQ(db_.Exec("UPDATE todo SET ordering = 1.5 WHERE id = 1"), "");
  EXPECT_EQ(Ids(1), Rows({3, 2, 1}));
  // Other values are left alone.
  ASSERT_EQ(db_.Exec("UPDATE todo SET ordering = 'a 5' WHERE id = 1"), "");
  EXPECT_EQ(OrderOf(db_, 1), "'a 5'");
  ASSERT_EQ(db_.Exec("UPDATE todo SET content = 'x' WHERE id = 2"), "");
  EXPECT_EQ(Ids(1), Rows({3, 1, 2}));
}

TEST_F(OrderedTodo, NullListIsAListOfItsOwn) {
  Insert(1, 1, int64_t{1});
  ASSERT_EQ(db_.Exec("INSERT INTO todo VALUES (2, NULL, 1, 'c', 0)"), "");
  ASSERT_EQ(db_.Exec("INSERT INTO todo VALUES (3, NULL, 1, 'c', 0)"), "");
  EXPECT_EQ(OrderOf(db_, 2), "'a '");
  EXPECT_EQ(OrderOf(db_, 3), "'a!'");
}

TEST_F(OrderedTodo, ViewInsertEdgeCases) {
  Insert(1, 1, int64_t{1});
  Insert(2, 1, int64_t{1});
  Insert(9, 2, int64_t{1});
  // After a row that does not exist, or with after_id NULL: prepend.
  InsertAfter(3, 1, int64_t{42});
  EXPECT_EQ(OrderOf(db_, 3), "'Z~'");
  // Between two rows, and after the last one.
  InsertAfter(5, 1, int64_t{1});
  EXPECT_EQ(OrderOf(db_, 5), "'a P'");
  InsertAfter(6, 1, int64_t{2});
  EXPECT_EQ(OrderOf(db_, 6), "'a\"'");
  EXPECT_EQ(Ids(1), Rows({3, 1, 5, 2, 6}));
  // As in cr-sqlite 0.16, the after row's own list is not checked: what counts is which rows of
  // the new row's list share its key (row 9 of list 2 has 'a ', like row 1 of list 1).
  InsertAfter(4, 1, int64_t{9});
  EXPECT_EQ(OrderOf(db_, 4), "'a 8'");
  EXPECT_EQ(Ids(1), Rows({3, 1, 4, 5, 2, 6}));
  // The order column written through the view is ignored: without after_id the row is prepended.
  ASSERT_EQ(db_.Exec("INSERT INTO todo_fractindex (id, list_id, ordering) VALUES (7, 1, 'a  5')"),
            "");
  EXPECT_EQ(OrderOf(db_, 7), "'Z}'");
  ASSERT_EQ(db_.Exec("INSERT INTO todo_fractindex (id, list_id, ordering) VALUES (8, 1, 1)"), "");
  EXPECT_EQ(Ids(1), Rows({8, 7, 3, 1, 4, 5, 2, 6}));
  // The view lists every column plus after_id, which always reads NULL.
  EXPECT_EQ(db_.One("SELECT count(*) FROM todo_fractindex WHERE after_id IS NULL"), "9");
}

TEST_F(OrderedTodo, ViewUpdatePlacesTheRowAgain) {
  Insert(1, 1, int64_t{1});
  Insert(2, 1, int64_t{1});
  // As in cr-sqlite 0.16, an UPDATE through the view without after_id moves the row to the front.
  ASSERT_EQ(db_.Exec("UPDATE todo_fractindex SET content = 'edited' WHERE id = 2"), "");
  EXPECT_EQ(Ids(1), Rows({2, 1}));
  EXPECT_EQ(db_.One("SELECT content FROM todo WHERE id = 2"), "'edited'");
  // Moving to another list, placed after a row there.
  Insert(3, 2, int64_t{1});
  ASSERT_EQ(db_.Exec("UPDATE todo_fractindex SET list_id = 2, after_id = 3 WHERE id = 1"), "");
  EXPECT_EQ(Ids(1), Rows({2}));
  EXPECT_EQ(Ids(2), Rows({3, 1}));
  // Moving after itself keeps the order.
  ASSERT_EQ(db_.Exec("UPDATE todo_fractindex SET after_id = 3 WHERE id = 3"), "");
  EXPECT_EQ(Ids(2), Rows({3, 1}));
  ASSERT_EQ(db_.Exec("UPDATE todo_fractindex SET after_id = NULL WHERE id = 1"), "");
  EXPECT_EQ(Ids(2), Rows({1, 3}));
}

TEST_F(OrderedTodo, CollidingKeysAreRepairedOnInsertAfter) {
  // Two peers appended concurrently: rows 2 and 3 share a key (as after a merge).
  Insert(1, 1, int64_t{1});
  Insert(2, 1, int64_t{1});
  ASSERT_EQ(db_.Exec("INSERT INTO todo VALUES (3, 1, 'a!', 'c', 0)"), "");
  Insert(4, 1, int64_t{1});
  EXPECT_EQ(OrderOf(db_, 4), "'a\"'");
  InsertAfter(5, 1, int64_t{2});
  // Row 2 moved down between row 1 and its old key; row 5 sits between row 2 and row 3.
  EXPECT_EQ(OrderOf(db_, 2), "'a P'");
  EXPECT_EQ(OrderOf(db_, 5), "'a h'");
  EXPECT_EQ(OrderOf(db_, 3), "'a!'");
  EXPECT_EQ(Ids(1), Rows({1, 2, 5, 3, 4}));
  // Same for a collision at the very front of the list (no predecessor), via the view update.
  ASSERT_EQ(db_.Exec("UPDATE todo SET ordering = 'Z~' WHERE id IN (1, 2)"), "");
  ASSERT_EQ(db_.Exec("UPDATE todo_fractindex SET after_id = 1 WHERE id = 4"), "");
  EXPECT_EQ(OrderOf(db_, 1), "'Z}'");
  EXPECT_EQ(OrderOf(db_, 4), "'Z}P'");
  EXPECT_EQ(Ids(1), Rows({1, 4, 2, 5, 3}));
}

TEST_F(OrderedTodo, FixConflictFunctionDirectly) {
  Insert(1, 1, int64_t{1});
  ASSERT_EQ(db_.Exec("INSERT INTO todo VALUES (2, 1, 'a ', 'c', 0)"), "");
  EXPECT_EQ(db_.One("SELECT crsql_fract_fix_conflict_return_old_key('todo', 'ordering', "
                    "'list_id', -1, 'id', 1)"),
            "'Z~P'");
  EXPECT_EQ(OrderOf(db_, 1), "'Z~'");
  // Malformed calls are errors, never crashes.
  const std::string usage =
      "error: crsql_fract_fix_conflict_return_old_key - expected (table, order column, list "
      "columns..., -1, pk columns..., pk values...)";
  EXPECT_EQ(db_.One("SELECT crsql_fract_fix_conflict_return_old_key()"), usage);
  EXPECT_EQ(db_.One("SELECT crsql_fract_fix_conflict_return_old_key('todo', 'ordering', -1)"),
            usage);
  EXPECT_EQ(db_.One("SELECT crsql_fract_fix_conflict_return_old_key('todo', 'ordering', -1, "
                    "'id')"),
            usage);
  EXPECT_EQ(db_.One("SELECT crsql_fract_fix_conflict_return_old_key('todo', NULL, -1, 'id', 1)"),
            usage);
  EXPECT_EQ(db_.One("SELECT crsql_fract_fix_conflict_return_old_key('todo', 'ordering', -1, "
                    "'id', 99)"),
            "error: crsql_fract_fix_conflict_return_old_key - no row to place after");
  EXPECT_EQ(db_.One("SELECT crsql_fract_fix_conflict_return_old_key('todo', 'nope', -1, 'id', 1)"),
            "error: no such column: t.nope");
}

TEST(FractAsOrdered, QuotedIdentifiersAndCompositeKeys) {
  TestDb db;
  ASSERT_EQ(db.Exec("CREATE TABLE \"my \"\"odd\"\" table\" (\"k a\" NOT NULL, \"k'b\" NOT NULL, "
                    "\"the order\", \"list id\", body, PRIMARY KEY (\"k'b\", \"k a\"));"),
            "");
  EXPECT_EQ(db.One("SELECT crsql_fract_as_ordered('my \"odd\" table', 'the order', 'list id')"),
            "NULL");
  EXPECT_EQ(db.Query("SELECT name FROM sqlite_master WHERE name LIKE '%fractindex%' "
                     "ORDER BY name"),
            (std::vector<std::string>{"('__crsql_my \"odd\" table_fractindex_ezmove')",
                                      "('__crsql_my \"odd\" table_fractindex_pend_trig')",
                                      "('my \"odd\" table_fractindex')",
                                      "('my \"odd\" table_fractindex_insert_trig')",
                                      "('my \"odd\" table_fractindex_update_trig')"}));
  // One after_ column per PK column, in PRIMARY KEY order.
  EXPECT_EQ(db.Query("SELECT name FROM pragma_table_info('my \"odd\" table_fractindex') "
                     "WHERE name LIKE 'after%'"),
            (std::vector<std::string>{"('after_k''b')", "('after_k a')"}));
  ASSERT_EQ(db.Exec("INSERT INTO \"my \"\"odd\"\" table\" VALUES ('x', 'y', 1, 'L', 'first');"
                    "INSERT INTO \"my \"\"odd\"\" table\" VALUES ('x', 'z', 1, 'L', 'last');"
                    "INSERT INTO \"my \"\"odd\"\" table_fractindex\" "
                    "(\"k a\", \"k'b\", \"list id\", body, \"after_k a\", \"after_k'b\") "
                    "VALUES ('w', 'w', 'L', 'middle', 'x', 'y');"),
            "");
  EXPECT_EQ(db.Query("SELECT body, \"the order\" FROM \"my \"\"odd\"\" table\" "
                     "ORDER BY \"the order\""),
            (std::vector<std::string>{"('first', 'a ')", "('middle', 'a P')", "('last', 'a!')"}));
}

// Random insertions through the view (after a random row, or at the front) and random moves of
// existing rows, compared against the same operations on an in-memory list.
TEST_F(OrderedTodo, RandomViewOperationsMatchAListModel) {
  std::mt19937 rng(99);
  std::vector<int> model;
  int next_id = 1;
  ASSERT_EQ(db_.Exec("BEGIN"), "");
  for (int step = 0; step < 300; ++step) {
    int op = std::uniform_int_distribution<int>(0, 9)(rng);
    if (model.empty() || op < 6) {
      int id = next_id++;
      size_t pos = std::uniform_int_distribution<size_t>(0, model.size())(rng);
      if (pos == 0) {
        InsertAfter(id, 1, Null());
      } else {
        InsertAfter(id, 1, int64_t{model[pos - 1]});
      }
      model.insert(model.begin() + static_cast<std::ptrdiff_t>(pos), id);
    } else if (op < 9) {
      // Move a row after another one.
      size_t from = std::uniform_int_distribution<size_t>(0, model.size() - 1)(rng);
      size_t to = std::uniform_int_distribution<size_t>(0, model.size() - 1)(rng);
      int id = model[from];
      int after = model[to];
      ASSERT_EQ(db_.Query("UPDATE todo_fractindex SET after_id = ? WHERE id = ?",
                          {int64_t{after}, int64_t{id}}),
                std::vector<std::string>{});
      if (after != id) {
        model.erase(model.begin() + static_cast<std::ptrdiff_t>(from));
        auto it = std::find(model.begin(), model.end(), after);
        model.insert(it + 1, id);
      }
    } else {
      // Append or prepend through the table.
      int id = next_id++;
      bool front = std::uniform_int_distribution<int>(0, 1)(rng) == 0;
      Insert(id, 1, int64_t{front ? -1 : 1});
      model.insert(front ? model.begin() : model.end(), id);
    }
    std::vector<std::string> expected;
    for (int id : model) expected.push_back("(" + std::to_string(id) + ")");
    ASSERT_EQ(Ids(1), expected) << "step " << step;
  }
  ASSERT_EQ(db_.Exec("COMMIT"), "");
  EXPECT_EQ(db_.One("SELECT count(DISTINCT ordering) = count(*) FROM todo"), "1");
}

}  // namespace
}  // namespace crsync::crsqlite

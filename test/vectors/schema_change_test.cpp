// Test vectors TV-54..TV-62 (section F, "Schema changes") of crsqlite-0.16-test-vectors.md:
// crsql_begin_alter / crsql_commit_alter and compaction (behaviour spec §12.1–§12.3),
// crsql_as_table, crsql_automigrate (§12.4), the table-info cache and failed crsql_as_crr inside
// a caller's transaction. Several Tier-4 quirks of the real extension are deliberately fixed in
// ours; each such test says so.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>
#include <vector>

#include "support/test_db.h"
#include "vectors/vector_util.h"

namespace crsync::test::vectors {
namespace {

bool InTransaction(TestDb& db) { return sqlite3_get_autocommit(db.db()) == 0; }

TEST(SchemaChange, TV54_AddColumnViaBeginCommitAlter) {
  TestDb a;
  PeerNames names{{"A", &a}};
  ASSERT_EQ("", a.Exec("CREATE TABLE foo (id PRIMARY KEY NOT NULL, a); SELECT crsql_as_crr('foo');"
                       "INSERT INTO foo VALUES (1,'x'), (2,'y'), (3,'z');"));
  EXPECT_EQ("'OK'", a.One("SELECT crsql_begin_alter('foo')"));
  ASSERT_EQ("", a.Exec("ALTER TABLE foo ADD COLUMN c DEFAULT 'd';"
                       "UPDATE foo SET c = 'x' WHERE id = 3;"  // untracked
                       "DELETE FROM foo WHERE id = 2;"));      // untracked
  EXPECT_EQ("NULL", a.One("SELECT crsql_commit_alter('foo')"));
  EXPECT_FALSE(InTransaction(a));
  // Row 2 vanished without tombstone; default-valued c of row 1 not backfilled; the new clock
  // uses the current version 1.
  EXPECT_EQ((std::vector<std::string>{"('foo', X'010901', 'a', 'x', 1, 1, A, 1, 0)",
                                      "('foo', X'010903', 'c', 'x', 1, 1, A, 1, 0)",
                                      "('foo', X'010903', 'a', 'z', 1, 1, A, 1, 2)"}),
            Changes(a, names));
  EXPECT_EQ("1", a.One("SELECT crsql_db_version()"));
  EXPECT_EQ("1", a.One("SELECT value FROM crsql_master WHERE key = 'pre_compact_dbversion'"));
  ASSERT_EQ("", a.Exec("INSERT INTO foo VALUES (4,'w','q')"));
  EXPECT_EQ((std::vector<std::string>{"('foo', X'010904', 'a', 'w', 1, 2, A, 1, 0)",
                                      "('foo', X'010904', 'c', 'q', 1, 2, A, 1, 1)"}),
            Changes(a, names, "WHERE db_version > 1"));
}

TEST(SchemaChange, TV55_DropColumn) {
  TestDb a;
  PeerNames names{{"A", &a}};
  ASSERT_EQ("",
            a.Exec("CREATE TABLE foo (id PRIMARY KEY NOT NULL, a, b); SELECT crsql_as_crr('foo');"
                   "INSERT INTO foo VALUES (1,'x','y');"));
  EXPECT_EQ("'OK'", a.One("SELECT crsql_begin_alter('foo')"));
  ASSERT_EQ("", a.Exec("ALTER TABLE foo DROP COLUMN a"));
  EXPECT_EQ("NULL", a.One("SELECT crsql_commit_alter('foo')"));
  EXPECT_EQ(std::vector<std::string>{"('foo', X'010901', 'b', 'y', 1, 1, A, 1, 1)"},
            Changes(a, names));
  // Real: bare 'SQL logic error'; ours names the column, same code (docs/crdt.md #13).
  EXPECT_EQ(
      "crsql - column a does not exist in table foo",
      a.Exec("INSERT INTO crsql_changes VALUES ('foo', X'010901', 'a', 'r', 5, 1, X'01', 1, 0)"));
  EXPECT_EQ(SQLITE_ERROR, a.last_rc());
  EXPECT_EQ(std::vector<std::string>{"(1, 'y')"}, a.Query("SELECT * FROM foo"));
}

// TV-56. Quirk kept as the vector describes (it is not among the quirks we fix): altering a CRR
// without the begin/commit protocol leaves stale triggers, so UPDATE fails until the protocol runs.
TEST(SchemaChange, TV56_AlterWithoutTheProtocol) {
  TestDb a;
  ASSERT_EQ("", a.Exec("CREATE TABLE foo (id PRIMARY KEY NOT NULL, a); SELECT crsql_as_crr('foo');"
                       "INSERT INTO foo VALUES (1, 'x');"
                       "ALTER TABLE foo ADD COLUMN e;"));
  ASSERT_EQ("", a.Exec("INSERT INTO foo VALUES (2, 'y', 'z')"));
  EXPECT_EQ((std::vector<std::string>{"('a', 'y')", "('e', 'z')"}),
            a.Query("SELECT cid, val FROM crsql_changes WHERE pk = X'010902'"));
  EXPECT_EQ("expected 7 values, got 5", a.Exec("UPDATE foo SET a = 'q' WHERE id = 1"));
  EXPECT_EQ("'OK'", a.One("SELECT crsql_as_crr('foo')"));
  EXPECT_EQ("expected 7 values, got 5", a.Exec("UPDATE foo SET a = 'q' WHERE id = 1"));
  EXPECT_EQ("'OK'", a.One("SELECT crsql_begin_alter('foo')"));
  EXPECT_EQ("NULL", a.One("SELECT crsql_commit_alter('foo')"));
  EXPECT_EQ("", a.Exec("UPDATE foo SET a = 'q' WHERE id = 1"));
  EXPECT_EQ(
      std::vector<std::string>{"('q', 2)"},
      a.Query("SELECT val, col_version FROM crsql_changes WHERE pk = X'010901' AND cid = 'a'"));
}

TEST(SchemaChange, TV57_AlterEdgeCases) {
  {
    TestDb a;
    ASSERT_EQ("",
              a.Exec("CREATE TABLE foo (id PRIMARY KEY NOT NULL, v); SELECT crsql_as_crr('foo');"));
    EXPECT_EQ("error: failed compacting tables post alteration",
              a.One("SELECT crsql_commit_alter('foo')"));
    EXPECT_FALSE(InTransaction(a));

    // Deliberate difference: the real one runs a bare ROLLBACK here, discarding the caller's
    // transaction; ours rolls back only its own work, the caller's transaction stays usable.
    ASSERT_EQ("", a.Exec("BEGIN; INSERT INTO foo VALUES (1, 'kept');"));
    EXPECT_EQ("error: failed compacting tables post alteration",
              a.One("SELECT crsql_commit_alter('foo')"));
    EXPECT_TRUE(InTransaction(a));
    EXPECT_EQ("", a.Exec("COMMIT"));
    EXPECT_EQ(std::vector<std::string>{"(1, 'kept')"}, a.Query("SELECT * FROM foo"));
  }
  {
    TestDb a;
    ASSERT_EQ("",
              a.Exec("CREATE TABLE foo (id PRIMARY KEY NOT NULL, v); SELECT crsql_as_crr('foo');"));
    EXPECT_FALSE(InTransaction(a));
    EXPECT_EQ("'OK'", a.One("SELECT crsql_begin_alter('foo')"));
    EXPECT_TRUE(InTransaction(a));  // the savepoint opened a transaction
    EXPECT_EQ("", a.Exec("COMMIT"));
    EXPECT_FALSE(InTransaction(a));
  }
  {
    TestDb a;
    PeerNames names{{"A", &a}};
    ASSERT_EQ("",
              a.Exec("CREATE TABLE foo (id PRIMARY KEY NOT NULL, k, v); SELECT crsql_as_crr('foo');"
                     "INSERT INTO foo VALUES (1, 'a', 'x'), (2, 'b', 'y');"
                     "UPDATE foo SET v = 'z' WHERE id = 2;"
                     "DELETE FROM foo WHERE id = 1;"));
    EXPECT_EQ("3", a.One("SELECT crsql_db_version()"));
    EXPECT_EQ("'OK'", a.One("SELECT crsql_begin_alter('foo')"));
    ASSERT_EQ("", a.Exec("CREATE TABLE foo_new (id NOT NULL, k NOT NULL, v, PRIMARY KEY (id, k));"
                         "INSERT INTO foo_new SELECT id, k, v FROM foo;"
                         "DROP TABLE foo;"
                         "ALTER TABLE foo_new RENAME TO foo;"));
    EXPECT_EQ("NULL", a.One("SELECT crsql_commit_alter('foo')"));
    // Tombstone of row 1 gone, histories reset, current version 3.
    EXPECT_EQ(std::vector<std::string>{"('foo', X'0209020B0162', 'v', 'z', 1, 3, A, 1, 0)"},
              Changes(a, names));
    EXPECT_EQ("3", a.One("SELECT crsql_db_version()"));
  }
}

TEST(SchemaChange, TV58_AsTable) {
  TestDb a;
  ASSERT_EQ("", a.Exec("CREATE TABLE foo (id PRIMARY KEY NOT NULL, v); SELECT crsql_as_crr('foo');"
                       "INSERT INTO foo VALUES (1, 'x'), (2, 'y');"));
  ASSERT_EQ("1", a.One("SELECT count(*) FROM sqlite_master WHERE name = 'foo__crsql_itrig'"));
  EXPECT_EQ("NULL", a.One("SELECT crsql_as_table('foo')"));
  EXPECT_EQ("0",
            a.One("SELECT count(*) FROM sqlite_master WHERE name LIKE 'foo\\_\\_%' ESCAPE '\\'"));
  EXPECT_EQ((std::vector<std::string>{"(1, 'x')", "(2, 'y')"}),
            a.Query("SELECT * FROM foo ORDER BY id"));
  EXPECT_EQ("0", a.One("SELECT count(*) FROM crsql_changes"));
  // Writes are no longer tracked.
  ASSERT_EQ("", a.Exec("INSERT INTO foo VALUES (3, 'z')"));
  EXPECT_EQ("0", a.One("SELECT count(*) FROM crsql_changes"));
  EXPECT_EQ("NULL", a.One("SELECT crsql_as_table('nonexistent')"));
}

const char kS1[] =
    "CREATE TABLE IF NOT EXISTS todo (id PRIMARY KEY NOT NULL, title, done DEFAULT 0);\n"
    "CREATE INDEX IF NOT EXISTS todo_title ON todo (title);\n"
    "SELECT crsql_as_crr('todo');\n"
    "CREATE TABLE IF NOT EXISTS tmp (a PRIMARY KEY, b);\n";
const char kS2[] =
    "CREATE TABLE IF NOT EXISTS todo (id PRIMARY KEY NOT NULL, title, prio INTEGER DEFAULT 3, "
    "note);\n"
    "CREATE INDEX IF NOT EXISTS todo_title ON todo (title, prio);\n"
    "SELECT crsql_as_crr('todo');\n";

// TV-59. The index quirk (a changed index column list is not detected) is kept as the vector
// describes; it is not among the quirks we fix.
TEST(SchemaChange, TV59_AutomigrateHappyPath) {
  TestDb a;
  PeerNames names{{"A", &a}};
  EXPECT_EQ("'migration complete'", a.One("SELECT crsql_automigrate(?)", {std::string(kS1)}));
  EXPECT_EQ("1", a.One("SELECT count(*) FROM sqlite_master WHERE name = 'todo__crsql_itrig'"));
  EXPECT_EQ("1", a.One("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'tmp'"));
  ASSERT_EQ("", a.Exec("INSERT INTO todo VALUES (1,'t1',0), (2,'t2',1)"));

  EXPECT_EQ("'migration complete'", a.One("SELECT crsql_automigrate(?)", {std::string(kS2)}));
  EXPECT_EQ("0", a.One("SELECT count(*) FROM sqlite_master WHERE name = 'tmp'"));
  EXPECT_EQ(
      "'CREATE TABLE todo (id PRIMARY KEY NOT NULL, title, \"prio\" INTEGER  DEFAULT 3, \"note\")'",
      a.One("SELECT sql FROM sqlite_master WHERE name = 'todo'"));
  // Deliberately differs from the real one, which keeps the old index because it only notices a
  // change of uniqueness: ours recreates an index whose definition changed (docs/crdt.md #9).
  EXPECT_EQ("'CREATE INDEX todo_title ON todo (title, prio)'",
            a.One("SELECT sql FROM sqlite_master WHERE name = 'todo_title'"));
  EXPECT_EQ((std::vector<std::string>{"(1, 't1', 3, NULL)", "(2, 't2', 3, NULL)"}),
            a.Query("SELECT * FROM todo ORDER BY id"));
  const std::vector<std::string> expected = {"('todo', X'010901', 'title', 't1', 1, 1, A, 1, 0)",
                                             "('todo', X'010902', 'title', 't2', 1, 1, A, 1, 2)"};
  EXPECT_EQ(expected, Changes(a, names));
  EXPECT_EQ("1", a.One("SELECT crsql_db_version()"));
  EXPECT_EQ("1", a.One("SELECT count(*) FROM sqlite_master WHERE name = 'todo__crsql_itrig'"));

  EXPECT_EQ("'migration complete'", a.One("SELECT crsql_automigrate(?)", {std::string(kS2)}));
  // The two-argument form (cleanup SQL run on the scratch database) as well.
  EXPECT_EQ("'migration complete'",
            a.One("SELECT crsql_automigrate(?, 'SELECT 1;')", {std::string(kS2)}));
  EXPECT_EQ(expected, Changes(a, names));
  EXPECT_FALSE(InTransaction(a));

  // Tracking works on the new shape.
  ASSERT_EQ("", a.Exec("UPDATE todo SET prio = 1 WHERE id = 2"));
  EXPECT_EQ(std::vector<std::string>{"('todo', X'010902', 'prio', 1, 1, 2, A, 1, 0)"},
            Changes(a, names, "WHERE db_version > 1"));

  EXPECT_EQ("error: near \"garbage\": syntax error",
            a.One("SELECT crsql_automigrate('garbage sql')"));
  EXPECT_EQ("error: Had no args. Expected a schema to migrate to",
            a.One("SELECT crsql_automigrate()"));
}

// TV-60. Deliberate differences from the real cr-sqlite (Tier-4 quirks fixed):
// * a failing migration raises an SQL error instead of returning the text 'not an error', and
//   rolls back only its own work (the caller's transaction survives);
// * crsql_changes keeps working after a CRR was dropped (real: every SELECT fails with
//   SQLITE_ABORT because of the orphan clock table); the dropped table is simply omitted.
TEST(SchemaChange, TV60_AutomigrateFailuresAndOrphans) {
  const std::string kTodo =
      "CREATE TABLE IF NOT EXISTS todo (id PRIMARY KEY NOT NULL, title);\nSELECT "
      "crsql_as_crr('todo');\n";
  const std::vector<std::string> failing = {
      "CREATE TABLE IF NOT EXISTS todo (id PRIMARY KEY NOT NULL, title, extra NOT NULL);",
      "CREATE TABLE IF NOT EXISTS todo (id NOT NULL, title, k NOT NULL DEFAULT 1, PRIMARY KEY (id, "
      "k));",
  };
  for (const std::string& schema : failing) {
    SCOPED_TRACE(schema);
    TestDb a;
    ASSERT_EQ("", a.Exec(kTodo));
    ASSERT_EQ("", a.Exec("INSERT INTO todo VALUES (1, 'one')"));
    const std::vector<std::string> master_before =
        a.Query("SELECT type, name, sql FROM sqlite_master ORDER BY name");
    const std::vector<std::string> changes_before = Changes(a);

    std::string result = a.One("SELECT crsql_automigrate(?)", {schema});
    EXPECT_EQ(0u, result.rfind("error: ", 0)) << result;
    EXPECT_NE("'not an error'", result);
    EXPECT_FALSE(InTransaction(a));
    EXPECT_EQ(master_before, a.Query("SELECT type, name, sql FROM sqlite_master ORDER BY name"));
    EXPECT_EQ(changes_before, Changes(a));
    EXPECT_EQ(std::vector<std::string>{"(1, 'one')"}, a.Query("SELECT * FROM todo"));

    // Inside a caller's transaction: the error leaves that transaction open and intact.
    ASSERT_EQ("", a.Exec("BEGIN; INSERT INTO todo VALUES (2, 'two');"));
    result = a.One("SELECT crsql_automigrate(?)", {schema});
    EXPECT_EQ(0u, result.rfind("error: ", 0)) << result;
    EXPECT_TRUE(InTransaction(a));
    EXPECT_EQ("", a.Exec("COMMIT"));
    EXPECT_EQ((std::vector<std::string>{"(1, 'one')", "(2, 'two')"}),
              a.Query("SELECT * FROM todo ORDER BY id"));
    EXPECT_EQ(master_before, a.Query("SELECT type, name, sql FROM sqlite_master ORDER BY name"));
  }
  {
    // Two-argument form whose cleanup SQL fails (the real native build fails the same way with
    // 'SELECT crsql_finalize();', whose scratch database lacks the extension).
    TestDb a;
    ASSERT_EQ("", a.Exec(kTodo));
    std::string result =
        a.One("SELECT crsql_automigrate(?, 'SELECT no_such_function();')", {kTodo});
    EXPECT_EQ(0u, result.rfind("error: ", 0)) << result;
    EXPECT_FALSE(InTransaction(a));
  }
  {
    // The two-argument form crsqlite-wasm uses works with ours: the scratch database has the
    // engine loaded (docs/crdt.md #10; the real native build fails here).
    TestDb a;
    ASSERT_EQ("", a.Exec(kTodo));
    EXPECT_EQ("'migration complete'",
              a.One("SELECT crsql_automigrate(?, 'SELECT crsql_finalize();')", {kTodo}));
  }
  {
    TestDb a;
    ASSERT_EQ("", a.Exec(kTodo));
    ASSERT_EQ("", a.Exec("INSERT INTO todo VALUES (1, 'one')"));
    EXPECT_EQ("'migration complete'", a.One("SELECT crsql_automigrate('')"));
    EXPECT_EQ("0", a.One("SELECT count(*) FROM sqlite_master WHERE name = 'todo'"));
    EXPECT_EQ("0", a.One("SELECT count(*) FROM crsql_changes"));
    EXPECT_EQ("'integer'", a.One("SELECT typeof(crsql_db_version())"));
  }
  {
    TestDb a;
    PeerNames names{{"A", &a}};
    ASSERT_EQ("", a.Exec(kTodo));
    ASSERT_EQ(
        "", a.Exec("CREATE TABLE other (id PRIMARY KEY NOT NULL, v); SELECT crsql_as_crr('other');"
                   "INSERT INTO todo VALUES (1, 'one'); INSERT INTO other VALUES (1, 'o');"
                   "DROP TABLE todo;"));
    EXPECT_EQ("1", a.One("SELECT count(*) FROM crsql_changes"));
    EXPECT_EQ(std::vector<std::string>{"('other', X'010901', 'v', 'o', 1, 2, A, 1, 0)"},
              Changes(a, names));
    EXPECT_EQ("'integer'", a.One("SELECT typeof(crsql_db_version())"));
    ASSERT_EQ("", a.Exec("INSERT INTO other VALUES (2, 'p')"));
    EXPECT_EQ("2", a.One("SELECT count(*) FROM crsql_changes"));
  }
}

// TV-61. Deliberate difference: the real cr-sqlite refreshes its table-info cache at most once
// per transaction, so the INSERT into b fails with 'table b not found'; ours finds b.
TEST(SchemaChange, TV61_NewCrrUsableInSameTransaction) {
  TestDb a;
  PeerNames names{{"A", &a}};
  ASSERT_EQ("", a.Exec("BEGIN;"
                       "CREATE TABLE a (id PRIMARY KEY NOT NULL, v); SELECT crsql_as_crr('a');"
                       "INSERT INTO a VALUES (1,1);"
                       "CREATE TABLE b (id PRIMARY KEY NOT NULL, v); SELECT crsql_as_crr('b');"));
  EXPECT_EQ("", a.Exec("INSERT INTO b VALUES (1,1)"));
  ASSERT_EQ("", a.Exec("COMMIT"));
  EXPECT_EQ((std::vector<std::string>{"('a', X'010901', 'v', 1, 1, 1, A, 1, 0)",
                                      "('b', X'010901', 'v', 1, 1, 1, A, 1, 1)"}),
            Changes(a, names));
  EXPECT_EQ("1", a.One("SELECT crsql_db_version()"));
}

// TV-62. Deliberate difference: the real cr-sqlite runs a bare ROLLBACK when crsql_as_crr fails,
// discarding the caller's transaction (x then holds only 2, and COMMIT fails with 'no
// transaction is active'). Ours rolls back only its own savepoint.
TEST(SchemaChange, TV62_FailedAsCrrInsideUserTransaction) {
  TestDb a;
  ASSERT_EQ("", a.Exec("CREATE TABLE x (a); CREATE TABLE bad (a, b);"
                       "BEGIN; INSERT INTO x VALUES (1);"));
  std::string result = a.One("SELECT crsql_as_crr('bad')");
  EXPECT_EQ(
      "error: Table bad has no primary key or primary key is nullable. CRRs must have a non "
      "nullable primary key",
      result);
  EXPECT_TRUE(InTransaction(a));
  EXPECT_EQ("", a.Exec("INSERT INTO x VALUES (2)"));
  EXPECT_EQ("", a.Exec("COMMIT"));
  EXPECT_EQ((std::vector<std::string>{"(1)", "(2)"}), a.Query("SELECT * FROM x ORDER BY a"));
  EXPECT_EQ("0",
            a.One("SELECT count(*) FROM sqlite_master WHERE name LIKE 'bad\\_\\_%' ESCAPE '\\'"));
}

}  // namespace
}  // namespace crsync::test::vectors

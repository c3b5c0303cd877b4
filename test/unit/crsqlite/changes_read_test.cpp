// Unit tests of reading crsql_changes (src/crsqlite/changes_read*.cpp, changes_vtab.cpp): the
// idxStr round trip, the default (db_version, seq) order across tables, every pushed-down
// operator against brute force, both ways a table is read (full scan / filtered), cursors open at
// the same time, schema changes and errors.
//
// Brute force is computed two ways: over a temp copy of the feed whose column affinities are
// those of the original's operand expressions, and with the original's own UNION ALL query
// (behaviour spec §9.2) run as plain SQL on the same database.
#include "crsqlite/changes_read.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <string>
#include <vector>

#include "crsqlite/changes_merge.h"
#include "support/test_db.h"

namespace crsync::crsqlite {
namespace {

using test::Param;
using test::TestDb;

constexpr char kColumns[] =
    "\"table\", pk, cid, val, col_version, db_version, site_id, cl, seq, rowid";
constexpr char kRemote[] = "X'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'";
// Rows of foo: enough for a full scan under db_version filters, or few for fast exhaustive loops.
constexpr int kBigRows = 1500;
constexpr int kSmallRows = 40;

std::vector<std::string> Sorted(std::vector<std::string> rows) {
  std::sort(rows.begin(), rows.end());
  return rows;
}

// Column 0 of every row of sql, as raw text.
std::vector<std::string> Texts(TestDb& db, const std::string& sql) {
  std::vector<std::string> out;
  sqlite3_stmt* s = nullptr;
  EXPECT_EQ(SQLITE_OK, sqlite3_prepare_v2(db.db(), sql.c_str(), -1, &s, nullptr)) << sql;
  while (sqlite3_step(s) == SQLITE_ROW) {
    const char* t = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    out.emplace_back(t ? t : "", sqlite3_column_bytes(s, 0));
  }
  sqlite3_finalize(s);
  return out;
}

// A database with several CRRs, local and remote changes, deletes, a resurrection, writes
// interleaved across tables in one transaction, and hand-made oddities in the clock tables.
void MakeFixture(TestDb& db, int rows = kBigRows) {
  ASSERT_EQ("", db.Exec("CREATE TABLE foo (id INTEGER PRIMARY KEY NOT NULL, a, b);"
                        "CREATE TABLE \"o'dd \"\"t\"\"\" (\"k 1\" TEXT NOT NULL, k2 INTEGER NOT "
                        "NULL, v, PRIMARY KEY (\"k 1\", k2));"
                        "CREATE TABLE pkonly (id PRIMARY KEY NOT NULL);"
                        "SELECT crsql_as_crr('foo');"
                        "SELECT crsql_as_crr('o''dd \"t\"');"
                        "SELECT crsql_as_crr('pkonly');"));
  ASSERT_EQ(
      "", db.Exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " +
                  std::to_string(rows) + ") INSERT INTO foo SELECT i, i * 3, 'text' || i FROM n"));
  for (int i = 1; i <= 12; ++i) {
    const std::string s = std::to_string(i);
    ASSERT_EQ("", db.Exec("BEGIN;"
                          "UPDATE foo SET a = " +
                          s + " * 1.5 WHERE id = " + s +
                          ";"
                          "INSERT INTO \"o'dd \"\"t\"\"\" VALUES ('k" +
                          s + "', " + s + ", X'0" + std::to_string(i % 10) +
                          "');"
                          "UPDATE foo SET b = NULL WHERE id = " +
                          s +
                          " + 100;"
                          "INSERT INTO pkonly VALUES (" +
                          s +
                          ");"
                          "COMMIT"));
  }
  ASSERT_EQ("", db.Exec("DELETE FROM foo WHERE id IN (3, 4);"
                        "INSERT INTO foo VALUES (3, 'back', CAST(X'610062' AS TEXT));"
                        "DELETE FROM pkonly WHERE id = 2;"
                        "UPDATE foo SET b = 'x''y' WHERE id = 7"));
  // Remote changes, including two with the same (db_version, seq) in different tables.
  ASSERT_EQ("",
            db.Exec(std::string("BEGIN;"
                                "INSERT INTO crsql_changes VALUES ('foo', X'010905', 'a', 'r1', "
                                "9, 40, ") +
                    kRemote +
                    ", 1, 0);"
                    "INSERT INTO crsql_changes VALUES ('pkonly', X'010964', '-1', NULL, 1, "
                    "40, " +
                    kRemote +
                    ", 1, 0);"
                    "INSERT INTO crsql_changes VALUES ('foo', X'010906', 'b', 42, 9, 41, " +
                    kRemote +
                    ", 1, 1);"
                    "COMMIT"));
  // A clock entry whose site ordinal has no crsql_site_id row (site_id reads as NULL), one for a
  // column the table does not have (val NULL), one without a lookaside row (not a change).
  ASSERT_EQ("", db.Exec("UPDATE foo__crsql_clock SET site_id = 77 WHERE key = 8 AND col_name = 'a';"
                        "INSERT INTO foo__crsql_clock VALUES (9, 'gone', 1, 3, 0, 5);"
                        "INSERT INTO foo__crsql_clock VALUES (999999, 'a', 1, 3, 0, 6);"));
}

// The original's read query (spec §9.2) for every CRR, with the rowid, as plain SQL.
std::string ReferenceSql(TestDb& db) {
  std::vector<std::string> arms;
  int index = 0;
  for (const std::string& name :
       Texts(db,
             "SELECT substr(name, 1, length(name) - 13) FROM sqlite_master WHERE type = "
             "'table' AND name LIKE '%\\_\\_crsql\\_clock' ESCAPE '\\'")) {
    std::string literal = "'";
    for (char c : name) literal += c == '\'' ? std::string("''") : std::string(1, c);
    literal += "'";
    auto quote = [](const std::string& id) {
      std::string out = "\"";
      for (char c : id) out += c == '"' ? std::string("\"\"") : std::string(1, c);
      return out + "\"";
    };
    std::vector<std::string> pks, cells;
    sqlite3_stmt* s = nullptr;
    EXPECT_EQ(SQLITE_OK, sqlite3_prepare_v2(db.db(),
                                            "SELECT name, pk FROM pragma_table_info(?1) "
                                            "ORDER BY pk, cid",
                                            -1, &s, nullptr));
    sqlite3_bind_text(s, 1, name.c_str(), -1, SQLITE_TRANSIENT);
    while (sqlite3_step(s) == SQLITE_ROW) {
      std::string col = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
      (sqlite3_column_int(s, 1) > 0 ? pks : cells).push_back(col);
    }
    sqlite3_finalize(s);
    if (pks.empty()) continue;  // base table gone: skipped (docs/crdt.md deviation 5)
    std::string pack, join, val = "NULL";
    for (const auto& p : pks) {
      pack += (pack.empty() ? "" : ", ") + std::string("p.") + quote(p);
      join += (join.empty() ? "" : " AND ") + std::string("b.") + quote(p) + " = p." + quote(p);
    }
    if (!cells.empty()) {
      val = "CASE c.col_name";
      for (const auto& c : cells) {
        val += " WHEN '" + c + "' THEN b." + quote(c);
      }
      val += " END";
    }
    const std::string clock = quote(name + "__crsql_clock");
    arms.push_back("SELECT " + literal + " AS tbl, crsql_pack_columns(" + pack +
                   ") AS pks, c.col_name AS cid, " + val +
                   " AS val, c.col_version AS col_vrsn, c.db_version AS db_vrsn, s.site_id AS "
                   "site_id, COALESCE(t2.col_version, 1) AS cl, c.seq AS seq, " +
                   std::to_string(index++) +
                   " * 10000000000000 + c.key % 10000000000000 AS rid "
                   "FROM " +
                   clock + " AS c JOIN " + quote(name + "__crsql_pks") +
                   " AS p ON c.key = p.__crsql_key LEFT JOIN " + quote(name) + " AS b ON " + join +
                   " LEFT JOIN crsql_site_id AS s ON c.site_id = s.ordinal LEFT JOIN " + clock +
                   " AS t2 ON t2.key = c.key AND t2.col_name = '-1'");
  }
  std::string all;
  for (const auto& a : arms) all += (all.empty() ? "" : " UNION ALL ") + a;
  return "SELECT tbl, pks, cid, val, col_vrsn, db_vrsn, site_id, cl, seq, rid FROM (" + all + ")";
}

// A copy of the feed whose affinities match the original's operand expressions: cid TEXT
// (c.col_name), site_id BLOB (s.site_id), cl none (COALESCE), versions and seq INTEGER.
void Snapshot(TestDb& db) {
  ASSERT_EQ("", db.Exec("DROP TABLE IF EXISTS temp.snap;"
                        "CREATE TEMP TABLE snap (\"table\", pk, cid TEXT, val, col_version "
                        "INTEGER, db_version INTEGER, site_id BLOB, cl, seq INTEGER, rid);"
                        "INSERT INTO snap SELECT " +
                        std::string(kColumns) + " FROM crsql_changes"));
}

// The feed's rows matching `where`, with the storage class of val (EXCEPT equates 1 and 1.0).
std::string Feed(const std::string& where) {
  return std::string("SELECT ") + kColumns + ", typeof(val) FROM crsql_changes WHERE " + where;
}

// Checks that two queries return the same rows, in any order (rows of `expected` are distinct).
// Compared in SQL: rendering thousands of rows per query would make the test slow.
void ExpectSameRows(TestDb& db, const std::string& expected, const std::string& actual,
                    const std::vector<Param>& params) {
  EXPECT_EQ(db.One("SELECT count(*) FROM (" + expected + ")", params),
            db.One("SELECT count(*) FROM (" + actual + ")", params));
  EXPECT_EQ("0", db.One("SELECT count(*) FROM (" + actual + " EXCEPT " + expected + ")", params));
  EXPECT_EQ("0", db.One("SELECT count(*) FROM (" + expected + " EXCEPT " + actual + ")", params));
}

// Checks the default order of a query's (db_version, seq) columns.
void ExpectAscending(TestDb& db, const std::string& sql, const std::vector<Param>& params = {}) {
  sqlite3_stmt* s = nullptr;
  ASSERT_EQ(SQLITE_OK, sqlite3_prepare_v2(db.db(), sql.c_str(), -1, &s, nullptr)) << sql;
  for (size_t k = 0; k < params.size(); ++k) {
    const int at = static_cast<int>(k + 1);
    if (auto* i = std::get_if<int64_t>(&params[k])) sqlite3_bind_int64(s, at, *i);
    if (auto* b = std::get_if<test::Blob>(&params[k])) {
      sqlite3_bind_blob(s, at, b->bytes.data(), static_cast<int>(b->bytes.size()),
                        SQLITE_TRANSIENT);
    }
  }
  int64_t last_v = INT64_MIN, last_s = INT64_MIN;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    int64_t v = sqlite3_column_int64(s, 0), q = sqlite3_column_int64(s, 1);
    EXPECT_TRUE(v > last_v || (v == last_v && q >= last_s))
        << sql << ": (" << v << ", " << q << ") after (" << last_v << ", " << last_s << ")";
    last_v = v;
    last_s = q;
  }
  EXPECT_EQ(SQLITE_DONE, rc);
  sqlite3_finalize(s);
}

TEST(ChangesReadSpec, FormatsTheOriginalsTextAndParsesItBack) {
  ChangesScanSpec spec;
  spec.constraints = {{kChangesDbVersion, SQLITE_INDEX_CONSTRAINT_GT, true},
                      {kChangesSiteId, SQLITE_INDEX_CONSTRAINT_ISNOT, true}};
  EXPECT_EQ("WHERE db_vrsn > ? AND site_id IS NOT ? ORDER BY db_vrsn, seq ASC",
            FormatScanSpec(spec));
  EXPECT_EQ("ORDER BY db_vrsn, seq ASC", FormatScanSpec(ChangesScanSpec()));

  const int columns[] = {kChangesCid,    kChangesColVersion, kChangesDbVersion,
                         kChangesSiteId, kChangesCl,         kChangesSeq};
  const int ops[] = {SQLITE_INDEX_CONSTRAINT_EQ,     SQLITE_INDEX_CONSTRAINT_GT,
                     SQLITE_INDEX_CONSTRAINT_LE,     SQLITE_INDEX_CONSTRAINT_LT,
                     SQLITE_INDEX_CONSTRAINT_GE,     SQLITE_INDEX_CONSTRAINT_NE,
                     SQLITE_INDEX_CONSTRAINT_IS,     SQLITE_INDEX_CONSTRAINT_ISNOT,
                     SQLITE_INDEX_CONSTRAINT_LIKE,   SQLITE_INDEX_CONSTRAINT_GLOB,
                     SQLITE_INDEX_CONSTRAINT_ISNULL, SQLITE_INDEX_CONSTRAINT_ISNOTNULL};
  ChangesScanSpec all;
  for (int col : columns) {
    for (int op : ops) {
      ASSERT_TRUE(IsPushableConstraint(col, op));
      bool arg = op != SQLITE_INDEX_CONSTRAINT_ISNULL && op != SQLITE_INDEX_CONSTRAINT_ISNOTNULL;
      all.constraints.push_back({col, op, arg});
    }
  }
  for (const auto& order : std::vector<std::vector<std::pair<int, bool>>>{
           {},
           {{kChangesDbVersion, false}},
           {{kChangesDbVersion, true}, {kChangesSeq, true}},
           {{kChangesDbVersion, false}, {kChangesDbVersion, true}, {kChangesSeq, false}}}) {
    all.order = order;
    ChangesScanSpec back;
    ASSERT_TRUE(ParseScanSpec(FormatScanSpec(all), &back)) << FormatScanSpec(all);
    ASSERT_EQ(all.constraints.size(), back.constraints.size());
    for (size_t k = 0; k < all.constraints.size(); ++k) {
      EXPECT_EQ(all.constraints[k].column, back.constraints[k].column);
      EXPECT_EQ(all.constraints[k].op, back.constraints[k].op);
      EXPECT_EQ(all.constraints[k].has_arg, back.constraints[k].has_arg);
    }
    EXPECT_EQ(all.order, back.order);
  }
  ChangesScanSpec ignored;
  for (const char* bad : {"", "WHERE", "WHERE tbl = ? ORDER BY db_vrsn, seq ASC",
                          "WHERE cid ~ ? ORDER BY db_vrsn, seq ASC", "ORDER BY val ASC",
                          "ORDER BY seq ASC, db_vrsn ASC", "WHERE cid = ?ORDER BY db_vrsn ASC"}) {
    EXPECT_FALSE(ParseScanSpec(bad, &ignored)) << bad;
  }
  EXPECT_FALSE(IsPushableConstraint(kChangesTable, SQLITE_INDEX_CONSTRAINT_EQ));
  EXPECT_FALSE(IsPushableConstraint(kChangesVal, SQLITE_INDEX_CONSTRAINT_EQ));
  EXPECT_FALSE(IsPushableConstraint(kChangesPk, SQLITE_INDEX_CONSTRAINT_EQ));
  EXPECT_FALSE(IsPushableConstraint(kChangesDbVersion, SQLITE_INDEX_CONSTRAINT_MATCH));
}

TEST(ChangesReadSpec, ConsumesOnlyOrdersTheScanProduces) {
  EXPECT_TRUE(IsConsumableOrder({{kChangesDbVersion, false}}));
  EXPECT_TRUE(IsConsumableOrder({{kChangesDbVersion, true}}));
  EXPECT_TRUE(IsConsumableOrder({{kChangesDbVersion, false}, {kChangesSeq, false}}));
  EXPECT_TRUE(IsConsumableOrder({{kChangesDbVersion, true}, {kChangesSeq, true}}));
  EXPECT_TRUE(IsConsumableOrder({{kChangesDbVersion, true}, {kChangesDbVersion, false}}));
  EXPECT_FALSE(IsConsumableOrder({}));
  EXPECT_FALSE(IsConsumableOrder({{kChangesDbVersion, true}, {kChangesSeq, false}}));
  EXPECT_FALSE(IsConsumableOrder({{kChangesSeq, false}}));
  EXPECT_FALSE(IsConsumableOrder({{kChangesSeq, false}, {kChangesDbVersion, false}}));
  EXPECT_FALSE(IsConsumableOrder({{kChangesDbVersion, false}, {kChangesVal, false}}));
  EXPECT_FALSE(IsConsumableOrder({{-1, false}}));
}

TEST(ChangesRead, MatchesTheOriginalsQueryAcrossTablesInDefaultOrder) {
  TestDb db;
  MakeFixture(db);
  const std::string reference = ReferenceSql(db);
  const auto all = db.Query(std::string("SELECT ") + kColumns + " FROM crsql_changes");
  ASSERT_GT(all.size(), static_cast<size_t>(2 * kBigRows));
  EXPECT_EQ(Sorted(db.Query(reference)), Sorted(all));
  ExpectAscending(db, "SELECT db_version, seq FROM crsql_changes");
  ExpectAscending(db, "SELECT db_version, seq FROM crsql_changes WHERE db_version > 2");
  ExpectAscending(db, "SELECT db_version, seq FROM crsql_changes WHERE db_version > 0");
  // Ties are in a fixed order: the same query twice gives the same sequence.
  EXPECT_EQ(all, db.Query(std::string("SELECT ") + kColumns + " FROM crsql_changes"));
  // Each transaction of the loop interleaved three tables.
  EXPECT_EQ((std::vector<std::string>{"('foo', 'a', 0)", "('o''dd \"t\"', 'v', 1)",
                                      "('foo', 'b', 2)", "('pkonly', '-1', 3)"}),
            db.Query("SELECT \"table\", cid, seq FROM crsql_changes WHERE db_version = 2"));
  // The oddities of the fixture.
  EXPECT_EQ(std::vector<std::string>{"(NULL)"},
            db.Query("SELECT site_id FROM crsql_changes WHERE pk = X'010908' AND cid = 'a'"));
  EXPECT_EQ(std::vector<std::string>{"('gone', NULL, 1)"},
            db.Query("SELECT cid, val, cl FROM crsql_changes WHERE cid = 'gone'"));
  EXPECT_EQ("0", db.One("SELECT count(*) FROM crsql_changes WHERE seq = 6 AND db_version = 3"));
  EXPECT_EQ((std::vector<std::string>{"('-1', NULL, 3)", "('a', 'back', 3)",
                                      std::string("('b', 'a") + '\0' + "b', 3)"}),
            db.Query("SELECT cid, val, cl FROM crsql_changes WHERE pk = X'010903' AND "
                     "\"table\" = 'foo' ORDER BY cid"));
  EXPECT_EQ("'text'", db.One("SELECT typeof(val) FROM crsql_changes WHERE pk = X'010903' AND "
                             "cid = 'b'"));
  EXPECT_EQ((std::vector<std::string>{"('-1', 2)"}),
            db.Query("SELECT cid, cl FROM crsql_changes WHERE pk = X'010904' AND "
                     "\"table\" = 'foo'"));
}

TEST(ChangesRead, EveryPushedDownOperatorMatchesBruteForce) {
  TestDb db;
  MakeFixture(db, kSmallRows);
  Snapshot(db);
  const std::string reference = ReferenceSql(db);
  const int64_t top = std::stoll(db.One("SELECT max(db_version) FROM snap"));
  const std::vector<Param> common = {test::Null{},
                                     int64_t{0},
                                     int64_t{1},
                                     int64_t{2},
                                     int64_t{3},
                                     top - 1,
                                     top,
                                     2.5,
                                     std::string("2"),
                                     std::string("a"),
                                     std::string("%"),
                                     std::string("-1"),
                                     std::string("b%"),
                                     std::string("[ab]*"),
                                     test::Blob{test::Unhex("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")},
                                     test::Blob{""}};
  struct Column {
    const char* name;   // crsql_changes column
    const char* inner;  // the original's inner column
  };
  const Column columns[] = {{"cid", "cid"},
                            {"col_version", "col_vrsn"},
                            {"db_version", "db_vrsn"},
                            {"site_id", "site_id"},
                            {"cl", "cl"},
                            {"seq", "seq"}};
  const char* ops[] = {"=", ">", ">=", "<", "<=", "!=", "IS", "IS NOT", "LIKE", "GLOB"};
  const std::string local = Texts(db, "SELECT hex(crsql_site_id())").at(0);
  std::vector<Param> values = common;
  values.push_back(test::Blob{test::Unhex(local)});
  for (const Column& col : columns) {
    for (const char* op : ops) {
      for (size_t k = 0; k < values.size(); ++k) {
        const std::vector<Param> value = {values[k]};
        const std::string where = std::string(col.name) + " " + op + " ?1";
        SCOPED_TRACE(where + " with " + db.One("SELECT quote(?)", value));
        ExpectSameRows(db, "SELECT *, typeof(val) FROM snap WHERE " + where, Feed(where), value);
        if (k % 8 == 2) {  // a sample: the original's query is slow to prepare
          ExpectSameRows(db,
                         "SELECT *, typeof(val) FROM (" + reference + ") WHERE " + col.inner + " " +
                             op + " ?1",
                         Feed(where), value);
        }
      }
    }
    // The columns are declared NOT NULL, so SQLite decides these itself (nothing is pushed).
    EXPECT_EQ("0", db.One(std::string("SELECT count(*) FROM crsql_changes WHERE ") + col.name +
                          " IS NULL"));
    EXPECT_EQ(db.One("SELECT count(*) FROM snap"),
              db.One(std::string("SELECT count(*) FROM crsql_changes WHERE ") + col.name +
                     " IS NOT NULL"));
  }
}

// Combinations, including the incremental pull of the sync layers, with foo big enough that
// db_version > 0 keeps most of it (full scan) while > top - 3 keeps little (filtered).
TEST(ChangesRead, CombinedFiltersMatchBruteForceInBothReadingModes) {
  TestDb db;
  MakeFixture(db);
  Snapshot(db);
  const int64_t top = std::stoll(db.One("SELECT max(db_version) FROM snap"));
  const std::string local = Texts(db, "SELECT hex(crsql_site_id())").at(0);
  for (const std::string& where :
       {std::string("db_version > ?1 AND site_id IS NOT ?2"),
        std::string("db_version >= ?1 AND db_version < ?1 + 5 AND cid != 'a'"),
        std::string("cid = 'b' AND cl > 1"), std::string("seq < ?1 AND col_version >= 1"),
        std::string("db_version > ?1 AND site_id = ?2 AND cl = 1")}) {
    for (int64_t v : {int64_t{0}, int64_t{1}, top - 3, top}) {
      for (const Param& site : {Param{test::Blob{test::Unhex(local)}},
                                Param{test::Blob{test::Unhex(std::string(32, 'A'))}}}) {
        SCOPED_TRACE(where + " with " + std::to_string(v));
        ExpectSameRows(db, "SELECT *, typeof(val) FROM snap WHERE " + where, Feed(where),
                       {v, site});
        ExpectAscending(db, "SELECT db_version, seq FROM crsql_changes WHERE " + where, {v, site});
      }
    }
  }
}

TEST(ChangesRead, OrderByIsHonouredAndDefaultOrderConsumed) {
  TestDb db;
  MakeFixture(db);
  Snapshot(db);
  struct Case {
    const char* order;  // on crsql_changes; the snapshot calls rowid "rid"
    const char* keys;   // the sort keys, compared in the result (ties may come in any order)
  };
  for (const Case& c :
       std::vector<Case>{{"db_version", "db_version"},
                         {"db_version DESC", "db_version"},
                         {"db_version DESC, seq DESC", "db_version, seq"},
                         {"db_version, seq", "db_version, seq"},
                         {"db_version DESC, seq ASC", "db_version, seq"},
                         {"seq, db_version", "seq, db_version"},
                         {"val DESC, db_version", "val, db_version"},
                         {"\"table\", pk", "\"table\", pk"},
                         {"cl DESC, cid, pk, db_version", "cl, cid, pk, db_version"},
                         {"site_id, rowid", "site_id, rowid"}}) {
    SCOPED_TRACE(c.order);
    auto on_snap = [](std::string text) {
      for (size_t at; (at = text.find("rowid")) != std::string::npos;) text.replace(at, 5, "rid");
      return text;
    };
    EXPECT_EQ(
        db.Query("SELECT " + on_snap(c.keys) + " FROM snap ORDER BY " + on_snap(c.order)),
        db.Query(std::string("SELECT ") + c.keys + " FROM crsql_changes ORDER BY " + c.order));
  }
  auto plan = [&db](const std::string& sql) {
    std::vector<std::string> out;
    sqlite3_stmt* s = nullptr;
    EXPECT_EQ(SQLITE_OK,
              sqlite3_prepare_v2(db.db(), ("EXPLAIN QUERY PLAN " + sql).c_str(), -1, &s, nullptr));
    while (sqlite3_step(s) == SQLITE_ROW) {
      out.push_back(reinterpret_cast<const char*>(sqlite3_column_text(s, 3)));
    }
    sqlite3_finalize(s);
    return out;
  };
  EXPECT_EQ(std::vector<std::string>{"SCAN crsql_changes VIRTUAL TABLE INDEX 2:WHERE db_vrsn > ? "
                                     "ORDER BY db_vrsn DESC, seq DESC"},
            plan("SELECT * FROM crsql_changes WHERE db_version > 1 "
                 "ORDER BY db_version DESC, seq DESC"));
  EXPECT_EQ((std::vector<std::string>{
                "SCAN crsql_changes VIRTUAL TABLE INDEX 0:ORDER BY db_vrsn, seq ASC",
                "USE TEMP B-TREE FOR ORDER BY"}),
            plan("SELECT * FROM crsql_changes ORDER BY val"));
}

TEST(ChangesRead, CursorsOpenAtTheSameTimeAreIndependent) {
  TestDb db;
  MakeFixture(db);
  Snapshot(db);
  EXPECT_EQ(db.Query("SELECT count(*) FROM snap a JOIN snap b ON a.db_version = b.db_version AND "
                     "a.cid = b.cid WHERE a.db_version > 1"),
            db.Query("SELECT count(*) FROM crsql_changes a JOIN crsql_changes b ON a.db_version "
                     "= b.db_version AND a.cid = b.cid WHERE a.db_version > 1"));
  // The inner cursor is filtered again for every outer row.
  EXPECT_EQ(db.Query("SELECT a.db_version, a.seq, (SELECT count(*) FROM snap b WHERE "
                     "b.db_version = a.db_version) FROM snap a WHERE a.db_version > 1 "
                     "ORDER BY a.db_version, a.seq, a.rid, a.cid"),
            db.Query("SELECT a.db_version, a.seq, (SELECT count(*) FROM crsql_changes b WHERE "
                     "b.db_version = a.db_version) FROM crsql_changes a WHERE a.db_version > 1 "
                     "ORDER BY a.db_version, a.seq, a.rowid, a.cid"));
  // Two statements stepped alternately.
  sqlite3_stmt* s1 = nullptr;
  sqlite3_stmt* s2 = nullptr;
  ASSERT_EQ(SQLITE_OK, sqlite3_prepare_v2(db.db(), "SELECT db_version, seq FROM crsql_changes", -1,
                                          &s1, nullptr));
  ASSERT_EQ(SQLITE_OK, sqlite3_prepare_v2(db.db(),
                                          "SELECT db_version, seq FROM crsql_changes WHERE "
                                          "db_version > 2",
                                          -1, &s2, nullptr));
  int64_t n1 = 0, n2 = 0;
  bool more1 = true, more2 = true;
  while (more1 || more2) {
    if (more1) more1 = sqlite3_step(s1) == SQLITE_ROW, n1 += more1;
    if (more2) more2 = sqlite3_step(s2) == SQLITE_ROW, n2 += more2;
  }
  sqlite3_finalize(s1);
  sqlite3_finalize(s2);
  EXPECT_EQ(db.One("SELECT count(*) FROM snap"), std::to_string(n1));
  EXPECT_EQ(db.One("SELECT count(*) FROM snap WHERE db_version > 2"), std::to_string(n2));
  // Values outlive the cursor's next filter (aggregates keep them).
  EXPECT_EQ(db.Query("SELECT max(val), min(pk) FROM snap, (SELECT 1 UNION ALL SELECT 2)"),
            db.Query("SELECT max(val), min(pk) FROM (SELECT 1 UNION ALL SELECT 2), "
                     "crsql_changes"));
}

TEST(ChangesRead, SchemaChangesAndFinalizeArePickedUp) {
  TestDb db;
  ASSERT_EQ("", db.Exec("CREATE TABLE a (id INTEGER PRIMARY KEY NOT NULL, x);"
                        "SELECT crsql_as_crr('a'); INSERT INTO a VALUES (1, 1);"));
  EXPECT_EQ("1", db.One("SELECT count(*) FROM crsql_changes"));
  ASSERT_EQ("", db.Exec("CREATE TABLE b (id INTEGER PRIMARY KEY NOT NULL, y, z);"
                        "SELECT crsql_as_crr('b'); INSERT INTO b VALUES (1, 2, 3);"));
  EXPECT_EQ((std::vector<std::string>{"('a', 'x', 1)", "('b', 'y', 2)", "('b', 'z', 3)"}),
            db.Query("SELECT \"table\", cid, val FROM crsql_changes"));
  ASSERT_EQ("", db.Exec("SELECT crsql_begin_alter('b'); ALTER TABLE b ADD COLUMN w;"
                        "SELECT crsql_commit_alter('b'); UPDATE b SET w = 'new'"));
  EXPECT_EQ(std::vector<std::string>{"('w', 'new')"},
            db.Query("SELECT cid, val FROM crsql_changes WHERE cid = 'w'"));
  ASSERT_EQ("", db.Exec("SELECT crsql_finalize()"));
  EXPECT_EQ("4", db.One("SELECT count(*) FROM crsql_changes"));
  // A dropped base table: its clock is skipped (docs/crdt.md deviation 5); b moves to index 0.
  ASSERT_EQ("", db.Exec("DROP TABLE a"));
  EXPECT_EQ("3", db.One("SELECT count(*) FROM crsql_changes"));
  EXPECT_EQ((std::vector<std::string>{"('b', 1)", "('b', 1)", "('b', 1)"}),
            db.Query("SELECT \"table\", rowid FROM crsql_changes"));
}

TEST(ChangesRead, InternalCollectorIsNotCallableFromSql) {
  TestDb db;
  EXPECT_EQ(std::vector<std::string>{"error: crsql_internal_changes_collect is internal to "
                                     "crsql_changes"},
            db.Query("SELECT crsql_internal_changes_collect(1, 2, 3)"));
  EXPECT_EQ(std::vector<std::string>{"error: crsql_internal_changes_collect is internal to "
                                     "crsql_changes"},
            db.Query("SELECT crsql_internal_changes_collect()"));
  EXPECT_EQ("0", db.One("SELECT count(*) FROM crsql_changes"));
}

}  // namespace
}  // namespace crsync::crsqlite

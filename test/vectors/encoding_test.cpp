// Test vectors TV-01..TV-05 (section A, "Encoding") of crsqlite-0.16-test-vectors.md: the packed
// value format of crsql_pack_columns / crsql_unpack_columns and of the pk column (behaviour spec
// §11). The bytes are part of the wire format, so every expectation is exact.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "support/test_db.h"
#include "vectors/vector_util.h"

namespace crsync::test::vectors {
namespace {

TEST(Encoding, TV01_PackIntegers) {
  TestDb db;
  const std::vector<std::pair<int64_t, std::string>> cases = {
      {0, "0101"},
      {1, "010901"},
      {127, "01097F"},
      {128, "010980"},
      {255, "0109FF"},
      {256, "01110100"},
      {65535, "0111FFFF"},
      {65536, "0119010000"},
      {16777215, "0119FFFFFF"},
      {16777216, "012101000000"},
      {2147483647, "01217FFFFFFF"},
      {2147483648, "012180000000"},
      {4294967295, "0121FFFFFFFF"},
      {4294967296, "01290100000000"},
      {1099511627775, "0129FFFFFFFFFF"},
      {1099511627776, "0131010000000000"},
      {281474976710656, "013901000000000000"},
      {72057594037927935, "0139FFFFFFFFFFFFFF"},
      {72057594037927936, "01410100000000000000"},
      {9223372036854775807, "01417FFFFFFFFFFFFFFF"},
      {-1, "0141FFFFFFFFFFFFFFFF"},
      {-2, "0141FFFFFFFFFFFFFFFE"},
      {-128, "0141FFFFFFFFFFFFFF80"},
      {INT64_MIN, "01418000000000000000"},
  };
  for (const auto& [v, hex] : cases) {
    SCOPED_TRACE(v);
    // As an SQL literal (what the vector shows) and as a bound integer.
    EXPECT_EQ("'" + hex + "'", db.One("SELECT hex(crsql_pack_columns(" + std::to_string(v) + "))"));
    EXPECT_EQ("'" + hex + "'", db.One("SELECT hex(crsql_pack_columns(?))", {v}));
  }
}

TEST(Encoding, TV02_PackOtherTypesAndMultipleValues) {
  TestDb db;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"crsql_pack_columns()", "00"},
      {"crsql_pack_columns(NULL)", "0105"},
      {"crsql_pack_columns(0.0)", "01020000000000000000"},
      {"crsql_pack_columns(-0.0)", "01028000000000000000"},
      {"crsql_pack_columns(1.0)", "01023FF0000000000000"},
      {"crsql_pack_columns(1.5)", "01023FF8000000000000"},
      {"crsql_pack_columns(3.14159)", "0102400921F9F01B866E"},
      {"crsql_pack_columns(1e300)", "01027E37E43C8800759C"},
      {"crsql_pack_columns('')", "0103"},
      {"crsql_pack_columns('a')", "010B0161"},
      {"crsql_pack_columns('h\xC3\xA9llo')", "010B0668C3A96C6C6F"},
      {"crsql_pack_columns(x'')", "0104"},
      {"crsql_pack_columns(x'00ff')", "010C0200FF"},
      {"crsql_pack_columns(printf('%.300c','x'))", "0113012C" +
                                                       [] {
                                                         std::string s;
                                                         for (int i = 0; i < 300; ++i) s += "78";
                                                         return s;
                                                       }()},
      {"crsql_pack_columns(1,'two',3.0,x'04',NULL)", "0509010B0374776F0240080000000000000C010405"},
      {"crsql_pack_columns(12,'str',x'010203')", "03090C0B037374720C03010203"},
      {"crsql_pack_columns(0,1,127,128,255,256,-1,-128,1.5,'abc',x'0102',NULL,'')",
       "0D010901097F098009FF11010041FFFFFFFFFFFFFFFF41FFFFFFFFFFFFFF80023FF80000000000000B0361"
       "62630C0201020503"},
  };
  for (const auto& [expr, hex] : cases) {
    SCOPED_TRACE(expr);
    EXPECT_EQ("'" + hex + "'", db.One("SELECT hex(" + expr + ")"));
  }
  EXPECT_EQ("(304)", db.Query("SELECT length(crsql_pack_columns(printf('%.300c','x')))")[0]);
  EXPECT_EQ(std::vector<std::string>{"('011C011170', 70005)"},
            db.Query("SELECT hex(substr(p, 1, 5)), length(p) "
                     "FROM (SELECT crsql_pack_columns(randomblob(70000)) AS p)"));

  // 128 arguments: SQLite's own function-argument limit (127 in these builds) fires first.
  std::string args;
  for (int i = 0; i < 128; ++i) args += (i ? "," : "") + std::to_string(i);
  EXPECT_EQ("error: too many arguments on function crsql_pack_columns",
            db.One("SELECT crsql_pack_columns(" + args + ")"));
  // 127 arguments still pack: count byte 0x7F.
  args.clear();
  for (int i = 0; i < 127; ++i) args += (i ? "," : "") + std::string("NULL");
  EXPECT_EQ("'7F'", db.One("SELECT hex(substr(crsql_pack_columns(" + args + "), 1, 1))"));
}

TEST(Encoding, TV03_Unpack) {
  TestDb db;
  EXPECT_EQ((std::vector<std::string>{"(1, 'integer')", "('two', 'text')", "(3.0, 'real')",
                                      "(X'04', 'blob')", "(NULL, 'null')"}),
            db.Query("SELECT cell, typeof(cell) FROM "
                     "crsql_unpack_columns(crsql_pack_columns(1,'two',3.0,x'04',NULL))"));
  // Integers are zero-extended, never sign-extended.
  EXPECT_EQ((std::vector<std::string>{"(128, 'integer')", "(128, 'integer')"}),
            db.Query("SELECT cell, typeof(cell) FROM crsql_unpack_columns(X'0209800980')"));
  EXPECT_EQ(std::vector<std::string>{"(65535)"},
            db.Query("SELECT cell FROM crsql_unpack_columns(X'0111FFFF')"));
  EXPECT_EQ(std::vector<std::string>{"(1)"},
            db.Query("SELECT cell FROM crsql_unpack_columns(X'01090100')"));
  EXPECT_EQ(std::vector<std::string>{"(-9151314442816847873)"},
            db.Query("SELECT cell FROM crsql_unpack_columns(X'014180FFFFFFFFFFFFFF')"));
  EXPECT_TRUE(db.Query("SELECT cell FROM crsql_unpack_columns(X'00')").empty());

  std::vector<std::string> rows = db.Query("SELECT cell FROM crsql_unpack_columns(X'02')");
  ASSERT_EQ(1u, rows.size());
  EXPECT_EQ(0u, rows[0].rfind("error: ", 0)) << rows[0];
  rows = db.Query("SELECT cell FROM crsql_unpack_columns(X'0106')");
  ASSERT_EQ(1u, rows.size());
  EXPECT_EQ(0u, rows[0].rfind("error: ", 0)) << rows[0];

  EXPECT_EQ(std::vector<std::string>{"error: Zero args passed to filter"},
            db.Query("SELECT cell FROM crsql_unpack_columns"));
}

// TV-04. For X'' and a 9-byte integer the real extension aborts the process; ours deliberately
// differs and returns an SQL error without any state change (crashes become errors).
TEST(Encoding, TV04_MalformedPkBlobsOnMerge) {
  TestDb db;
  ASSERT_EQ("",
            db.Exec("CREATE TABLE foo (id PRIMARY KEY NOT NULL, v); SELECT crsql_as_crr('foo');"));
  auto merge = [&](const std::string& pk) {
    return db.Exec("INSERT INTO crsql_changes VALUES ('foo', " + pk +
                   ", 'v', 1, 1, 1, NULL, 1, 0)");
  };
  auto expect_no_state = [&] {
    EXPECT_TRUE(db.Query("SELECT * FROM foo").empty());
    EXPECT_TRUE(db.Query("SELECT * FROM foo__crsql_pks").empty());
    EXPECT_TRUE(db.Query("SELECT * FROM foo__crsql_clock").empty());
    EXPECT_EQ("0", db.One("SELECT crsql_db_version()"));
  };

  for (const std::string pk : {"X''", "X'0149FFFFFFFFFFFFFFFFFF'"}) {
    SCOPED_TRACE(pk);
    EXPECT_NE("", merge(pk));  // real: process abort; ours: an error
    expect_no_state();
  }

  // Same code as the real one (SQLITE_ABORT); ours names the problem (docs/crdt.md #1).
  EXPECT_EQ("crsql - packed value is truncated", merge("X'0109'"));
  EXPECT_EQ(SQLITE_ABORT, db.last_rc());
  expect_no_state();

  EXPECT_NE("", merge("X'0107'"));
  EXPECT_EQ(SQLITE_MISUSE, db.last_rc());
  expect_no_state();

  // Same code as the real one (SQLITE_RANGE); ours names the problem (docs/crdt.md #1).
  EXPECT_EQ("crsql - pk has 2 values but table foo has 1 primary key columns",
            merge("X'020901090A'"));
  EXPECT_EQ(SQLITE_RANGE, db.last_rc());
  expect_no_state();

  EXPECT_EQ("", merge("X'010900FF'"));  // trailing byte ignored: pk 0
  EXPECT_EQ(std::vector<std::string>{"(0, 1)"}, db.Query("SELECT * FROM foo"));
  EXPECT_EQ(std::vector<std::string>{"(1, 0)"}, db.Query("SELECT * FROM foo__crsql_pks"));
}

TEST(Encoding, TV05_CompositePkOrderIsPrimaryKeyOrder) {
  {
    TestDb a;
    PeerNames names{{"A", &a}};
    ASSERT_EQ("", a.Exec("CREATE TABLE foo (x NOT NULL, y NOT NULL, v, w, PRIMARY KEY (y, x));"
                         "SELECT crsql_as_crr('foo');"
                         "INSERT INTO foo VALUES ('a', 2, 'v1', 'w1');"));
    EXPECT_EQ((std::vector<std::string>{"('foo', X'0209020B0161', 'v', 'v1', 1, 1, A, 1, 0)",
                                        "('foo', X'0209020B0161', 'w', 'w1', 1, 1, A, 1, 1)"}),
              Changes(a, names));
  }
  {
    TestDb a;
    ASSERT_EQ("", a.Exec("CREATE TABLE foo (a NOT NULL, b NOT NULL, c, PRIMARY KEY (a, b));"
                         "SELECT crsql_as_crr('foo');"
                         "INSERT INTO foo VALUES (4, 5, 6);"));
    EXPECT_EQ(std::vector<std::string>{"(X'0209040905')"},
              a.Query("SELECT DISTINCT pk FROM crsql_changes"));
  }
}

}  // namespace
}  // namespace crsync::test::vectors

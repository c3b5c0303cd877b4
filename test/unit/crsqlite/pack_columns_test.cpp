// Unit tests of the packed value codec (src/crsqlite/pack_columns.*): canonical encodings,
// zero-extending decode, error codes for malformed input, and encode/decode round trips.
#include "crsqlite/pack_columns.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <cstring>
#include <random>

#include "support/test_db.h"

namespace crsync::crsqlite {
namespace {

using test::Hex;
using test::Unhex;

std::string Pack(const std::vector<Value>& v) {
  std::string out;
  EXPECT_TRUE(PackValues(v, &out));
  return Hex(out);
}

TEST(PackColumns, IntegersUseMinimalBigEndianBytesAndEightForNegatives) {
  EXPECT_EQ(Pack({Value::Int(0)}), "0101");
  EXPECT_EQ(Pack({Value::Int(255)}), "0109FF");
  EXPECT_EQ(Pack({Value::Int(256)}), "01110100");
  EXPECT_EQ(Pack({Value::Int(-1)}), "0141FFFFFFFFFFFFFFFF");
  EXPECT_EQ(Pack({Value::Int(std::numeric_limits<int64_t>::min())}), "01418000000000000000");
}

TEST(PackColumns, OtherTypes) {
  EXPECT_EQ(Pack({}), "00");
  EXPECT_EQ(Pack({Value::Null()}), "0105");
  EXPECT_EQ(Pack({Value::Real(1.5)}), "01023FF8000000000000");
  EXPECT_EQ(Pack({Value::Text("")}), "0103");
  EXPECT_EQ(Pack({Value::Text("a")}), "010B0161");
  EXPECT_EQ(Pack({Value::Blob(Unhex("00FF"))}), "010C0200FF");
  EXPECT_EQ(Pack({Value::Int(12), Value::Text("str"), Value::Blob(Unhex("010203"))}),
            "03090C0B037374720C03010203");
}

TEST(PackColumns, MoreThan255ValuesIsRefused) {
  std::vector<Value> many(256, Value::Int(1));
  std::string out;
  EXPECT_FALSE(PackValues(many, &out));
}

TEST(UnpackColumns, ZeroExtendsAndIgnoresTrailingBytes) {
  UnpackResult r = UnpackValues(Unhex("0209800980"));
  ASSERT_EQ(r.rc, SQLITE_OK);
  ASSERT_EQ(r.values.size(), 2u);
  EXPECT_EQ(r.values[0].i, 128);
  r = UnpackValues(Unhex("01090100"));
  ASSERT_EQ(r.rc, SQLITE_OK);
  EXPECT_EQ(r.values[0].i, 1);
}

TEST(UnpackColumns, MalformedInputGivesErrorCodes) {
  EXPECT_EQ(UnpackValues("").rc, SQLITE_ABORT);
  EXPECT_EQ(UnpackValues(Unhex("0109")).rc, SQLITE_ABORT);
  EXPECT_EQ(UnpackValues(Unhex("02")).rc, SQLITE_ABORT);
  EXPECT_EQ(UnpackValues(Unhex("0107")).rc, SQLITE_MISUSE);
  EXPECT_EQ(UnpackValues(Unhex("0100")).rc, SQLITE_MISUSE);
  EXPECT_EQ(UnpackValues(Unhex("0149FFFFFFFFFFFFFFFFFF")).rc, SQLITE_ABORT);
  EXPECT_EQ(UnpackValues(Unhex("010BFF")).rc, SQLITE_ABORT);        // length past the end
  EXPECT_EQ(UnpackValues(Unhex("0123FFFFFFFF")).rc, SQLITE_ABORT);  // 4 GiB text claimed
  EXPECT_FALSE(UnpackValues(Unhex("0107")).error.empty());
}

TEST(UnpackColumns, RoundTripsRandomTuples) {
  std::mt19937_64 rng(42);
  for (int iter = 0; iter < 2000; ++iter) {
    std::vector<Value> values;
    int n = static_cast<int>(rng() % 6);
    for (int k = 0; k < n; ++k) {
      switch (rng() % 5) {
        case 0:
          values.push_back(Value::Int(static_cast<int64_t>(rng())));
          break;
        case 1: {
          double d;
          uint64_t bits = rng();
          std::memcpy(&d, &bits, sizeof d);
          if (std::isnan(d)) d = 0.25;
          values.push_back(Value::Real(d));
          break;
        }
        case 2:
          values.push_back(Value::Text(std::string(rng() % 300, 'x')));
          break;
        case 3:
          values.push_back(Value::Blob(std::string(rng() % 70, '\0')));
          break;
        default:
          values.push_back(Value::Null());
      }
    }
    std::string packed;
    ASSERT_TRUE(PackValues(values, &packed));
    UnpackResult r = UnpackValues(packed);
    ASSERT_EQ(r.rc, SQLITE_OK);
    ASSERT_EQ(r.values.size(), values.size());
    for (size_t k = 0; k < values.size(); ++k) {
      EXPECT_EQ(CompareValues(r.values[k], values[k]), 0);
      EXPECT_EQ(r.values[k].type, values[k].type);
    }
  }
}

TEST(CompareValues, CrSqliteClassOrder) {
  EXPECT_LT(CompareValues(Value::Null(), Value::Blob("")), 0);
  EXPECT_LT(CompareValues(Value::Blob("\xff"), Value::Text("")), 0);
  EXPECT_LT(CompareValues(Value::Text("b"), Value::Real(-1.5)), 0);
  EXPECT_LT(CompareValues(Value::Real(2.5), Value::Int(1)), 0);
  EXPECT_GT(CompareValues(Value::Int(1), Value::Real(2.5)), 0);
  EXPECT_LT(CompareValues(Value::Text("a"), Value::Text("ab")), 0);
  EXPECT_EQ(CompareValues(Value::Null(), Value::Null()), 0);
  EXPECT_GT(CompareValues(Value::Int(-5), Value::Int(-6)), 0);
}

}  // namespace
}  // namespace crsync::crsqlite

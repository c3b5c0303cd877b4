// Tests of ByteWriter (src/common/byte_writer.h) against every encoding example of
// sync-protocol.md §2 (lib0 primitives as @vlcn.io/ws-common 0.2.0 uses them).
#include "common/byte_writer.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "common/hex.h"
#include "unit/common/bytes_test_util.h"

namespace crsync {
namespace {

using testing::HexBytes;

constexpr int64_t kMaxSafe = (int64_t{1} << 53) - 1;

template <typename Fn>
std::string Written(Fn fn) {
  ByteWriter w;
  fn(w);
  return HexEncode(w.bytes());
}

struct UintCase {
  uint64_t value;
  const char* hex;
};

// §2.2 table and worked example.
constexpr UintCase kVarUintCases[] = {
    {0, "00"},
    {1, "01"},
    {127, "7f"},
    {128, "8001"},
    {129, "8101"},
    {200, "c801"},
    {255, "ff01"},
    {300, "ac02"},
    {16383, "ff7f"},
    {16384, "808001"},
    {uint64_t{1} << 31, "8080808008"},
    {uint64_t{1} << 32, "8080808010"},
    {uint64_t{kMaxSafe}, "ffffffffffffff0f"},
};

TEST(BytesWriter, VarUintSpecTable) {
  for (const auto& c : kVarUintCases) {
    EXPECT_EQ(c.hex, Written([&](ByteWriter& w) { w.WriteVarUint(c.value); })) << c.value;
  }
}

struct IntCase {
  int64_t value;
  const char* hex;
};

// §2.3 table and worked examples. (-0 is not an int64_t; see ByteReader's tests.)
constexpr IntCase kVarIntCases[] = {
    {0, "00"},
    {1, "01"},
    {-1, "41"},
    {63, "3f"},
    {-63, "7f"},
    {64, "8001"},
    {-64, "c001"},
    {-65, "c101"},
    {127, "bf01"},
    {128, "8002"},
    {300, "ac04"},
    {8191, "bf7f"},
    {8192, "808001"},
    {(int64_t{1} << 31) - 1, "bfffffff0f"},
    {int64_t{1} << 31, "8080808010"},
    {-(int64_t{1} << 31), "c080808010"},
    {kMaxSafe, "bfffffffffffff1f"},
    {-kMaxSafe, "ffffffffffffff1f"},
};

TEST(BytesWriter, VarIntSpecTable) {
  for (const auto& c : kVarIntCases) {
    EXPECT_EQ(c.hex, Written([&](ByteWriter& w) { w.WriteVarInt(c.value); })) << c.value;
  }
}

TEST(BytesWriter, VarIntAndVarUintShareBytesForDifferentValues) {
  // §2.3: varint 2^31 and varuint 2^32 are the same five bytes.
  EXPECT_EQ(Written([](ByteWriter& w) { w.WriteVarInt(int64_t{1} << 31); }),
            Written([](ByteWriter& w) { w.WriteVarUint(uint64_t{1} << 32); }));
}

TEST(BytesWriter, VarIntExtremesDoNotOverflow) {
  // Outside lib0's range, but must be written without UB: magnitude 2^63 in 10 bytes.
  EXPECT_EQ("c0808080808080808002",
            Written([](ByteWriter& w) { w.WriteVarInt(std::numeric_limits<int64_t>::min()); }));
  EXPECT_EQ("ffffffffffffffffff01",
            Written([](ByteWriter& w) { w.WriteVarUint(std::numeric_limits<uint64_t>::max()); }));
}

TEST(BytesWriter, BigInt64SpecTable) {
  const IntCase cases[] = {
      {0, "0000000000000000"},
      {1, "0000000000000001"},
      {-1, "ffffffffffffffff"},
      {255, "00000000000000ff"},
      {256, "0000000000000100"},
      {9007199254740993, "0020000000000001"},
      {std::numeric_limits<int64_t>::max(), "7fffffffffffffff"},
      {std::numeric_limits<int64_t>::min(), "8000000000000000"},
      {-6352387177184518618, "a7d7c984cc2b9e26"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(c.hex, Written([&](ByteWriter& w) { w.WriteBigInt64(c.value); })) << c.value;
  }
}

TEST(BytesWriter, Float64SpecTable) {
  const struct {
    double value;
    const char* hex;
  } cases[] = {
      {0.0, "0000000000000000"},
      {-0.0, "8000000000000000"},
      {1.0, "3ff0000000000000"},
      {1.5, "3ff8000000000000"},
      {-0.25, "bfd0000000000000"},
      {0.1, "3fb999999999999a"},
      {5.0, "4014000000000000"},
      {9007199254740992.0, "4340000000000000"},
      {std::numeric_limits<double>::quiet_NaN(), "7ff8000000000000"},
      {std::numeric_limits<double>::infinity(), "7ff0000000000000"},
      {-std::numeric_limits<double>::infinity(), "fff0000000000000"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(c.hex, Written([&](ByteWriter& w) { w.WriteFloat64(c.value); })) << c.value;
  }
}

TEST(BytesWriter, Float64KeepsNaNPayload) {
  EXPECT_EQ("7ff0000000000001", Written([](ByteWriter& w) {
              w.WriteFloat64(std::bit_cast<double>(uint64_t{0x7ff0000000000001}));
            }));
}

TEST(BytesWriter, VarStringSpecTable) {
  const struct {
    std::string text;
    const char* hex;
  } cases[] = {
      {"", "00"},
      {"a", "0161"},
      {"todo.sql", "08746f646f2e73716c"},
      {"h\xC3\xA9llo", "0668c3a96c6c6f"},
      {"\xE2\x82\xAC", "03e282ac"},
      {"\xF0\x9F\x98\x80", "04f09f9880"},
      {"\xE6\x97\xA5\xE6\x9C\xAC", "06e697a5e69cac"},
      {std::string(1, '\0'), "0100"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(c.hex, Written([&](ByteWriter& w) { w.WriteVarString(c.text); })) << c.hex;
  }
  // 200 x "a": length c8 01, then the bytes.
  const std::string many(200, 'a');
  std::string expected = "c801";
  for (int i = 0; i < 200; ++i) expected += "61";
  EXPECT_EQ(expected, Written([&](ByteWriter& w) { w.WriteVarString(many); }));
}

TEST(BytesWriter, VarStringRepairsIllFormedUtf8LikeTextEncoder) {
  // §2.6: JavaScript writes an unpaired surrogate "\ud800" as U+FFFD (03 ef bf bd). Its nearest
  // byte form in a std::string is the CESU sequence ED A0 80; each maximal subpart becomes one
  // U+FFFD, so the text still decodes under a fatal decoder.
  EXPECT_EQ("03efbfbd", Written([](ByteWriter& w) { w.WriteVarString("\xFF"); }));
  EXPECT_EQ("0561efbfbd62", Written([](ByteWriter& w) {
              w.WriteVarString(
                  "a\xE2\x82"
                  "b");
            }));
}

TEST(BytesWriter, SiteIdIsSixteenRawBytes) {
  const std::vector<uint8_t> id = HexBytes("00112233445566778899aabbccddeeff");
  EXPECT_EQ("00112233445566778899aabbccddeeff", Written([&](ByteWriter& w) { w.WriteBytes(id); }));
}

TEST(BytesWriter, VarUint8ArraySpecExamples) {
  EXPECT_EQ("03010901", Written([](ByteWriter& w) { w.WriteVarBytes(HexBytes("010901")); }));
  EXPECT_EQ("00", Written([](ByteWriter& w) { w.WriteVarBytes({}); }));
  EXPECT_EQ("04deadbeef", Written([](ByteWriter& w) { w.WriteVarBytes(HexBytes("deadbeef")); }));
}

TEST(BytesWriter, Uint8AndRelease) {
  ByteWriter w;
  w.WriteUint8(0x02);
  w.WriteUint8(0xff);
  EXPECT_EQ(2u, w.size());
  const std::vector<uint8_t> out = w.Release();
  EXPECT_EQ((std::vector<uint8_t>{0x02, 0xff}), out);
  EXPECT_EQ(0u, w.size());
}

}  // namespace
}  // namespace crsync

// Tests of ByteReader (src/common/byte_reader.h): every decoding example of sync-protocol.md
// §2, plus the strictness §3.9 asks of a C++ decoder (truncation, 2^53 overflow, bad UTF-8).
#include "common/byte_reader.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "common/byte_writer.h"
#include "unit/common/bytes_test_util.h"

namespace crsync {
namespace {

using testing::HexBytes;

constexpr int64_t kMaxSafe = (int64_t{1} << 53) - 1;

Result<uint64_t> VarUint(const char* hex) {
  const std::vector<uint8_t> bytes = HexBytes(hex);
  ByteReader r(bytes);
  auto v = r.ReadVarUint();
  if (v.ok() && !r.AtEnd()) return Status::Internal("did not consume everything");
  return v;
}

Result<int64_t> VarInt(const char* hex) {
  const std::vector<uint8_t> bytes = HexBytes(hex);
  ByteReader r(bytes);
  auto v = r.ReadVarInt();
  if (v.ok() && !r.AtEnd()) return Status::Internal("did not consume everything");
  return v;
}

TEST(BytesReader, VarUintSpecTable) {
  const std::pair<uint64_t, const char*> cases[] = {
      {0, "00"},
      {1, "01"},
      {127, "7f"},
      {128, "80 01"},
      {129, "81 01"},
      {200, "c8 01"},
      {255, "ff 01"},
      {300, "ac 02"},
      {16383, "ff 7f"},
      {16384, "80 80 01"},
      {uint64_t{1} << 31, "80 80 80 80 08"},
      {uint64_t{1} << 32, "80 80 80 80 10"},
      {uint64_t{kMaxSafe}, "ff ff ff ff ff ff ff 0f"},
  };
  for (const auto& [value, hex] : cases) {
    auto v = VarUint(hex);
    ASSERT_TRUE(v.ok()) << hex << ": " << v.status().ToString();
    EXPECT_EQ(value, *v) << hex;
  }
}

TEST(BytesReader, VarIntSpecTable) {
  const std::pair<int64_t, const char*> cases[] = {
      {0, "00"},
      {1, "01"},
      {-1, "41"},
      {63, "3f"},
      {-63, "7f"},
      {64, "80 01"},
      {-64, "c0 01"},
      {-65, "c1 01"},
      {127, "bf 01"},
      {128, "80 02"},
      {300, "ac 04"},
      {8191, "bf 7f"},
      {8192, "80 80 01"},
      {(int64_t{1} << 31) - 1, "bf ff ff ff 0f"},
      {int64_t{1} << 31, "80 80 80 80 10"},
      {-(int64_t{1} << 31), "c0 80 80 80 10"},
      {kMaxSafe, "bf ff ff ff ff ff ff 1f"},
      {-kMaxSafe, "ff ff ff ff ff ff ff 1f"},
  };
  for (const auto& [value, hex] : cases) {
    auto v = VarInt(hex);
    ASSERT_TRUE(v.ok()) << hex << ": " << v.status().ToString();
    EXPECT_EQ(value, *v) << hex;
  }
}

TEST(BytesReader, NegativeZeroReadsAsZero) {
  // §2.3: "40" decodes to -0, which equals 0 for every integer use.
  EXPECT_EQ(0, *VarInt("40"));
  EXPECT_EQ(0, *VarInt("c0 00"));
}

TEST(BytesReader, NonMinimalFormsAreAccepted) {
  // §2.2 / §3.9: lib0 accepts "80 00" = 0; so do we, however long the padding.
  EXPECT_EQ(0u, *VarUint("80 00"));
  EXPECT_EQ(1u, *VarUint("81 80 80 80 80 80 80 80 80 80 80 80 00"));
  EXPECT_EQ(0, *VarInt("80 80 80 80 80 80 80 80 80 80 80 80 80 00"));
  EXPECT_EQ(-5, *VarInt("c5 80 00"));
}

TEST(BytesReader, ValuesAbove2To53Minus1AreRejected) {
  EXPECT_EQ(StatusCode::kDataLoss, VarUint("80 80 80 80 80 80 80 10").status().code());  // 2^53
  EXPECT_EQ(StatusCode::kDataLoss, VarUint("ff ff ff ff ff ff ff ff 01").status().code());
  EXPECT_EQ(StatusCode::kDataLoss,
            VarUint("80 80 80 80 80 80 80 80 80 01").status().code());  // 2^63
  EXPECT_EQ(StatusCode::kDataLoss,
            VarUint("80 80 80 80 80 80 80 80 80 80 80 01").status().code());            // 2^77
  EXPECT_EQ(StatusCode::kDataLoss, VarInt("80 80 80 80 80 80 80 20").status().code());  // 2^53
  EXPECT_EQ(StatusCode::kDataLoss, VarInt("c0 80 80 80 80 80 80 20").status().code());
  EXPECT_EQ(StatusCode::kDataLoss,
            VarInt("c0 80 80 80 80 80 80 80 80 80 80 80 01").status().code());
}

TEST(BytesReader, TruncatedVarintsAreRejected) {
  EXPECT_EQ(StatusCode::kOutOfRange, VarUint("").status().code());
  EXPECT_EQ(StatusCode::kOutOfRange, VarUint("80").status().code());
  EXPECT_EQ(StatusCode::kOutOfRange, VarUint("ff ff ff").status().code());
  // lib0 reads a varint whose first byte is missing as 0 (§2.3); we do not.
  EXPECT_EQ(StatusCode::kOutOfRange, VarInt("").status().code());
  EXPECT_EQ(StatusCode::kOutOfRange, VarInt("80").status().code());
}

TEST(BytesReader, BigInt64SpecTable) {
  const std::pair<int64_t, const char*> cases[] = {
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
  for (const auto& [value, hex] : cases) {
    const std::vector<uint8_t> bytes = HexBytes(hex);
    ByteReader r(bytes);
    EXPECT_EQ(value, *r.ReadBigInt64()) << hex;
    EXPECT_TRUE(r.AtEnd());
  }
}

TEST(BytesReader, Float64SpecTable) {
  const std::pair<double, const char*> cases[] = {
      {0.0, "0000000000000000"},
      {-0.0, "8000000000000000"},
      {1.0, "3ff0000000000000"},
      {1.5, "3ff8000000000000"},
      {-0.25, "bfd0000000000000"},
      {0.1, "3fb999999999999a"},
      {5.0, "4014000000000000"},
      {9007199254740992.0, "4340000000000000"},
      {std::numeric_limits<double>::infinity(), "7ff0000000000000"},
      {-std::numeric_limits<double>::infinity(), "fff0000000000000"},
  };
  for (const auto& [value, hex] : cases) {
    const std::vector<uint8_t> bytes = HexBytes(hex);
    ByteReader r(bytes);
    const double v = *r.ReadFloat64();
    EXPECT_EQ(std::bit_cast<uint64_t>(value), std::bit_cast<uint64_t>(v)) << hex;
  }
  const std::vector<uint8_t> nan = HexBytes("7ff8000000000000");
  ByteReader r(nan);
  EXPECT_TRUE(std::isnan(*r.ReadFloat64()));
}

TEST(BytesReader, TruncatedFixedWidthFieldsAreRejected) {
  const std::vector<uint8_t> seven = HexBytes("00000000000000");
  ByteReader r(seven);
  EXPECT_EQ(StatusCode::kOutOfRange, r.ReadBigInt64().status().code());
  EXPECT_EQ(StatusCode::kOutOfRange, r.ReadFloat64().status().code());
  EXPECT_EQ(0u, r.position());  // a failed read consumes nothing
  EXPECT_EQ(StatusCode::kOutOfRange, r.ReadArray<16>().status().code());
  EXPECT_TRUE(r.ReadArray<7>().ok());
  EXPECT_EQ(StatusCode::kOutOfRange, r.ReadUint8().status().code());
}

TEST(BytesReader, VarStringSpecTable) {
  const std::pair<std::string, const char*> cases[] = {
      {"", "00"},
      {"a", "01 61"},
      {"todo.sql", "08 74 6f 64 6f 2e 73 71 6c"},
      {"h\xC3\xA9llo", "06 68 c3 a9 6c 6c 6f"},
      {"\xE2\x82\xAC", "03 e2 82 ac"},
      {"\xF0\x9F\x98\x80", "04 f0 9f 98 80"},
      {"\xE6\x97\xA5\xE6\x9C\xAC", "06 e6 97 a5 e6 9c ac"},
      {std::string(1, '\0'), "01 00"},
      {"\xEF\xBF\xBD", "03 ef bf bd"},  // what JS writes for an unpaired "\ud800"
  };
  for (const auto& [text, hex] : cases) {
    const std::vector<uint8_t> bytes = HexBytes(hex);
    ByteReader r(bytes);
    auto v = r.ReadVarString();
    ASSERT_TRUE(v.ok()) << hex << ": " << v.status().ToString();
    EXPECT_EQ(text, *v) << hex;
    EXPECT_TRUE(r.AtEnd());
  }
  std::vector<uint8_t> many = HexBytes("c8 01");
  many.insert(many.end(), 200, 'a');
  ByteReader r(many);
  EXPECT_EQ(std::string(200, 'a'), *r.ReadVarString());
}

TEST(BytesReader, VarStringKeepsBom) {
  const std::vector<uint8_t> bytes = HexBytes("04 ef bb bf 61");
  ByteReader r(bytes);
  EXPECT_EQ(
      "\xEF\xBB\xBF"
      "a",
      *r.ReadVarString());
}

TEST(BytesReader, VarStringRejectsIllFormedUtf8) {
  for (const char* hex :
       {"01 80", "02 c0 80", "03 ed a0 80", "02 e2 82", "04 f4 90 80 80", "01 ff", "03 61 62 c3"}) {
    const std::vector<uint8_t> bytes = HexBytes(hex);
    ByteReader r(bytes);
    auto v = r.ReadVarString();
    EXPECT_EQ(StatusCode::kDataLoss, v.status().code()) << hex;
    EXPECT_EQ(0u, r.position()) << hex;
  }
}

TEST(BytesReader, VarUint8ArraySpecExamples) {
  const std::vector<uint8_t> bytes = HexBytes("03 01 09 01 00 04 de ad be ef");
  ByteReader r(bytes);
  auto pk = r.ReadVarBytes();
  ASSERT_TRUE(pk.ok());
  EXPECT_EQ(HexBytes("010901"), std::vector<uint8_t>(pk->begin(), pk->end()));
  EXPECT_TRUE(r.ReadVarBytes()->empty());
  auto blob = r.ReadVarBytes();
  ASSERT_TRUE(blob.ok());
  EXPECT_EQ(HexBytes("deadbeef"), std::vector<uint8_t>(blob->begin(), blob->end()));
  EXPECT_TRUE(r.AtEnd());
}

TEST(BytesReader, LengthBeyondInputIsRejectedWithoutAllocating) {
  // A length of 2^53 - 1 followed by two bytes: refused by comparing with what is left.
  const std::vector<uint8_t> bytes = HexBytes("ff ff ff ff ff ff ff 0f 61 62");
  ByteReader r(bytes);
  EXPECT_EQ(StatusCode::kOutOfRange, r.ReadVarBytes().status().code());
  EXPECT_EQ(StatusCode::kOutOfRange, r.ReadVarString().status().code());
  EXPECT_EQ(0u, r.position());
  const std::vector<uint8_t> short_blob = HexBytes("04 de ad be");
  ByteReader r2(short_blob);
  EXPECT_EQ(StatusCode::kOutOfRange, r2.ReadVarBytes().status().code());
}

TEST(BytesReader, SiteIdIsSixteenBytes) {
  const std::vector<uint8_t> bytes = HexBytes("00112233445566778899aabbccddeeff 01");
  ByteReader r(bytes);
  auto id = r.ReadArray<16>();
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(0x00, (*id)[0]);
  EXPECT_EQ(0xff, (*id)[15]);
  EXPECT_EQ(1u, r.remaining());
}

TEST(BytesReader, RoundTripsWriterOutput) {
  ByteWriter w;
  const int64_t ints[] = {0, 1, -1, 63, 64, -64, 1000000, -kMaxSafe, kMaxSafe};
  for (int64_t v : ints) {
    w.WriteVarInt(v);
    w.WriteVarUint(static_cast<uint64_t>(v < 0 ? -v : v));
    w.WriteBigInt64(v * 977);
  }
  ByteReader r(w.bytes());
  for (int64_t v : ints) {
    EXPECT_EQ(v, *r.ReadVarInt());
    EXPECT_EQ(static_cast<uint64_t>(v < 0 ? -v : v), *r.ReadVarUint());
    EXPECT_EQ(v * 977, *r.ReadBigInt64());
  }
  EXPECT_TRUE(r.AtEnd());
}

}  // namespace
}  // namespace crsync

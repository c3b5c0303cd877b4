// Golden-vector tests of the sync codec (src/protocol/codec.h): every vector of
// sync-protocol-vectors.json (encoded by the real @vlcn.io/ws-common 0.2.0, or recorded from the
// real stack) must decode to its `message`, field by field, and both the decoded message and the
// JSON `message` must encode to exactly `hex` (spec §7.6). Every strict prefix of every vector
// must be refused. Plus a seeded random round trip over all message types.
#include "protocol/codec.h"

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "common/hex.h"
#include "protocol_compat/message_json.h"
#include "unit/protocol/golden_vectors.h"

namespace crsync::protocol {
namespace {

using crsync::testing::GoldenVector;
using crsync::testing::GoldenVectors;

TEST(ProtocolVectors, FileHasAll48Vectors) {
  ASSERT_EQ(48u, GoldenVectors().size()) << "could not load " << testing::GoldenVectorsPath();
  size_t tags_seen = 0;
  std::vector<bool> seen(12, false);
  for (const GoldenVector& v : GoldenVectors()) {
    const int tag = v.message.value("_tag", 0);
    ASSERT_TRUE(tag >= 1 && tag <= 11) << v.name;
    if (!seen[tag]) ++tags_seen;
    seen[tag] = true;
  }
  EXPECT_EQ(11u, tags_seen) << "every message type has at least one vector";
}

class ProtocolVector : public ::testing::TestWithParam<size_t> {
 protected:
  const GoldenVector& vector() const { return GoldenVectors()[GetParam()]; }
};

TEST_P(ProtocolVector, LayoutConcatenatesToHexAndLengthMatches) {
  const GoldenVector& v = vector();
  std::string concatenated;
  for (const auto& field : v.raw.at("layout")) concatenated += field.at("hex").get<std::string>();
  EXPECT_EQ(v.raw.at("hex").get<std::string>(), concatenated);
  EXPECT_EQ(v.raw.at("length").get<size_t>(), v.bytes.size());
}

TEST_P(ProtocolVector, DecodesToTheJsonMessageFieldByField) {
  const GoldenVector& v = vector();
  DecodeInfo info;
  auto decoded = Decode(v.bytes, {}, &info);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(0u, info.trailing_bytes);
  const nlohmann::json as_json = protocol_json::MessageToJson(*decoded);
  EXPECT_EQ(v.message, as_json) << "difference: " << nlohmann::json::diff(v.message, as_json);
  // And the other way: the JSON message, parsed, is the same C++ value.
  auto from_json = protocol_json::MessageFromJson(v.message);
  ASSERT_TRUE(from_json.ok()) << from_json.status().ToString();
  EXPECT_TRUE(*from_json == *decoded) << DebugString(*from_json) << "\n" << DebugString(*decoded);
  EXPECT_EQ(static_cast<Tag>(v.message.at("_tag").get<int>()), TagOf(*decoded));
  EXPECT_EQ(v.message.at("tag_name").get<std::string>(), TagName(TagOf(*decoded)));
}

TEST_P(ProtocolVector, EncodesToExactlyTheHex) {
  const GoldenVector& v = vector();
  auto from_json = protocol_json::MessageFromJson(v.message);
  ASSERT_TRUE(from_json.ok()) << from_json.status().ToString();
  EXPECT_TRUE(Validate(*from_json).ok()) << Validate(*from_json).ToString();
  EXPECT_EQ(HexEncode(v.bytes), HexEncode(Encode(*from_json)));
  auto decoded = Decode(v.bytes);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(v.bytes, Encode(*decoded));
}

TEST_P(ProtocolVector, EveryStrictPrefixIsRefused) {
  const GoldenVector& v = vector();
  for (size_t n = 0; n < v.bytes.size(); ++n) {
    auto decoded = Decode(std::span(v.bytes).first(n));
    EXPECT_FALSE(decoded.ok()) << "prefix of " << n << " of " << v.bytes.size() << " bytes";
    if (!decoded.ok()) {
      EXPECT_EQ(StatusCode::kOutOfRange, decoded.status().code())
          << "prefix " << n << ": " << decoded.status().ToString();
    }
  }
}

TEST_P(ProtocolVector, TrailingBytesAreCountedOrRefused) {
  std::vector<uint8_t> bytes = vector().bytes;
  bytes.push_back(0x00);
  bytes.push_back(0xff);
  DecodeInfo info;
  auto decoded = Decode(bytes, {}, &info);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(2u, info.trailing_bytes);
  EXPECT_EQ(vector().bytes, Encode(*decoded));
  DecodeOptions strict;
  strict.allow_trailing_bytes = false;
  EXPECT_EQ(StatusCode::kDataLoss, Decode(bytes, strict).status().code());
  EXPECT_TRUE(Decode(vector().bytes, strict).ok());
}

INSTANTIATE_TEST_SUITE_P(Golden, ProtocolVector,
                         ::testing::Range<size_t>(0, GoldenVectors().size()),
                         [](const ::testing::TestParamInfo<size_t>& info) {
                           return testing::SafeTestName(GoldenVectors()[info.param].name);
                         });

// ---- seeded random round trip -------------------------------------------------------------

class RandomMessages {
 public:
  explicit RandomMessages(uint64_t seed) : rng_(seed) {}

  Message Next() {
    switch (Below(11) + 1) {
      case 1: {
        AnnouncePresence m{Site(), {}, Text(), Int64()};
        for (size_t i = Below(4); i > 0; --i) m.last_seens.push_back({Site(), Cur()});
        return m;
      }
      case 2:
        return Changes{Site(), Cur(), ChangeList()};
      case 3:
        return RejectChanges{Site(), Cur()};
      case 4: {
        StartStreaming m{Cur(), {}, Below(2) == 1};
        for (size_t i = Below(4); i > 0; --i) m.exclude_sites.push_back(Site());
        return m;
      }
      case 5:
        return CreateDbOnPrimary{Safe(), Text(), Text(), Int64()};
      case 6:
        return ApplyChangesOnPrimary{Safe(), Site(), ChangeList(), Text(), Cur()};
      case 7:
        return Ping{};
      case 8:
        return Pong{};
      case 9:
        return CreateDbOnPrimaryResponse{Safe(), Int64()};
      case 10:
        return Err{Safe(), Text()};
      default:
        return ApplyChangesOnPrimaryResponse{Safe()};
    }
  }

 private:
  uint64_t Below(uint64_t n) { return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng_); }

  int64_t Int64() {
    static constexpr int64_t kEdges[] = {0,
                                         1,
                                         -1,
                                         std::numeric_limits<int64_t>::min(),
                                         std::numeric_limits<int64_t>::max(),
                                         9007199254740993};
    if (Below(4) == 0) return kEdges[Below(std::size(kEdges))];
    return static_cast<int64_t>(rng_()) >> Below(64);
  }

  // Within +-(2^53 - 1), biased to small magnitudes.
  int64_t Safe() {
    const int64_t magnitude = static_cast<int64_t>(rng_() >> (11 + Below(53)));
    return Below(3) == 0 ? -magnitude : magnitude;
  }

  Cursor Cur() { return Cursor{Int64(), Safe()}; }

  SiteId Site() {
    SiteId id;
    for (auto& b : id) b = static_cast<uint8_t>(rng_());
    return id;
  }

  Bytes Blob() {
    Bytes out(Below(40));
    for (auto& b : out) b = static_cast<uint8_t>(rng_());
    return out;
  }

  std::string Text() {
    static const std::string kPieces[] = {"a",
                                          "todo",
                                          "-1",
                                          "\xC3\xA9",
                                          "\xE2\x82\xAC",
                                          "\xF0\x9F\x98\x80",
                                          "\xEF\xBB\xBF",
                                          std::string(1, '\0'),
                                          "\xE6\x97\xA5",
                                          " "};
    std::string out;
    for (size_t i = Below(8); i > 0; --i) out += kPieces[Below(std::size(kPieces))];
    return out;
  }

  Value Val() {
    switch (Below(6)) {
      case 0:
        return Null{};
      case 1:
        return Int64();
      case 2:
        return std::bit_cast<double>(static_cast<uint64_t>(rng_()));
      case 3:
        return Text();
      case 4:
        return Below(2) == 1;
      default:
        return Blob();
    }
  }

  std::vector<Change> ChangeList() {
    std::vector<Change> out(Below(6));
    for (Change& c : out) {
      c = Change{Text(), Blob(), Text(), Val(), Int64(), Int64(), std::nullopt, Int64(), Safe()};
      if (Below(3) == 0) c.site_id = Site();
    }
    return out;
  }

  std::mt19937_64 rng_;
};

TEST(ProtocolCodec, RandomMessagesRoundTrip) {
  RandomMessages gen(20240611);
  for (int i = 0; i < 5000; ++i) {
    const Message m = gen.Next();
    ASSERT_TRUE(Validate(m).ok()) << Validate(m).ToString();
    const std::vector<uint8_t> bytes = Encode(m);
    auto decoded = Decode(bytes);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString() << "\n" << DebugString(m);
    ASSERT_TRUE(*decoded == m) << DebugString(m) << "\n" << DebugString(*decoded);
    ASSERT_EQ(bytes, Encode(*decoded));
    // The JSON convention round-trips too (exercises JsNumberToString on random doubles).
    auto via_json = protocol_json::MessageFromJson(protocol_json::MessageToJson(m));
    ASSERT_TRUE(via_json.ok()) << via_json.status().ToString();
    // (Compared as JSON: every NaN payload prints as "NaN".)
    ASSERT_EQ(protocol_json::MessageToJson(m), protocol_json::MessageToJson(*via_json));
  }
}

TEST(ProtocolCodec, JsNumberFormattingMatchesJavaScript) {
  // Expected strings are what String(n) prints in Node 20 (and the vectors' float64 texts).
  const std::pair<double, const char*> cases[] = {
      {0.1, "0.1"},
      {5, "5"},
      {1.5, "1.5"},
      {-0.25, "-0.25"},
      {9007199254740992.0, "9007199254740992"},
      {1e21, "1e+21"},
      {123456789012345680000.0, "123456789012345680000"},
      {1e-6, "0.000001"},
      {1e-7, "1e-7"},
      {1.2345e-7, "1.2345e-7"},
      {-1.7976931348623157e308, "-1.7976931348623157e+308"},
      {5e-324, "5e-324"},
      {0.000123, "0.000123"},
      {100, "100"},
      {-0.0, "-0"},
  };
  for (const auto& [value, text] : cases) {
    EXPECT_EQ(text, protocol_json::JsNumberToString(value));
    auto parsed = protocol_json::ParseJsNumber(text);
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(std::bit_cast<uint64_t>(value), std::bit_cast<uint64_t>(*parsed)) << text;
  }
}

}  // namespace
}  // namespace crsync::protocol

// Tests of protocol::Encode and protocol::Validate (src/protocol/codec.h) beyond the golden
// vectors: the canonical choices Encode makes and the cases Validate reports.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <string>

#include "common/hex.h"
#include "protocol/codec.h"

namespace crsync::protocol {
namespace {

SiteId Site(uint8_t fill) {
  SiteId id;
  id.fill(fill);
  return id;
}

Change SimpleChange() {
  return Change{"t", {0x01, 0x09, 0x01}, "c", Null{}, 1, 1, std::nullopt, 1, 0};
}

TEST(ProtocolEncode, TagByteComesFirst) {
  EXPECT_EQ("07", HexEncode(Encode(Ping{})));
  EXPECT_EQ("08", HexEncode(Encode(Pong{})));
  EXPECT_EQ("0b02", HexEncode(Encode(ApplyChangesOnPrimaryResponse{2})));
  EXPECT_EQ("0b41", HexEncode(Encode(ApplyChangesOnPrimaryResponse{-1})));
  EXPECT_EQ("090100000000000004d2", HexEncode(Encode(CreateDbOnPrimaryResponse{1, 1234})));
  EXPECT_EQ("0a0204626f6f6d", HexEncode(Encode(Err{2, "boom"})));
}

TEST(ProtocolEncode, SiteIdPresentIsFiveThenSixteenBytes) {
  Changes m{Site(0x00), {}, {SimpleChange()}};
  m.changes[0].site_id = Site(0x0f);
  const std::string hex = HexEncode(Encode(m));
  EXPECT_NE(std::string::npos, hex.find("050f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f"));
  m.changes[0].site_id.reset();
  EXPECT_EQ(hex.size() - 32, HexEncode(Encode(m)).size());
}

TEST(ProtocolEncode, StartStreamingLocalOnlyByte) {
  StartStreaming m{{0, 0}, {Site(0xf0)}, false};
  EXPECT_EQ(
      "04"
      "0000000000000000"
      "00"
      "01"
      "f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0"
      "00",
      HexEncode(Encode(m)));
  m.local_only = true;
  EXPECT_EQ('1', HexEncode(Encode(m)).back());
}

TEST(ProtocolEncode, IllFormedUtf8IsRepairedAndValidateSaysSo) {
  Changes m{Site(1), {}, {SimpleChange()}};
  m.changes[0].val = std::string("a\xFF");
  EXPECT_EQ(StatusCode::kInvalidArgument, Validate(m).code());
  EXPECT_NE(std::string::npos, Validate(m).message().find("change 0: val"));
  auto decoded = Decode(Encode(m));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(Value(std::string("a\xEF\xBF\xBD")), std::get<Changes>(*decoded).changes[0].val);

  Err err{1, "\xED\xA0\x80"};  // CESU-8 surrogate: three U+FFFD
  EXPECT_FALSE(Validate(err).ok());
  auto e = Decode(Encode(err));
  ASSERT_TRUE(e.ok());
  EXPECT_EQ("\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD", std::get<Err>(*e).err);
}

TEST(ProtocolEncode, ValidateChecksVarintRange) {
  constexpr int64_t kMax = (int64_t{1} << 53) - 1;
  EXPECT_TRUE(Validate(ApplyChangesOnPrimaryResponse{kMax}).ok());
  EXPECT_TRUE(Validate(ApplyChangesOnPrimaryResponse{-kMax}).ok());
  EXPECT_FALSE(Validate(ApplyChangesOnPrimaryResponse{kMax + 1}).ok());
  EXPECT_FALSE(Validate(ApplyChangesOnPrimaryResponse{-kMax - 1}).ok());
  EXPECT_FALSE(Validate(Err{std::numeric_limits<int64_t>::min(), ""}).ok());
  EXPECT_FALSE(Validate(RejectChanges{Site(1), {0, kMax + 1}}).ok());
  Changes m{Site(1), {}, {SimpleChange()}};
  m.changes[0].seq = int64_t{1} << 60;
  const Status status = Validate(m);
  EXPECT_EQ(StatusCode::kInvalidArgument, status.code());
  EXPECT_EQ(0u, status.message().find("Changes: change 0: seq")) << status.message();
  // Encode still writes it faithfully; Decode refuses it.
  EXPECT_EQ(StatusCode::kDataLoss, Decode(Encode(m)).status().code());
}

TEST(ProtocolEncode, ValidateChecksCountLimits) {
  DecodeOptions limits;
  limits.max_changes = 1;
  limits.max_sites = 1;
  Changes m{Site(1), {}, {SimpleChange(), SimpleChange()}};
  EXPECT_TRUE(Validate(m).ok());
  EXPECT_EQ(StatusCode::kResourceExhausted, Validate(m, limits).code());
  StartStreaming s{{}, {Site(1), Site(2)}, false};
  EXPECT_EQ(StatusCode::kResourceExhausted, Validate(s, limits).code());
  AnnouncePresence a{Site(1), {{Site(2), {}}, {Site(3), {}}}, "x", 0};
  EXPECT_EQ(StatusCode::kResourceExhausted, Validate(a, limits).code());
}

TEST(ProtocolEncode, Float64BitsArePreserved) {
  Changes m{Site(1), {}, {SimpleChange()}};
  const double payload_nan = std::bit_cast<double>(uint64_t{0x7ff4000000000123});
  m.changes[0].val = payload_nan;
  auto decoded = Decode(Encode(m));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(uint64_t{0x7ff4000000000123},
            std::bit_cast<uint64_t>(std::get<double>(std::get<Changes>(*decoded).changes[0].val)));
  EXPECT_TRUE(*decoded == Message(m));
}

TEST(ProtocolEncode, StructOverloadsMatchTheMessageOverload) {
  const Changes changes{Site(1), {2, 3}, {SimpleChange()}};
  EXPECT_EQ(Encode(Message(changes)), Encode(changes));
  const ApplyChangesOnPrimary apply{-1, Site(2), {SimpleChange()}, "room", {5, 0}};
  EXPECT_EQ(Encode(Message(apply)), Encode(apply));
  EXPECT_EQ(Encode(Message(AnnouncePresence{Site(3), {{Site(4), {7, 0}}}, "todo.sql", -6})),
            Encode(AnnouncePresence{Site(3), {{Site(4), {7, 0}}}, "todo.sql", -6}));
  EXPECT_EQ(Encode(Message(StartStreaming{{1, 1}, {Site(5)}, true})),
            Encode(StartStreaming{{1, 1}, {Site(5)}, true}));
  EXPECT_EQ(Encode(Message(RejectChanges{Site(6), {9, 0}})),
            Encode(RejectChanges{Site(6), {9, 0}}));
  EXPECT_EQ(Encode(Message(CreateDbOnPrimary{1, "r", "s", 2})),
            Encode(CreateDbOnPrimary{1, "r", "s", 2}));
  Changes bad = changes;
  bad.since.seq = int64_t{1} << 60;
  EXPECT_EQ(Validate(Message(bad)), Validate(bad));
  EXPECT_EQ(0u, Validate(bad).message().find("Changes: since.seq"));
}

TEST(ProtocolEncode, PreEncodedRecordsBuildTheSameChangesMessage) {
  Changes m{Site(3), {42, 7}, {}};
  for (int i = 0; i < 130; ++i) {  // > 127: a two-byte change count
    Change c = SimpleChange();
    c.db_version = 100 + i / 3;
    c.seq = i % 3;
    c.site_id = i % 2 ? std::optional<SiteId>(Site(static_cast<uint8_t>(i))) : std::nullopt;
    if (i % 4 == 0) {
      c.val = std::string("t\xC3\xA9xt \xFF");
    } else {
      c.val = int64_t{i} << 40;
    }
    m.changes.push_back(c);
  }
  std::vector<std::vector<uint8_t>> owned;
  for (const Change& c : m.changes) owned.push_back(EncodeChange(c));
  std::vector<std::span<const uint8_t>> records(owned.begin(), owned.end());
  EXPECT_EQ(HexEncode(Encode(m)), HexEncode(EncodeChanges(m.sender, m.since, records)));
  // And a record decodes back to its change (the ill-formed UTF-8 repaired as Encode does).
  Result<Message> decoded = Decode(EncodeChanges(m.sender, m.since, records));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ASSERT_EQ(130u, std::get<Changes>(*decoded).changes.size());
  EXPECT_EQ(m.changes[1], std::get<Changes>(*decoded).changes[1]);
  EXPECT_EQ(HexEncode(Encode(Changes{Site(3), {42, 7}, {}})),
            HexEncode(EncodeChanges(Site(3), {42, 7}, std::span<const std::span<const uint8_t>>())));
}

}  // namespace
}  // namespace crsync::protocol

// Tests of protocol::Decode on malformed and unusual input (sync-protocol.md §3.9): every bad
// input must give an error Status (never a crash or a large allocation), and each tolerated
// oddity must decode to what @vlcn.io/ws-common 0.2.0's decode() makes of it.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/hex.h"
#include "protocol/codec.h"
#include "unit/common/bytes_test_util.h"

namespace crsync::protocol {
namespace {

using crsync::testing::HexBytes;

constexpr char kSender[] = "00112233445566778899aabbccddeeff";
constexpr char kSince0[] = "0000000000000000 00";
constexpr char kOne[] = "0000000000000001";

// A Changes message with the given change-count bytes and change records.
std::vector<uint8_t> ChangesHex(const std::string& count, const std::string& records) {
  return HexBytes(std::string("02") + kSender + kSince0 + count + records);
}

// One change record "t", pk 010901, cid "c" with the given value bytes, site-id bytes and seq.
std::string Record(const std::string& val, const std::string& site = "00",
                   const std::string& seq = "00") {
  return std::string("0174 03010901 0163 ") + val + kOne + kOne + site + kOne + seq;
}

const Change& OnlyChange(const Result<Message>& m) { return std::get<Changes>(*m).changes.at(0); }

TEST(ProtocolDecode, EmptyMessageIsRefused) {
  auto m = Decode({});
  EXPECT_EQ(StatusCode::kOutOfRange, m.status().code());
}

TEST(ProtocolDecode, UnknownTagsAreRefused) {
  for (int tag = 0; tag < 256; ++tag) {
    if (tag >= 1 && tag <= 11) continue;
    const std::vector<uint8_t> bytes = {static_cast<uint8_t>(tag), 0, 0, 0};
    auto m = Decode(bytes);
    ASSERT_FALSE(m.ok()) << tag;
    EXPECT_EQ(StatusCode::kDataLoss, m.status().code());
    EXPECT_NE(std::string::npos, m.status().message().find(std::to_string(tag)));
  }
}

TEST(ProtocolDecode, PingAndPongAreJustTheTag) {
  EXPECT_TRUE(std::holds_alternative<Ping>(*Decode(HexBytes("07"))));
  EXPECT_TRUE(std::holds_alternative<Pong>(*Decode(HexBytes("08"))));
}

TEST(ProtocolDecode, HugeCountsFailWithoutAllocating) {
  // 2^53 - 1 changes announced, a few bytes follow: refused by the remaining-bytes bound.
  auto m = Decode(ChangesHex("ffffffffffffff0f", Record("00")));
  EXPECT_EQ(StatusCode::kOutOfRange, m.status().code());
  EXPECT_NE(std::string::npos, m.status().message().find("changes count 9007199254740991"));
  // A count of 2^60 is not even a valid lib0 number.
  m = Decode(ChangesHex("8080808080808080 10", Record("00")));
  EXPECT_EQ(StatusCode::kDataLoss, m.status().code());
  // Two changes announced, one present.
  EXPECT_EQ(StatusCode::kOutOfRange, Decode(ChangesHex("02", Record("00"))).status().code());
  // Same for lastSeens and excludeSites.
  EXPECT_EQ(StatusCode::kOutOfRange,
            Decode(HexBytes(std::string("01") + kSender + "ffffffff0f 00")).status().code());
  EXPECT_EQ(StatusCode::kOutOfRange,
            Decode(HexBytes(std::string("04") + kSince0 + "ffffffff0f" + kSender + "00"))
                .status()
                .code());
  // ApplyChangesOnPrimary too.
  EXPECT_EQ(StatusCode::kOutOfRange,
            Decode(HexBytes(std::string("06 01") + kSender + "ffffffffffffff0f" + Record("00")))
                .status()
                .code());
}

TEST(ProtocolDecode, CountLimitsAreConfigurable) {
  DecodeOptions options;
  options.max_changes = 1;
  const std::vector<uint8_t> two = ChangesHex("02", Record("00") + Record("00"));
  EXPECT_TRUE(Decode(two).ok());
  EXPECT_EQ(StatusCode::kResourceExhausted, Decode(two, options).status().code());
  EXPECT_TRUE(Decode(ChangesHex("01", Record("00")), options).ok());

  options.max_sites = 0;
  const std::vector<uint8_t> start = HexBytes(std::string("04") + kSince0 + "01" + kSender + "00");
  EXPECT_TRUE(Decode(start).ok());
  EXPECT_EQ(StatusCode::kResourceExhausted, Decode(start, options).status().code());
}

TEST(ProtocolDecode, MessageSizeLimitIsConfigurable) {
  const std::vector<uint8_t> bytes = ChangesHex("01", Record("00"));
  DecodeOptions options;
  options.max_message_bytes = bytes.size();
  EXPECT_TRUE(Decode(bytes, options).ok());
  options.max_message_bytes = bytes.size() - 1;
  EXPECT_EQ(StatusCode::kResourceExhausted, Decode(bytes, options).status().code());
}

TEST(ProtocolDecode, UnknownValueTypesAreRefused) {
  for (int type = 6; type < 256; ++type) {
    char hex[3];
    std::snprintf(hex, sizeof(hex), "%02x", type);
    auto m = Decode(ChangesHex("01", Record(hex)));
    ASSERT_FALSE(m.ok()) << type;
    EXPECT_EQ(StatusCode::kDataLoss, m.status().code());
  }
  const Status status = Decode(ChangesHex("01", Record("09"))).status();
  EXPECT_NE(std::string::npos,
            status.message().find("Changes: change 0: val: unknown value type 9"))
      << status.message();
}

TEST(ProtocolDecode, SiteIdPresenceByteAnyNonZeroMeansPresent) {
  // §3.9: ws-common reads 16 bytes after any non-zero presence byte; we do the same and always
  // re-encode 05.
  const std::string site = std::string("07") + kSender;
  auto m = Decode(ChangesHex("01", Record("00", site)));
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_TRUE(OnlyChange(m).site_id.has_value());
  EXPECT_EQ(kSender, HexEncode(*OnlyChange(m).site_id));
  EXPECT_EQ(ChangesHex("01", Record("00", std::string("05") + kSender)), Encode(*m));
}

TEST(ProtocolDecode, SiteIdPresentButCutShortIsRefused) {
  // Presence byte 05 followed by fewer than 16 bytes before the message ends.
  const std::vector<uint8_t> bytes =
      HexBytes(std::string("02") + kSender + kSince0 + "01" + "0174 03010901 0163 00" + kOne +
               kOne + "05 0011223344");
  EXPECT_EQ(StatusCode::kOutOfRange, Decode(bytes).status().code());
}

TEST(ProtocolDecode, BoolPayloadOnlyOneIsTrue) {
  EXPECT_EQ(Value(true), OnlyChange(Decode(ChangesHex("01", Record("0401")))).val);
  EXPECT_EQ(Value(false), OnlyChange(Decode(ChangesHex("01", Record("0400")))).val);
  EXPECT_EQ(Value(false), OnlyChange(Decode(ChangesHex("01", Record("0402")))).val);
  EXPECT_EQ(Value(false), OnlyChange(Decode(ChangesHex("01", Record("04ff")))).val);
}

TEST(ProtocolDecode, LocalOnlyOnlyOneIsTrueAndMissingIsRefused) {
  const std::string head = std::string("04") + kSince0 + "01" + kSender;
  EXPECT_TRUE(std::get<StartStreaming>(*Decode(HexBytes(head + "01"))).local_only);
  EXPECT_FALSE(std::get<StartStreaming>(*Decode(HexBytes(head + "00"))).local_only);
  EXPECT_FALSE(std::get<StartStreaming>(*Decode(HexBytes(head + "02"))).local_only);
  // ws-common reads a missing localOnly as false; we treat it as truncation.
  EXPECT_EQ(StatusCode::kOutOfRange, Decode(HexBytes(head)).status().code());
}

TEST(ProtocolDecode, MissingFinalSeqIsRefused) {
  // §3.9: ws-common returns seq = 0 when the message ends right before the last seq.
  std::vector<uint8_t> bytes = ChangesHex("01", Record("00"));
  bytes.pop_back();
  auto m = Decode(bytes);
  EXPECT_EQ(StatusCode::kOutOfRange, m.status().code());
  EXPECT_NE(std::string::npos, m.status().message().find("seq")) << m.status().message();
}

TEST(ProtocolDecode, InvalidUtf8IsRefusedInEveryStringField) {
  const std::string bad = "02 c0 80";  // overlong NUL
  const std::vector<std::vector<uint8_t>> inputs = {
      // table, cid, string value
      ChangesHex("01", bad + " 03010901 0163 00" + kOne + kOne + "00" + kOne + "00"),
      ChangesHex("01",
                 std::string("0174 03010901 ") + bad + " 00" + kOne + kOne + "00" + kOne + "00"),
      ChangesHex("01", Record("03 " + bad)),
      // schemaName
      HexBytes(std::string("01") + kSender + "00" + bad + kOne),
      // room and schemaName of CreateDbOnPrimary
      HexBytes("05 01" + bad + "00" + kOne),
      HexBytes("05 01 00" + bad + kOne),
      // err
      HexBytes("0a 01" + bad),
      // ApplyChangesOnPrimary room
      HexBytes(std::string("06 01") + kSender + "00" + bad + kSince0),
      // A lone surrogate (CESU-8) and a stray continuation byte.
      ChangesHex("01", Record("03 03 eda080")),
      ChangesHex("01", Record("03 01 80")),
  };
  for (size_t i = 0; i < inputs.size(); ++i) {
    auto m = Decode(inputs[i]);
    ASSERT_FALSE(m.ok()) << i;
    EXPECT_EQ(StatusCode::kDataLoss, m.status().code()) << i << ": " << m.status().ToString();
    EXPECT_NE(std::string::npos, m.status().message().find("UTF-8")) << m.status().message();
  }
}

TEST(ProtocolDecode, BomAndNulAreOrdinaryText) {
  auto m = Decode(ChangesHex("01", Record("03 05 efbbbf 00 61")));
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(Value(std::string("\xEF\xBB\xBF\0a", 5)), OnlyChange(m).val);
}

TEST(ProtocolDecode, NonMinimalVarintsAreAcceptedAndCanonicalised) {
  // seq 1 as "81 80 00", count 1 as "81 00", negative zero since.seq "40".
  const std::vector<uint8_t> bytes = HexBytes(std::string("02") + kSender + "0000000000000000 40" +
                                              "8100" + Record("00", "00", "818000"));
  auto m = Decode(bytes);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(1, OnlyChange(m).seq);
  EXPECT_EQ(0, std::get<Changes>(*m).since.seq);
  EXPECT_EQ(ChangesHex("01", Record("00", "00", "01")), Encode(*m));
}

TEST(ProtocolDecode, VarintsAbove2To53AreRefused) {
  // seq = 2^53 (varint "80 80 80 80 80 80 80 20").
  auto m = Decode(ChangesHex("01", Record("00", "00", "8080808080808020")));
  EXPECT_EQ(StatusCode::kDataLoss, m.status().code());
  // _reqid = -(2^53).
  EXPECT_EQ(StatusCode::kDataLoss, Decode(HexBytes("0b c080808080808020")).status().code());
  // The largest safe values are fine.
  auto ok = Decode(HexBytes("0b bfffffffffffff1f"));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ((int64_t{1} << 53) - 1, std::get<ApplyChangesOnPrimaryResponse>(*ok).reqid);
  ok = Decode(HexBytes("0b ffffffffffffff1f"));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(-((int64_t{1} << 53) - 1), std::get<ApplyChangesOnPrimaryResponse>(*ok).reqid);
}

TEST(ProtocolDecode, ReqidFirstByteMissingIsRefused) {
  // lib0 reads a varint whose first byte is past the end as 0 (§2.3); we refuse.
  EXPECT_EQ(StatusCode::kOutOfRange, Decode(HexBytes("0b")).status().code());
  EXPECT_EQ(StatusCode::kOutOfRange, Decode(HexBytes("09")).status().code());
}

TEST(ProtocolDecode, StringLengthBeyondTheMessageIsRefused) {
  auto m = Decode(HexBytes("0a 01 ffffffff0f 61"));
  EXPECT_EQ(StatusCode::kOutOfRange, m.status().code());
}

TEST(ProtocolDecode, ErrorsNameTheMessageAndField) {
  const Status status = Decode(HexBytes(std::string("03") + kSender + "00000000")).status();
  EXPECT_EQ(StatusCode::kOutOfRange, status.code());
  EXPECT_EQ(0u, status.message().find("RejectChanges: since: db_version: unexpected end of input"))
      << status.message();
}

TEST(ProtocolDecode, AllValueTypesDecode) {
  const std::vector<uint8_t> bytes = ChangesHex(
      "06", Record("00") + Record("01 fffffffffffffffe") + Record("02 3ff8000000000000") +
                Record("03 05 c3a9e282ac") + Record("04 01") + Record("05 02 00ff"));
  auto m = Decode(bytes);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  const auto& changes = std::get<Changes>(*m).changes;
  ASSERT_EQ(6u, changes.size());
  EXPECT_EQ(Value(Null{}), changes[0].val);
  EXPECT_EQ(Value(int64_t{-2}), changes[1].val);
  EXPECT_EQ(Value(1.5), changes[2].val);
  EXPECT_EQ(Value(std::string("\xC3\xA9\xE2\x82\xAC")), changes[3].val);
  EXPECT_EQ(Value(true), changes[4].val);
  EXPECT_EQ(Value(Bytes{0x00, 0xff}), changes[5].val);
  for (size_t i = 0; i < 6; ++i) EXPECT_EQ(static_cast<ValueType>(i), TypeOf(changes[i].val));
}

TEST(ProtocolDecode, ManyChangesDecodeQuickly) {
  // 100k minimal records (about 3.6 MB): linear time, no quadratic growth.
  std::string record_hex = Record("00");
  std::vector<uint8_t> record = HexBytes(record_hex);
  std::vector<uint8_t> bytes = HexBytes(std::string("02") + kSender + kSince0 + "a08d06");
  for (int i = 0; i < 100000; ++i) bytes.insert(bytes.end(), record.begin(), record.end());
  auto m = Decode(bytes);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(100000u, std::get<Changes>(*m).changes.size());
  EXPECT_EQ(bytes, Encode(*m));
}

}  // namespace
}  // namespace crsync::protocol

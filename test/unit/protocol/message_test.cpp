// Tests of the message types' helpers (src/protocol/message.h): tags, equality, DebugString.
#include "protocol/message.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>

namespace crsync::protocol {
namespace {

TEST(ProtocolMessage, TagsAndNamesMatchWsCommon) {
  EXPECT_EQ(Tag::kAnnouncePresence, TagOf(AnnouncePresence{}));
  EXPECT_EQ(Tag::kChanges, TagOf(Changes{}));
  EXPECT_EQ(Tag::kRejectChanges, TagOf(RejectChanges{}));
  EXPECT_EQ(Tag::kStartStreaming, TagOf(StartStreaming{}));
  EXPECT_EQ(Tag::kCreateDbOnPrimary, TagOf(CreateDbOnPrimary{}));
  EXPECT_EQ(Tag::kApplyChangesOnPrimary, TagOf(ApplyChangesOnPrimary{}));
  EXPECT_EQ(Tag::kPing, TagOf(Ping{}));
  EXPECT_EQ(Tag::kPong, TagOf(Pong{}));
  EXPECT_EQ(Tag::kCreateDbOnPrimaryResponse, TagOf(CreateDbOnPrimaryResponse{}));
  EXPECT_EQ(Tag::kErr, TagOf(Err{}));
  EXPECT_EQ(Tag::kApplyChangesOnPrimaryResponse, TagOf(ApplyChangesOnPrimaryResponse{}));
  EXPECT_EQ(11, static_cast<int>(Tag::kApplyChangesOnPrimaryResponse));
  EXPECT_EQ("ApplyChangesOnPrimaryResponse", TagName(Tag::kApplyChangesOnPrimaryResponse));
  EXPECT_EQ("Unknown", TagName(static_cast<Tag>(0)));
}

TEST(ProtocolMessage, ValueIndexIsTheWireType) {
  EXPECT_EQ(ValueType::kNull, TypeOf(Value(Null{})));
  EXPECT_EQ(ValueType::kBigInt, TypeOf(Value(int64_t{5})));
  EXPECT_EQ(ValueType::kNumber, TypeOf(Value(5.0)));
  EXPECT_EQ(ValueType::kString, TypeOf(Value(std::string("x"))));
  EXPECT_EQ(ValueType::kBool, TypeOf(Value(true)));
  EXPECT_EQ(ValueType::kBlob, TypeOf(Value(Bytes{1})));
}

TEST(ProtocolMessage, EqualityIsRepresentational) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_TRUE(ValuesIdentical(nan, nan));
  EXPECT_FALSE(ValuesIdentical(0.0, -0.0));
  EXPECT_FALSE(ValuesIdentical(int64_t{1}, 1.0));
  EXPECT_FALSE(ValuesIdentical(std::string("a"), Bytes{'a'}));
  Change a{"t", {}, "c", nan, 1, 1, std::nullopt, 1, 0};
  Change b = a;
  EXPECT_TRUE(a == b);
  b.site_id = SiteId{};
  EXPECT_FALSE(a == b);
  EXPECT_TRUE(Message(Changes{{}, {}, {a}}) == Message(Changes{{}, {}, {a}}));
}

TEST(ProtocolMessage, DebugStringIsReadable) {
  Changes m;
  m.sender.fill(0xab);
  m.since = {3, 0};
  m.changes.push_back({"t", {0x01, 0x09, 0x01}, "a", Null{}, 1, 4, std::nullopt, 1, 0});
  m.changes.push_back({"t", {}, "q\"", std::string("x\n"), 1, 4, SiteId{}, 1, 1});
  EXPECT_EQ(
      "Changes{sender=abababababababababababababababab, since=[3,0], changes=[{\"t\", pk=010901, "
      "\"a\", NULL, 1, 4, -, 1, 0}, {\"t\", pk=, \"q\\\"\", \"x\\x0a\", 1, 4, "
      "00000000000000000000000000000000, 1, 1}]}",
      DebugString(m));
  EXPECT_EQ("Ping{}", DebugString(Ping{}));
  EXPECT_EQ("Err{reqid=2, err=\"boom\"}", DebugString(Err{2, "boom"}));
  EXPECT_EQ("f64:1.5", DebugString(Value(1.5)));
  EXPECT_EQ("-2n", DebugString(Value(int64_t{-2})));
  EXPECT_EQ("x'00ff'", DebugString(Value(Bytes{0x00, 0xff})));
}

}  // namespace
}  // namespace crsync::protocol

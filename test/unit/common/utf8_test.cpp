// Tests of the WHATWG UTF-8 validator and repairer (src/common/utf8.h).
#include "common/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace crsync {
namespace {

TEST(BytesUtf8, AcceptsWellFormedText) {
  EXPECT_TRUE(IsValidUtf8(std::string_view("")));
  EXPECT_TRUE(IsValidUtf8(std::string_view("todo.sql")));
  EXPECT_TRUE(IsValidUtf8(std::string_view("h\xC3\xA9llo")));              // é
  EXPECT_TRUE(IsValidUtf8(std::string_view("\xE2\x82\xAC")));              // €
  EXPECT_TRUE(IsValidUtf8(std::string_view("\xF0\x9F\x98\x80")));          // 😀
  EXPECT_TRUE(IsValidUtf8(std::string_view("\xE6\x97\xA5\xE6\x9C\xAC")));  // 日本
  EXPECT_TRUE(IsValidUtf8(std::string_view("\0", 1)));                     // U+0000
  EXPECT_TRUE(
      IsValidUtf8(std::string_view("\xEF\xBB\xBF"
                                   "a")));                         // BOM is text
  EXPECT_TRUE(IsValidUtf8(std::string_view("\xF4\x8F\xBF\xBF")));  // U+10FFFF
  EXPECT_TRUE(IsValidUtf8(std::string_view("\xED\x9F\xBF")));      // U+D7FF
  EXPECT_TRUE(IsValidUtf8(std::string_view("\xEE\x80\x80")));      // U+E000
}

TEST(BytesUtf8, RejectsWhatAFatalTextDecoderRejects) {
  EXPECT_FALSE(IsValidUtf8(std::string_view("\x80")));              // stray continuation
  EXPECT_FALSE(IsValidUtf8(std::string_view("\xC0\x80")));          // overlong NUL
  EXPECT_FALSE(IsValidUtf8(std::string_view("\xC1\xBF")));          // overlong
  EXPECT_FALSE(IsValidUtf8(std::string_view("\xE0\x9F\xBF")));      // overlong 3-byte
  EXPECT_FALSE(IsValidUtf8(std::string_view("\xF0\x8F\xBF\xBF")));  // overlong 4-byte
  EXPECT_FALSE(IsValidUtf8(std::string_view("\xED\xA0\x80")));      // surrogate D800
  EXPECT_FALSE(IsValidUtf8(std::string_view("\xED\xBF\xBF")));      // surrogate DFFF
  EXPECT_FALSE(IsValidUtf8(std::string_view("\xF4\x90\x80\x80")));  // U+110000
  EXPECT_FALSE(IsValidUtf8(std::string_view("\xF5\x80\x80\x80")));
  EXPECT_FALSE(IsValidUtf8(std::string_view("\xFF")));
  EXPECT_FALSE(IsValidUtf8(std::string_view("\xE2\x82")));  // truncated €
  EXPECT_FALSE(IsValidUtf8(std::string_view("a\xC3")));     // truncated at the end
}

TEST(BytesUtf8, FirstInvalidOffset) {
  const std::string text = "ab\xC3\xA9\xFF";
  const std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(text.data()), text.size());
  EXPECT_EQ(4u, FirstInvalidUtf8Offset(bytes));
  EXPECT_EQ(4u, FirstInvalidUtf8Offset(bytes.first(4)));
}

TEST(BytesUtf8, RepairReplacesEachMaximalSubpart) {
  const std::string kFffd = "\xEF\xBF\xBD";
  EXPECT_EQ("valid \xC3\xA9", RepairUtf8("valid \xC3\xA9"));
  // An unpaired surrogate as CESU bytes: ED is a valid lead, A0 is not allowed after it, so ED
  // alone is one subpart and each following byte another (as TextDecoder does).
  EXPECT_EQ(kFffd + kFffd + kFffd, RepairUtf8("\xED\xA0\x80"));
  EXPECT_EQ("a" + kFffd + "b", RepairUtf8("a\xE2\x82"
                                          "b"));        // truncated € is one subpart
  EXPECT_EQ(kFffd + kFffd, RepairUtf8("\xC0\x80"));     // C0 never starts a sequence
  EXPECT_EQ("a" + kFffd, RepairUtf8("a\xF0\x9F\x98"));  // cut 4-byte sequence
  EXPECT_EQ(kFffd + "A", RepairUtf8("\xF0\x41"));
  EXPECT_TRUE(IsValidUtf8(RepairUtf8("\xFF\xFE\x80\xE0\x80")));
}

}  // namespace
}  // namespace crsync

// Tests of HexEncode/HexDecode (src/common/hex.h).
#include "common/hex.h"

#include <gtest/gtest.h>

namespace crsync {
namespace {

TEST(BytesHex, EncodesLowercase) {
  const std::vector<uint8_t> bytes = {0x00, 0x11, 0xab, 0xff};
  EXPECT_EQ("0011abff", HexEncode(bytes));
  EXPECT_EQ("", HexEncode({}));
}

TEST(BytesHex, DecodesBothCases) {
  auto bytes = HexDecode("00aBFf10");
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ((std::vector<uint8_t>{0x00, 0xab, 0xff, 0x10}), *bytes);
  EXPECT_TRUE(HexDecode("")->empty());
}

TEST(BytesHex, RejectsOddLengthAndNonHex) {
  EXPECT_EQ(StatusCode::kInvalidArgument, HexDecode("abc").status().code());
  const Status status = HexDecode("00zz").status();
  EXPECT_EQ(StatusCode::kInvalidArgument, status.code());
  EXPECT_NE(std::string::npos, status.message().find("offset 2"));
  EXPECT_FALSE(HexDecode("0 ").ok());
}

TEST(BytesHex, RoundTripsAllByteValues) {
  std::vector<uint8_t> all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<uint8_t>(i));
  EXPECT_EQ(all, *HexDecode(HexEncode(all)));
}

}  // namespace
}  // namespace crsync

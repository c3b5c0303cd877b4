// Tests for net/base64.h: RFC 4648 vectors and the forgiving-decode rules atob() applies.
#include "net/base64.h"

#include <gtest/gtest.h>

namespace crsync::net {
namespace {

TEST(Base64Test, EncodesRfc4648Vectors) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foob"), "Zm9vYg==");
  EXPECT_EQ(Base64Encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64Encode(std::string("\xfb\xff\xbf", 3)), "+/+/");
}

TEST(Base64Test, DecodesPaddedAndUnpadded) {
  EXPECT_EQ(Base64Decode("Zm9vYg=="), "foob");
  EXPECT_EQ(Base64Decode("Zm9vYg"), "foob");
  EXPECT_EQ(Base64Decode("Zm9vYmE="), "fooba");
  EXPECT_EQ(Base64Decode("Zm9vYmE"), "fooba");
  EXPECT_EQ(Base64Decode(""), "");
  EXPECT_EQ(Base64Decode("+/+/"), std::string("\xfb\xff\xbf", 3));
}

TEST(Base64Test, RefusesWhatAtobRefuses) {
  EXPECT_FALSE(Base64Decode("Z"));          // length ≡ 1 (mod 4)
  EXPECT_FALSE(Base64Decode("Zm9vY"));      // likewise
  EXPECT_FALSE(Base64Decode("Zm9vYg="));    // padding only when the length is a multiple of 4
  EXPECT_FALSE(Base64Decode("Zm9v==="));    // at most two '='
  EXPECT_FALSE(Base64Decode("Zg==Zg=="));   // '=' in the middle
  EXPECT_FALSE(Base64Decode("Zm9v YmFy"));  // whitespace is the caller's business
  EXPECT_FALSE(Base64Decode("Zm9v-_"));     // base64url alphabet is not accepted
  EXPECT_FALSE(Base64Decode(std::string("Zm\0v", 4)));
}

TEST(Base64Test, DiscardsLeftoverBitsLikeAtob) {
  // "Zh" carries 12 bits; the low 4 are not zero and are ignored: atob("Zh") === "f".
  EXPECT_EQ(Base64Decode("Zh"), "f");
}

TEST(Base64Test, RoundTripsAllByteValues) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  for (size_t length = 0; length <= bytes.size(); length += 37) {
    const std::string slice = bytes.substr(0, length);
    EXPECT_EQ(Base64Decode(Base64Encode(slice)), slice);
  }
}

}  // namespace
}  // namespace crsync::net

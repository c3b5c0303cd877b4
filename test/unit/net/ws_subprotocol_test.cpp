// Tests for net/ws_subprotocol.h against the examples of spec sync-protocol.md §1.2/§1.4 (what
// the real ws-client sends and what the real ws-server makes of it) and our documented choices.
#include "net/ws_subprotocol.h"

#include <gtest/gtest.h>

#include "net/base64.h"

namespace crsync::net {
namespace {

struct Parsed {
  std::string room;
  std::optional<std::string> token;
};

Parsed ParseOk(std::string_view header) {
  Result<SyncSubprotocol> result = ParseSyncSubprotocol(header);
  EXPECT_TRUE(result.ok()) << header << ": " << result.status().ToString();
  if (!result.ok()) return {};
  return {result->room, result->token};
}

// Base64 without padding, as the client sends it.
std::string Offer(std::string_view plaintext) {
  std::string encoded = Base64Encode(plaintext);
  while (!encoded.empty() && encoded.back() == '=') encoded.pop_back();
  return encoded;
}

TEST(WsSubprotocolTest, ParsesTheSpecExamples) {
  Parsed p = ParseOk("cm9vbT1yZWNvcmRlZA");
  EXPECT_EQ(p.room, "recorded");
  EXPECT_EQ(p.token, std::nullopt);

  p = ParseOk("YXV0aD10b2sscm9vbT1yMQ");
  EXPECT_EQ(p.room, "r1");
  EXPECT_EQ(p.token, "tok");

  EXPECT_EQ(ParseOk("cm9vbT0+Pn4").room, ">>~");
  EXPECT_EQ(ParseOk("cm9vbT3p").room, "\xc3\xa9");  // byte e9 read as U+00E9, returned as UTF-8

  p = ParseOk("YXV0aD0scm9vbT1yMQ");  // auth= (empty) → no token
  EXPECT_EQ(p.room, "r1");
  EXPECT_EQ(p.token, std::nullopt);

  p = ParseOk("YXV0aD1hPWIsYyxyb29tPXIx");  // auth=a=b,c,room=r1 → auth "a"
  EXPECT_EQ(p.room, "r1");
  EXPECT_EQ(p.token, "a");

  EXPECT_EQ(ParseOk("cm9vbT1hLGI").room, "a");  // room=a,b → "a"
}

TEST(WsSubprotocolTest, EchoIsTheOfferedValueWithoutSurroundingSpace) {
  Result<SyncSubprotocol> result = ParseSyncSubprotocol(" \tYXV0aD10b2sscm9vbT1yMQ ");
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->echo, "YXV0aD10b2sscm9vbT1yMQ");
}

TEST(WsSubprotocolTest, FollowsTheReferenceSplitRules) {
  EXPECT_EQ(ParseOk(Offer("room=a=b")).room, "a");          // split('=')[1]
  EXPECT_EQ(ParseOk(Offer("room=r1,room=r2")).room, "r2");  // later keys win
  EXPECT_EQ(ParseOk(Offer("x=1,room=r1,foo")).room, "r1");  // unknown keys ignored
  EXPECT_EQ(ParseOk(Offer("room=r1,auth=x,auth=")).token, std::nullopt);
  EXPECT_EQ(ParseOk(Offer("room=caf\xe9")).room, "caf\xc3\xa9");
  // "room" without '=' later in the list erases the earlier value, as in JavaScript.
  EXPECT_FALSE(ParseSyncSubprotocol(Offer("room=a,room")).ok());
}

TEST(WsSubprotocolTest, LenientAboutPaddingAndSlash) {
  // The reference's `ws` answers these with 400; §1.2 allows accepting them.
  EXPECT_EQ(ParseOk("cm9vbT1yMQ==").room, "r1");
  EXPECT_EQ(ParseOk("cm9vbT0/").room, "?");
}

TEST(WsSubprotocolTest, RefusesWhatWouldCrashOrConfuseTheReference) {
  const char* bad[] = {
      "",                        // no header (reference: process exits)
      "   ",                     // only whitespace
      "cm9vb",                   // length ≡ 1 mod 4 (reference: exits)
      "cm9vbT1yMQ, cm9vbT1yMg",  // two protocols, as Node joins them (reference: exits)
      "cm9vbT1yMQ,cm9vbT1yMg",   // likewise without the space
      "YXV0aD10b2s",             // auth=tok, no room (reference: 101 then close 88 00)
      "cm9vbQ",                  // "room" without a value
      "cm9vbT0",                 // "room=" (empty)
      "cm9v bT1yMQ",             // inner space
      "cm9vbT1yMQ=",             // bad padding
      "cm9vbT1yMQ-_",            // base64url characters
  };
  for (const char* header : bad) {
    Result<SyncSubprotocol> result = ParseSyncSubprotocol(header);
    EXPECT_FALSE(result.ok()) << "'" << header << "' was accepted";
    if (!result.ok()) {
      EXPECT_EQ(result.status().code(), StatusCode::kDataLoss);
    }
  }
}

TEST(WsSubprotocolTest, EncodesLikeTheRealClient) {
  EXPECT_EQ(*EncodeSyncSubprotocol("recorded", std::nullopt), "cm9vbT1yZWNvcmRlZA");
  EXPECT_EQ(*EncodeSyncSubprotocol("r1", std::string("tok")), "YXV0aD10b2sscm9vbT1yMQ");
  EXPECT_EQ(*EncodeSyncSubprotocol(">>~", std::nullopt), "cm9vbT0+Pn4");
  EXPECT_EQ(*EncodeSyncSubprotocol("\xc3\xa9", std::nullopt), "cm9vbT3p");  // "é"
  EXPECT_EQ(*EncodeSyncSubprotocol("r1", std::string()), "YXV0aD0scm9vbT1yMQ");
}

TEST(WsSubprotocolTest, EncodeRefusesWhatTheClientCannotSendOrTheServerWouldCut) {
  struct Case {
    std::string room;
    std::optional<std::string> token;
  };
  const Case bad[] = {
      {"", std::nullopt},                       // no room
      {"?", std::nullopt},                      // encodes to cm9vbT0/ ('/': not a token)
      {"\xe2\x82\xac", std::nullopt},           // "€": above U+00FF, btoa throws
      {"a,b", std::nullopt},                    // server would read room "a"
      {"a=b", std::nullopt},                    // likewise
      {"r1", std::string("a=b,c")},             // token would be cut to "a"
      {"\xc3", std::nullopt},                   // invalid UTF-8
      {"r1", std::string("\xf0\x9f\x98\x80")},  // emoji token
  };
  for (const Case& c : bad) {
    Result<std::string> result = EncodeSyncSubprotocol(c.room, c.token);
    EXPECT_FALSE(result.ok()) << "room '" << c.room << "' was encoded as " << *result;
    if (!result.ok()) {
      EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
    }
  }
}

TEST(WsSubprotocolTest, EncodeThenParseRoundTrips) {
  const std::pair<std::string, std::optional<std::string>> cases[] = {
      {"r1", std::nullopt},
      {"my-room_2024.db", std::string("eyJhbGciOiJIUzI1NiJ9.e30.sig")},
      {"caf\xc3\xa9 \xc3\xa0", std::string("t\xc3\xb6ken")},
      {":memory:", std::nullopt},
  };
  for (const auto& [room, token] : cases) {
    Result<std::string> header = EncodeSyncSubprotocol(room, token);
    ASSERT_TRUE(header.ok()) << header.status().ToString();
    Result<SyncSubprotocol> parsed = ParseSyncSubprotocol(*header);
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    EXPECT_EQ(parsed->room, room);
    EXPECT_EQ(parsed->token, token);
    EXPECT_EQ(parsed->echo, *header);
  }
}

TEST(WsSubprotocolTest, Latin1ToUtf8) {
  EXPECT_EQ(Latin1ToUtf8("abc"), "abc");
  EXPECT_EQ(Latin1ToUtf8("\xe9\xff\x80"), "\xc3\xa9\xc3\xbf\xc2\x80");
  EXPECT_EQ(Latin1ToUtf8(std::string_view("\0", 1)), std::string("\0", 1));
}

}  // namespace
}  // namespace crsync::net

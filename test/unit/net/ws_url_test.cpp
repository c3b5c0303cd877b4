// Tests for net/ws_url.h.
#include "net/ws_url.h"

#include <gtest/gtest.h>

namespace crsync::net {
namespace {

TEST(WsUrlTest, ParsesPlainAndSecureUrls) {
  Result<WsUrl> url = ParseWsUrl("ws://127.0.0.1:8080/sync?x=1");
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  EXPECT_FALSE(url->secure);
  EXPECT_EQ(url->host, "127.0.0.1");
  EXPECT_EQ(url->port, 8080);
  EXPECT_EQ(url->target, "/sync?x=1");
  EXPECT_EQ(url->host_header, "127.0.0.1:8080");

  url = ParseWsUrl("WSS://Example.COM/vlcn-ws");
  ASSERT_TRUE(url.ok());
  EXPECT_TRUE(url->secure);
  EXPECT_EQ(url->host, "example.com");
  EXPECT_EQ(url->port, 443);
  EXPECT_EQ(url->target, "/vlcn-ws");
  EXPECT_EQ(url->host_header, "example.com");
}

TEST(WsUrlTest, DefaultsAndAliases) {
  Result<WsUrl> url = ParseWsUrl("ws://host");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->port, 80);
  EXPECT_EQ(url->target, "/");
  url = ParseWsUrl("ws://host?room=a");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->target, "/?room=a");
  url = ParseWsUrl("https://host:443/x");
  ASSERT_TRUE(url.ok());
  EXPECT_TRUE(url->secure);
  EXPECT_EQ(url->host_header, "host");
}

TEST(WsUrlTest, Ipv6Literal) {
  Result<WsUrl> url = ParseWsUrl("ws://[::1]:9000/sync");
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->port, 9000);
  EXPECT_EQ(url->host_header, "[::1]:9000");
}

TEST(WsUrlTest, RefusesBadUrls) {
  const char* bad[] = {"127.0.0.1:80/sync", "ftp://host/",   "ws:///path",      "ws://host:0/",
                       "ws://host:65536/",  "ws://host:8x/", "ws://user@host/", "ws://host/#frag",
                       "ws://[::1/",        "ws://host/a b", "ws://ho st/"};
  for (const char* text : bad) EXPECT_FALSE(ParseWsUrl(text).ok()) << text;
}

}  // namespace
}  // namespace crsync::net

// Tests for net/ws_client.h: what the client sends (the vlcn Sec-WebSocket-Protocol, the URL's
// path and query as written, extra headers), refused upgrades (401 with the reason), a missing
// subprotocol echo, connection refused, connect timeout, cancel, bad URLs.
#include "net/ws_client.h"

#include <gtest/gtest.h>

#include "unit/net/test_peers.h"

namespace crsync::net {
namespace {

using namespace testing;

// A listening socket that accepts (kernel backlog) but never answers.
class BlackHole {
 public:
  BlackHole() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    ::listen(fd_, 8);
    socklen_t length = sizeof(address);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  }
  ~BlackHole() { ::close(fd_); }
  std::string url() const { return "ws://127.0.0.1:" + std::to_string(port_) + "/sync"; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

TEST(WsClientTest, SendsTheSubprotocolTargetAndHeadersAsConfigured) {
  TestServer server;
  server.StartOrDie();
  WsClientOptions options = ClientOptions(server.url("/app/sync?room=ignored&x=1"));
  options.subprotocol = *EncodeSyncSubprotocol("r1", std::string("tok"));
  options.headers = {{"Origin", "http://127.0.0.1"}, {"Cookie", "a=b"}};
  auto client = ConnectRecorder(server.loop(), options);
  ASSERT_TRUE(client->WaitOpen());
  const UpgradeRequest seen = server.last_request();
  EXPECT_EQ(seen.http.target, "/app/sync?room=ignored&x=1");
  EXPECT_EQ(seen.subprotocols, "YXV0aD10b2sscm9vbT1yMQ");
  ASSERT_NE(FindHeader(seen.http.headers, "origin"), nullptr);
  EXPECT_EQ(*FindHeader(seen.http.headers, "origin"), "http://127.0.0.1");
  EXPECT_EQ(*FindHeader(seen.http.headers, "cookie"), "a=b");
  EXPECT_EQ(*FindHeader(seen.http.headers, "user-agent"), "crsync");
  EXPECT_EQ(client->connection()->subprotocol(), "YXV0aD10b2sscm9vbT1yMQ");
  EXPECT_EQ(server.server().stats().upgrades_accepted, 1u);
}

TEST(WsClientTest, RefusedUpgradeReportsStatusAndReason) {
  TestServer server;
  server.SetDecider(
      [](const UpgradeRequest&) { return UpgradeDecision::Reject(401, "invalid token"); });
  server.StartOrDie();
  auto client = ConnectRecorder(server.loop(), ClientOptions(server.url()));
  ASSERT_TRUE(client->WaitError());
  EXPECT_EQ(client->error()->code(), StatusCode::kUnavailable);
  EXPECT_NE(client->error()->message().find("HTTP 401"), std::string::npos)
      << client->error()->message();
  EXPECT_NE(client->error()->message().find("invalid token"), std::string::npos);
  EXPECT_EQ(client->connection(), nullptr);
}

TEST(WsClientTest, WrongPathIs404) {
  TestServer server;
  server.StartOrDie();
  auto client = ConnectRecorder(server.loop(), ClientOptions(server.url("/elsewhere")));
  ASSERT_TRUE(client->WaitError());
  EXPECT_NE(client->error()->message().find("HTTP 404"), std::string::npos);
  EXPECT_EQ(server.upgrade_calls(), 0);
}

TEST(WsClientTest, FailsWhenTheServerDoesNotEchoTheSubprotocol) {
  TestServer server;
  server.SetDecider([&server](const UpgradeRequest&) { return server.Accept(""); });
  server.StartOrDie();
  auto client = ConnectRecorder(server.loop(), ClientOptions(server.url()));
  ASSERT_TRUE(client->WaitError());
  EXPECT_EQ(client->error()->code(), StatusCode::kDataLoss);
  EXPECT_EQ(client->error()->message(), "server sent no subprotocol");
}

TEST(WsClientTest, ConnectionRefused) {
  EventLoop loop(1);
  std::string url;
  {
    BlackHole closed_again;  // a port that was free a moment ago
    url = closed_again.url();
  }
  auto client = ConnectRecorder(loop, ClientOptions(url));
  ASSERT_TRUE(client->WaitError());
  EXPECT_EQ(client->error()->code(), StatusCode::kUnavailable);
  EXPECT_NE(client->error()->message().find("cannot connect"), std::string::npos)
      << client->error()->message();
}

TEST(WsClientTest, ConnectTimeout) {
  EventLoop loop(1);
  BlackHole hole;
  WsClientOptions options = ClientOptions(hole.url());
  options.connect_timeout = 200ms;
  const auto started = std::chrono::steady_clock::now();
  auto client = ConnectRecorder(loop, options);
  ASSERT_TRUE(client->WaitError(3000ms));
  const auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(client->error()->message(), "connect timeout");
  EXPECT_GE(elapsed, 150ms);
  EXPECT_LT(elapsed, 2000ms);
}

TEST(WsClientTest, CancelDuringHandshake) {
  EventLoop loop(1);
  BlackHole hole;
  ConnectHandle handle;
  auto client = ConnectRecorder(loop, ClientOptions(hole.url()), &handle);
  std::this_thread::sleep_for(50ms);  // connected, waiting for the 101
  handle.Cancel();
  ASSERT_TRUE(client->WaitError(2000ms));
  EXPECT_EQ(client->error()->message(), "connect cancelled");
  handle.Cancel();  // again: nothing happens
}

TEST(WsClientTest, CancelAfterOpenDoesNothing) {
  TestServer server;
  server.StartOrDie();
  ConnectHandle handle;
  auto client = ConnectRecorder(server.loop(), ClientOptions(server.url()), &handle);
  ASSERT_TRUE(client->WaitOpen());
  handle.Cancel();
  client->connection()->Send(Bytes("ping"));
  ASSERT_TRUE(client->WaitMessages(1));
  EXPECT_FALSE(client->close());
  EXPECT_FALSE(client->error());
}

TEST(WsClientTest, BadUrlIsReportedThroughOnError) {
  EventLoop loop(1);
  auto client = ConnectRecorder(loop, ClientOptions("http//nope"));
  ASSERT_TRUE(client->WaitError());
  EXPECT_EQ(client->error()->code(), StatusCode::kInvalidArgument);
}

TEST(WsClientTest, HeaderInjectionIsRefused) {
  EventLoop loop(1);
  WsClientOptions options = ClientOptions("ws://127.0.0.1:1/sync");
  options.headers = {{"X-Evil", "a\r\nInjected: 1"}};
  auto client = ConnectRecorder(loop, options);
  ASSERT_TRUE(client->WaitError());
  EXPECT_EQ(client->error()->code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace crsync::net

// Tests for net/http_server.h over raw TCP on 127.0.0.1:0: routes (healthz/metrics), static
// files and every traversal form, the upgrade decision (accepted with the echo, 401 with a
// reason, 400 for a bad subprotocol header, 404 for a wrong path without upgrading, handshake
// checks), keep-alive, limits, Start errors and Stop.
#include "net/http_server.h"

#include <gtest/gtest.h>

#include "net/ws_subprotocol.h"
#include "unit/net/test_peers.h"

namespace crsync::net {
namespace {

using namespace testing;

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.Write("www/index.html", "<h1>home</h1>");
    dir_.Write("www/app.js", "console.log(1)");
    dir_.Write("www/sub/index.html", "sub index");
    dir_.Write("secret.txt", "top secret");
    std::filesystem::create_symlink(dir_.path() / "secret.txt", dir_.path() / "www/escape");
    HttpServerOptions options = TestServerOptions();
    options.static_root = (dir_.path() / "www").string();
    server_ = std::make_unique<TestServer>(options);
    server_->server().Handle("/healthz", [](const HttpRequest&) {
      HttpResponse response;
      response.content_type = "application/json";
      response.body = R"({"status":"ok"})";
      return response;
    });
    server_->server().Handle("/metrics", [](const HttpRequest& request) {
      HttpResponse response;
      response.content_type = "text/plain; version=0.0.4";
      response.body = "crsync_up 1\n# query=" + request.query + "\n";
      response.headers.emplace_back("Cache-Control", "no-store");
      return response;
    });
    server_->server().Handle("/boom", [](const HttpRequest&) -> HttpResponse {
      throw std::runtime_error("route failure (expected)");
    });
    server_->StartOrDie();
    port_ = server_->port();
  }

  // A decider implementing spec §1.7 steps 2-4 with a fixed token.
  static UpgradeDecision SyncDecider(TestServer* server, const UpgradeRequest& request) {
    Result<SyncSubprotocol> offer = ParseSyncSubprotocol(request.subprotocols);
    if (!offer.ok()) return UpgradeDecision::Reject(400, offer.status().message());
    if (offer->token != "secret-token") return UpgradeDecision::Reject(401, "invalid token");
    return server->Accept(offer->echo);
  }

  TempDir dir_;
  std::unique_ptr<TestServer> server_;
  std::uint16_t port_ = 0;
};

TEST_F(HttpServerTest, ReportsTheEphemeralPort) { EXPECT_NE(port_, 0); }

TEST_F(HttpServerTest, HealthzAndMetrics) {
  std::string response = Get(port_, "/healthz");
  EXPECT_EQ(StatusOf(response), 200);
  EXPECT_NE(response.find("Content-Type: application/json\r\n"), std::string::npos) << response;
  EXPECT_EQ(BodyOf(response), R"({"status":"ok"})");

  response = Get(port_, "/metrics?x=1");
  EXPECT_EQ(StatusOf(response), 200);
  EXPECT_NE(response.find("Content-Type: text/plain; version=0.0.4\r\n"), std::string::npos);
  EXPECT_NE(response.find("Cache-Control: no-store\r\n"), std::string::npos);
  EXPECT_EQ(BodyOf(response), "crsync_up 1\n# query=x=1\n");
}

TEST_F(HttpServerTest, HeadPostAndErrors) {
  std::string response =
      RawHttp(port_, "HEAD /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(StatusOf(response), 200);
  EXPECT_NE(response.find("Content-Length: 15\r\n"), std::string::npos) << response;
  EXPECT_EQ(BodyOf(response), "");

  response = RawHttp(port_,
                     "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n"
                     "Connection: close\r\n\r\n");
  EXPECT_EQ(StatusOf(response), 405);
  EXPECT_NE(response.find("Allow: GET, HEAD\r\n"), std::string::npos);

  EXPECT_EQ(StatusOf(Get(port_, "/boom")), 500);
  EXPECT_EQ(StatusOf(RawHttp(port_, "GARBAGE\r\n\r\n")), 400);
  const std::string huge_header = "X-Big: " + std::string(20000, 'a') + "\r\n";
  EXPECT_EQ(StatusOf(RawHttp(port_, "GET /healthz HTTP/1.1\r\nHost: x\r\n" + huge_header + "\r\n")),
            431);
}

TEST_F(HttpServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  RawClient client(port_);
  client.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_TRUE(client.ReadUntil(
      [](const std::string& bytes) { return bytes.find("crsync_up 1") != std::string::npos; }));
  EXPECT_NE(client.buffer().find(R"({"status":"ok"})"), std::string::npos);
  EXPECT_FALSE(client.eof());
}

TEST_F(HttpServerTest, ServesStaticFiles) {
  std::string response = Get(port_, "/");
  EXPECT_EQ(StatusOf(response), 200);
  EXPECT_NE(response.find("Content-Type: text/html; charset=utf-8\r\n"), std::string::npos);
  EXPECT_EQ(BodyOf(response), "<h1>home</h1>");

  response = Get(port_, "/app.js");
  EXPECT_EQ(StatusOf(response), 200);
  EXPECT_NE(response.find("Content-Type: text/javascript; charset=utf-8\r\n"), std::string::npos);
  EXPECT_EQ(BodyOf(response), "console.log(1)");

  response = Get(port_, "/sub?a=1");
  EXPECT_EQ(StatusOf(response), 301);
  EXPECT_NE(response.find("Location: /sub/?a=1\r\n"), std::string::npos);
  EXPECT_EQ(BodyOf(Get(port_, "/sub/")), "sub index");

  response = RawHttp(port_, "HEAD /app.js HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(StatusOf(response), 200);
  EXPECT_NE(response.find("Content-Length: 14\r\n"), std::string::npos);
  EXPECT_EQ(BodyOf(response), "");

  EXPECT_EQ(StatusOf(Get(port_, "/missing.js")), 404);
}

TEST_F(HttpServerTest, RefusesPathTraversal) {
  const std::pair<const char*, int> attempts[] = {
      {"/../secret.txt", 400},
      {"/sub/../../secret.txt", 400},
      {"/%2e%2e/secret.txt", 400},
      {"/%2E%2E/%2E%2E/secret.txt", 400},
      {"/..%2fsecret.txt", 400},
      {"/..%5csecret.txt", 400},
      {"/..\\secret.txt", 400},
      {"/app.js%00", 400},
      {"/escape", 404},  // symlink out of the root
      {"//etc/passwd", 404},
      {"/etc/passwd", 404},
      {"http://127.0.0.1/../secret.txt", 400},  // absolute-form target
      {"*", 400},
  };
  for (const auto& [target, status] : attempts) {
    const std::string response = Get(port_, target);
    EXPECT_EQ(StatusOf(response), status) << target << "\n" << response;
    EXPECT_EQ(response.find("top secret"), std::string::npos) << target;
  }
}

TEST_F(HttpServerTest, AcceptsUpgradeAndEchoesTheSubprotocol) {
  RawClient client(port_);
  client.Send(UpgradeRequestBytes("/x/sync-y?z=1", "cm9vbT1yMQ"));  // unanchored match, §1.1
  ASSERT_TRUE(client.ReadUntil(
      [](const std::string& bytes) { return bytes.find("\r\n\r\n") != std::string::npos; }));
  const std::string& response = client.buffer();
  EXPECT_EQ(StatusOf(response), 101) << response;
  EXPECT_NE(response.find("Sec-WebSocket-Protocol: cm9vbT1yMQ\r\n"), std::string::npos);
  EXPECT_NE(response.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"),
            std::string::npos);
  const UpgradeRequest seen = server_->last_request();
  EXPECT_EQ(seen.http.target, "/x/sync-y?z=1");
  EXPECT_EQ(seen.http.path, "/x/sync-y");
  EXPECT_EQ(seen.http.query, "z=1");
  EXPECT_EQ(seen.subprotocols, "cm9vbT1yMQ");
  ASSERT_NE(FindHeader(seen.http.headers, "sec-websocket-key"), nullptr);
  EXPECT_FALSE(seen.http.remote_address.empty());
  EXPECT_NE(server_->WaitConnection(0), nullptr);
}

TEST_F(HttpServerTest, RejectsWithTheDecidersStatusAndReason) {
  server_->SetDecider(
      [this](const UpgradeRequest& request) { return SyncDecider(server_.get(), request); });
  // auth=wrong,room=r1
  std::string response = RawHttp(
      port_, UpgradeRequestBytes("/sync", *EncodeSyncSubprotocol("r1", std::string("wrong"))));
  EXPECT_EQ(StatusOf(response), 401) << response;
  EXPECT_NE(response.find("Connection: close\r\n"), std::string::npos);
  EXPECT_EQ(BodyOf(response), "invalid token");

  // Right token: 101.
  RawClient client(port_);
  client.Send(
      UpgradeRequestBytes("/sync", *EncodeSyncSubprotocol("r1", std::string("secret-token"))));
  ASSERT_TRUE(client.ReadUntil(
      [](const std::string& bytes) { return bytes.find("\r\n\r\n") != std::string::npos; }));
  EXPECT_EQ(StatusOf(client.buffer()), 101);
}

TEST_F(HttpServerTest, BadSubprotocolHeadersGet400BeforeUpgrading) {
  server_->SetDecider(
      [this](const UpgradeRequest& request) { return SyncDecider(server_.get(), request); });
  // The rows of spec §1.4 that crash the reference server.
  EXPECT_EQ(StatusOf(RawHttp(port_, UpgradeRequestBytes("/sync", ""))), 400);
  EXPECT_EQ(StatusOf(RawHttp(port_, UpgradeRequestBytes("/sync", "cm9vb"))), 400);
  EXPECT_EQ(StatusOf(RawHttp(port_, UpgradeRequestBytes("/sync", "cm9vbT1yMQ, cm9vbT1yMg"))), 400);
  // Two header fields are joined with ", " and refused likewise.
  std::string response = RawHttp(
      port_, UpgradeRequestBytes("/sync", "cm9vbT1yMQ", "Sec-WebSocket-Protocol: cm9vbT1yMg\r\n"));
  EXPECT_EQ(StatusOf(response), 400);
  EXPECT_EQ(server_->last_request().subprotocols, "cm9vbT1yMQ, cm9vbT1yMg");
  // No room.
  response = RawHttp(port_, UpgradeRequestBytes("/sync", "YXV0aD10b2s"));
  EXPECT_EQ(StatusOf(response), 400);
  EXPECT_EQ(BodyOf(response), "Sec-WebSocket-Protocol names no room");
}

TEST_F(HttpServerTest, WrongPathGets404WithoutUpgrading) {
  const std::string response = RawHttp(port_, UpgradeRequestBytes("/other", "cm9vbT1yMQ"));
  EXPECT_EQ(StatusOf(response), 404) << response;
  EXPECT_EQ(response.find("101"), std::string::npos);
  EXPECT_EQ(server_->upgrade_calls(), 0);
  EXPECT_GE(server_->server().stats().upgrades_rejected, 1u);
}

TEST_F(HttpServerTest, MalformedHandshakesAreRefusedBeforeTheHandler) {
  std::string bad_key = UpgradeRequestBytes("/sync", "cm9vbT1yMQ");
  bad_key.replace(bad_key.find("dGhlIHNhbXBsZSBub25jZQ=="), 24, "short");
  EXPECT_EQ(StatusOf(RawHttp(port_, bad_key)), 400);

  std::string old_version = UpgradeRequestBytes("/sync", "cm9vbT1yMQ");
  old_version.replace(old_version.find("Version: 13"), 11, "Version: 8");
  const std::string response = RawHttp(port_, old_version);
  EXPECT_EQ(StatusOf(response), 426);
  EXPECT_NE(response.find("Sec-WebSocket-Version: 13\r\n"), std::string::npos);
  EXPECT_EQ(server_->upgrade_calls(), 0);
}

TEST_F(HttpServerTest, EchoOfAnUnofferedSubprotocolIsRefused) {
  server_->SetDecider([this](const UpgradeRequest&) { return server_->Accept("something-else"); });
  EXPECT_EQ(StatusOf(RawHttp(port_, UpgradeRequestBytes("/sync", "cm9vbT1yMQ"))), 500);
}

TEST_F(HttpServerTest, StopClosesIdleKeepAliveConnections) {
  RawClient client(port_);
  client.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(client.ReadUntil(
      [](const std::string& bytes) { return bytes.find("\"ok\"") != std::string::npos; }));
  const auto started = std::chrono::steady_clock::now();
  server_->server().Stop(2000ms);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1500ms);
  EXPECT_TRUE(client.ReadToEof(2000ms));
  EXPECT_EQ(server_->server().stats().open_connections, 0u);
  RawClient late(port_);
  EXPECT_FALSE(late.connected());
}

TEST(HttpServerStartTest, ReportsConfigurationAndBindErrors) {
  EventLoop loop(1);
  {
    HttpServerOptions options = TestServerOptions();
    options.ws_path_pattern = "([";
    HttpServer server(loop, options);
    EXPECT_EQ(server.Start().code(), StatusCode::kInvalidArgument);
  }
  {
    HttpServerOptions options = TestServerOptions();
    options.static_root = "/nonexistent/crsync";
    HttpServer server(loop, options);
    EXPECT_EQ(server.Start().code(), StatusCode::kInvalidArgument);
  }
  {
    HttpServerOptions options = TestServerOptions();
    options.host = "not an address";
    HttpServer server(loop, options);
    EXPECT_EQ(server.Start().code(), StatusCode::kInvalidArgument);
  }
  HttpServer first(loop, TestServerOptions());
  ASSERT_TRUE(first.Start().ok());
  EXPECT_EQ(first.Start().code(), StatusCode::kFailedPrecondition);
  HttpServerOptions same_port = TestServerOptions();
  same_port.port = first.port();
  HttpServer second(loop, same_port);
  EXPECT_EQ(second.Start().code(), StatusCode::kUnavailable);
}

TEST(HttpServerStartTest, WithoutAnUpgradeHandlerEveryUpgradeIs404) {
  EventLoop loop(1);
  HttpServer server(loop, TestServerOptions());
  ASSERT_TRUE(server.Start().ok());
  EXPECT_EQ(StatusOf(RawHttp(server.port(), UpgradeRequestBytes("/sync", "cm9vbT1yMQ"))), 404);
}

TEST(FindHeaderTest, CaseInsensitiveFirstMatch) {
  const HttpHeaders headers = {{"Origin", "a"}, {"ORIGIN", "b"}, {"X", "c"}};
  ASSERT_NE(FindHeader(headers, "origin"), nullptr);
  EXPECT_EQ(*FindHeader(headers, "origin"), "a");
  EXPECT_EQ(FindHeader(headers, "cookie"), nullptr);
}

}  // namespace
}  // namespace crsync::net

// crsync-server's HTTP side and connection refusals, in process: /healthz, /metrics, the
// upgrade checks (path, subprotocol, auth), invalid room names, read-only grants, and a client
// sending garbage while another keeps being served.
#include <gtest/gtest.h>

#include <ctime>

#include "protocol/codec.h"
#include "unit/net/test_peers.h"
#include "unit/server/jwt_test_signer.h"
#include "unit/server/server_test_util.h"

namespace crsync::server::testing {
namespace {

using net::testing::ConnectRecorder;
using net::testing::RawClient;
using test_jwt::MakeHs256Token;

constexpr const char* kSecret = "test-secret-of-enough-length-0123456789";
constexpr const char* kTodos = "SELECT id, text, completed FROM todo ORDER BY id";

// GET target over a fresh TCP connection; the whole response (the server closes).
std::string HttpGet(uint16_t port, const std::string& target) {
  RawClient client(port);
  EXPECT_TRUE(client.connected());
  client.Send("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  client.ReadToEof();
  return client.buffer();
}

std::string Token(const std::string& claims) {
  return MakeHs256Token(kSecret, claims);
}

std::string Expiry() { return std::to_string(std::time(nullptr) + 3600); }

net::WsClientOptions RawOptions(uint16_t port, const std::string& room,
                                const std::string& path = "/sync") {
  return net::testing::ClientOptions("ws://127.0.0.1:" + std::to_string(port) + path, room);
}

class ServerHttpTest : public ::testing::Test {
 protected:
  void StartServer(ServerOptions options) {
    server_ = std::make_unique<Server>(std::move(options));
    ASSERT_TRUE(server_->Start().ok());
  }
  void StartServer() { StartServer(TestServerOptions(schemas_.path())); }

  SchemaDir schemas_;
  net::EventLoop client_loop_{2};
  std::unique_ptr<Server> server_;
};

TEST_F(ServerHttpTest, HealthzIsOkWhileRunning) {
  StartServer();
  const std::string response = HttpGet(server_->port(), "/healthz");
  EXPECT_EQ(0u, response.rfind("HTTP/1.1 200", 0)) << response;
  EXPECT_NE(std::string::npos, response.find("\r\n\r\nok\n"));
}

TEST_F(ServerHttpTest, MetricsFollowTheTraffic) {
  StartServer();
  const std::string before = HttpGet(server_->port(), "/metrics");
  EXPECT_NE(std::string::npos, before.find("text/plain; version=0.0.4"));
  EXPECT_NE(std::string::npos, before.find("\ncrsync_connections_total 0\n"));
  EXPECT_NE(std::string::npos, before.find("\ncrsync_changes_received_total 0\n"));
  {
    SyncClient a(client_loop_), b(client_loop_);
    ASSERT_TRUE(a.Connect(server_->port(), "metered").ok());
    ASSERT_TRUE(b.Connect(server_->port(), "metered").ok());
    a.Exec("INSERT INTO todo (id, text) VALUES (1, 'x')");
    ASSERT_TRUE(b.WaitRows(kTodos, {"(1, 'x', 0)"}));
    const std::string during = HttpGet(server_->port(), "/metrics");
    EXPECT_NE(std::string::npos, during.find("\ncrsync_connections 2\n")) << during;
    EXPECT_NE(std::string::npos, during.find("\ncrsync_rooms_open 1\n"));
    EXPECT_NE(std::string::npos, during.find("\ncrsync_connections_total 2\n"));
    // a's row: 2 changes (text, completed) in, and out to b.
    EXPECT_NE(std::string::npos, during.find("\ncrsync_changes_received_total 2\n")) << during;
    EXPECT_NE(std::string::npos, during.find("\ncrsync_changes_sent_total 2\n")) << during;
    EXPECT_NE(std::string::npos, during.find("\ncrsync_group_commits_total 1\n"));
    EXPECT_NE(std::string::npos, during.find("\ncrsync_commit_seconds_count 1\n"));
  }
  EXPECT_TRUE(WaitUntil([&] {
    return server_->MetricsText().find("\ncrsync_connections 0\n") != std::string::npos;
  }));
}

TEST_F(ServerHttpTest, UpgradeRefusalsBeforeTheHandshake) {
  StartServer();
  // Wrong path: 404, never upgraded (D3).
  auto wrong_path = ConnectRecorder(client_loop_, RawOptions(server_->port(), "r", "/other"));
  ASSERT_TRUE(wrong_path->WaitError());
  EXPECT_NE(std::string::npos, wrong_path->error()->message().find("HTTP 404"));
  // The path is exact; a query string is fine.
  auto with_query = ConnectRecorder(client_loop_, RawOptions(server_->port(), "r", "/sync?x=1"));
  EXPECT_TRUE(with_query->WaitOpen());
  // A header without a room: 400 with the parser's reason (D2: never a crash).
  net::WsClientOptions no_room = RawOptions(server_->port(), "r");
  no_room.subprotocol = "YXV0aD10b2s";  // "auth=tok"
  auto refused = ConnectRecorder(client_loop_, no_room);
  ASSERT_TRUE(refused->WaitError());
  EXPECT_NE(std::string::npos, refused->error()->message().find("HTTP 400")) << refused->error()->ToString();
  EXPECT_NE(std::string::npos, server_->MetricsText().find("crsync_errors_total{kind=\"bad_handshake\"} 1"));
}

TEST_F(ServerHttpTest, InvalidRoomNamesAreClosedWithAReason) {
  StartServer();
  for (const std::string room : {"..", "../etc", "a/b", "x-wal", ".hidden"}) {
    auto recorder = ConnectRecorder(client_loop_, RawOptions(server_->port(), room));
    ASSERT_TRUE(recorder->WaitClose()) << room;
    EXPECT_EQ(net::kClosePolicyViolation, recorder->close()->code) << room;
    EXPECT_NE(std::string::npos, recorder->close()->reason.find("invalid room name")) << room;
  }
  EXPECT_NE(std::string::npos,
            server_->MetricsText().find("crsync_errors_total{kind=\"invalid_room\"} 5"));
}

TEST_F(ServerHttpTest, TokensAreCheckedAndReadOnlyGrantsCannotWrite) {
  ServerOptions options = TestServerOptions(schemas_.path());
  options.auth.hs256_secret = kSecret;
  StartServer(options);

  SyncClient anonymous(client_loop_);
  Status no_token = anonymous.Connect(server_->port(), "team-a");
  EXPECT_NE(std::string::npos, no_token.message().find("HTTP 401")) << no_token.ToString();
  SyncClient forged(client_loop_);
  Status bad = forged.Connect(server_->port(), "team-a",
                              MakeHs256Token("another-secret-0123456789", R"({"exp":)" + Expiry() + "}"));
  EXPECT_NE(std::string::npos, bad.message().find("HTTP 401")) << bad.ToString();
  SyncClient elsewhere(client_loop_);
  Status forbidden = elsewhere.Connect(
      server_->port(), "team-b", Token(R"({"exp":)" + Expiry() + R"(,"rooms":["team-a"]})"));
  EXPECT_NE(std::string::npos, forbidden.message().find("HTTP 403")) << forbidden.ToString();

  SyncClient writer(client_loop_), reader(client_loop_);
  ASSERT_TRUE(writer.Connect(server_->port(), "team-a",
                             Token(R"({"exp":)" + Expiry() + R"(,"rooms":["team-*"]})"))
                  .ok());
  ASSERT_TRUE(reader.Connect(server_->port(), "team-a",
                             Token(R"({"exp":)" + Expiry() + R"(,"read_only":true})"))
                  .ok());
  writer.Exec("INSERT INTO todo (id, text) VALUES (1, 'by writer')");
  EXPECT_TRUE(reader.WaitRows(kTodos, {"(1, 'by writer', 0)"}));  // outbound still works
  reader.Exec("INSERT INTO todo (id, text) VALUES (2, 'by reader')");
  ASSERT_TRUE(reader.WaitState(sync::SessionState::kClosed));
  EXPECT_NE(std::string::npos, reader.close_status().message().find("1008"))
      << reader.close_status().ToString();
  EXPECT_NE(std::string::npos, reader.close_status().message().find("read-only"));
  EXPECT_EQ((std::vector<std::string>{"(1, 'by writer', 0)"}), writer.Query(kTodos));
}

TEST_F(ServerHttpTest, GarbageClosesThatConnectionOnlyAndTheServerKeepsServing) {
  StartServer();
  SyncClient a(client_loop_), b(client_loop_);
  ASSERT_TRUE(a.Connect(server_->port(), "shared").ok());
  ASSERT_TRUE(b.Connect(server_->port(), "shared").ok());
  ASSERT_TRUE(a.WaitState(sync::SessionState::kStreaming));
  for (const std::vector<uint8_t>& garbage :
       {std::vector<uint8_t>{0x3f}, std::vector<uint8_t>{}, std::vector<uint8_t>{2, 1, 2, 3}}) {
    auto raw = ConnectRecorder(client_loop_, RawOptions(server_->port(), "shared"));
    ASSERT_TRUE(raw->WaitOpen());
    raw->connection()->Send(garbage);
    ASSERT_TRUE(raw->WaitClose());
    EXPECT_EQ(net::kCloseProtocolError, raw->close()->code) << raw->close()->reason;
    EXPECT_NE(std::string::npos, raw->close()->reason.find("undecodable message"));
  }
  a.Exec("INSERT INTO todo (id, text) VALUES (1, 'still fine')");
  EXPECT_TRUE(b.WaitRows(kTodos, {"(1, 'still fine', 0)"}));
  // An unknown tag is data_loss, the empty and the truncated message out_of_range.
  const std::string metrics = server_->MetricsText();
  EXPECT_NE(std::string::npos, metrics.find("crsync_errors_total{kind=\"data_loss\"} 1")) << metrics;
  EXPECT_NE(std::string::npos, metrics.find("crsync_errors_total{kind=\"out_of_range\"} 2"));
}

TEST_F(ServerHttpTest, StopSaysGoingAwayAndHealthzStopsAnswering) {
  StartServer();
  auto raw = ConnectRecorder(client_loop_, RawOptions(server_->port(), "leaving"));
  ASSERT_TRUE(raw->WaitOpen());
  const uint16_t port = server_->port();
  server_->Stop();
  ASSERT_TRUE(raw->WaitClose());
  EXPECT_EQ(net::kCloseGoingAway, raw->close()->code);
  RawClient after(port);
  EXPECT_FALSE(after.connected());
}

}  // namespace
}  // namespace crsync::server::testing

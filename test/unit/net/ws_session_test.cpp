// Tests for the WebSocket connection (ws_connection.h, implemented in ws_session.cpp), server
// side against the outbound client and against raw TCP peers: echo of binary messages, text
// flag, the incoming size limit (1009), backpressure and send-queue overflow (1008), heartbeat
// dropping a silent peer, close handshakes both ways, queued messages flushed before a close,
// graceful server stop (1001 close frame), owner exceptions (1011), protocol errors, and Send
// from many threads.
#include <gtest/gtest.h>

#include <thread>

#include "unit/net/test_peers.h"

namespace crsync::net {
namespace {

using namespace testing;

// Completes a WebSocket handshake on a raw socket; returns false if no 101 arrived.
bool RawHandshake(RawClient& client, const std::string& target = "/sync") {
  client.Send(UpgradeRequestBytes(target, "cm9vbT1yMQ"));
  const bool got = client.ReadUntil(
      [](const std::string& bytes) { return bytes.find("\r\n\r\n") != std::string::npos; });
  if (!got || StatusOf(client.buffer()) != 101) return false;
  client.buffer().erase(0, client.buffer().find("\r\n\r\n") + 4);
  return true;
}

// Frames found in bytes, in order (a trailing incomplete frame is ignored).
std::vector<Frame> FramesIn(std::string bytes) {
  std::vector<Frame> frames;
  while (std::optional<Frame> frame = ParseServerFrame(bytes)) {
    bytes.erase(0, frame->size);
    frames.push_back(std::move(*frame));
  }
  return frames;
}

std::optional<Frame> FindFrame(const std::string& bytes, int opcode) {
  for (Frame& frame : FramesIn(bytes)) {
    if (frame.opcode == opcode) return frame;
  }
  return std::nullopt;
}

TEST(WsTestUtilTest, WebSocketAcceptMatchesTheRfcExample) {
  EXPECT_EQ(WebSocketAccept("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

class WsSessionTest : public ::testing::Test {
 protected:
  void StartServer(const WsOptions& ws = WsOptions()) {
    HttpServerOptions options = TestServerOptions();
    options.ws = ws;
    server_ = std::make_unique<TestServer>(options);
    server_->StartOrDie();
  }

  std::shared_ptr<Recorder> Connect(const WsOptions& ws = WsOptions()) {
    WsClientOptions options = ClientOptions(server_->url());
    options.ws = ws;
    auto client = ConnectRecorder(server_->loop(), options);
    EXPECT_TRUE(client->WaitOpen()) << (client->error() ? client->error()->ToString() : "");
    return client;
  }

  std::unique_ptr<TestServer> server_;
};

TEST_F(WsSessionTest, EchoesBinaryMessages) {
  StartServer();
  auto client = Connect();
  ASSERT_TRUE(client->connection());
  EXPECT_EQ(client->connection()->subprotocol(), "cm9vbT1yMQ");
  std::string big(1 << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7);
  const std::vector<std::string> payloads = {"hello", "", std::string("\x00\xff\x01", 3), big};
  for (const std::string& payload : payloads)
    EXPECT_TRUE(client->connection()->Send(Bytes(payload)));
  ASSERT_TRUE(client->WaitMessages(payloads.size()));
  const auto received = client->messages();
  for (size_t i = 0; i < payloads.size(); ++i) EXPECT_EQ(received[i], Bytes(payloads[i])) << i;
  for (bool text : client->text_flags()) EXPECT_FALSE(text);
  auto server_side = server_->WaitConnection(0);
  ASSERT_TRUE(server_side);
  EXPECT_EQ(server_side->connection()->subprotocol(), "cm9vbT1yMQ");
  EXPECT_NE(server_side->connection()->remote_address().find("127.0.0.1:"), std::string::npos);
}

TEST_F(WsSessionTest, TextMessagesAreDeliveredWithTheFlag) {
  StartServer();
  server_->set_echo(false);
  RawClient raw(server_->port());
  ASSERT_TRUE(RawHandshake(raw));
  raw.Send(ClientFrame(0x1, "text!"));
  auto server_side = server_->WaitConnection(0);
  ASSERT_TRUE(server_side && server_side->WaitMessages(1));
  EXPECT_EQ(server_side->messages()[0], Bytes("text!"));
  EXPECT_TRUE(server_side->text_flags()[0]);
  // Fragmented binary message: reassembled.
  raw.Send(ClientFrame(0x2, "ab", false) + ClientFrame(0x0, "cd", true));
  ASSERT_TRUE(server_side->WaitMessages(2));
  EXPECT_EQ(server_side->messages()[1], Bytes("abcd"));
}

TEST_F(WsSessionTest, OversizedMessageClosesWith1009) {
  WsOptions ws;
  ws.max_message_bytes = 1024;
  StartServer(ws);
  auto client = Connect();
  client->connection()->Send(Bytes(std::string(1024, 'a')));  // at the limit: fine
  ASSERT_TRUE(client->WaitMessages(1));
  client->connection()->Send(Bytes(std::string(1025, 'b')));
  ASSERT_TRUE(client->WaitClose());
  EXPECT_EQ(client->close()->code, kCloseTooBig);
  EXPECT_FALSE(client->close()->initiated_locally);
  auto server_side = server_->connection(0);
  ASSERT_TRUE(server_side->WaitClose());
  EXPECT_EQ(server_side->close()->code, kCloseTooBig);
  EXPECT_TRUE(server_side->close()->initiated_locally);
  EXPECT_EQ(server_side->message_count(), 1u);
}

TEST_F(WsSessionTest, BackpressureRisesAndFalls) {
  WsOptions ws;
  ws.send_queue_soft_limit = 256 * 1024;
  StartServer(ws);
  auto client = Connect();
  auto server_side = server_->WaitConnection(0);
  ASSERT_TRUE(server_side);
  const auto payload = std::make_shared<const std::vector<std::uint8_t>>(1 << 20, 0x42);
  constexpr size_t kCount = 16;
  for (size_t i = 0; i < kCount; ++i) ASSERT_TRUE(server_side->connection()->Send(payload));
  ASSERT_TRUE(client->WaitMessages(kCount, 10000ms));
  ASSERT_TRUE(WaitUntil([&] { return server_side->backpressure().size() >= 2; }));
  const std::vector<bool> events = server_side->backpressure();
  EXPECT_EQ(events.front(), true);
  EXPECT_EQ(events.back(), false);
  EXPECT_FALSE(server_side->connection()->congested());
  EXPECT_EQ(server_side->connection()->queued_bytes(), 0u);
  EXPECT_FALSE(server_side->close());
}

TEST_F(WsSessionTest, SendQueueOverflowClosesWith1008) {
  WsOptions ws;
  ws.send_queue_soft_limit = 64 * 1024;
  ws.send_queue_hard_limit = 1 << 20;
  ws.close_timeout = 300ms;
  StartServer(ws);
  server_->set_echo(false);
  RawClient raw(server_->port());
  raw.SetReceiveBuffer(4096);
  ASSERT_TRUE(RawHandshake(raw));  // and then never read again
  auto server_side = server_->WaitConnection(0);
  ASSERT_TRUE(server_side);
  const auto payload = std::make_shared<const std::vector<std::uint8_t>>(256 * 1024, 0x17);
  // Far more than the kernel buffers can absorb.
  for (int i = 0; i < 256 && server_side->connection()->Send(payload); ++i) {
  }
  ASSERT_TRUE(server_side->WaitClose(10000ms));
  EXPECT_EQ(server_side->close()->code, kClosePolicyViolation);
  EXPECT_EQ(server_side->close()->reason, "send queue overflow");
  EXPECT_TRUE(server_side->close()->initiated_locally);
  ASSERT_FALSE(server_side->backpressure().empty());
  EXPECT_TRUE(server_side->backpressure().front());
  EXPECT_FALSE(server_side->connection()->Send(payload));  // closed: refused
  EXPECT_EQ(server_side->close_calls(), 1);
}

TEST_F(WsSessionTest, HeartbeatDropsAPeerThatStopsAnswering) {
  WsOptions ws;
  ws.ping_interval = 50ms;
  ws.ping_timeout = 250ms;
  StartServer(ws);
  RawClient raw(server_->port());
  ASSERT_TRUE(RawHandshake(raw));  // completes the handshake, then never answers a ping
  auto server_side = server_->WaitConnection(0);
  ASSERT_TRUE(server_side);
  const auto opened = std::chrono::steady_clock::now();
  ASSERT_TRUE(server_side->WaitClose(5000ms));
  const auto elapsed = std::chrono::steady_clock::now() - opened;
  EXPECT_EQ(server_side->close()->code, kCloseAbnormal);
  EXPECT_EQ(server_side->close()->reason, "ping timeout");
  EXPECT_GE(elapsed, 200ms);
  EXPECT_LT(elapsed, 2000ms);
  ASSERT_TRUE(raw.ReadToEof(2000ms));
  EXPECT_TRUE(FindFrame(raw.buffer(), 0x9).has_value()) << "no ping was sent";
}

TEST_F(WsSessionTest, HeartbeatKeepsALivePeer) {
  WsOptions ws;
  ws.ping_interval = 30ms;
  ws.ping_timeout = 150ms;
  StartServer(ws);
  WsOptions quiet_client;
  quiet_client.ping_interval = 0ms;  // only the server pings; the client pongs automatically
  auto client = Connect(quiet_client);
  std::this_thread::sleep_for(600ms);
  EXPECT_FALSE(client->close()) << client->close()->reason;
  client->connection()->Send(Bytes("still here"));
  ASSERT_TRUE(client->WaitMessages(1));
}

// A raw TCP "server" on 127.0.0.1:0 that answers one WebSocket handshake (with a correct or a
// wrong Sec-WebSocket-Accept) and then stays silent for `silence`.
class SilentServer {
 public:
  SilentServer(bool correct_accept, std::chrono::milliseconds silence) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    ::listen(listener_, 1);
    socklen_t length = sizeof(address);
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this, correct_accept, silence] {
      const int peer = ::accept(listener_, nullptr, nullptr);
      std::string request;
      char chunk[4096];
      while (request.find("\r\n\r\n") == std::string::npos) {
        const ssize_t n = ::recv(peer, chunk, sizeof(chunk), 0);
        if (n <= 0) break;
        request.append(chunk, static_cast<size_t>(n));
      }
      const std::string key_line = "Sec-WebSocket-Key: ";
      const size_t at = request.find(key_line);
      const std::string key =
          at == std::string::npos ? "" : request.substr(at + key_line.size(), 24);
      const std::string accept =
          correct_accept ? WebSocketAccept(key) : "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
      const std::string response =
          "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          "Sec-WebSocket-Accept: " +
          accept + "\r\nSec-WebSocket-Protocol: cm9vbT1yMQ\r\n\r\n";
      ::send(peer, response.data(), response.size(), MSG_NOSIGNAL);
      std::this_thread::sleep_for(silence);
      ::close(peer);
    });
  }
  ~SilentServer() {
    thread_.join();
    ::close(listener_);
  }
  std::string url() const { return "ws://127.0.0.1:" + std::to_string(port_) + "/sync"; }

 private:
  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

TEST(WsClientSessionTest, ClientHeartbeatDropsASilentServer) {
  EventLoop loop(1);
  SilentServer silent(/*correct_accept=*/true, 1000ms);
  WsClientOptions options = ClientOptions(silent.url());
  options.ws.ping_interval = 50ms;
  options.ws.ping_timeout = 250ms;
  auto client = ConnectRecorder(loop, options);
  ASSERT_TRUE(client->WaitOpen()) << client->error()->ToString();
  ASSERT_TRUE(client->WaitClose(1500ms));
  EXPECT_EQ(client->close()->code, kCloseAbnormal);
  EXPECT_EQ(client->close()->reason, "ping timeout");
}

TEST(WsClientSessionTest, ClientRefusesAWrongAcceptKey) {
  EventLoop loop(1);
  SilentServer silent(/*correct_accept=*/false, 100ms);
  auto client = ConnectRecorder(loop, ClientOptions(silent.url()));
  ASSERT_TRUE(client->WaitError());
  EXPECT_EQ(client->error()->code(), StatusCode::kUnavailable);
  EXPECT_EQ(client->connection(), nullptr);
}

TEST_F(WsSessionTest, ServerCloseReachesTheClient) {
  StartServer();
  auto client = Connect();
  auto server_side = server_->WaitConnection(0);
  ASSERT_TRUE(server_side);
  server_side->connection()->Close(4000, "bye");
  ASSERT_TRUE(client->WaitClose());
  EXPECT_EQ(client->close()->code, 4000);
  EXPECT_EQ(client->close()->reason, "bye");
  EXPECT_FALSE(client->close()->initiated_locally);
  ASSERT_TRUE(server_side->WaitClose());
  EXPECT_EQ(server_side->close()->code, 4000);
  EXPECT_TRUE(server_side->close()->initiated_locally);
  EXPECT_FALSE(client->connection()->Send(Bytes("late")));
}

TEST_F(WsSessionTest, ClientCloseReachesTheServer) {
  StartServer();
  auto client = Connect();
  auto server_side = server_->WaitConnection(0);
  ASSERT_TRUE(server_side);
  client->connection()->Close(kCloseNormal, "done");
  ASSERT_TRUE(server_side->WaitClose());
  EXPECT_EQ(server_side->close()->code, kCloseNormal);
  EXPECT_EQ(server_side->close()->reason, "done");
  EXPECT_FALSE(server_side->close()->initiated_locally);
  ASSERT_TRUE(client->WaitClose());
  EXPECT_EQ(client->close()->code, kCloseNormal);
  EXPECT_EQ(client->close_calls(), 1);
}

TEST_F(WsSessionTest, QueuedMessagesAreFlushedBeforeTheCloseFrame) {
  StartServer();
  server_->set_echo(false);
  auto client = Connect();
  auto server_side = server_->WaitConnection(0);
  ASSERT_TRUE(server_side);
  for (int i = 0; i < 3; ++i) server_side->connection()->Send(Bytes(std::string(100000, 'a' + i)));
  server_side->connection()->Close(kCloseNormal, "");
  ASSERT_TRUE(client->WaitClose());
  EXPECT_EQ(client->message_count(), 3u);
  EXPECT_EQ(client->close()->code, kCloseNormal);
}

TEST_F(WsSessionTest, PeerVanishingIsAnAbnormalClose) {
  StartServer();
  RawClient raw(server_->port());
  ASSERT_TRUE(RawHandshake(raw));
  auto server_side = server_->WaitConnection(0);
  ASSERT_TRUE(server_side);
  raw.Close();
  ASSERT_TRUE(server_side->WaitClose());
  EXPECT_EQ(server_side->close()->code, kCloseAbnormal);
  EXPECT_FALSE(server_side->close()->initiated_locally);
}

TEST_F(WsSessionTest, EmptyCloseFrameIsReportedAs1005) {
  StartServer();
  RawClient raw(server_->port());
  ASSERT_TRUE(RawHandshake(raw));
  auto server_side = server_->WaitConnection(0);
  ASSERT_TRUE(server_side);
  raw.Send(ClientFrame(0x8, ""));  // what ws-client's close() without a code sends
  // Like a browser: wait for the server's close frame and TCP FIN, then close.
  ASSERT_TRUE(raw.ReadToEof(2000ms));
  EXPECT_TRUE(FindFrame(raw.buffer(), 0x8).has_value());
  raw.Close();
  ASSERT_TRUE(server_side->WaitClose());
  EXPECT_EQ(server_side->close()->code, kCloseNoStatus);
  EXPECT_FALSE(server_side->close()->initiated_locally);
}

TEST_F(WsSessionTest, ProtocolErrorClosesWith1002) {
  StartServer();
  RawClient raw(server_->port());
  ASSERT_TRUE(RawHandshake(raw));
  auto server_side = server_->WaitConnection(0);
  ASSERT_TRUE(server_side);
  raw.Send(
      std::string("\x82\x03"
                  "abc",
                  5));  // unmasked client frame: a protocol error
  ASSERT_TRUE(raw.ReadToEof(2000ms));
  raw.Close();
  ASSERT_TRUE(server_side->WaitClose());
  EXPECT_EQ(server_side->close()->code, kCloseProtocolError);
  const std::optional<Frame> close = FindFrame(raw.buffer(), 0x8);
  ASSERT_TRUE(close.has_value());
  ASSERT_GE(close->payload.size(), 2u);
  EXPECT_EQ(close->payload.substr(0, 2), std::string("\x03\xea", 2));  // 1002
}

TEST_F(WsSessionTest, OwnerExceptionClosesWith1011) {
  StartServer();
  auto client = Connect();
  auto server_side = server_->WaitConnection(0);
  ASSERT_TRUE(server_side);
  server_side->SetOnMessageHook([](std::span<const std::uint8_t>) {
    throw std::runtime_error("owner failure (expected on stderr)");
  });
  client->connection()->Send(Bytes("x"));
  ASSERT_TRUE(client->WaitClose());
  EXPECT_EQ(client->close()->code, kCloseInternalError);
}

TEST_F(WsSessionTest, GracefulStopSendsCloseFrames) {
  StartServer();
  auto client = Connect();
  RawClient raw(server_->port());
  ASSERT_TRUE(RawHandshake(raw));
  ASSERT_TRUE(server_->WaitConnection(1));
  const auto started = std::chrono::steady_clock::now();
  server_->server().Stop(1000ms);
  // The raw peer never answers the close frame, so Stop drops it when the 1 s grace is over.
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3000ms);
  ASSERT_TRUE(client->WaitClose());
  EXPECT_EQ(client->close()->code, kCloseGoingAway);
  EXPECT_EQ(client->close()->reason, "server shutting down");
  raw.ReadToEof(2000ms);
  const std::optional<Frame> close = FindFrame(raw.buffer(), 0x8);
  ASSERT_TRUE(close.has_value());
  EXPECT_EQ(close->payload, std::string("\x03\xe9server shutting down", 22));
  EXPECT_EQ(server_->server().stats().open_connections, 0u);
}

TEST_F(WsSessionTest, SendFromManyThreadsKeepsPerThreadOrder) {
  StartServer();
  server_->set_echo(false);
  auto client = Connect();
  auto server_side = server_->WaitConnection(0);
  ASSERT_TRUE(server_side);
  constexpr int kThreads = 4;
  constexpr int kPerThread = 500;
  std::vector<std::thread> senders;
  for (int t = 0; t < kThreads; ++t) {
    senders.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        server_side->connection()->Send(Bytes(std::to_string(t) + ":" + std::to_string(i)));
      }
    });
  }
  for (std::thread& sender : senders) sender.join();
  ASSERT_TRUE(client->WaitMessages(kThreads * kPerThread, 10000ms));
  std::vector<int> next(kThreads, 0);
  for (const auto& message : client->messages()) {
    const std::string text(message.begin(), message.end());
    const int t = std::stoi(text.substr(0, text.find(':')));
    const int i = std::stoi(text.substr(text.find(':') + 1));
    EXPECT_EQ(i, next[t]) << text;
    next[t] = i + 1;
  }
}

}  // namespace
}  // namespace crsync::net

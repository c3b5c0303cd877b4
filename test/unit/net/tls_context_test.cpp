// TLS tests (tls_context.cpp, and the TLS paths of the server and client): a self-signed
// certificate for 127.0.0.1 is generated at test time with the openssl CLI; wss echo works when
// the client trusts it (ca_file) or does not verify, and fails verification otherwise; the
// server refuses a key that does not match its certificate.
#include <gtest/gtest.h>

#include <cstdlib>

#include "unit/net/test_peers.h"

namespace crsync::net {
namespace {

using namespace testing;

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::system("openssl version >/dev/null 2>&1") != 0) GTEST_SKIP() << "no openssl CLI";
    cert_ = (dir_.path() / "cert.pem").string();
    key_ = (dir_.path() / "key.pem").string();
    other_key_ = (dir_.path() / "other_key.pem").string();
    const std::string make_cert =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 "
        "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout " +
        key_ + " -out " + cert_ + " >/dev/null 2>&1";
    ASSERT_EQ(std::system(make_cert.c_str()), 0);
    const std::string make_key =
        "openssl genpkey -algorithm EC -pkeyopt "
        "ec_paramgen_curve:prime256v1 -out " +
        other_key_ + " >/dev/null 2>&1";
    ASSERT_EQ(std::system(make_key.c_str()), 0);
  }

  std::unique_ptr<TestServer> StartTlsServer() {
    HttpServerOptions options = TestServerOptions();
    options.tls = TlsFiles{cert_, key_};
    auto server = std::make_unique<TestServer>(options);
    EXPECT_TRUE(server->Start().ok());
    return server;
  }

  std::string WssUrl(const TestServer& server) const {
    return "wss://127.0.0.1:" + std::to_string(server.port()) + "/sync";
  }

  TempDir dir_;
  std::string cert_;
  std::string key_;
  std::string other_key_;
};

TEST_F(TlsTest, WssEchoWithTrustedSelfSignedCertificate) {
  auto server = StartTlsServer();
  WsClientOptions options = ClientOptions(WssUrl(*server));
  options.ca_file = cert_;
  auto client = ConnectRecorder(server->loop(), options);
  ASSERT_TRUE(client->WaitOpen()) << client->error()->ToString();
  const std::string big(300000, 'z');
  client->connection()->Send(Bytes("over tls"));
  client->connection()->Send(Bytes(big));
  ASSERT_TRUE(client->WaitMessages(2));
  EXPECT_EQ(client->messages()[0], Bytes("over tls"));
  EXPECT_EQ(client->messages()[1], Bytes(big));
  client->connection()->Close(kCloseNormal, "done");
  ASSERT_TRUE(client->WaitClose());
  EXPECT_EQ(client->close()->code, kCloseNormal);
}

TEST_F(TlsTest, UntrustedCertificateFailsVerification) {
  auto server = StartTlsServer();
  auto client = ConnectRecorder(server->loop(), ClientOptions(WssUrl(*server)));
  ASSERT_TRUE(client->WaitError());
  EXPECT_EQ(client->error()->code(), StatusCode::kUnavailable);
  EXPECT_NE(client->error()->message().find("TLS handshake"), std::string::npos)
      << client->error()->message();
}

TEST_F(TlsTest, VerificationCanBeTurnedOff) {
  auto server = StartTlsServer();
  WsClientOptions options = ClientOptions(WssUrl(*server));
  options.verify_peer = false;
  auto client = ConnectRecorder(server->loop(), options);
  ASSERT_TRUE(client->WaitOpen()) << client->error()->ToString();
}

TEST_F(TlsTest, GracefulStopOverTls) {
  auto server = StartTlsServer();
  WsClientOptions options = ClientOptions(WssUrl(*server));
  options.ca_file = cert_;
  auto client = ConnectRecorder(server->loop(), options);
  ASSERT_TRUE(client->WaitOpen());
  server->server().Stop(2000ms);
  ASSERT_TRUE(client->WaitClose());
  EXPECT_EQ(client->close()->code, kCloseGoingAway);
}

TEST_F(TlsTest, PlainClientToTlsServerFails) {
  auto server = StartTlsServer();
  WsClientOptions options = ClientOptions(server->url());
  options.connect_timeout = 2000ms;
  auto client = ConnectRecorder(server->loop(), options);
  ASSERT_TRUE(client->WaitError(3000ms));
  EXPECT_EQ(client->connection(), nullptr);
}

TEST_F(TlsTest, MismatchedOrMissingFilesAreRefusedAtStart) {
  EventLoop loop(1);
  HttpServerOptions options = TestServerOptions();
  options.tls = TlsFiles{cert_, other_key_};
  HttpServer mismatched(loop, options);
  Status status = mismatched.Start();
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("private key"), std::string::npos) << status.ToString();

  options.tls = TlsFiles{(dir_.path() / "missing.pem").string(), key_};
  HttpServer missing(loop, options);
  EXPECT_EQ(missing.Start().code(), StatusCode::kInvalidArgument);
}

TEST_F(TlsTest, BadCaFileIsReportedThroughOnError) {
  EventLoop loop(1);
  WsClientOptions options = ClientOptions("wss://127.0.0.1:1/sync");
  options.ca_file = (dir_.path() / "missing-ca.pem").string();
  auto client = ConnectRecorder(loop, options);
  ASSERT_TRUE(client->WaitError());
  EXPECT_EQ(client->error()->code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace crsync::net

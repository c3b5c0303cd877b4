// The native client against the real crsync-server (server::Server in process, 127.0.0.1 port
// 0): two clients converge through a room whose schema the server applies from its schema
// folder, "up to date" holds against a server that answers protocol pings, and a client whose
// schema file differs is refused for good; the same over wss:// with the server's TLS options.
// Compiled only when the server module is built (src/client/CMakeLists.txt).
#if defined(CRSYNC_CLIENT_TESTS_WITH_SERVER)

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "client_test_util.h"
#include "crsync/client.h"
#include "server/server.h"
#include "support/test_db.h"

namespace crsync::client::testing {
namespace {

constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS item (id INTEGER PRIMARY KEY NOT NULL, name TEXT);\n"
    "SELECT crsql_as_crr('item');\n";

bool IsUpToDate(const SyncStatus& status) { return status.state == SyncState::kUpToDate; }

class SyncClientRealServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.Write("item.sql", kSchema);
    server::ServerOptions options;
    options.schema_folder = dir_.File("");
    server_ = std::make_unique<server::Server>(options);
    ASSERT_TRUE(server_->Start().ok());
    url_ = "ws://127.0.0.1:" + std::to_string(server_->port()) + "/sync";
  }
  void TearDown() override { server_->Stop(); }

  SyncOptions Options(const std::string& schema_file) {
    SyncOptions options;
    options.schema_file = schema_file;
    options.reconnect_min = 20ms;
    options.poll_interval = 20ms;
    options.quiet_period = 150ms;
    return options;
  }

  TempDir dir_;
  std::unique_ptr<server::Server> server_;
  std::string url_;
};

TEST_F(SyncClientRealServerTest, TwoClientsConvergeThroughARoom) {
  const std::string schema = dir_.File("item.sql");
  const std::string db_a = dir_.File("a.db");
  const std::string db_b = dir_.File("b.db");
  auto a = StartSync(db_a, url_, "shared", Options(schema));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(IsUpToDate((*a)->WaitUntil(IsUpToDate, 10s)));
  {
    test::TestDb app(db_a);
    app.Exec("PRAGMA busy_timeout = 5000");
    ASSERT_EQ(app.Exec("INSERT INTO item VALUES (1, 'from a'), (2, 'also a')"), "");
  }
  (*a)->NotifyLocalChange();
  // a is up to date again only once the server committed both rows (its Pong says so).
  // One change per row: item has one non-key column.
  ASSERT_TRUE(WaitFor([&] { return (*a)->progress().changes_sent == 2; }));
  ASSERT_TRUE(IsUpToDate((*a)->WaitUntil(IsUpToDate, 10s)));

  auto b = StartSync(db_b, url_, "shared", Options(schema));
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  ASSERT_TRUE(IsUpToDate((*b)->WaitUntil(IsUpToDate, 10s)));
  test::TestDb check(db_b);
  EXPECT_EQ(check.Query("SELECT id, name FROM item ORDER BY id"),
            (std::vector<std::string>{"(1, 'from a')", "(2, 'also a')"}));
  EXPECT_EQ((*b)->progress().changes_received, 2u);
}

TEST_F(SyncClientRealServerTest, DifferentSchemaFileIsRefusedForGood) {
  const std::string other = dir_.Write("other/item.sql", std::string(kSchema) + "-- v2\n");
  SyncOptions options = Options(other);
  options.reconnect_min = 5ms;
  auto client = StartSync(dir_.File("c.db"), url_, "shared", options);
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  SyncStatus status = (*client)->WaitUntil([](const SyncStatus& s) { return s.settled(); }, 10s);
  ASSERT_EQ(status.state, SyncState::kError);
  EXPECT_EQ(status.error.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(status.error.message().find("schema"), std::string::npos) << status.error.message();
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ((*client)->status().attempts, 1u);
}

// The server with --tls-cert/--tls-key: a client that trusts the certificate syncs over wss://,
// one that does not is refused by verification (and never gets a row).
class SyncClientTlsServerTest : public SyncClientRealServerTest {
 protected:
  void SetUp() override {
    if (std::system("openssl version >/dev/null 2>&1") != 0) GTEST_SKIP() << "no openssl CLI";
    cert_ = dir_.File("cert.pem");
    key_ = dir_.File("key.pem");
    const std::string make_cert =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 "
        "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout " +
        key_ + " -out " + cert_ + " >/dev/null 2>&1";
    ASSERT_EQ(std::system(make_cert.c_str()), 0);
    dir_.Write("item.sql", kSchema);
    server::ServerOptions options;
    options.schema_folder = dir_.File("");
    options.tls_cert_file = cert_;
    options.tls_key_file = key_;
    server_ = std::make_unique<server::Server>(options);
    ASSERT_TRUE(server_->Start().ok());
    url_ = "wss://127.0.0.1:" + std::to_string(server_->port()) + "/sync";
  }
  void TearDown() override {
    if (server_) server_->Stop();
  }

  std::string cert_;
  std::string key_;
};

TEST_F(SyncClientTlsServerTest, TwoClientsConvergeOverWss) {
  const std::string schema = dir_.File("item.sql");
  SyncOptions options = Options(schema);
  options.ca_file = cert_;
  {
    test::TestDb app(dir_.File("a.db"));
    ASSERT_EQ(app.Exec("CREATE TABLE IF NOT EXISTS item (id INTEGER PRIMARY KEY NOT NULL, name "
                       "TEXT); SELECT crsql_as_crr('item'); INSERT INTO item VALUES (7, 'tls');"),
              "");
  }
  auto a = StartSync(dir_.File("a.db"), url_, "secure", options);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(WaitFor([&] { return (*a)->progress().changes_sent == 1; }));
  ASSERT_TRUE(IsUpToDate((*a)->WaitUntil(IsUpToDate, 10s)));
  auto b = StartSync(dir_.File("b.db"), url_, "secure", options);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  ASSERT_TRUE(IsUpToDate((*b)->WaitUntil(IsUpToDate, 10s)));
  test::TestDb check(dir_.File("b.db"));
  EXPECT_EQ(check.Query("SELECT id, name FROM item"), (std::vector<std::string>{"(7, 'tls')"}));
}

TEST_F(SyncClientTlsServerTest, UntrustedCertificateIsRefused) {
  SyncOptions options = Options(dir_.File("item.sql"));
  options.reconnect_min = 5ms;
  options.connect_timeout = 2s;
  auto client = StartSync(dir_.File("c.db"), url_, "secure", options);
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  // Never connects: each attempt ends in a failed TLS handshake (offline, retried).
  SyncStatus failed;
  ASSERT_TRUE(WaitFor([&] {
    failed = (*client)->status();
    return !failed.error.ok() && failed.attempts >= 2;
  }));
  EXPECT_NE(failed.state, SyncState::kUpToDate);
  EXPECT_EQ((*client)->progress().changes_received, 0u);
  EXPECT_NE(failed.error.message().find("handshake"), std::string::npos) << failed.error.message();
}

}  // namespace
}  // namespace crsync::client::testing

#endif  // CRSYNC_CLIENT_TESTS_WITH_SERVER

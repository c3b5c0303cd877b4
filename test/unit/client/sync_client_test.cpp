// End-to-end tests of the native client (crsync::StartSync) against TestSyncServer on
// 127.0.0.1 port 0: initial sync both ways, live changes, reconnect, resume, the up-to-date
// guarantee, fatal errors (auth, schema) without retry storms, and bad input.
#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "client_test_util.h"
#include "crsync/client.h"
#include "support/test_db.h"
#include "test_sync_server.h"

namespace crsync::client::testing {
namespace {

constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS todo (\n"
    "  id INTEGER PRIMARY KEY NOT NULL,\n"
    "  title TEXT,\n"
    "  done INTEGER DEFAULT 0\n"
    ");\n"
    "SELECT crsql_as_crr('todo');\n";

bool IsUpToDate(const SyncStatus& status) { return status.state == SyncState::kUpToDate; }

// Fast timings so that tests run in well under a second each.
SyncOptions FastOptions() {
  SyncOptions options;
  options.reconnect_min = 20ms;
  options.reconnect_max = 200ms;
  options.poll_interval = 20ms;
  options.quiet_period = 150ms;
  options.pong_timeout = 2'000ms;
  options.connect_timeout = 2'000ms;
  return options;
}

// A second connection on the client's file, as another process of the application.
class AppConnection {
 public:
  explicit AppConnection(const std::string& path) : db_(path) {
    db_.Exec("PRAGMA busy_timeout = 5000");
  }
  std::string Exec(const std::string& sql) { return db_.Exec(sql); }
  std::string Count() { return db_.One("SELECT count(*) FROM todo"); }
  std::vector<std::string> Rows() { return db_.Query("SELECT id, title FROM todo ORDER BY id"); }

 private:
  test::TestDb db_;
};

class SyncClientTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.Start().ok()); }

  // A client database file with the todo table (as a CRR) and the given rows.
  std::string MakeClientDb(const std::string& name, const std::string& inserts = "") {
    const std::string path = dir_.File(name);
    AppConnection app(path);
    EXPECT_EQ(app.Exec(kSchema), "");
    if (!inserts.empty()) {
      EXPECT_EQ(app.Exec(inserts), "");
    }
    return path;
  }

  std::unique_ptr<SyncClient> Start(const std::string& db, SyncOptions options = FastOptions()) {
    Result<std::unique_ptr<SyncClient>> client = StartSync(db, server_.url(), "room", options);
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    return client.ok() ? std::move(client).value() : nullptr;
  }

  std::string ServerCount() {
    std::vector<std::string> rows = server_.Query("SELECT count(*) FROM todo");
    return rows.empty() ? "" : rows[0];
  }

  TempDir dir_;
  TestSyncServer server_{TestSyncServer::Options{}};
};

class SyncClientTodoTest : public SyncClientTest {
 protected:
  void SetUp() override {
    ASSERT_EQ(server_.Exec(kSchema), "");
    SyncClientTest::SetUp();
  }
};

TEST_F(SyncClientTodoTest, InitialSyncBothWaysThenUpToDate) {
  ASSERT_EQ(server_.Exec("INSERT INTO todo (id, title) VALUES (1, 's1'), (2, 's2'), (3, 's3')"),
            "");
  const std::string db =
      MakeClientDb("a.db", "INSERT INTO todo (id, title) VALUES (10, 'c10'), (11, 'c11')");
  auto client = Start(db);
  ASSERT_NE(client, nullptr);
  SyncStatus status = client->WaitUntil(IsUpToDate, 10s);
  ASSERT_EQ(status.state, SyncState::kUpToDate) << status.error.ToString();
  // Up to date means both sides already hold everything: no waiting here.
  EXPECT_EQ(ServerCount(), "(5)");
  AppConnection app(db);
  EXPECT_EQ(app.Count(), "5");
  EXPECT_EQ(app.Rows()[0], "(1, 's1')");
  const SyncProgress progress = client->progress();
  EXPECT_EQ(progress.changes_received, 6u);  // 3 rows x 2 columns
  EXPECT_EQ(progress.changes_sent, 4u);
  EXPECT_EQ(progress.connections, 1u);
  client->Stop();
  EXPECT_EQ(client->status().state, SyncState::kStopped);
}

TEST_F(SyncClientTodoTest, LiveChangesFlowBothWaysAfterConnect) {
  const std::string db = MakeClientDb("live.db");
  auto client = Start(db);
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(IsUpToDate(client->WaitUntil(IsUpToDate, 10s)));
  AppConnection app(db);

  ASSERT_EQ(server_.Exec("INSERT INTO todo (id, title) VALUES (7, 'from server')"), "");
  EXPECT_TRUE(WaitFor([&] { return app.Count() == "1"; }));
  EXPECT_EQ(app.Rows(), std::vector<std::string>{"(7, 'from server')"});

  // Written by another connection: found by polling.
  ASSERT_EQ(app.Exec("INSERT INTO todo (id, title) VALUES (8, 'from app')"), "");
  EXPECT_TRUE(WaitFor([&] { return ServerCount() == "(2)"; }));
  // Announced explicitly.
  ASSERT_EQ(app.Exec("UPDATE todo SET title = 'edited' WHERE id = 7"), "");
  client->NotifyLocalChange();
  EXPECT_TRUE(WaitFor([&] {
    return server_.Query("SELECT title FROM todo WHERE id = 7") ==
           std::vector<std::string>{"('edited')"};
  }));
  EXPECT_TRUE(IsUpToDate(client->WaitUntil(IsUpToDate, 10s)));
  EXPECT_EQ(client->status().attempts, 1u);
}

TEST_F(SyncClientTodoTest, ReconnectsWithBackoffWhenTheServerComesBack) {
  const std::string db = MakeClientDb("reconnect.db");
  auto client = Start(db);
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(IsUpToDate(client->WaitUntil(IsUpToDate, 10s)));
  const uint16_t port = server_.port();

  server_.Stop();
  SyncStatus offline =
      client->WaitUntil([](const SyncStatus& s) { return s.state == SyncState::kOffline; }, 10s);
  ASSERT_EQ(offline.state, SyncState::kOffline);
  EXPECT_LE(offline.retry_in, 200ms);
  // Changes on both sides while apart.
  ASSERT_EQ(server_.Exec("INSERT INTO todo (id, title) VALUES (1, 'while down')"), "");
  AppConnection app(db);
  ASSERT_EQ(app.Exec("INSERT INTO todo (id, title) VALUES (2, 'offline write')"), "");
  std::this_thread::sleep_for(300ms);  // a few failed attempts
  const uint32_t attempts_while_down = client->status().attempts;
  EXPECT_GE(attempts_while_down, 2u);
  // 300 ms with delays of at least 10 ms (half of reconnect_min): no storm.
  EXPECT_LE(attempts_while_down, 40u);

  ASSERT_TRUE(server_.Start(port).ok());
  SyncStatus back = client->WaitUntil(IsUpToDate, 10s);
  ASSERT_EQ(back.state, SyncState::kUpToDate) << back.error.ToString();
  EXPECT_EQ(ServerCount(), "(2)");
  EXPECT_EQ(app.Count(), "2");
  EXPECT_EQ(client->progress().connections, 2u);
}

TEST_F(SyncClientTodoTest, SecondRunResumesAndTransfersOnlyNewChanges) {
  ASSERT_EQ(server_.Exec("INSERT INTO todo (id, title) VALUES (1, 'a'), (2, 'b'), (3, 'c')"), "");
  const std::string db = MakeClientDb("resume.db", "INSERT INTO todo (id, title) VALUES (10, 'x')");
  {
    auto first = Start(db);
    ASSERT_NE(first, nullptr);
    ASSERT_TRUE(IsUpToDate(first->WaitUntil(IsUpToDate, 10s)));
    EXPECT_EQ(first->progress().changes_received, 6u);
    EXPECT_EQ(first->progress().changes_sent, 2u);
  }
  ASSERT_EQ(server_.Exec("INSERT INTO todo (id, title) VALUES (4, 'd')"), "");
  {
    AppConnection app(db);
    ASSERT_EQ(app.Exec("INSERT INTO todo (id, title) VALUES (11, 'y'), (12, 'z')"), "");
  }
  auto second = Start(db);
  ASSERT_NE(second, nullptr);
  ASSERT_TRUE(IsUpToDate(second->WaitUntil(IsUpToDate, 10s)));
  EXPECT_EQ(second->progress().changes_received, 2u);  // only row 4
  EXPECT_EQ(second->progress().changes_sent, 4u);      // only rows 11 and 12
  EXPECT_EQ(ServerCount(), "(7)");
}

TEST_F(SyncClientTodoTest, UpToDateMeansTheServerCommittedALargeUpload) {
  std::string inserts = "BEGIN;";
  for (int i = 1; i <= 3000; ++i) {
    inserts += "INSERT INTO todo (id, title) VALUES (" + std::to_string(i) + ", 'row " +
               std::to_string(i) + "');";
    if (i % 500 == 0) inserts += "COMMIT; BEGIN;";  // several db_versions, several batches
  }
  inserts += "COMMIT;";
  const std::string db = MakeClientDb("big.db", inserts);
  std::string server_rows = "BEGIN;";
  for (int i = 5001; i <= 6500; ++i) {
    server_rows += "INSERT INTO todo (id, title) VALUES (" + std::to_string(i) + ", 's');";
  }
  ASSERT_EQ(server_.Exec(server_rows + "COMMIT;"), "");
  auto client = Start(db);
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(IsUpToDate(client->WaitUntil(IsUpToDate, 30s)));
  // Checked at once: the Pong after our last batch proves the server applied it.
  EXPECT_EQ(ServerCount(), "(4500)");
  AppConnection app(db);
  EXPECT_EQ(app.Count(), "4500");
  EXPECT_EQ(client->progress().changes_sent, 6000u);
  EXPECT_EQ(client->progress().changes_received, 3000u);
}

TEST_F(SyncClientTest, StopClosesTheConnectionCleanlyAndIsIdempotent) {
  const std::string db = dir_.File("empty.db");
  auto client = Start(db);
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(IsUpToDate(client->WaitUntil(IsUpToDate, 10s)));
  EXPECT_EQ(server_.open_sessions(), 1u);
  client->Stop();
  client->Stop();
  EXPECT_EQ(client->status().state, SyncState::kStopped);
  EXPECT_TRUE(WaitFor([&] { return server_.open_sessions() == 0; }));
  client->NotifyLocalChange();  // harmless after Stop
}

TEST_F(SyncClientTest, UnreachableServerIsRetriedWithBoundedBackoff) {
  server_.Stop();  // nothing listens on the port any more
  SyncOptions options = FastOptions();
  options.reconnect_min = 10ms;
  options.reconnect_max = 80ms;
  std::vector<std::chrono::milliseconds> delays;
  std::mutex mutex;
  options.on_status = [&](const SyncStatus& status) {
    std::lock_guard lock(mutex);
    if (status.state == SyncState::kOffline) delays.push_back(status.retry_in);
  };
  auto client = Start(dir_.File("retry.db"), options);
  ASSERT_NE(client, nullptr);
  EXPECT_TRUE(WaitFor([&] {
    std::lock_guard lock(mutex);
    return delays.size() >= 6;
  }));
  client->Stop();
  std::lock_guard lock(mutex);
  ASSERT_GE(delays.size(), 6u);
  for (size_t i = 0; i < delays.size(); ++i) {
    EXPECT_GE(delays[i], 5ms) << i;
    EXPECT_LE(delays[i], 80ms) << i;
  }
  EXPECT_GE(delays[5], 40ms);  // grown to the cap: [max/2, max]
}

class SyncClientAuthTest : public SyncClientTest {
 protected:
  SyncClientAuthTest() {
    TestSyncServer::Options options;
    options.required_token = "secret";
    server_with_token_ = std::make_unique<TestSyncServer>(options);
  }
  void SetUp() override { ASSERT_TRUE(server_with_token_->Start().ok()); }
  std::unique_ptr<TestSyncServer> server_with_token_;
};

TEST_F(SyncClientAuthTest, RefusedTokenIsAFatalErrorWithoutRetries) {
  SyncOptions options = FastOptions();
  options.reconnect_min = 5ms;
  options.token = "wrong";
  auto client = StartSync(dir_.File("auth.db"), server_with_token_->url(), "room", options);
  ASSERT_TRUE(client.ok());
  SyncStatus status = (*client)->WaitUntil([](const SyncStatus& s) { return s.settled(); }, 10s);
  ASSERT_EQ(status.state, SyncState::kError);
  EXPECT_EQ(status.error.code(), StatusCode::kUnauthenticated) << status.error.ToString();
  EXPECT_NE(status.error.message().find("401"), std::string::npos);
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(server_with_token_->upgrade_requests(), 1);
  EXPECT_EQ((*client)->status().attempts, 1u);
  EXPECT_EQ((*client)->status().state, SyncState::kError);
}

TEST_F(SyncClientAuthTest, RightTokenSyncs) {
  SyncOptions options = FastOptions();
  options.token = "secret";
  auto client = StartSync(dir_.File("auth-ok.db"), server_with_token_->url(), "room", options);
  ASSERT_TRUE(client.ok());
  EXPECT_TRUE(IsUpToDate((*client)->WaitUntil(IsUpToDate, 10s)));
}

class SyncClientSchemaTest : public ::testing::Test {
 protected:
  SyncClientSchemaTest() : server_(TestSyncServer::Options{std::nullopt, "todo.sql", kSchema}) {}
  void SetUp() override { ASSERT_TRUE(server_.Start().ok()); }
  TempDir dir_;
  TestSyncServer server_;
};

TEST_F(SyncClientSchemaTest, SameSchemaFileIsAppliedRecordedAndSyncs) {
  ASSERT_EQ(server_.Exec("INSERT INTO todo (id, title) VALUES (1, 'hello')"), "");
  SyncOptions options = FastOptions();
  options.schema_file = dir_.Write("todo.sql", kSchema);
  const std::string db = dir_.File("schema.db");
  auto client = StartSync(db, server_.url(), "room", options);
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  ASSERT_TRUE(IsUpToDate((*client)->WaitUntil(IsUpToDate, 10s)));
  AppConnection app(db);
  EXPECT_EQ(app.Rows(), std::vector<std::string>{"(1, 'hello')"});
  test::TestDb check(db);
  EXPECT_EQ(check.One("SELECT value FROM crsql_master WHERE key = 'schema_name'"), "'todo.sql'");
  EXPECT_EQ(check.One("SELECT value FROM crsql_master WHERE key = 'schema_version'"),
            std::to_string(Cryb64(std::string_view(kSchema))));
}

TEST_F(SyncClientSchemaTest, SchemaMismatchIsAFatalErrorWithoutRetries) {
  SyncOptions options = FastOptions();
  options.reconnect_min = 5ms;
  options.schema_file = dir_.Write(
      "todo.sql", std::string(kSchema) + "CREATE TABLE IF NOT EXISTS extra (id PRIMARY KEY);\n");
  auto client = StartSync(dir_.File("mismatch.db"), server_.url(), "room", options);
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  SyncStatus status = (*client)->WaitUntil([](const SyncStatus& s) { return s.settled(); }, 10s);
  ASSERT_EQ(status.state, SyncState::kError);
  EXPECT_EQ(status.error.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(status.error.message().find("schema"), std::string::npos) << status.error.message();
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(server_.upgrade_requests(), 1);
}

TEST(StartSyncTest, RefusesBadInputClearly) {
  TempDir dir;
  const std::string db = dir.File("x.db");
  EXPECT_EQ(StartSync(db, "http//nope", "room").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(StartSync(db, "ws://127.0.0.1:1/sync", "").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(StartSync(db, "ws://127.0.0.1:1/sync", "a,b").status().code(),
            StatusCode::kInvalidArgument);
  SyncOptions options;
  options.token = "€";
  EXPECT_EQ(StartSync(db, "ws://127.0.0.1:1/sync", "room", options).status().code(),
            StatusCode::kInvalidArgument);
  SyncOptions missing_schema;
  missing_schema.schema_file = dir.File("missing.sql");
  EXPECT_EQ(StartSync(db, "ws://127.0.0.1:1/sync", "room", missing_schema).status().code(),
            StatusCode::kNotFound);
  SyncOptions zero_poll;
  zero_poll.poll_interval = 0ms;
  EXPECT_EQ(StartSync(db, "ws://127.0.0.1:1/sync", "room", zero_poll).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(
      StartSync(dir.File("no/such/dir/x.db"), "ws://127.0.0.1:1/sync", "room").status().code(),
      StatusCode::kInternal);
  EXPECT_TRUE(ValidateSyncTarget("wss://example.com/sync?x=1", "room", "tok").ok());
}

}  // namespace
}  // namespace crsync::client::testing

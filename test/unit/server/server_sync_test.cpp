// crsync-server end to end, in process: real sync clients (SyncClient: net + wslink + sync
// Session + SqliteStore) against server::Server on 127.0.0.1 port 0 — convergence, room
// isolation, persistence across restarts, in-memory rooms, schema refusals, group commit.
#include <gtest/gtest.h>

#include <filesystem>

#include "unit/server/server_test_util.h"

namespace crsync::server::testing {
namespace {

constexpr const char* kTodos = "SELECT id, text, completed FROM todo ORDER BY id";

class ServerSyncTest : public ::testing::Test {
 protected:
  void StartServer(const std::string& db_folder = "") {
    ServerOptions options = TestServerOptions(schemas_.path());
    options.db_folder = db_folder;
    server_ = std::make_unique<Server>(options);
    ASSERT_TRUE(server_->Start().ok());
  }

  SchemaDir schemas_;
  net::EventLoop client_loop_{2};
  std::unique_ptr<Server> server_;
};

TEST_F(ServerSyncTest, ThreeClientsInOneRoomConverge) {
  StartServer();
  SyncClient a(client_loop_), b(client_loop_), c(client_loop_);
  for (SyncClient* client : {&a, &b, &c}) {
    ASSERT_TRUE(client->Connect(server_->port(), "room-1").ok());
    ASSERT_TRUE(client->WaitState(sync::SessionState::kStreaming));
  }
  a.Exec("INSERT INTO todo (id, text) VALUES (1, 'from a')");
  b.Exec("INSERT INTO todo (id, text) VALUES (2, 'from b')");
  c.Exec("INSERT INTO todo (id, text) VALUES (3, 'from c')");
  // c edits a's row once it has it (an UPDATE of a row c has not received yet changes nothing).
  ASSERT_TRUE(WaitUntil([&] { return c.Query("SELECT id FROM todo WHERE id = 1").size() == 1; },
                        10s));
  c.Exec("UPDATE todo SET completed = 1 WHERE id = 1");
  const std::vector<std::string> expected = {"(1, 'from a', 1)", "(2, 'from b', 0)",
                                             "(3, 'from c', 0)"};
  for (SyncClient* client : {&a, &b, &c}) EXPECT_TRUE(client->WaitRows(kTodos, expected));
}

TEST_F(ServerSyncTest, RoomsAreIsolated) {
  StartServer();
  SyncClient a(client_loop_), b(client_loop_), other(client_loop_);
  ASSERT_TRUE(a.Connect(server_->port(), "left").ok());
  ASSERT_TRUE(b.Connect(server_->port(), "left").ok());
  ASSERT_TRUE(other.Connect(server_->port(), "right").ok());
  for (SyncClient* client : {&a, &b, &other}) {
    ASSERT_TRUE(client->WaitState(sync::SessionState::kStreaming));
  }
  other.Exec("INSERT INTO todo (id, text) VALUES (9, 'right only')");
  a.Exec("INSERT INTO todo (id, text) VALUES (1, 'left only')");
  EXPECT_TRUE(b.WaitRows(kTodos, {"(1, 'left only', 0)"}));
  // By the time b has a's row, a's own connection has long been served too: had 'right' leaked
  // into 'left', a would have it as well.
  EXPECT_TRUE(a.WaitRows(kTodos, {"(1, 'left only', 0)"}));
  EXPECT_EQ((std::vector<std::string>{"(9, 'right only', 0)"}), other.Query(kTodos));
}

TEST_F(ServerSyncTest, FileRoomsSurviveARestartAndMemoryRoomsDoNot) {
  TempDir dbs;
  StartServer(dbs.path().string());
  {
    SyncClient writer(client_loop_);
    ASSERT_TRUE(writer.Connect(server_->port(), "durable").ok());
    ASSERT_TRUE(writer.WaitState(sync::SessionState::kStreaming));
    writer.Exec("INSERT INTO todo (id, text) VALUES (1, 'kept')");
    // A second client seeing the row proves the server committed it.
    SyncClient witness(client_loop_);
    ASSERT_TRUE(witness.Connect(server_->port(), "durable").ok());
    EXPECT_TRUE(witness.WaitRows(kTodos, {"(1, 'kept', 0)"}));
  }
  server_->Stop();
  EXPECT_TRUE(std::filesystem::is_regular_file(dbs.path() / "durable"));
  StartServer(dbs.path().string());
  SyncClient fresh(client_loop_);
  ASSERT_TRUE(fresh.Connect(server_->port(), "durable").ok());
  EXPECT_TRUE(fresh.WaitRows(kTodos, {"(1, 'kept', 0)"}));
  server_->Stop();

  // Without a db folder the room is gone once its last client left.
  StartServer();
  {
    SyncClient writer(client_loop_);
    ASSERT_TRUE(writer.Connect(server_->port(), "ephemeral").ok());
    ASSERT_TRUE(writer.WaitState(sync::SessionState::kStreaming));
    writer.Exec("INSERT INTO todo (id, text) VALUES (1, 'lost')");
    SyncClient witness(client_loop_);
    ASSERT_TRUE(witness.Connect(server_->port(), "ephemeral").ok());
    ASSERT_TRUE(witness.WaitRows(kTodos, {"(1, 'lost', 0)"}));
  }
  ASSERT_TRUE(WaitUntil([&] {
    return server_->MetricsText().find("\ncrsync_rooms_open 0\n") != std::string::npos;
  }));
  SyncClient later(client_loop_);
  ASSERT_TRUE(later.Connect(server_->port(), "ephemeral").ok());
  ASSERT_TRUE(later.WaitState(sync::SessionState::kStreaming));
  EXPECT_TRUE(later.Query(kTodos).empty());
}

TEST_F(ServerSyncTest, ReconnectingClientResumesAndCatchesUp) {
  StartServer();
  SyncClient a(client_loop_), b(client_loop_);
  ASSERT_TRUE(a.Connect(server_->port(), "resume").ok());
  ASSERT_TRUE(b.Connect(server_->port(), "resume").ok());
  a.Exec("INSERT INTO todo (id, text) VALUES (1, 'one')");
  ASSERT_TRUE(b.WaitRows(kTodos, {"(1, 'one', 0)"}));
  b.Disconnect();
  a.Exec("INSERT INTO todo (id, text) VALUES (2, 'two')");
  b.Exec("INSERT INTO todo (id, text) VALUES (3, 'offline')");
  ASSERT_TRUE(b.Connect(server_->port(), "resume").ok());
  const std::vector<std::string> all = {"(1, 'one', 0)", "(2, 'two', 0)", "(3, 'offline', 0)"};
  EXPECT_TRUE(b.WaitRows(kTodos, all));
  EXPECT_TRUE(a.WaitRows(kTodos, all));
}

TEST_F(ServerSyncTest, SchemaMismatchAndUnknownSchemaAreRefusedWithAReason) {
  StartServer();
  SyncClient old_version(client_loop_, kTodoSchemaName,
                         "CREATE TABLE todo (id PRIMARY KEY NOT NULL, text);"
                         "SELECT crsql_as_crr('todo');");
  ASSERT_TRUE(old_version.Connect(server_->port(), "schemas").ok());
  ASSERT_TRUE(old_version.WaitState(sync::SessionState::kClosed));
  EXPECT_EQ(StatusCode::kFailedPrecondition, old_version.close_status().code());
  EXPECT_NE(std::string::npos, old_version.close_status().message().find("1008: schema mismatch"))
      << old_version.close_status().ToString();

  SyncClient unknown(client_loop_, "nope.sql", kTodoSchema);
  ASSERT_TRUE(unknown.Connect(server_->port(), "schemas").ok());
  ASSERT_TRUE(unknown.WaitState(sync::SessionState::kClosed));
  EXPECT_NE(std::string::npos, unknown.close_status().message().find("unknown schema 'nope.sql'"))
      << unknown.close_status().ToString();

  // The failed attempts did not poison the room (D6): the right schema still works.
  SyncClient right(client_loop_);
  ASSERT_TRUE(right.Connect(server_->port(), "schemas").ok());
  EXPECT_TRUE(right.WaitState(sync::SessionState::kStreaming));
}

TEST_F(ServerSyncTest, SchemaChangeOnDiskMigratesAnIdleRoom) {
  TempDir dbs;
  StartServer(dbs.path().string());
  {
    SyncClient v1(client_loop_);
    ASSERT_TRUE(v1.Connect(server_->port(), "migrating").ok());
    ASSERT_TRUE(v1.WaitState(sync::SessionState::kStreaming));
    v1.Exec("INSERT INTO todo (id, text) VALUES (1, 'before')");
    SyncClient witness(client_loop_);
    ASSERT_TRUE(witness.Connect(server_->port(), "migrating").ok());
    ASSERT_TRUE(witness.WaitRows(kTodos, {"(1, 'before', 0)"}));
  }
  const std::string v2 =
      "CREATE TABLE IF NOT EXISTS todo (id PRIMARY KEY NOT NULL, text, "
      "completed INTEGER NOT NULL DEFAULT 0, due TEXT);\n"
      "SELECT crsql_as_crr('todo');\n";
  schemas_.Write(kTodoSchemaName, v2);
  SyncClient client_v2(client_loop_, kTodoSchemaName, v2);
  ASSERT_TRUE(client_v2.Connect(server_->port(), "migrating").ok());
  EXPECT_TRUE(client_v2.WaitRows(kTodos, {"(1, 'before', 0)"}));
  EXPECT_EQ(sync::SessionState::kStreaming, client_v2.state());
}

TEST_F(ServerSyncTest, ConcurrentWritersAllArrive) {
  StartServer();
  constexpr int kClients = 4;
  constexpr int kRowsEach = 25;
  std::vector<std::unique_ptr<SyncClient>> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<SyncClient>(client_loop_));
    ASSERT_TRUE(clients.back()->Connect(server_->port(), "busy").ok());
    ASSERT_TRUE(clients.back()->WaitState(sync::SessionState::kStreaming));
  }
  for (int row = 0; row < kRowsEach; ++row) {
    for (int i = 0; i < kClients; ++i) {
      const int id = i * 1000 + row;
      clients[i]->Exec("INSERT INTO todo (id, text) VALUES (" + std::to_string(id) + ", 'x')");
    }
  }
  const std::vector<std::string> count = {"(" + std::to_string(kClients * kRowsEach) + ")"};
  for (auto& client : clients) EXPECT_TRUE(client->WaitRows("SELECT count(*) FROM todo", count));
}

}  // namespace
}  // namespace crsync::server::testing

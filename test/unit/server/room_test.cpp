// Room: group commit and fan-out, made deterministic by holding the room's strand while the
// messages of two connections queue up behind it. The connections are fakes (net::WsConnection
// recording what the room sends); the messages are real ones pulled from two client databases.
#include "server/room.h"

#include <gtest/gtest.h>

#include <functional>
#include <future>
#include <mutex>

#include "protocol/codec.h"
#include "server/room_registry.h"
#include "unit/server/server_test_util.h"

namespace crsync::server::testing {
namespace {

class FakeConnection final : public net::WsConnection {
 public:
  bool Send(net::Payload payload) override {
    std::lock_guard<std::mutex> lock(mutex_);
    sent_.push_back(*payload);
    return true;
  }
  void Close(std::uint16_t code, std::string reason) override {
    std::lock_guard<std::mutex> lock(mutex_);
    if (close_code_ == 0) close_code_ = code;  // like WsConnection: later Close calls do nothing
  }
  std::size_t queued_bytes() const override { return 0; }
  bool congested() const override { return false; }
  const std::string& subprotocol() const override { return subprotocol_; }
  const std::string& remote_address() const override { return address_; }

  // Decoded messages sent so far.
  std::vector<protocol::Message> messages() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<protocol::Message> out;
    for (const auto& bytes : sent_) out.push_back(protocol::Decode(bytes).value());
    return out;
  }
  int close_code() {
    std::lock_guard<std::mutex> lock(mutex_);
    return close_code_;
  }

 private:
  std::mutex mutex_;
  std::vector<std::vector<uint8_t>> sent_;
  int close_code_ = 0;
  std::string subprotocol_ = "x";
  std::string address_ = "127.0.0.1:1";
};

// A client database with rows rows, each inserted in its own transaction, as Changes messages
// of one db_version each, chained the way a client sends them.
std::vector<protocol::Changes> ClientBatches(int first_id, int rows, SiteId* site) {
  test::TestDb db;
  EXPECT_EQ("", db.Exec(kTodoSchema));
  auto store = std::move(sync::SqliteStore::Open(db.db())).value();
  for (int i = 0; i < rows; ++i) {
    EXPECT_EQ("", db.Exec("INSERT INTO todo (id, text) VALUES (" + std::to_string(first_id + i) +
                          ", 'row')"));
  }
  *site = store->site_id();
  std::vector<protocol::Changes> batches;
  protocol::Cursor since;
  for (int i = 0; i < rows; ++i) {
    sync::PullRequest request;
    request.since_db_version = since.db_version;
    request.max_changes = 1;
    auto pulled = std::move(store->PullChanges(request)).value();
    protocol::Changes message{*site, since, pulled.changes};
    since = {pulled.changes.back().db_version, 0};
    batches.push_back(std::move(message));
  }
  store.reset();
  return batches;
}

// A room "group" with two fake connections that have announced (each got its StartStreaming),
// and each client's kRows single-row batches ready to send.
class TwoPeerRoom {
 public:
  static constexpr int kRows = 10;

  // durable: the room's database is a file in db_folder() (else in memory).
  explicit TwoPeerRoom(bool durable = false)
      : loop_(2), metrics_(registry_), rooms_(loop_, Services(durable)) {
    batches_[0] = ClientBatches(0, kRows, &sites_[0]);
    batches_[1] = ClientBatches(100, kRows, &sites_[1]);
    for (int i = 0; i < 2; ++i) {
      room_ = rooms_.Acquire("group");
      connections_[i] = std::make_shared<FakeConnection>();
      auto transport = std::make_shared<wslink::WsTransport>(
          connections_[i], [strand = room_->strand()](std::function<void()> task) {
            strand->Post(std::move(task));
          });
      handlers_[i] = transport->Handlers();
      room_->strand()->Post([room = room_, transport] { room->AddPeer(transport, false); });
      protocol::AnnouncePresence announce{sites_[i], {}, kTodoSchemaName,
                                          Cryb64(std::string_view(kTodoSchema))};
      const std::vector<uint8_t> bytes = protocol::Encode(announce);
      handlers_[i].on_message(bytes, false);
    }
  }
  ~TwoPeerRoom() { loop_.Stop(); }

  // Waits for both StartStreaming messages.
  bool Streaming() {
    return WaitUntil([&] {
      return connections_[0]->messages().size() == 1 && connections_[1]->messages().size() == 1;
    });
  }

  // Runs task on the room's strand, then holds the strand while every batch of both peers is
  // delivered, so that they all queue up behind it; then lets go.
  void SendAllBehindGate(std::function<void()> task = nullptr) {
    std::promise<void> gate;
    std::shared_future<void> opened = gate.get_future().share();
    room_->strand()->Post([opened, task = std::move(task)] {
      if (task) task();
      opened.wait_for(std::chrono::seconds(10));
    });
    for (int n = 0; n < kRows; ++n) {
      for (int i = 0; i < 2; ++i) {
        const std::vector<uint8_t> bytes = protocol::Encode(batches_[i][n]);
        handlers_[i].on_message(bytes, false);
      }
    }
    gate.set_value();
  }

  // Runs f on the room's strand and returns its result.
  template <typename F>
  auto OnStrand(F f) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto result = task.get_future();
    room_->strand()->Post([&task] { task(); });
    return result.get();
  }

  void CloseAll() {
    for (auto& handler : handlers_) handler.on_close(net::WsCloseInfo{1000, "", false});
  }

  ServerMetrics& metrics() { return metrics_; }
  RoomRegistry& rooms() { return rooms_; }
  Room& room() { return *room_; }
  FakeConnection& connection(int i) { return *connections_[i]; }
  std::vector<protocol::Changes>& batches(int i) { return batches_[i]; }
  std::string db_folder() const { return dbs_.path().string(); }

  // Rows of todo in the durable room's file, read with plain SQLite after the room closed
  // (-1 when the file cannot be read).
  int64_t StoredTodoRows() const {
    sqlite3* file = nullptr;
    int64_t rows = -1;
    if (sqlite3_open_v2((db_folder() + "/group").c_str(), &file, SQLITE_OPEN_READONLY,
                        nullptr) == SQLITE_OK) {
      sqlite3_stmt* stmt = nullptr;
      if (sqlite3_prepare_v2(file, "SELECT count(*) FROM todo", -1, &stmt, nullptr) ==
              SQLITE_OK &&
          sqlite3_step(stmt) == SQLITE_ROW) {
        rows = sqlite3_column_int64(stmt, 0);
      }
      sqlite3_finalize(stmt);
    }
    sqlite3_close(file);
    return rows;
  }

 private:
  const RoomServices& Services(bool durable) {
    services_.schemas = SchemaFolder(schemas_.path());
    if (durable) services_.db_folder = dbs_.path().string();
    services_.metrics = &metrics_;
    return services_;
  }

  SchemaDir schemas_;
  TempDir dbs_;
  net::EventLoop loop_;
  MetricsRegistry registry_;
  ServerMetrics metrics_;
  RoomServices services_;
  RoomRegistry rooms_;
  SiteId sites_[2];
  std::vector<protocol::Changes> batches_[2];
  std::shared_ptr<FakeConnection> connections_[2];
  net::WsHandlers handlers_[2];
  std::shared_ptr<Room> room_;
};

TEST(Room, MessagesQueuedTogetherShareOneCommitAndEachPeerGetsOnePull) {
  constexpr int kRows = TwoPeerRoom::kRows;
  TwoPeerRoom t;
  ASSERT_TRUE(t.Streaming());
  t.SendAllBehindGate();
  ASSERT_TRUE(WaitUntil([&] { return t.metrics().batches_applied.value() == 2 * kRows; }));
  ASSERT_TRUE(WaitUntil([&] { return t.metrics().group_commits.value() == 1; }));
  EXPECT_EQ(2u * kRows * 2, t.metrics().changes_in.value());
  // Fan-out: each peer gets the other's 2 * kRows changes in one coalesced pull.
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(WaitUntil([&] { return t.connection(i).messages().size() == 2; })) << i;
    const std::vector<protocol::Message> sent = t.connection(i).messages();
    const auto& changes = std::get<protocol::Changes>(sent[1]);
    EXPECT_EQ(2u * kRows, changes.changes.size());
    EXPECT_EQ(0, t.connection(i).close_code());
  }
  EXPECT_EQ(1u, t.metrics().group_commits.value());
  t.CloseAll();
  ASSERT_TRUE(WaitUntil([&] { return t.rooms().size() == 0; }));
  EXPECT_EQ(0, t.metrics().rooms_open.value());
}

// A group whose COMMIT fails (forced with a commit hook that vetoes it): the group is rolled
// back, nothing of it is stored or sent, every session that had a batch in it is closed with
// 1011 (their cursors are ahead of the disk; they reconnect and resend), the failure is counted.
TEST(Room, FailedGroupCommitRollsBackAndClosesItsSessions) {
  TwoPeerRoom t(/*durable=*/true);
  ASSERT_TRUE(t.Streaming());
  sqlite3* db = t.OnStrand([&] { return t.room().store().db(); });
  t.SendAllBehindGate([db] {
    sqlite3_commit_hook(db, [](void*) { return 1; }, nullptr);  // every COMMIT now fails
  });
  ASSERT_TRUE(WaitUntil([&] {
    return t.connection(0).close_code() == 1011 && t.connection(1).close_code() == 1011;
  })) << t.connection(0).close_code() << " " << t.connection(1).close_code();
  EXPECT_EQ(0u, t.metrics().group_commits.value());
  // Nothing uncommitted was fanned out: each peer got only its StartStreaming.
  for (int i = 0; i < 2; ++i) EXPECT_EQ(1u, t.connection(i).messages().size()) << i;
  // Both sessions gone: the room closes its database; the file holds none of the group's rows.
  ASSERT_TRUE(WaitUntil([&] { return t.metrics().rooms_open.value() == 0; }));
  EXPECT_EQ(0, t.StoredTodoRows());
}

// A batch that fails inside a group (an unknown table) fails only its own session: the group
// is rolled back and redone without it, so the other peer's batches and the failing peer's
// earlier ones are committed and fanned out, and nothing of the bad batch is stored.
TEST(Room, FailedBatchIsTakenOutOfItsGroup) {
  constexpr int kRows = TwoPeerRoom::kRows;
  constexpr int kBad = 5;
  TwoPeerRoom t(/*durable=*/true);
  ASSERT_TRUE(t.Streaming());
  t.batches(0)[kBad].changes.back().table = "no_such_table";
  t.SendAllBehindGate();
  ASSERT_TRUE(WaitUntil([&] { return t.connection(0).close_code() != 0; }));
  ASSERT_TRUE(WaitUntil([&] { return t.metrics().group_commits.value() >= 1; }));
  EXPECT_EQ(1u, t.metrics().group_redos.value());
  EXPECT_EQ(0, t.connection(1).close_code());
  // Peer 1 receives exactly the changes of peer 0's batches before the bad one.
  ASSERT_TRUE(WaitUntil([&] {
    size_t changes = 0;
    for (const auto& m : t.connection(1).messages()) {
      if (auto* c = std::get_if<protocol::Changes>(&m)) changes += c->changes.size();
    }
    size_t expected = 0;
    for (int n = 0; n < kBad; ++n) expected += t.batches(0)[n].changes.size();
    return changes == expected;
  }));
  t.CloseAll();
  ASSERT_TRUE(WaitUntil([&] { return t.metrics().rooms_open.value() == 0; }));
  EXPECT_EQ(kRows + kBad, t.StoredTodoRows());
}

}  // namespace
}  // namespace crsync::server::testing

// Room: group commit and fan-out, made deterministic by holding the room's strand while the
// messages of two connections queue up behind it. The connections are fakes (net::WsConnection
// recording what the room sends); the messages are real ones pulled from two client databases.
#include "server/room.h"

#include <gtest/gtest.h>

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
    close_code_ = code;
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

TEST(Room, MessagesQueuedTogetherShareOneCommitAndEachPeerGetsOnePull) {
  SchemaDir schemas;
  net::EventLoop loop(2);
  MetricsRegistry registry;
  ServerMetrics metrics(registry);
  RoomServices services;
  services.schemas = SchemaFolder(schemas.path());
  services.metrics = &metrics;
  RoomRegistry rooms(loop, services);

  constexpr int kRows = 10;
  SiteId sites[2];
  std::vector<protocol::Changes> batches[2] = {ClientBatches(0, kRows, &sites[0]),
                                               ClientBatches(100, kRows, &sites[1])};
  std::shared_ptr<FakeConnection> connections[2];
  net::WsHandlers handlers[2];
  std::shared_ptr<Room> room;
  for (int i = 0; i < 2; ++i) {
    room = rooms.Acquire("group");
    connections[i] = std::make_shared<FakeConnection>();
    auto transport = std::make_shared<wslink::WsTransport>(
        connections[i], [strand = room->strand()](std::function<void()> task) {
          strand->Post(std::move(task));
        });
    handlers[i] = transport->Handlers();
    room->strand()->Post([room, transport] { room->AddPeer(transport, false); });
    protocol::AnnouncePresence announce{sites[i], {}, kTodoSchemaName,
                                        Cryb64(std::string_view(kTodoSchema))};
    const std::vector<uint8_t> bytes = protocol::Encode(announce);
    handlers[i].on_message(bytes, false);
  }
  ASSERT_TRUE(WaitUntil([&] {
    return connections[0]->messages().size() == 1 && connections[1]->messages().size() == 1;
  }));  // StartStreaming each

  std::promise<void> gate;
  std::shared_future<void> opened = gate.get_future().share();
  room->strand()->Post([opened] { opened.wait_for(std::chrono::seconds(10)); });
  for (int n = 0; n < kRows; ++n) {
    for (int i = 0; i < 2; ++i) {
      const std::vector<uint8_t> bytes = protocol::Encode(batches[i][n]);
      handlers[i].on_message(bytes, false);
    }
  }
  gate.set_value();
  ASSERT_TRUE(WaitUntil([&] { return metrics.batches_applied.value() == 2 * kRows; }));
  ASSERT_TRUE(WaitUntil([&] { return metrics.group_commits.value() == 1; }));
  EXPECT_EQ(2u * kRows * 2, metrics.changes_in.value());
  // Fan-out: each peer gets the other's 2 * kRows changes in one coalesced pull.
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(WaitUntil([&] { return connections[i]->messages().size() == 2; })) << i;
    const std::vector<protocol::Message> sent = connections[i]->messages();
    const auto& changes = std::get<protocol::Changes>(sent[1]);
    EXPECT_EQ(2u * kRows, changes.changes.size());
    EXPECT_EQ(0, connections[i]->close_code());
  }
  EXPECT_EQ(1u, metrics.group_commits.value());
  for (auto& handler : handlers) handler.on_close(net::WsCloseInfo{1000, "", false});
  ASSERT_TRUE(WaitUntil([&] { return rooms.size() == 0; }));
  EXPECT_EQ(0, metrics.rooms_open.value());
  loop.Stop();
}

}  // namespace
}  // namespace crsync::server::testing

// Tests of the in-memory transport pair (src/sync/memory_transport.cpp): ordered delivery,
// buffered bytes, drain notification, close after queued data, and a simulated lost link.
#include "sync/memory_transport.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace crsync::sync {
namespace {

struct Recorder : TransportListener {
  void OnMessage(std::span<const uint8_t> message) override {
    messages.emplace_back(message.begin(), message.end());
  }
  void OnDrained() override { ++drained; }
  void OnClosed(int code, std::string_view reason) override {
    closes.push_back(std::to_string(code) + ":" + std::string(reason));
  }
  std::vector<std::vector<uint8_t>> messages;
  int drained = 0;
  std::vector<std::string> closes;
};

TEST(MemoryTransport, DeliversInOrderAndCountsBufferedBytes) {
  MemoryTransportPair pair;
  Recorder a, b;
  pair.a().set_listener(&a);
  pair.b().set_listener(&b);
  EXPECT_TRUE(pair.a().Send({1, 2, 3}));
  EXPECT_TRUE(pair.a().Send({4}));
  EXPECT_EQ(4u, pair.a().BufferedBytes());
  EXPECT_TRUE(b.messages.empty());  // nothing moves on its own
  EXPECT_TRUE(pair.a().DeliverOne());
  EXPECT_EQ(1u, pair.a().BufferedBytes());
  EXPECT_EQ(0, a.drained);
  EXPECT_TRUE(pair.a().DeliverOne());
  EXPECT_EQ(1, a.drained);  // the outbox emptied
  EXPECT_FALSE(pair.a().DeliverOne());
  EXPECT_EQ((std::vector<std::vector<uint8_t>>{{1, 2, 3}, {4}}), b.messages);
  EXPECT_EQ(2u, pair.a().messages_sent());
  EXPECT_EQ(4u, pair.a().bytes_sent());
}

TEST(MemoryTransport, CloseFollowsQueuedData) {
  MemoryTransportPair pair;
  Recorder a, b;
  pair.a().set_listener(&a);
  pair.b().set_listener(&b);
  pair.a().Send({9});
  pair.a().Close(1008, "no");
  pair.a().Close(1000, "ignored");
  EXPECT_FALSE(pair.a().Send({10}));
  EXPECT_TRUE(pair.a().open());
  EXPECT_TRUE(a.closes.empty());  // never from inside Close
  EXPECT_EQ(2u, pair.DeliverAll());
  EXPECT_EQ(1u, b.messages.size());
  EXPECT_EQ((std::vector<std::string>{"1008:no"}), a.closes);
  EXPECT_EQ((std::vector<std::string>{"1008:no"}), b.closes);
  EXPECT_FALSE(pair.a().open());
  EXPECT_FALSE(pair.b().open());
  EXPECT_FALSE(pair.b().Send({1}));
  EXPECT_EQ(1008, pair.b().close_code());
}

TEST(MemoryTransport, CloseReasonIsCapped) {
  MemoryTransportPair pair;
  pair.a().Close(1000, std::string(300, 'r'));
  EXPECT_EQ(kMaxCloseReasonBytes, pair.a().outbox().back().close_reason.size());
}

TEST(MemoryTransport, DisconnectDropsEverything) {
  MemoryTransportPair pair;
  Recorder a, b;
  pair.a().set_listener(&a);
  pair.b().set_listener(&b);
  pair.a().Send({1});
  pair.b().Send({2});
  pair.Disconnect();
  EXPECT_EQ(0u, pair.DeliverAll());
  EXPECT_TRUE(a.messages.empty());
  EXPECT_TRUE(b.messages.empty());
  EXPECT_EQ((std::vector<std::string>{"1006:"}), a.closes);
  EXPECT_EQ((std::vector<std::string>{"1006:"}), b.closes);
  pair.Disconnect();  // idempotent
  EXPECT_EQ(1u, a.closes.size());
}

}  // namespace
}  // namespace crsync::sync

// Tests for net/connection_tracker.h: registration, shutdown fan-out, waiting for the set to
// empty, and that entries of destroyed connections do not block the wait.
#include "net/connection_tracker.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace crsync::net::internal {
namespace {

using namespace std::chrono_literals;

class FakeConnection : public Trackable {
 public:
  explicit FakeConnection(ConnectionTracker* tracker) : tracker_(tracker) {}
  void Shutdown() override { ++shutdowns; }
  void Terminate() override {
    ++terminates;
    tracker_->Remove(this);
  }
  std::atomic<int> shutdowns{0};
  std::atomic<int> terminates{0};

 private:
  ConnectionTracker* tracker_;
};

TEST(ConnectionTrackerTest, AddRemoveAndSize) {
  ConnectionTracker tracker;
  auto a = std::make_shared<FakeConnection>(&tracker);
  auto b = std::make_shared<FakeConnection>(&tracker);
  EXPECT_TRUE(tracker.Add(a));
  EXPECT_TRUE(tracker.Add(b));
  EXPECT_EQ(tracker.size(), 2u);
  tracker.Remove(a.get());
  tracker.Remove(a.get());  // idempotent
  EXPECT_EQ(tracker.size(), 1u);
}

TEST(ConnectionTrackerTest, ShutdownAllThenAddReportsStopping) {
  ConnectionTracker tracker;
  auto a = std::make_shared<FakeConnection>(&tracker);
  tracker.Add(a);
  tracker.ShutdownAll();
  EXPECT_EQ(a->shutdowns.load(), 1);
  EXPECT_TRUE(tracker.stopping());
  auto late = std::make_shared<FakeConnection>(&tracker);
  EXPECT_FALSE(tracker.Add(late));
  EXPECT_EQ(tracker.size(), 2u);  // still tracked, so Stop waits for it
}

TEST(ConnectionTrackerTest, WaitEmptyReturnsWhenTheLastOneLeaves) {
  ConnectionTracker tracker;
  auto a = std::make_shared<FakeConnection>(&tracker);
  tracker.Add(a);
  EXPECT_FALSE(tracker.WaitEmpty(std::chrono::steady_clock::now() + 10ms));
  std::thread leaver([&] {
    std::this_thread::sleep_for(20ms);
    tracker.Remove(a.get());
  });
  EXPECT_TRUE(tracker.WaitEmpty(std::chrono::steady_clock::now() + 5s));
  leaver.join();
}

TEST(ConnectionTrackerTest, TerminateAllAndExpiredEntries) {
  ConnectionTracker tracker;
  auto a = std::make_shared<FakeConnection>(&tracker);
  tracker.Add(a);
  {
    auto gone = std::make_shared<FakeConnection>(&tracker);
    tracker.Add(gone);
  }  // destroyed without Remove: must not block WaitEmpty
  tracker.TerminateAll();
  EXPECT_EQ(a->terminates.load(), 1);
  EXPECT_TRUE(tracker.WaitEmpty(std::chrono::steady_clock::now() + 1s));
}

}  // namespace
}  // namespace crsync::net::internal

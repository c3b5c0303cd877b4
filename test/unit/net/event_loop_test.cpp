// Tests for net/event_loop.h: Post, strands serialise, Timer fires / cancels, exceptions in
// posted work do not kill the loop.
#include "net/event_loop.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>

#include "unit/net/net_test_util.h"

namespace crsync::net {
namespace {

using namespace std::chrono_literals;
using testing::WaitUntil;

TEST(EventLoopTest, PostRunsOnALoopThread) {
  EventLoop loop(2);
  std::promise<bool> on_loop;
  loop.Post([&] { on_loop.set_value(loop.RunningInThisThread()); });
  EXPECT_TRUE(on_loop.get_future().get());
  EXPECT_FALSE(loop.RunningInThisThread());
}

TEST(EventLoopTest, StrandRunsOneAtATimeInOrder) {
  EventLoop loop(4);
  auto strand = loop.MakeStrand();
  std::atomic<int> inside{0};
  std::atomic<bool> overlap{false};
  std::vector<int> order;
  constexpr int kCount = 2000;
  for (int i = 0; i < kCount; ++i) {
    strand->Post([&, i] {
      if (inside.fetch_add(1) != 0) overlap = true;
      order.push_back(i);
      inside.fetch_sub(1);
    });
  }
  std::promise<void> done;
  strand->Post([&] { done.set_value(); });
  done.get_future().wait();
  EXPECT_FALSE(overlap.load());
  ASSERT_EQ(order.size(), static_cast<size_t>(kCount));
  for (int i = 0; i < kCount; ++i) EXPECT_EQ(order[i], i);
}

TEST(EventLoopTest, DispatchRunsInlineOnTheStrand) {
  EventLoop loop(1);
  auto strand = loop.MakeStrand();
  std::promise<std::vector<int>> result;
  strand->Post([&] {
    std::vector<int> steps{1};
    strand->Dispatch([&] { steps.push_back(2); });  // inline
    steps.push_back(3);
    result.set_value(steps);
  });
  EXPECT_EQ(result.get_future().get(), (std::vector<int>{1, 2, 3}));
}

TEST(EventLoopTest, TimerFiresAndCancels) {
  EventLoop loop(1);
  auto strand = loop.MakeStrand();
  std::atomic<int> fired{0};
  std::unique_ptr<Timer> timer;
  std::unique_ptr<Timer> cancelled;
  strand->Post([&] {
    timer = std::make_unique<Timer>(strand);
    cancelled = std::make_unique<Timer>(strand);
    timer->Start(10ms, [&] { fired += 1; });
    cancelled->Start(10ms, [&] { fired += 100; });
    cancelled->Cancel();
  });
  EXPECT_TRUE(WaitUntil([&] { return fired.load() != 0; }));
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(fired.load(), 1);
  std::promise<void> destroyed;
  strand->Post([&] {
    timer.reset();
    cancelled.reset();
    destroyed.set_value();
  });
  destroyed.get_future().wait();
}

TEST(EventLoopTest, ExceptionsDoNotStopTheLoop) {
  EventLoop loop(1);
  loop.Post([] { throw std::runtime_error("test exception (expected on stderr)"); });
  std::promise<void> after;
  loop.Post([&] { after.set_value(); });
  EXPECT_EQ(after.get_future().wait_for(5s), std::future_status::ready);
}

TEST(EventLoopTest, StopIsIdempotent) {
  EventLoop loop(2);
  loop.Stop();
  loop.Stop();
}

}  // namespace
}  // namespace crsync::net

// Tests of CaughtUpDetector: each rule of the up-to-date decision with a hand-driven clock.
#include "client/caught_up_detector.h"

#include <gtest/gtest.h>

namespace crsync::client {
namespace {

using namespace std::chrono_literals;
using Clock = CaughtUpDetector::Clock;

class CaughtUpDetectorTest : public ::testing::Test {
 protected:
  bool Tick(bool idle) {
    return detector_.Tick(now_, [&] {
      ++idle_checks_;
      return idle;
    });
  }
  CaughtUpDetector detector_{100ms, 1'000ms};
  Clock::time_point now_ = Clock::now();
  int idle_checks_ = 0;
};

TEST_F(CaughtUpDetectorTest, NotCaughtUpBeforeStreaming) {
  EXPECT_FALSE(Tick(true));
  now_ += 10s;
  EXPECT_FALSE(detector_.caught_up(now_));
  EXPECT_EQ(idle_checks_, 0);
}

TEST_F(CaughtUpDetectorTest, NeedsIdleOutboundPongsAndQuiet) {
  EXPECT_TRUE(detector_.OnStreaming(now_));  // the first ping
  EXPECT_FALSE(Tick(false));                 // still sending
  EXPECT_TRUE(Tick(true));                   // idle: ping after our last batch
  now_ += 200ms;
  EXPECT_FALSE(Tick(true));
  EXPECT_FALSE(detector_.caught_up(now_));  // pongs missing
  detector_.OnPong();
  EXPECT_FALSE(Tick(true));
  EXPECT_FALSE(detector_.caught_up(now_));  // one of two pongs
  detector_.OnPong();
  EXPECT_FALSE(Tick(true));
  EXPECT_TRUE(detector_.caught_up(now_));
  EXPECT_EQ(idle_checks_, 2);  // not re-checked once confirmed
}

TEST_F(CaughtUpDetectorTest, InboundChangesRestartTheQuietPeriod) {
  detector_.OnStreaming(now_);
  detector_.OnPong();
  Tick(true);
  detector_.OnPong();
  Tick(true);
  now_ += 150ms;
  EXPECT_TRUE(detector_.caught_up(now_));
  detector_.OnInbound(now_);
  now_ += 50ms;
  EXPECT_FALSE(detector_.caught_up(now_));
  now_ += 60ms;
  EXPECT_TRUE(detector_.caught_up(now_));
}

TEST_F(CaughtUpDetectorTest, LocalChangeNeedsAnotherIdleCheckAndPong) {
  detector_.OnStreaming(now_);
  detector_.OnPong();
  Tick(true);
  detector_.OnPong();
  Tick(true);
  now_ += 150ms;
  ASSERT_TRUE(detector_.caught_up(now_));
  detector_.OnLocalChange();
  EXPECT_FALSE(detector_.caught_up(now_));
  EXPECT_TRUE(Tick(true));  // a new ping
  EXPECT_FALSE(detector_.caught_up(now_));
  detector_.OnPong();
  Tick(true);
  EXPECT_TRUE(detector_.caught_up(now_));
}

TEST_F(CaughtUpDetectorTest, PeerThatIgnoresPingsFallsBackToQuiet) {
  detector_.OnStreaming(now_);
  EXPECT_TRUE(Tick(true));
  now_ += 500ms;
  Tick(true);
  EXPECT_FALSE(detector_.caught_up(now_));
  EXPECT_FALSE(detector_.peer_ignores_pings());
  now_ += 600ms;  // 1.1 s after the first ping, nothing came back
  Tick(true);
  EXPECT_TRUE(detector_.peer_ignores_pings());
  EXPECT_TRUE(detector_.caught_up(now_));
  // Later checks send no more pings to such a server.
  detector_.OnLocalChange();
  EXPECT_FALSE(Tick(true));
  EXPECT_TRUE(detector_.caught_up(now_));
}

TEST_F(CaughtUpDetectorTest, PongTimeoutCountsFromTheLastIncomingChange) {
  detector_.OnStreaming(now_);
  now_ += 900ms;
  detector_.OnInbound(now_);  // the server is still streaming its backlog to us
  now_ += 900ms;
  Tick(true);
  EXPECT_FALSE(detector_.peer_ignores_pings());
  detector_.OnPong();
  now_ += 2s;
  Tick(true);
  EXPECT_FALSE(detector_.peer_ignores_pings());
  EXPECT_FALSE(detector_.caught_up(now_));  // the second ping is unanswered
  detector_.OnPong();
  Tick(true);
  EXPECT_TRUE(detector_.caught_up(now_));
}

TEST_F(CaughtUpDetectorTest, ResetForgetsTheSession) {
  detector_.OnStreaming(now_);
  detector_.OnPong();
  Tick(true);
  detector_.OnPong();
  Tick(true);
  now_ += 1s;
  ASSERT_TRUE(detector_.caught_up(now_));
  detector_.Reset();
  EXPECT_FALSE(detector_.caught_up(now_));
}

}  // namespace
}  // namespace crsync::client

// Tests of ReconnectBackoff: doubling, the cap, equal jitter bounds, reset.
#include "client/reconnect_backoff.h"

#include <gtest/gtest.h>

namespace crsync::client {
namespace {

using std::chrono::milliseconds;

TEST(ReconnectBackoffTest, DoublesWithinJitterBoundsUpToTheCap) {
  ReconnectBackoff backoff(milliseconds(100), milliseconds(1'000), 42);
  const int64_t nominal[] = {100, 200, 400, 800, 1000, 1000, 1000};
  for (int64_t expected : nominal) {
    const milliseconds delay = backoff.NextDelay();
    EXPECT_GE(delay.count(), expected / 2);
    EXPECT_LE(delay.count(), expected);
  }
  EXPECT_EQ(backoff.failures(), 7u);
}

TEST(ReconnectBackoffTest, ResetStartsOverAtTheMinimum) {
  ReconnectBackoff backoff(milliseconds(100), milliseconds(10'000), 7);
  for (int i = 0; i < 10; ++i) backoff.NextDelay();
  backoff.Reset();
  EXPECT_EQ(backoff.failures(), 0u);
  EXPECT_LE(backoff.NextDelay().count(), 100);
}

TEST(ReconnectBackoffTest, JitterSpreadsClientsApart) {
  ReconnectBackoff a(milliseconds(1'000), milliseconds(1'000), 1);
  ReconnectBackoff b(milliseconds(1'000), milliseconds(1'000), 2);
  int different = 0;
  for (int i = 0; i < 20; ++i) different += a.NextDelay() != b.NextDelay() ? 1 : 0;
  EXPECT_GT(different, 10);
}

TEST(ReconnectBackoffTest, ManyFailuresNeverOverflowOrExceedTheCap) {
  ReconnectBackoff backoff(milliseconds(1), milliseconds(30'000), 3);
  for (int i = 0; i < 1'000; ++i) {
    const milliseconds delay = backoff.NextDelay();
    ASSERT_GE(delay.count(), 1);
    ASSERT_LE(delay.count(), 30'000);
  }
}

TEST(ReconnectBackoffTest, DegenerateBoundsAreRaised) {
  ReconnectBackoff backoff(milliseconds(0), milliseconds(0), 5);
  EXPECT_EQ(backoff.NextDelay().count(), 1);
}

}  // namespace
}  // namespace crsync::client

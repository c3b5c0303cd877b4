// Tests of ChangeNotifier (src/sync/change_notifier.cpp): order, removal and re-entrancy.
#include "sync/change_notifier.h"

#include <gtest/gtest.h>

#include <string>

namespace crsync::sync {
namespace {

TEST(ChangeNotifier, CallsListenersInOrderUntilRemoved) {
  ChangeNotifier notifier;
  std::string log;
  auto a = notifier.Add([&] { log += "a"; });
  notifier.Add([&] { log += "b"; });
  EXPECT_NE(0u, a);
  notifier.Notify();
  notifier.Remove(a);
  notifier.Remove(12345);  // unknown: ignored
  notifier.Notify();
  EXPECT_EQ("abb", log);
  EXPECT_EQ(1u, notifier.size());
}

TEST(ChangeNotifier, RemovalDuringARoundTakesEffectAtOnce) {
  ChangeNotifier notifier;
  std::string log;
  ChangeNotifier::ListenerId b = 0;
  notifier.Add([&] {
    log += "a";
    notifier.Remove(b);
  });
  b = notifier.Add([&] { log += "b"; });
  notifier.Add([&] { log += "c"; });
  notifier.Notify();
  EXPECT_EQ("ac", log);
}

TEST(ChangeNotifier, NestedNotifyIsFoldedIntoOneMoreRound) {
  ChangeNotifier notifier;
  int calls = 0;
  notifier.Add([&] {
    if (++calls < 3) notifier.Notify();  // would recurse without folding
  });
  notifier.Notify();
  EXPECT_EQ(3, calls);
}

TEST(ChangeNotifier, ListenerAddedDuringARoundStartsNextRound) {
  ChangeNotifier notifier;
  std::string log;
  notifier.Add([&] {
    log += "a";
    if (log.size() == 1) notifier.Add([&] { log += "n"; });
  });
  notifier.Notify();
  EXPECT_EQ("a", log);
  notifier.Notify();
  EXPECT_EQ("aan", log);
}

}  // namespace
}  // namespace crsync::sync

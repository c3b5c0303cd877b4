// ChangeNotifier: the "new changes may be available" signal of a Store.
//
// A list of callbacks, each registered under an id. Notify() calls every listener registered at
// the time of the call, in registration order; a listener removed during a Notify() round is not
// called afterwards in that round, and one added during a round is first called in the next.
// Listeners may call Add/Remove/Notify re-entrantly; a nested Notify() is folded into the running
// round (the round is repeated once at its end, at most 64 times in a row), so a listener never
// sees recursion.
//
// Not thread-safe: used on the store's executor.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace crsync::sync {

class ChangeNotifier {
 public:
  using ListenerId = uint64_t;

  // Registers listener; returns its id (never 0).
  ListenerId Add(std::function<void()> listener);
  // Unregisters; unknown ids are ignored.
  void Remove(ListenerId id);
  // Calls the listeners (see class comment).
  void Notify();

  size_t size() const { return listeners_.size(); }

 private:
  struct Entry {
    ListenerId id;
    std::function<void()> fn;
  };
  std::vector<Entry> listeners_;
  ListenerId next_id_ = 1;
  bool notifying_ = false;
  bool again_ = false;
};

}  // namespace crsync::sync

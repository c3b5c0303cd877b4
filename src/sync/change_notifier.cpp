// ChangeNotifier (see change_notifier.h).
#include "sync/change_notifier.h"

#include <algorithm>
#include <utility>

namespace crsync::sync {

ChangeNotifier::ListenerId ChangeNotifier::Add(std::function<void()> listener) {
  ListenerId id = next_id_++;
  listeners_.push_back({id, std::move(listener)});
  return id;
}

void ChangeNotifier::Remove(ListenerId id) {
  std::erase_if(listeners_, [id](const Entry& e) { return e.id == id; });
}

void ChangeNotifier::Notify() {
  if (notifying_) {
    again_ = true;
    return;
  }
  notifying_ = true;
  // Bounded: a round repeats only if a listener notified during it, and each repetition is one
  // more pass over the ids registered when it started.
  for (int round = 0; round < 64; ++round) {
    again_ = false;
    std::vector<ListenerId> ids;
    ids.reserve(listeners_.size());
    for (const Entry& e : listeners_) ids.push_back(e.id);
    for (ListenerId id : ids) {
      auto it = std::find_if(listeners_.begin(), listeners_.end(),
                             [id](const Entry& e) { return e.id == id; });
      if (it == listeners_.end()) continue;
      std::function<void()> fn = it->fn;  // the listener may remove itself while running
      fn();
    }
    if (!again_) break;
  }
  notifying_ = false;
}

}  // namespace crsync::sync

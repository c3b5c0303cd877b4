// The registry of a server's open connections; see connection_tracker.h.
#include "net/connection_tracker.h"

#include <vector>

namespace crsync::net::internal {
namespace {

std::vector<std::shared_ptr<Trackable>> Snapshot(
    const std::unordered_map<const Trackable*, std::weak_ptr<Trackable>>& connections) {
  std::vector<std::shared_ptr<Trackable>> live;
  live.reserve(connections.size());
  for (const auto& [key, weak] : connections) {
    if (std::shared_ptr<Trackable> connection = weak.lock()) live.push_back(std::move(connection));
  }
  return live;
}

}  // namespace

bool ConnectionTracker::Add(const std::shared_ptr<Trackable>& connection) {
  std::lock_guard<std::mutex> lock(mutex_);
  connections_[connection.get()] = connection;
  return !stopping_;
}

void ConnectionTracker::Remove(const Trackable* connection) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (connections_.erase(connection) != 0 && connections_.empty()) empty_.notify_all();
}

void ConnectionTracker::ShutdownAll() {
  std::vector<std::shared_ptr<Trackable>> live;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    live = Snapshot(connections_);
  }
  for (const auto& connection : live) connection->Shutdown();
}

void ConnectionTracker::TerminateAll() {
  std::vector<std::shared_ptr<Trackable>> live;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    live = Snapshot(connections_);
  }
  for (const auto& connection : live) connection->Terminate();
}

bool ConnectionTracker::stopping() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stopping_;
}

bool ConnectionTracker::WaitEmpty(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mutex_);
  return empty_.wait_until(lock, deadline, [this] {
    // Entries whose object is already gone count as ended.
    for (auto it = connections_.begin(); it != connections_.end();) {
      it = it->second.expired() ? connections_.erase(it) : std::next(it);
    }
    return connections_.empty();
  });
}

std::size_t ConnectionTracker::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return connections_.size();
}

}  // namespace crsync::net::internal

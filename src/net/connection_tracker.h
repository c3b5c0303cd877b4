// Internal to net/: the set of a server's open connections (HTTP and WebSocket), so that Stop
// can ask each to shut down, wait for them to end, and drop the stragglers.
//
// Connections register when they start and unregister when they end (idempotent; also from
// their destructors). Thread-safe: a mutex guards the set; ShutdownAll/TerminateAll call out
// without holding it (each connection only posts to its own strand). Pure C++, no Asio.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace crsync::net::internal {

// A connection the tracker can stop. Both calls are thread-safe and only post work.
class Trackable {
 public:
  virtual ~Trackable() = default;
  // Graceful: WebSockets send 1001 and close; HTTP connections finish the current response.
  virtual void Shutdown() = 0;
  // Immediate: close the socket.
  virtual void Terminate() = 0;
};

class ConnectionTracker {
 public:
  // Registers a connection. Returns false when stopping has begun; the connection is still
  // registered (so Stop waits for it) and should shut itself down.
  bool Add(const std::shared_ptr<Trackable>& connection);
  void Remove(const Trackable* connection);

  // Marks the tracker as stopping and asks every registered connection to shut down.
  void ShutdownAll();
  void TerminateAll();
  bool stopping() const;

  // Waits until no connection is registered or the deadline passes; true when empty.
  bool WaitEmpty(std::chrono::steady_clock::time_point deadline);
  std::size_t size() const;

 private:
  mutable std::mutex mutex_;
  std::condition_variable empty_;
  std::unordered_map<const Trackable*, std::weak_ptr<Trackable>> connections_;  // by mutex_
  bool stopping_ = false;                                                       // by mutex_
};

}  // namespace crsync::net::internal

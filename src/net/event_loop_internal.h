// Internal to net/: what is behind an EventLoop and a Strand, for the net/*.cpp files that start
// sockets, strands and timers on the loop's io_context.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "net/beast_includes.h"
#include "net/event_loop.h"

namespace crsync::net {

namespace internal {

// Something bound to the loop that holds owner callbacks (a WebSocket connection). When the
// loop stops with it still alive, Abandon() releases those callbacks without calling them, so
// that cycles through the owner's objects (handler → owner → connection) are broken. Called
// from EventLoop::Stop after the loop threads have exited (no concurrency with the strand).
class Abandonable {
 public:
  virtual ~Abandonable() = default;
  virtual void Abandon() = 0;
};

}  // namespace internal

struct EventLoop::Impl {
  internal::asio::io_context io_context;
  std::optional<internal::asio::executor_work_guard<internal::asio::io_context::executor_type>>
      work;
  std::vector<std::thread> threads;
  std::mutex stop_mutex;  // serialises Stop()
  bool stopped = false;   // guarded by stop_mutex

  std::mutex abandon_mutex;
  std::vector<std::weak_ptr<internal::Abandonable>> abandonables;  // guarded by abandon_mutex
  std::size_t abandonables_purge_at = 64;                          // guarded by abandon_mutex
};

namespace internal {

inline asio::io_context& IoContextOf(EventLoop& loop) { return loop.impl().io_context; }

// Registers object to be abandoned if the loop stops while it is alive. Thread-safe.
void AbandonAtStop(EventLoop& loop, std::weak_ptr<Abandonable> object);

// The Strand that MakeStrand returns; its executor is what sockets and timers bind to.
class AsioStrand final : public Strand {
 public:
  explicit AsioStrand(StrandExecutor executor) : executor_(std::move(executor)) {}
  void Post(std::function<void()> fn) override;
  void Dispatch(std::function<void()> fn) override;
  bool RunningInThisThread() const override { return executor_.running_in_this_thread(); }
  const StrandExecutor& executor() const { return executor_; }

 private:
  StrandExecutor executor_;
};

// Runs fn, turning an escaping exception into a line on stderr (the edge rule: no exception
// leaves an Asio callback).
void RunCatching(const std::function<void()>& fn, const char* where) noexcept;

}  // namespace internal
}  // namespace crsync::net

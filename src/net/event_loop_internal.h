// Internal to net/: what is behind an EventLoop and a Strand, for the net/*.cpp files that start
// sockets, strands and timers on the loop's io_context.
#pragma once

#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "net/beast_includes.h"
#include "net/event_loop.h"

namespace crsync::net {

struct EventLoop::Impl {
  internal::asio::io_context io_context;
  std::optional<internal::asio::executor_work_guard<internal::asio::io_context::executor_type>>
      work;
  std::vector<std::thread> threads;
  std::mutex stop_mutex;  // serialises Stop()
  bool stopped = false;   // guarded by stop_mutex
};

namespace internal {

inline asio::io_context& IoContextOf(EventLoop& loop) { return loop.impl().io_context; }

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

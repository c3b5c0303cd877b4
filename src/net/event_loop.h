// The event loop that runs all network I/O, and the two primitives other modules need to live
// on it without including Asio: a Strand (serial executor) and a Timer.
//
// An EventLoop owns one io_context and N threads running it. Everything in net/ (listeners,
// HTTP sessions, WebSocket connections, outbound connects) runs on one EventLoop; each
// connection has its own strand on it, so a loop with several threads serves many connections
// in parallel while every single connection stays sequential. Rooms and sync sessions in other
// modules use Strand/Timer to get the same guarantee without seeing Asio types.
//
// Shutdown order: stop servers and close connections first (HttpServer::Stop), then Stop() the
// loop. Stop() abandons whatever is still queued: pending callbacks are destroyed without being
// run; WebSocket connections still open release their handlers without calling them (so
// on_close is never called for them, and cycles through the owner's objects are broken).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>

namespace crsync::net {

class Strand;

class EventLoop {
 public:
  // Starts `threads` (at least 1) threads that run the loop until Stop().
  explicit EventLoop(std::size_t threads = 1);
  ~EventLoop();  // Stop()
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Stops the loop and joins its threads. Idempotent. Must not be called from a loop thread
  // (it would join itself); calling it there is a programmer error and aborts.
  void Stop();

  // Runs fn on some loop thread, never inside this call. Thread-safe. Exceptions thrown by fn
  // are caught by the loop thread and reported on stderr; they never stop the loop.
  void Post(std::function<void()> fn);

  // A new strand on this loop. Thread-safe.
  std::shared_ptr<Strand> MakeStrand();

  // True when called from one of this loop's threads.
  bool RunningInThisThread() const;

  struct Impl;
  Impl& impl() { return *impl_; }  // for net/ internals only (event_loop_internal.h)

 private:
  std::unique_ptr<Impl> impl_;
};

// Runs posted functions one at a time, in posting order, on the loop's threads. Thread-safe.
class Strand {
 public:
  virtual ~Strand() = default;
  // Runs fn on the strand, never inside this call.
  virtual void Post(std::function<void()> fn) = 0;
  // Runs fn inside this call when already on the strand, else like Post.
  virtual void Dispatch(std::function<void()> fn) = 0;
  // True when the calling thread is currently running a function of this strand.
  virtual bool RunningInThisThread() const = 0;
};

// A one-shot timer whose callback runs on a given strand. Start and Cancel must be called on that
// strand (not thread-safe otherwise); then Cancel (and a new Start) guarantees that the callback
// of the earlier Start does not run. Destroying the timer cancels it.
class Timer {
 public:
  explicit Timer(const std::shared_ptr<Strand>& strand);
  ~Timer();
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

  // Arms the timer: fn runs on the strand after delay, unless cancelled or restarted first.
  void Start(std::chrono::milliseconds delay, std::function<void()> fn);
  void Cancel();

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace crsync::net

// EventLoop (io_context + threads), the Asio-backed Strand and Timer. The loop threads run
// io_context::run in a loop that survives exceptions from handlers, so that one misbehaving
// callback cannot stop all networking; net/ itself never lets one escape.
#include "net/event_loop.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "net/event_loop_internal.h"

namespace crsync::net {

using internal::asio::io_context;

EventLoop::EventLoop(std::size_t threads) : impl_(std::make_unique<Impl>()) {
  if (threads == 0) threads = 1;
  impl_->work.emplace(impl_->io_context.get_executor());
  for (std::size_t i = 0; i < threads; ++i) {
    impl_->threads.emplace_back([impl = impl_.get()] {
      while (true) {
        try {
          impl->io_context.run();
          return;  // stopped
        } catch (const std::exception& e) {
          std::fprintf(stderr, "crsync net: exception escaped a loop callback: %s\n", e.what());
        } catch (...) {
          std::fprintf(stderr, "crsync net: unknown exception escaped a loop callback\n");
        }
      }
    });
  }
}

EventLoop::~EventLoop() { Stop(); }

void EventLoop::Stop() {
  std::lock_guard<std::mutex> lock(impl_->stop_mutex);
  if (impl_->stopped) return;
  // Invariant: a loop thread cannot join itself.
  if (RunningInThisThread()) {
    std::fprintf(stderr, "crsync net: EventLoop::Stop called from a loop thread\n");
    std::abort();
  }
  impl_->stopped = true;
  impl_->work.reset();
  impl_->io_context.stop();
  for (std::thread& thread : impl_->threads) thread.join();
  impl_->threads.clear();

  std::vector<std::weak_ptr<internal::Abandonable>> abandonables;
  {
    std::lock_guard<std::mutex> abandon_lock(impl_->abandon_mutex);
    abandonables.swap(impl_->abandonables);
  }
  for (const auto& weak : abandonables) {
    if (std::shared_ptr<internal::Abandonable> object = weak.lock()) object->Abandon();
  }
}

void EventLoop::Post(std::function<void()> fn) {
  internal::asio::post(impl_->io_context,
                       [fn = std::move(fn)] { internal::RunCatching(fn, "EventLoop::Post"); });
}

std::shared_ptr<Strand> EventLoop::MakeStrand() {
  return std::make_shared<internal::AsioStrand>(
      internal::asio::make_strand(impl_->io_context.get_executor()));
}

bool EventLoop::RunningInThisThread() const {
  return impl_->io_context.get_executor().running_in_this_thread();
}

namespace internal {

void AbandonAtStop(EventLoop& loop, std::weak_ptr<Abandonable> object) {
  EventLoop::Impl& impl = loop.impl();
  std::lock_guard<std::mutex> lock(impl.abandon_mutex);
  if (impl.abandonables.size() >= impl.abandonables_purge_at) {
    std::erase_if(impl.abandonables, [](const auto& weak) { return weak.expired(); });
    impl.abandonables_purge_at = std::max<std::size_t>(64, impl.abandonables.size() * 2);
  }
  impl.abandonables.push_back(std::move(object));
}

void RunCatching(const std::function<void()>& fn, const char* where) noexcept {
  try {
    fn();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "crsync net: exception in %s: %s\n", where, e.what());
  } catch (...) {
    std::fprintf(stderr, "crsync net: unknown exception in %s\n", where);
  }
}

void AsioStrand::Post(std::function<void()> fn) {
  asio::post(executor_, [fn = std::move(fn)] { RunCatching(fn, "Strand::Post"); });
}

void AsioStrand::Dispatch(std::function<void()> fn) {
  asio::dispatch(executor_, [fn = std::move(fn)] { RunCatching(fn, "Strand::Dispatch"); });
}

std::string RemoteAddressOf(const tcp::socket& socket) {
  error_code ec;
  const tcp::endpoint endpoint = socket.remote_endpoint(ec);
  if (ec) return "";
  const asio::ip::address address = endpoint.address();
  const std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return host + ":" + std::to_string(endpoint.port());
}

}  // namespace internal

// Timer state outlives the Timer while a wait is pending (the handler holds it).
struct Timer::State {
  explicit State(const internal::StrandExecutor& executor) : timer(executor) {}
  internal::asio::steady_timer timer;
  std::uint64_t generation = 0;  // bumped by Start/Cancel; a handler runs only if it matches
};

Timer::Timer(const std::shared_ptr<Strand>& strand) {
  // Invariant: every Strand in this process comes from EventLoop::MakeStrand.
  const auto* asio_strand = dynamic_cast<const internal::AsioStrand*>(strand.get());
  if (asio_strand == nullptr) std::abort();
  state_ = std::make_shared<State>(asio_strand->executor());
}

Timer::~Timer() { Cancel(); }

void Timer::Start(std::chrono::milliseconds delay, std::function<void()> fn) {
  const std::uint64_t generation = ++state_->generation;
  state_->timer.expires_after(delay);
  state_->timer.async_wait(
      [state = state_, generation, fn = std::move(fn)](const internal::error_code& ec) {
        if (ec || state->generation != generation) return;
        internal::RunCatching(fn, "Timer callback");
      });
}

void Timer::Cancel() {
  ++state_->generation;
  state_->timer.cancel();
}

}  // namespace crsync::net

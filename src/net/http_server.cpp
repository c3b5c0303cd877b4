// HttpServer: configuration, the listening socket and its accept loop, and the graceful stop.
// Each accepted socket gets its own strand and an HTTP session (http_session.cpp); everything a
// session needs is in the immutable ServerShared, so the server object itself is only touched
// by its owner (configure, Start, Stop) and by the accept loop on the acceptor's strand.
//
// Stop: close the acceptor (on its strand), ask every tracked connection to shut down, wait
// for the tracker to empty within the grace period, then terminate what is left and wait a
// little more. Accept errors such as EMFILE are retried after a short pause instead of
// spinning.
#include "net/http_server.h"

#include <cstdio>
#include <cstdlib>
#include <future>

#include "net/event_loop_internal.h"
#include "net/http_session.h"
#include "net/server_shared.h"
#include "net/tls_context.h"

namespace crsync::net {

using internal::error_code;
using internal::tcp;
using internal::asio::steady_timer;

namespace {

constexpr std::chrono::milliseconds kAcceptRetryDelay{100};
constexpr std::chrono::milliseconds kTerminateWait{2'000};

}  // namespace

namespace internal {

void ServerShared::Log(std::string_view text) const {
  if (options.log) RunCatching([&] { options.log(text); }, "log");
}

}  // namespace internal

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  explicit Impl(EventLoop& event_loop)
      : loop(event_loop),
        strand(internal::asio::make_strand(internal::IoContextOf(event_loop).get_executor())),
        acceptor(strand),
        retry_timer(strand) {}

  void DoAccept() {
    acceptor.async_accept(internal::asio::make_strand(internal::IoContextOf(loop).get_executor()),
                          [self = shared_from_this()](const error_code& ec, tcp::socket socket) {
                            self->OnAccept(ec, std::move(socket));
                          });
  }

  void OnAccept(const error_code& ec, tcp::socket socket) {
    if (!acceptor.is_open()) return;  // stopped
    if (ec) {
      shared->Log("accept failed: " + ec.message());
      retry_timer.expires_after(kAcceptRetryDelay);
      retry_timer.async_wait([self = shared_from_this()](const error_code& wait_ec) {
        if (!wait_ec && self->acceptor.is_open()) self->DoAccept();
      });
      return;
    }
    shared->connections_accepted.fetch_add(1);
    error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    if (shared->tls) {
      internal::StartTlsHttpSession(std::move(socket), shared);
    } else {
      internal::StartPlainHttpSession(std::move(socket), shared);
    }
    DoAccept();
  }

  // Closes the acceptor on its strand; returns once done (or after timeout if the loop is dead).
  void CloseAcceptor(std::chrono::milliseconds timeout) {
    auto done = std::make_shared<std::promise<void>>();
    std::future<void> closed = done->get_future();
    internal::asio::post(strand, [self = shared_from_this(), done] {
      error_code ignored;
      self->acceptor.close(ignored);
      self->retry_timer.cancel();
      done->set_value();
    });
    closed.wait_for(timeout);
  }

  EventLoop& loop;
  internal::StrandExecutor strand;
  tcp::acceptor acceptor;  // strand-only after Start
  steady_timer retry_timer;
  std::shared_ptr<internal::ServerShared> shared = std::make_shared<internal::ServerShared>();
  std::atomic<std::uint16_t> port{0};
  std::mutex state_mutex;  // Start/Stop against each other
  bool started = false;    // by state_mutex
  bool stopped = false;    // by state_mutex
};

HttpServer::HttpServer(EventLoop& loop, HttpServerOptions options)
    : impl_(std::make_shared<Impl>(loop)) {
  impl_->shared->loop = &loop;
  impl_->shared->options = std::move(options);
}

HttpServer::~HttpServer() {
  if (impl_->loop.RunningInThisThread()) {
    // Cannot block on the loop from inside it: stop without waiting.
    std::lock_guard<std::mutex> lock(impl_->state_mutex);
    if (!impl_->started || impl_->stopped) return;
    impl_->stopped = true;
    internal::asio::post(impl_->strand, [impl = impl_] {
      error_code ignored;
      impl->acceptor.close(ignored);
      impl->retry_timer.cancel();
    });
    impl_->shared->tracker->ShutdownAll();
    return;
  }
  Stop(std::chrono::milliseconds(0));
}

void HttpServer::Handle(std::string path, HttpHandler handler) {
  impl_->shared->routes[std::move(path)] = std::move(handler);
}

void HttpServer::SetUpgradeHandler(UpgradeHandler handler) {
  impl_->shared->upgrade_handler = std::move(handler);
}

Status HttpServer::Start() {
  std::lock_guard<std::mutex> lock(impl_->state_mutex);
  if (impl_->started) return Status::FailedPrecondition("server already started");
  internal::ServerShared& shared = *impl_->shared;
  const HttpServerOptions& options = shared.options;

  Result<PathPattern> pattern = PathPattern::Compile(options.ws_path_pattern);
  if (!pattern.ok()) return pattern.status();
  shared.ws_path_pattern = std::move(*pattern);
  if (!options.static_root.empty()) {
    std::error_code ec;
    shared.static_root = std::filesystem::canonical(options.static_root, ec);
    if (ec || !std::filesystem::is_directory(shared.static_root, ec)) {
      return Status::InvalidArgument("static_root '" + options.static_root +
                                     "' is not a directory");
    }
  }
  if (options.tls) {
    Result<std::shared_ptr<internal::ssl::context>> context = internal::MakeServerTlsContext(
        options.tls->certificate_chain_file, options.tls->private_key_file);
    if (!context.ok()) return context.status();
    shared.tls = std::move(*context);
  }

  error_code ec;
  const std::string host = options.host == "localhost" ? "127.0.0.1" : options.host;
  const internal::asio::ip::address address = internal::asio::ip::make_address(host, ec);
  if (ec) return Status::InvalidArgument("bad listen address '" + options.host + "'");
  const tcp::endpoint endpoint(address, options.port);
  tcp::acceptor& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(internal::asio::socket_base::max_listen_connections, ec);
  if (ec) {
    error_code ignored;
    acceptor.close(ignored);
    return Status::Unavailable("cannot listen on " + options.host + ":" +
                               std::to_string(options.port) + ": " + ec.message());
  }
  impl_->port = acceptor.local_endpoint(ec).port();
  impl_->started = true;
  internal::asio::post(impl_->strand, [impl = impl_] { impl->DoAccept(); });
  return Status::Ok();
}

std::uint16_t HttpServer::port() const { return impl_->port.load(); }

void HttpServer::Stop(std::chrono::milliseconds grace) {
  {
    std::lock_guard<std::mutex> lock(impl_->state_mutex);
    if (!impl_->started || impl_->stopped) return;
    impl_->stopped = true;
  }
  // Invariant: Stop blocks until connections end, which needs the loop threads.
  if (impl_->loop.RunningInThisThread()) {
    std::fprintf(stderr, "crsync net: HttpServer::Stop called from a loop thread\n");
    std::abort();
  }
  impl_->CloseAcceptor(grace + kTerminateWait);
  internal::ConnectionTracker& tracker = *impl_->shared->tracker;
  tracker.ShutdownAll();
  if (!tracker.WaitEmpty(std::chrono::steady_clock::now() + grace)) {
    tracker.TerminateAll();
    tracker.WaitEmpty(std::chrono::steady_clock::now() + kTerminateWait);
  }
}

HttpServerStats HttpServer::stats() const {
  HttpServerStats stats;
  stats.connections_accepted = impl_->shared->connections_accepted.load();
  stats.upgrades_accepted = impl_->shared->upgrades_accepted.load();
  stats.upgrades_rejected = impl_->shared->upgrades_rejected.load();
  stats.open_connections = impl_->shared->tracker->size();
  return stats;
}

}  // namespace crsync::net

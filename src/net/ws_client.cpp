// ConnectWebSocket: resolve, TCP connect and (wss) TLS handshake, then hand the stream to a
// client WebSocket session (ws_session.cpp) for the WebSocket handshake. A Connector object
// lives on one strand from start to hand-over; the connect_timeout deadline covers all phases
// (the session gets the remaining time as its handshake timeout). Exactly one of on_open /
// on_error is delivered: `finished_` guards it until the hand-over, the session after it.
#include "net/ws_client.h"

#include "net/event_loop_internal.h"
#include "net/tls_context.h"
#include "net/ws_session.h"
#include "net/ws_url.h"

namespace crsync::net {
namespace {

using internal::error_code;
using internal::PlainStream;
using internal::tcp;
using internal::TlsStream;
using internal::asio::steady_timer;
using Clock = std::chrono::steady_clock;

class Connector : public std::enable_shared_from_this<Connector> {
 public:
  Connector(EventLoop& loop, WsClientOptions options, WsUrl url,
            std::shared_ptr<internal::ssl::context> tls, OpenHandler on_open,
            std::function<void(const Status&)> on_error)
      : loop_(loop),
        strand_(internal::asio::make_strand(internal::IoContextOf(loop).get_executor())),
        resolver_(strand_),
        timer_(strand_),
        options_(std::move(options)),
        url_(std::move(url)),
        tls_context_(std::move(tls)),
        on_open_(std::move(on_open)),
        on_error_(std::move(on_error)),
        deadline_(Clock::now() + options_.connect_timeout) {}

  void Start() {
    internal::asio::post(strand_, [self = shared_from_this()] {
      self->timer_.expires_at(self->deadline_);
      self->timer_.async_wait([self](const error_code& ec) {
        if (!ec) self->Fail(Status::Unavailable("connect timeout"));
      });
      self->resolver_.async_resolve(
          self->url_.host, std::to_string(self->url_.port),
          [self](const error_code& ec, const tcp::resolver::results_type& results) {
            self->OnResolve(ec, results);
          });
    });
  }

  void Cancel() {
    internal::asio::post(strand_, [self = shared_from_this()] {
      if (self->cancel_session_) {
        self->cancel_session_();  // the session fails its handshake, or ignores us once open
      } else {
        self->Fail(Status::Unavailable("connect cancelled"));
      }
    });
  }

 private:
  void OnResolve(const error_code& ec, const tcp::resolver::results_type& results) {
    if (finished_) return;
    if (ec) return Fail(Status::Unavailable("cannot resolve " + url_.host + ": " + ec.message()));
    if (tls_context_) {
      tls_stream_.emplace(strand_, *tls_context_);
    } else {
      plain_stream_.emplace(strand_);
    }
    Lowest().async_connect(
        results, [self = shared_from_this()](const error_code& connect_ec, const tcp::endpoint&) {
          self->OnConnect(connect_ec);
        });
  }

  void OnConnect(const error_code& ec) {
    if (finished_) return;
    if (ec) {
      return Fail(
          Status::Unavailable("cannot connect to " + url_.host_header + ": " + ec.message()));
    }
    error_code ignored;
    Lowest().socket().set_option(tcp::no_delay(true), ignored);
    if (!tls_stream_) return HandOver();
    const error_code sni_ec =
        internal::PrepareClientTlsStream(*tls_stream_, url_.host, options_.verify_peer);
    if (sni_ec) return Fail(Status::Unavailable("TLS setup: " + internal::TlsErrorText(sni_ec)));
    tls_stream_->async_handshake(internal::ssl::stream_base::client, [self = shared_from_this()](
                                                                         const error_code& tls_ec) {
      if (self->finished_) return;
      if (tls_ec) {
        return self->Fail(Status::Unavailable("TLS handshake: " + internal::TlsErrorText(tls_ec)));
      }
      self->HandOver();
    });
  }

  void HandOver() {
    finished_ = true;
    timer_.cancel();
    internal::ClientWsParams params;
    params.loop = &loop_;
    params.options = options_.ws;
    params.host_header = url_.host_header;
    params.target = url_.target;
    params.subprotocol = options_.subprotocol;
    params.user_agent = options_.user_agent;
    params.headers = options_.headers;
    params.deadline = deadline_;
    params.on_open = std::move(on_open_);
    params.on_error = std::move(on_error_);
    params.keepalive = tls_context_;
    if (tls_stream_) {
      cancel_session_ = internal::StartClientWebSocket(std::move(*tls_stream_), std::move(params));
    } else {
      cancel_session_ =
          internal::StartClientWebSocket(std::move(*plain_stream_), std::move(params));
    }
  }

  void Fail(const Status& status) {
    if (finished_) return;
    finished_ = true;
    timer_.cancel();
    resolver_.cancel();
    if (plain_stream_ || tls_stream_) {
      error_code ignored;
      Lowest().socket().close(ignored);
    }
    auto on_error = std::move(on_error_);
    on_open_ = nullptr;
    internal::RunCatching([&] { on_error(status); }, "WebSocket on_error");
  }

  internal::beast::tcp_stream& Lowest() {
    return tls_stream_ ? internal::beast::get_lowest_layer(*tls_stream_) : *plain_stream_;
  }

  EventLoop& loop_;
  internal::StrandExecutor strand_;
  tcp::resolver resolver_;
  steady_timer timer_;
  const WsClientOptions options_;
  const WsUrl url_;
  const std::shared_ptr<internal::ssl::context> tls_context_;
  OpenHandler on_open_;
  std::function<void(const Status&)> on_error_;
  const Clock::time_point deadline_;
  std::optional<PlainStream> plain_stream_;
  std::optional<TlsStream> tls_stream_;
  bool finished_ = false;  // on_error delivered or the session took over
  std::function<void()> cancel_session_;
};

// Refuses CR, LF and NUL in what goes into request headers (no header injection).
Status CheckHeaderValues(const WsClientOptions& options) {
  auto bad = [](std::string_view text) {
    return text.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
  };
  if (bad(options.subprotocol) || bad(options.user_agent)) {
    return Status::InvalidArgument("subprotocol or user agent contains CR, LF or NUL");
  }
  for (const auto& [name, value] : options.headers) {
    if (name.empty() || bad(name) || bad(value) || name.find(':') != std::string::npos) {
      return Status::InvalidArgument("bad extra header '" + name + "'");
    }
  }
  return Status::Ok();
}

}  // namespace

ConnectHandle ConnectWebSocket(EventLoop& loop, WsClientOptions options, OpenHandler on_open,
                               std::function<void(const Status& error)> on_error) {
  Result<WsUrl> url = ParseWsUrl(options.url);
  std::shared_ptr<internal::ssl::context> tls;
  Status setup = url.status();
  if (setup.ok()) setup = CheckHeaderValues(options);
  if (setup.ok() && url->secure) {
    Result<std::shared_ptr<internal::ssl::context>> context =
        internal::MakeClientTlsContext(options.ca_file, options.verify_peer);
    if (context.ok()) {
      tls = std::move(*context);
    } else {
      setup = context.status();
    }
  }
  if (!setup.ok()) {
    // Report on the loop, never inside this call, as for every other failure.
    loop.Post([on_error = std::move(on_error), setup] { on_error(setup); });
    return ConnectHandle();
  }
  auto connector =
      std::make_shared<Connector>(loop, std::move(options), std::move(*url), std::move(tls),
                                  std::move(on_open), std::move(on_error));
  connector->Start();
  return ConnectHandle([connector] { connector->Cancel(); });
}

}  // namespace crsync::net

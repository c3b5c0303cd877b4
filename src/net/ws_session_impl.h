// Internal to net/: WsSession, the template of one WebSocket connection (server or client side)
// over a Beast websocket stream, implementing WsConnection (ws_connection.h) with the bounded send
// queue, the incoming size limit, the ping heartbeat and the close handshake.
//
// Everything here runs on the stream's strand; the only entries from other threads are Send,
// Close, Shutdown and Terminate, which post to it, and the atomics read by queued_bytes() and
// congested(). States: kHandshaking → kOpen → kClosed; Finish() is the single way into kClosed
// and delivers on_close exactly once. One read is always pending while open, so every way of
// ending (peer close, protocol error, our close, a dropped socket) surfaces as the completion of
// that read, and Finish() runs from there (or from the handshake completion).
//
// Reads use async_read_some in 64 KiB steps rather than whole-message reads so that a peer
// uploading one big message slowly still counts as alive for the heartbeat. The message size
// limit is Beast's read_message_max, which answers an oversized message with close 1009 itself.
// Writes go one message at a time from a deque of shared payloads; a locally initiated close
// waits for the messages already queued (except on overflow, which drops them) and is bounded
// by close_timeout, after which the TCP connection is dropped.
#pragma once

#include <algorithm>
#include <atomic>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <cstdio>
#include <deque>
#include <exception>
#include <optional>

#include "net/event_loop_internal.h"
#include "net/ws_session.h"

namespace crsync::net::internal {
namespace ws_session_detail {

namespace websocket = boost::beast::websocket;
using Clock = std::chrono::steady_clock;

inline constexpr std::size_t kReadChunkBytes = 64 * 1024;
// The read buffer is shrunk after a message bigger than this.
inline constexpr std::size_t kKeepReadBufferBytes = 1024 * 1024;
inline constexpr std::size_t kWriteFrameBytes = 64 * 1024;
inline constexpr std::size_t kMaxCloseReasonBytes = 123;  // RFC 6455 §5.5: 125-byte control payload

// reason cut to the close-frame limit without splitting a UTF-8 sequence.
inline std::string TruncateCloseReason(std::string reason) {
  if (reason.size() <= kMaxCloseReasonBytes) return reason;
  std::size_t end = kMaxCloseReasonBytes;
  while (end > 0 && (static_cast<unsigned char>(reason[end]) & 0xc0) == 0x80) --end;
  reason.resize(end);
  return reason;
}

enum class Role { kServer, kClient };

template <class NextLayer>
class WsSession final : public WsConnection,
                        public Trackable,
                        public Abandonable,
                        public std::enable_shared_from_this<WsSession<NextLayer>> {
 public:
  using WsConnection::Send;

  WsSession(NextLayer&& next, const WsOptions& options, std::shared_ptr<void> keepalive, LogFn log)
      : ws_(std::move(next)),
        executor_(ws_.get_executor()),
        options_(options),
        keepalive_(std::move(keepalive)),
        log_(std::move(log)),
        heartbeat_timer_(ws_.get_executor()),
        close_timer_(ws_.get_executor()) {
    remote_address_ = RemoteAddressOf(beast::get_lowest_layer(ws_).socket());
  }

  ~WsSession() override {
    if (tracker_) tracker_->Remove(this);
  }

  // --- server side ---------------------------------------------------------------------------
  void StartAccept(http::request<http::string_body> request, ServerWsParams params) {
    if (params.loop) AbandonAtStop(*params.loop, this->weak_from_this());
    request_ = std::move(request);
    subprotocol_ = std::move(params.subprotocol);
    on_open_ = std::move(params.on_open);
    tracker_ = std::move(params.tracker);
    if (tracker_ && !tracker_->Add(this->shared_from_this())) shutdown_on_open_ = true;
    Configure(Role::kServer, options_.handshake_timeout);
    ws_.set_option(websocket::stream_base::decorator(
        [subprotocol = subprotocol_,
         server = std::move(params.server_name)](websocket::response_type& response) {
          response.set(http::field::server, server);
          if (!subprotocol.empty()) response.set(http::field::sec_websocket_protocol, subprotocol);
        }));
    ws_.async_accept(request_, [self = this->shared_from_this()](const error_code& ec) {
      self->OnHandshake(ec);
    });
  }

  // --- client side ---------------------------------------------------------------------------
  void StartHandshake(ClientWsParams params) {
    if (params.loop) AbandonAtStop(*params.loop, this->weak_from_this());
    subprotocol_ = params.subprotocol;  // what we offer; checked against the echo
    on_open_ = std::move(params.on_open);
    on_error_ = std::move(params.on_error);
    const auto remaining =
        std::chrono::duration_cast<std::chrono::milliseconds>(params.deadline - Clock::now());
    Configure(Role::kClient, std::max(remaining, std::chrono::milliseconds(1)));
    ws_.set_option(websocket::stream_base::decorator(
        [subprotocol = params.subprotocol, user_agent = params.user_agent,
         headers = params.headers](websocket::request_type& request) {
          request.set(http::field::user_agent, user_agent);
          if (!subprotocol.empty()) request.set(http::field::sec_websocket_protocol, subprotocol);
          for (const auto& [name, value] : headers) request.set(name, value);
        }));
    ws_.async_handshake(
        response_, params.host_header, params.target,
        [self = this->shared_from_this()](const error_code& ec) { self->OnHandshake(ec); });
  }

  void CancelHandshake() {
    asio::post(executor_, [self = this->shared_from_this()] {
      if (self->state_ != State::kHandshaking) return;
      self->cancelled_ = true;
      self->CloseSocket();
    });
  }

  // --- WsConnection --------------------------------------------------------------------------
  bool Send(Payload payload) override {
    if (!payload || !accepting_sends_.load()) return false;
    asio::post(executor_,
               [self = this->shared_from_this(), payload = std::move(payload)]() mutable {
                 self->Enqueue(std::move(payload));
               });
    return true;
  }

  void Close(std::uint16_t code, std::string reason) override {
    asio::post(executor_,
               [self = this->shared_from_this(), code, reason = std::move(reason)]() mutable {
                 self->StartClose(WsCloseInfo{code, TruncateCloseReason(std::move(reason)), true});
               });
  }

  std::size_t queued_bytes() const override { return queued_bytes_.load(); }
  bool congested() const override { return congested_.load(); }
  const std::string& subprotocol() const override { return subprotocol_; }
  const std::string& remote_address() const override { return remote_address_; }

  // --- Abandonable (the loop stopped: no thread runs the strand any more) ---
  void Abandon() override {
    handlers_ = WsHandlers{};
    on_open_ = nullptr;
    on_error_ = nullptr;
    ws_.control_callback();
  }

  // --- Trackable -----------------------------------------------------------------------------
  void Shutdown() override {
    asio::post(executor_, [self = this->shared_from_this()] {
      if (self->state_ == State::kHandshaking) {
        self->shutdown_on_open_ = true;
      } else {
        self->StartClose(WsCloseInfo{kCloseGoingAway, "server shutting down", true});
      }
    });
  }

  void Terminate() override {
    asio::post(executor_, [self = this->shared_from_this()] {
      if (self->state_ == State::kClosed) return;
      if (!self->local_close_) {
        self->local_close_ = WsCloseInfo{kCloseAbnormal, "connection terminated", true};
      }
      self->CloseSocket();
    });
  }

 private:
  enum class State { kHandshaking, kOpen, kClosed };

  void Configure(Role role, std::chrono::milliseconds handshake_timeout) {
    beast::get_lowest_layer(ws_).expires_never();  // websocket timeouts take over
    websocket::stream_base::timeout timeout{};
    timeout.handshake_timeout = handshake_timeout;
    timeout.idle_timeout = websocket::stream_base::none();  // our own heartbeat instead
    timeout.keep_alive_pings = false;
    ws_.set_option(timeout);
    ws_.read_message_max(options_.max_message_bytes);
    ws_.auto_fragment(true);
    ws_.write_buffer_bytes(kWriteFrameBytes);
    ws_.binary(true);
    (void)role;  // Beast derives the role from accept vs handshake
  }

  void OnHandshake(const error_code& ec) {
    if (state_ != State::kHandshaking) return;
    if (ec) {
      FailHandshake(HandshakeErrorStatus(ec));
      return;
    }
    if (on_error_) {  // client: the server must echo what we offered, byte for byte
      const auto echoed = response_.find(http::field::sec_websocket_protocol);
      const bool has_echo = echoed != response_.end();
      if (!subprotocol_.empty() &&
          (!has_echo || std::string_view(echoed->value()) != subprotocol_)) {
        FailHandshake(Status::DataLoss(has_echo ? "server echoed subprotocol '" +
                                                      std::string(echoed->value()) +
                                                      "', offered '" + subprotocol_ + "'"
                                                : std::string("server sent no subprotocol")));
        return;
      }
      on_error_ = nullptr;
    }
    request_ = {};
    response_ = {};
    state_ = State::kOpen;
    accepting_sends_ = true;
    last_received_ = Clock::now();
    next_ping_at_ = last_received_ + options_.ping_interval;
    ws_.control_callback([this](websocket::frame_type, beast::string_view) {
      last_received_ = Clock::now();  // pong, ping or close: the peer is alive
    });

    OpenHandler on_open = std::move(on_open_);
    on_open_ = nullptr;
    InvokeOwner("on_open", [&] {
      if (on_open) handlers_ = on_open(this->shared_from_this());
    });
    if (shutdown_on_open_) StartClose(WsCloseInfo{kCloseGoingAway, "server shutting down", true});
    ScheduleHeartbeat();
    DoRead();
  }

  Status HandshakeErrorStatus(const error_code& ec) const {
    if (cancelled_) return Status::Unavailable("connect cancelled");
    if (ec == beast::error::timeout) return Status::Unavailable("connect timeout");
    if (ec == websocket::error::upgrade_declined) {
      std::string text = "HTTP " + std::to_string(response_.result_int());
      if (!response_.body().empty()) text += ": " + response_.body();
      return Status::Unavailable(text);
    }
    return Status::Unavailable("WebSocket handshake failed: " + ec.message());
  }

  void FailHandshake(const Status& status) {
    state_ = State::kClosed;
    CloseSocket();
    if (tracker_) tracker_->Remove(this);
    auto on_error = std::move(on_error_);
    on_error_ = nullptr;
    on_open_ = nullptr;
    if (on_error) RunCatching([&] { on_error(status); }, "WebSocket on_error");
  }

  // --- reading -------------------------------------------------------------------------------
  void DoRead() {
    ws_.async_read_some(
        read_buffer_, kReadChunkBytes,
        [self = this->shared_from_this()](const error_code& ec, std::size_t) { self->OnRead(ec); });
  }

  void OnRead(const error_code& ec) {
    if (state_ == State::kClosed) return;
    if (ec) {
      Finish(CloseInfoForReadError(ec));
      return;
    }
    last_received_ = Clock::now();
    if (ws_.is_message_done()) {
      const auto data = read_buffer_.cdata();
      const std::span<const std::uint8_t> bytes(static_cast<const std::uint8_t*>(data.data()),
                                                data.size());
      const bool is_text = ws_.got_text();
      if (!local_close_ && handlers_.on_message) {
        InvokeOwner("on_message", [&] { handlers_.on_message(bytes, is_text); });
      }
      read_buffer_.clear();
      if (read_buffer_.capacity() > kKeepReadBufferBytes) read_buffer_.shrink_to_fit();
    }
    if (state_ == State::kOpen) DoRead();
  }

  WsCloseInfo CloseInfoForReadError(const error_code& ec) const {
    if (local_close_) return *local_close_;
    if (ec == websocket::error::closed) {
      const websocket::close_reason& reason = ws_.reason();
      const std::uint16_t code =
          reason.code == websocket::close_code::none ? kCloseNoStatus : reason.code;
      return WsCloseInfo{code, std::string(reason.reason.data(), reason.reason.size()), false};
    }
    if (ec == websocket::error::message_too_big) {
      return WsCloseInfo{kCloseTooBig, "message too big", true};
    }
    if (ec == websocket::error::bad_frame_payload) {
      return WsCloseInfo{kCloseInvalidPayload, "invalid frame payload", true};
    }
    if (ec == websocket::condition::protocol_violation) {
      return WsCloseInfo{kCloseProtocolError, ec.message(), true};
    }
    return WsCloseInfo{kCloseAbnormal, ec.message(), false};
  }

  // --- writing -------------------------------------------------------------------------------
  void Enqueue(Payload payload) {
    if (state_ != State::kOpen || local_close_) return;
    const std::size_t size = payload->size();
    if (queued_bytes_.load() + size > options_.send_queue_hard_limit) {
      // Drop what is not on the wire yet; the message being written must stay alive.
      if (writing_) {
        queue_.erase(queue_.begin() + 1, queue_.end());
        queued_bytes_ = queue_.front()->size();
      } else {
        queue_.clear();
        queued_bytes_ = 0;
      }
      StartClose(WsCloseInfo{kClosePolicyViolation, "send queue overflow", true});
      return;
    }
    queue_.push_back(std::move(payload));
    queued_bytes_ += size;
    if (!congested_.load() && queued_bytes_.load() > options_.send_queue_soft_limit) {
      congested_ = true;
      NotifyBackpressure(true);
    }
    if (!writing_) DoWrite();
  }

  void DoWrite() {
    writing_ = true;
    Payload payload = queue_.front();
    ws_.async_write(asio::buffer(*payload),
                    [self = this->shared_from_this(), payload](const error_code& ec, std::size_t) {
                      self->OnWrite(ec);
                    });
  }

  void OnWrite(const error_code& ec) {
    writing_ = false;
    if (state_ == State::kClosed) return;
    if (ec) {
      CloseSocket();  // the pending read reports why
      return;
    }
    queued_bytes_ -= queue_.front()->size();
    queue_.pop_front();
    if (congested_.load() && queued_bytes_.load() <= options_.send_queue_soft_limit / 2) {
      congested_ = false;
      NotifyBackpressure(false);
    }
    if (state_ != State::kOpen) return;
    if (!queue_.empty()) {
      DoWrite();
    } else if (local_close_ && !close_frame_started_) {
      SendCloseFrame();
    }
  }

  void NotifyBackpressure(bool congested) {
    if (local_close_ || !handlers_.on_backpressure) return;
    InvokeOwner("on_backpressure", [&] { handlers_.on_backpressure(congested); });
  }

  // --- closing -------------------------------------------------------------------------------
  void StartClose(WsCloseInfo info) {
    if (state_ != State::kOpen || local_close_) return;
    local_close_ = std::move(info);
    accepting_sends_ = false;
    close_timer_.expires_after(options_.close_timeout);
    close_timer_.async_wait([self = this->shared_from_this()](const error_code& ec) {
      if (!ec && self->state_ != State::kClosed) self->CloseSocket();
    });
    if (!writing_ && queue_.empty()) SendCloseFrame();
  }

  void SendCloseFrame() {
    close_frame_started_ = true;
    const websocket::close_reason reason(static_cast<websocket::close_code>(local_close_->code),
                                         local_close_->reason);
    ws_.async_close(reason, [self = this->shared_from_this()](const error_code& ec) {
      if (ec && self->state_ != State::kClosed) self->CloseSocket();
    });
  }

  void CloseSocket() {
    error_code ignored;
    beast::get_lowest_layer(ws_).socket().shutdown(tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(ws_).socket().close(ignored);
  }

  void Finish(WsCloseInfo info) {
    if (state_ == State::kClosed) return;
    state_ = State::kClosed;
    accepting_sends_ = false;
    heartbeat_timer_.cancel();
    close_timer_.cancel();
    queue_.clear();
    queued_bytes_ = 0;
    CloseSocket();
    if (tracker_) tracker_->Remove(this);
    WsHandlers handlers = std::move(handlers_);
    handlers_ = WsHandlers{};
    ws_.control_callback();  // drop the callback that refers to this
    if (handlers.on_close) {
      RunCatching([&] { handlers.on_close(info); }, "WebSocket on_close");
    }
  }

  // --- heartbeat -----------------------------------------------------------------------------
  void ScheduleHeartbeat() {
    if (options_.ping_interval.count() <= 0 || state_ != State::kOpen) return;
    Clock::time_point next = next_ping_at_;
    if (options_.ping_timeout.count() > 0) {
      next = std::min(next, last_received_ + options_.ping_timeout);
    }
    heartbeat_timer_.expires_at(next);
    heartbeat_timer_.async_wait([self = this->shared_from_this()](const error_code& ec) {
      if (!ec) self->OnHeartbeat();
    });
  }

  void OnHeartbeat() {
    if (state_ != State::kOpen) return;
    const Clock::time_point now = Clock::now();
    if (options_.ping_timeout.count() > 0 && now >= last_received_ + options_.ping_timeout) {
      if (!local_close_) local_close_ = WsCloseInfo{kCloseAbnormal, "ping timeout", true};
      accepting_sends_ = false;
      CloseSocket();  // a dead peer would not answer a close handshake
      return;
    }
    if (now >= next_ping_at_) {
      next_ping_at_ = now + options_.ping_interval;
      if (!ping_in_flight_ && !local_close_) {
        ping_in_flight_ = true;
        ws_.async_ping({}, [self = this->shared_from_this()](const error_code&) {
          self->ping_in_flight_ = false;
        });
      }
    }
    ScheduleHeartbeat();
  }

  // Runs an owner callback; an exception closes the connection with 1011 instead of escaping.
  template <class Fn>
  void InvokeOwner(const char* what, Fn&& fn) {
    try {
      fn();
    } catch (const std::exception& e) {
      Log(std::string("WebSocket ") + what + " threw: " + e.what());
      StartClose(WsCloseInfo{kCloseInternalError, "internal error", true});
    } catch (...) {
      Log(std::string("WebSocket ") + what + " threw");
      StartClose(WsCloseInfo{kCloseInternalError, "internal error", true});
    }
  }

  void Log(const std::string& text) const {
    if (log_) {
      RunCatching([&] { log_(text); }, "log");
    } else {
      std::fprintf(stderr, "crsync net: %s\n", text.c_str());
    }
  }

  websocket::stream<NextLayer, /*deflateSupported=*/false> ws_;
  const beast::tcp_stream::executor_type executor_;  // the strand; what other threads post to
  const WsOptions options_;
  const std::shared_ptr<void> keepalive_;
  const LogFn log_;
  std::shared_ptr<ConnectionTracker> tracker_;
  std::string subprotocol_;     // set before the connection is shared, then immutable
  std::string remote_address_;  // likewise

  // Strand-only state.
  State state_ = State::kHandshaking;
  OpenHandler on_open_;
  std::function<void(const Status&)> on_error_;  // client, until open
  http::request<http::string_body> request_;     // server, until open
  websocket::response_type response_;            // client, until open
  bool shutdown_on_open_ = false;
  bool cancelled_ = false;
  WsHandlers handlers_;
  beast::flat_buffer read_buffer_;
  std::deque<Payload> queue_;
  bool writing_ = false;
  std::optional<WsCloseInfo> local_close_;  // set once this side starts closing
  bool close_frame_started_ = false;
  asio::steady_timer heartbeat_timer_;
  asio::steady_timer close_timer_;
  Clock::time_point last_received_;
  Clock::time_point next_ping_at_;
  bool ping_in_flight_ = false;

  // Written on the strand, read from any thread.
  std::atomic<bool> accepting_sends_{false};
  std::atomic<std::size_t> queued_bytes_{0};
  std::atomic<bool> congested_{false};
};

template <class NextLayer>
void StartServer(NextLayer stream, http::request<http::string_body> request,
                 ServerWsParams params) {
  auto session = std::make_shared<WsSession<NextLayer>>(std::move(stream), params.options,
                                                        params.keepalive, params.log);
  session->StartAccept(std::move(request), std::move(params));
}

template <class NextLayer>
std::function<void()> StartClient(NextLayer stream, ClientWsParams params) {
  auto session = std::make_shared<WsSession<NextLayer>>(std::move(stream), params.options,
                                                        params.keepalive, LogFn());
  session->StartHandshake(std::move(params));
  return [weak = std::weak_ptr<WsSession<NextLayer>>(session)] {
    if (auto session = weak.lock()) session->CancelHandshake();
  };
}

}  // namespace ws_session_detail
}  // namespace crsync::net::internal

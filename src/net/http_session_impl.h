// Internal to net/: the template of one server-side HTTP/1.1 connection, plain or TLS (see
// http_session.h for where it is instantiated): read a request, route it (http_server.h lists
// the order), write the answer, repeat while keep-alive, or hand the stream over to a
// WebSocket session after an accepted upgrade.
//
// The session runs on its socket's strand. Reading a request (headers included) is bounded by
// request_timeout and max_header_bytes; writing a response by kResponseTimeoutFactor times
// request_timeout (enough for large static files on slow links). Request bodies are not used by
// any route; they are read (up to kMaxBodyBytes) and ignored so keep-alive stays in sync. Stop
// (Trackable::Shutdown) closes an idle connection at once and a busy one after its response.
// The upgrade checks run in the order of spec §1.7, except that the path is tested first, as
// §1.1 asks, and no 101 is written before the owner's handler accepted.
#pragma once

#include <boost/beast/websocket/rfc6455.hpp>

#include "net/base64.h"
#include "net/event_loop_internal.h"
#include "net/server_shared.h"
#include "net/static_files.h"
#include "net/ws_session.h"

namespace crsync::net::internal {
namespace http_session_detail {

inline constexpr std::size_t kMaxBodyBytes = 64 * 1024;
inline constexpr int kResponseTimeoutFactor = 4;

inline std::string Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return std::string(text);
}

// True when value (one offered protocol) is among the comma-separated offers.
inline bool WasOffered(std::string_view offers, std::string_view value) {
  while (true) {
    const std::size_t comma = offers.find(',');
    if (Trim(offers.substr(0, comma)) == value) return true;
    if (comma == std::string_view::npos) return false;
    offers.remove_prefix(comma + 1);
  }
}

inline bool IsValidWebSocketKey(std::string_view key) {
  if (key.size() != 24) return false;  // base64 of 16 bytes, padded
  const std::optional<std::string> bytes = Base64Decode(key);
  return bytes && bytes->size() == 16;
}

inline http::status StatusFromInt(int status) {
  if (status < 100 || status > 599) return http::status::internal_server_error;
  return static_cast<http::status>(status);
}

template <class Stream>
constexpr bool kIsTls = std::is_same_v<Stream, TlsStream>;

template <class Stream>
class HttpSession final : public Trackable,
                          public std::enable_shared_from_this<HttpSession<Stream>> {
 public:
  template <class... Args>
  HttpSession(std::shared_ptr<ServerShared> shared, Args&&... args)
      : stream_(std::forward<Args>(args)...),
        executor_(beast::get_lowest_layer(stream_).get_executor()),
        shared_(std::move(shared)) {
    remote_address_ = RemoteAddressOf(beast::get_lowest_layer(stream_).socket());
  }

  ~HttpSession() override { shared_->tracker->Remove(this); }

  void Start() {
    if (!shared_->tracker->Add(this->shared_from_this())) stopping_ = true;
    if constexpr (kIsTls<Stream>) {
      beast::get_lowest_layer(stream_).expires_after(shared_->options.request_timeout);
      stream_.async_handshake(ssl::stream_base::server,
                              [self = this->shared_from_this()](const error_code& ec) {
                                if (ec) return self->CloseSocket();
                                self->DoRead();
                              });
    } else {
      DoRead();
    }
  }

  void Shutdown() override {
    asio::post(executor_, [self = this->shared_from_this()] {
      self->stopping_ = true;
      if (self->reading_) self->CloseSocket();  // idle or mid-request: drop
    });
  }

  void Terminate() override {
    asio::post(executor_, [self = this->shared_from_this()] { self->CloseSocket(); });
  }

 private:
  void DoRead() {
    if (stopping_ || handed_off_) return CloseGracefully();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(shared_->options.max_header_bytes));
    parser_->body_limit(kMaxBodyBytes);
    beast::get_lowest_layer(stream_).expires_after(shared_->options.request_timeout);
    reading_ = true;
    http::async_read(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](const error_code& ec, std::size_t) { self->OnRead(ec); });
  }

  void OnRead(const error_code& ec) {
    reading_ = false;
    if (ec == http::error::end_of_stream) return CloseGracefully();
    if (ec == http::error::header_limit) {
      return SendText(http::status::request_header_fields_too_large, "request header too large",
                      false);
    }
    if (ec == http::error::body_limit) {
      return SendText(http::status::payload_too_large, "request body too large", false);
    }
    if (ec && ec.category() == error_code(http::error::bad_target).category()) {  // parse error
      return SendText(http::status::bad_request, "bad request", false);
    }
    if (ec) return CloseSocket();  // timeout, reset, cancelled by Shutdown
    HandleRequest(parser_->release());
  }

  HttpRequest MakeView(const http::request<http::string_body>& request) const {
    HttpRequest view;
    view.method = std::string(request.method_string());
    view.target = std::string(request.target());
    const std::size_t question = view.target.find('?');
    view.path = view.target.substr(0, question);
    if (question != std::string::npos) view.query = view.target.substr(question + 1);
    for (const auto& field : request) {
      view.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    view.remote_address = remote_address_;
    return view;
  }

  void HandleRequest(http::request<http::string_body> request) {
    version_ = request.version();
    const bool keep_alive = request.keep_alive() && !stopping_;
    const bool head = request.method() == http::verb::head;
    const bool get_or_head = head || request.method() == http::verb::get;
    if (boost::beast::websocket::is_upgrade(request)) return HandleUpgrade(std::move(request));

    HttpRequest view = MakeView(request);
    if (const auto route = shared_->routes.find(view.path); route != shared_->routes.end()) {
      if (!get_or_head) {
        return SendText(http::status::method_not_allowed, "method not allowed", keep_alive,
                        {{"Allow", "GET, HEAD"}});
      }
      HttpResponse response;
      try {
        response = route->second(view);
      } catch (const std::exception& e) {
        shared_->Log("route " + view.path + " threw: " + e.what());
        return SendText(http::status::internal_server_error, "internal error", keep_alive);
      } catch (...) {
        shared_->Log("route " + view.path + " threw");
        return SendText(http::status::internal_server_error, "internal error", keep_alive);
      }
      return SendResponse(response, keep_alive, head);
    }
    if (!shared_->static_root.empty() && get_or_head) return ServeStatic(view, keep_alive, head);
    SendText(http::status::not_found, "not found", keep_alive);
  }

  void ServeStatic(const HttpRequest& view, bool keep_alive, bool head) {
    Result<StaticLookup> lookup = ResolveStaticPath(shared_->static_root, view.path);
    if (!lookup.ok()) {
      const bool bad = lookup.status().code() == StatusCode::kInvalidArgument;
      return SendText(bad ? http::status::bad_request : http::status::not_found,
                      bad ? "bad request" : "not found", keep_alive);
    }
    if (lookup->kind == StaticLookup::Kind::kRedirect) {
      std::string location = lookup->location;
      if (!view.query.empty()) location += "?" + view.query;
      return SendText(http::status::moved_permanently, "moved", keep_alive,
                      {{"Location", location}});
    }
    http::file_body::value_type body;
    error_code ec;
    body.open(lookup->file.c_str(), beast::file_mode::scan, ec);
    if (ec) return SendText(http::status::not_found, "not found", keep_alive);
    const std::uint64_t size = body.size();
    const std::string content_type(ContentTypeForPath(lookup->file));
    if (head) {
      http::response<http::empty_body> response(http::status::ok, version_);
      SetCommonHeaders(response, content_type, keep_alive);
      response.set(http::field::cache_control, "no-cache");
      response.content_length(size);
      return Write(std::move(response));
    }
    http::response<http::file_body> response(std::piecewise_construct,
                                             std::make_tuple(std::move(body)),
                                             std::make_tuple(http::status::ok, version_));
    SetCommonHeaders(response, content_type, keep_alive);
    response.set(http::field::cache_control, "no-cache");
    response.content_length(size);
    Write(std::move(response));
  }

  void HandleUpgrade(http::request<http::string_body> request) {
    const bool path_matches = shared_->ws_path_pattern && shared_->upgrade_handler &&
                              shared_->ws_path_pattern->Matches(request.target());
    if (!path_matches) return RejectUpgrade(http::status::not_found, "not found");
    const auto key = request[http::field::sec_websocket_key];
    if (!IsValidWebSocketKey(std::string_view(key.data(), key.size()))) {
      return RejectUpgrade(http::status::bad_request, "missing or invalid Sec-WebSocket-Key");
    }
    if (request[http::field::sec_websocket_version] != "13") {
      return RejectUpgrade(http::status::upgrade_required, "unsupported WebSocket version",
                           {{"Sec-WebSocket-Version", "13"}});
    }
    if (stopping_ || shared_->tracker->stopping()) {
      return RejectUpgrade(http::status::service_unavailable, "server shutting down");
    }

    UpgradeRequest upgrade;
    upgrade.http = MakeView(request);
    for (const auto& field : request) {
      if (field.name() != http::field::sec_websocket_protocol) continue;
      if (!upgrade.subprotocols.empty()) upgrade.subprotocols += ", ";
      upgrade.subprotocols += std::string(field.value());
    }
    UpgradeDecision decision;
    try {
      decision = shared_->upgrade_handler(upgrade);
    } catch (const std::exception& e) {
      shared_->Log(std::string("upgrade handler threw: ") + e.what());
      return RejectUpgrade(http::status::internal_server_error, "internal error");
    } catch (...) {
      shared_->Log("upgrade handler threw");
      return RejectUpgrade(http::status::internal_server_error, "internal error");
    }
    if (!decision.accepted) {
      return RejectUpgrade(StatusFromInt(decision.status), std::move(decision.reason));
    }
    if (!decision.subprotocol.empty() && !WasOffered(upgrade.subprotocols, decision.subprotocol)) {
      shared_->Log("upgrade handler chose subprotocol '" + decision.subprotocol +
                   "', which the client did not offer");
      return RejectUpgrade(http::status::internal_server_error, "internal error");
    }

    handed_off_ = true;
    shared_->upgrades_accepted.fetch_add(1);
    ServerWsParams params;
    params.loop = shared_->loop;
    params.options = shared_->options.ws;
    params.subprotocol = std::move(decision.subprotocol);
    params.server_name = shared_->options.server_name;
    params.on_open = std::move(decision.on_open);
    params.tracker = shared_->tracker;
    params.keepalive = shared_->tls;
    params.log = shared_->options.log;
    beast::get_lowest_layer(stream_).expires_never();
    StartServerWebSocket(std::move(stream_), std::move(request), std::move(params));
  }

  void RejectUpgrade(http::status status, std::string reason,
                     std::initializer_list<std::pair<std::string, std::string>> extra = {}) {
    shared_->upgrades_rejected.fetch_add(1);
    SendText(status, std::move(reason), /*keep_alive=*/false, extra);
  }

  template <class Body>
  void SetCommonHeaders(http::response<Body>& response, std::string_view content_type,
                        bool keep_alive) {
    response.set(http::field::server, shared_->options.server_name);
    response.set(http::field::content_type, content_type);
    response.set("X-Content-Type-Options", "nosniff");
    response.keep_alive(keep_alive);
  }

  void SendText(http::status status, std::string body, bool keep_alive,
                std::initializer_list<std::pair<std::string, std::string>> extra = {}) {
    HttpResponse response;
    response.status = static_cast<int>(status);
    response.body = std::move(body);
    response.headers.assign(extra.begin(), extra.end());
    SendResponse(response, keep_alive, /*head=*/false);
  }

  void SendResponse(const HttpResponse& source, bool keep_alive, bool head) {
    if (head) {  // GET's headers and Content-Length, no body
      http::response<http::empty_body> response(StatusFromInt(source.status), version_);
      SetCommonHeaders(response, source.content_type, keep_alive);
      for (const auto& [name, value] : source.headers) response.set(name, value);
      response.content_length(source.body.size());
      return Write(std::move(response));
    }
    http::response<http::string_body> response(StatusFromInt(source.status), version_);
    SetCommonHeaders(response, source.content_type, keep_alive);
    for (const auto& [name, value] : source.headers) response.set(name, value);
    response.body() = source.body;
    response.prepare_payload();
    Write(std::move(response));
  }

  // One instantiation per body type (string, empty, file) and stream type: keep it that way,
  // each costs seconds of compile time.
  template <class Body>
  void Write(http::response<Body>&& response) {
    auto message = std::make_shared<http::response<Body>>(std::move(response));
    const bool close = message->need_eof();
    beast::get_lowest_layer(stream_).expires_after(shared_->options.request_timeout *
                                                   kResponseTimeoutFactor);
    auto on_written = [self = this->shared_from_this(), message, close](const error_code& ec,
                                                                        std::size_t) {
      if (ec) return self->CloseSocket();
      if (close || self->stopping_) return self->CloseGracefully();
      self->DoRead();
    };
    http::async_write(stream_, *message, std::move(on_written));
  }

  // Sends FIN (plain) or close_notify (TLS) and lets the peer close; the socket is closed when
  // the session is destroyed.
  void CloseGracefully() {
    if constexpr (kIsTls<Stream>) {
      beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(2));
      stream_.async_shutdown(
          [self = this->shared_from_this()](const error_code&) { self->CloseSocket(); });
    } else {
      error_code ignored;
      beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_send, ignored);
    }
  }

  void CloseSocket() {
    if (handed_off_) return;  // the WebSocket session owns the socket now
    error_code ignored;
    beast::get_lowest_layer(stream_).socket().close(ignored);
  }

  Stream stream_;
  // The socket's strand, copied so that other threads can post without touching stream_
  // (which is moved away on an upgrade).
  const beast::tcp_stream::executor_type executor_;
  const std::shared_ptr<ServerShared> shared_;
  std::string remote_address_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  unsigned version_ = 11;
  bool reading_ = false;     // a request read is pending (idle keep-alive or mid-request)
  bool stopping_ = false;    // Shutdown seen: no further requests
  bool handed_off_ = false;  // stream_ moved into a WebSocket session
};

}  // namespace http_session_detail
}  // namespace crsync::net::internal

// Test fixtures for the net/ network tests: a Recorder that captures one WebSocket
// connection's events thread-safely, a TestServer (EventLoop + HttpServer on 127.0.0.1:0 with a
// recording upgrade handler that echoes by default), and ConnectRecorder for the outbound
// client. Everything is bounded in time through WaitUntil.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "net/event_loop.h"
#include "net/http_server.h"
#include "net/ws_client.h"
#include "net/ws_connection.h"
#include "net/ws_subprotocol.h"
#include "unit/net/net_test_util.h"

namespace crsync::net::testing {

inline std::vector<std::uint8_t> Bytes(const std::string& text) {
  return std::vector<std::uint8_t>(text.begin(), text.end());
}

// Everything one connection reported. All members are guarded by mutex; use the accessors.
class Recorder : public std::enable_shared_from_this<Recorder> {
 public:
  // Handlers recording into this object; when echo, every message is sent back.
  WsHandlers Handlers(bool echo) {
    WsHandlers handlers;
    auto self = shared_from_this();
    handlers.on_message = [self, echo](std::span<const std::uint8_t> data, bool is_text) {
      std::shared_ptr<WsConnection> connection;
      std::function<void(std::span<const std::uint8_t>)> hook;
      {
        std::lock_guard<std::mutex> lock(self->mutex_);
        self->messages_.emplace_back(data.begin(), data.end());
        self->text_flags_.push_back(is_text);
        connection = self->connection_;
        hook = self->on_message_hook_;
      }
      if (hook) hook(data);
      if (echo && connection) connection->Send(data);
    };
    handlers.on_backpressure = [self](bool congested) {
      std::lock_guard<std::mutex> lock(self->mutex_);
      self->backpressure_.push_back(congested);
    };
    handlers.on_close = [self](const WsCloseInfo& info) {
      std::lock_guard<std::mutex> lock(self->mutex_);
      ++self->close_calls_;
      self->close_ = info;
    };
    return handlers;
  }

  OpenHandler MakeOpenHandler(bool echo) {
    auto self = shared_from_this();
    return [self, echo](const std::shared_ptr<WsConnection>& connection) {
      {
        std::lock_guard<std::mutex> lock(self->mutex_);
        self->connection_ = connection;
      }
      return self->Handlers(echo);
    };
  }

  std::function<void(const Status&)> MakeErrorHandler() {
    auto self = shared_from_this();
    return [self](const Status& status) {
      std::lock_guard<std::mutex> lock(self->mutex_);
      self->error_ = status;
    };
  }

  void SetOnMessageHook(std::function<void(std::span<const std::uint8_t>)> hook) {
    std::lock_guard<std::mutex> lock(mutex_);
    on_message_hook_ = std::move(hook);
  }

  std::shared_ptr<WsConnection> connection() {
    std::lock_guard<std::mutex> lock(mutex_);
    return connection_;
  }
  size_t message_count() {
    std::lock_guard<std::mutex> lock(mutex_);
    return messages_.size();
  }
  std::vector<std::vector<std::uint8_t>> messages() {
    std::lock_guard<std::mutex> lock(mutex_);
    return messages_;
  }
  std::vector<bool> text_flags() {
    std::lock_guard<std::mutex> lock(mutex_);
    return text_flags_;
  }
  std::vector<bool> backpressure() {
    std::lock_guard<std::mutex> lock(mutex_);
    return backpressure_;
  }
  std::optional<WsCloseInfo> close() {
    std::lock_guard<std::mutex> lock(mutex_);
    return close_;
  }
  int close_calls() {
    std::lock_guard<std::mutex> lock(mutex_);
    return close_calls_;
  }
  std::optional<Status> error() {
    std::lock_guard<std::mutex> lock(mutex_);
    return error_;
  }

  bool WaitOpen(std::chrono::milliseconds timeout = 5000ms) {
    return WaitUntil([this] { return connection() != nullptr || error().has_value(); }, timeout) &&
           connection() != nullptr;
  }
  bool WaitError(std::chrono::milliseconds timeout = 5000ms) {
    return WaitUntil([this] { return error().has_value(); }, timeout);
  }
  bool WaitMessages(size_t count, std::chrono::milliseconds timeout = 5000ms) {
    return WaitUntil([&] { return message_count() >= count; }, timeout);
  }
  bool WaitClose(std::chrono::milliseconds timeout = 5000ms) {
    return WaitUntil([this] { return close().has_value(); }, timeout);
  }

 private:
  std::mutex mutex_;
  std::shared_ptr<WsConnection> connection_;
  std::vector<std::vector<std::uint8_t>> messages_;
  std::vector<bool> text_flags_;
  std::vector<bool> backpressure_;
  std::optional<WsCloseInfo> close_;
  int close_calls_ = 0;
  std::optional<Status> error_;
  std::function<void(std::span<const std::uint8_t>)> on_message_hook_;
};

inline HttpServerOptions TestServerOptions() {
  HttpServerOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  options.ws_path_pattern = "/sync";
  return options;
}

// An HttpServer on its own loop. By default every upgrade on /sync is accepted, echoing the
// offered subprotocol, and the server side echoes every message.
class TestServer {
 public:
  explicit TestServer(HttpServerOptions options = TestServerOptions(), size_t threads = 2)
      : loop_(threads), server_(loop_, std::move(options)) {
    server_.SetUpgradeHandler([this](const UpgradeRequest& request) {
      std::function<UpgradeDecision(const UpgradeRequest&)> decide;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        ++upgrade_calls_;
        last_request_ = request;
        decide = decide_;
      }
      if (decide) return decide(request);
      return Accept(request.subprotocols);
    });
  }

  // Accepts with subprotocol and records the connection.
  UpgradeDecision Accept(const std::string& subprotocol) {
    auto recorder = std::make_shared<Recorder>();
    std::lock_guard<std::mutex> lock(mutex_);
    connections_.push_back(recorder);
    return UpgradeDecision::Accept(subprotocol, recorder->MakeOpenHandler(echo_));
  }

  Status Start() { return server_.Start(); }
  void StartOrDie() { ASSERT_TRUE(server_.Start().ok()); }

  void SetDecider(std::function<UpgradeDecision(const UpgradeRequest&)> decide) {
    std::lock_guard<std::mutex> lock(mutex_);
    decide_ = std::move(decide);
  }
  void set_echo(bool echo) {
    std::lock_guard<std::mutex> lock(mutex_);
    echo_ = echo;
  }

  std::shared_ptr<Recorder> connection(size_t index) {
    std::lock_guard<std::mutex> lock(mutex_);
    return index < connections_.size() ? connections_[index] : nullptr;
  }
  // Waits until the index-th accepted connection is open and returns it.
  std::shared_ptr<Recorder> WaitConnection(size_t index) {
    std::shared_ptr<Recorder> recorder;
    WaitUntil([&] {
      recorder = connection(index);
      return recorder && recorder->connection();
    });
    return recorder;
  }
  int upgrade_calls() {
    std::lock_guard<std::mutex> lock(mutex_);
    return upgrade_calls_;
  }
  UpgradeRequest last_request() {
    std::lock_guard<std::mutex> lock(mutex_);
    return last_request_;
  }

  std::string url(const std::string& target = "/sync") const {
    return "ws://127.0.0.1:" + std::to_string(server_.port()) + target;
  }
  std::uint16_t port() const { return server_.port(); }
  EventLoop& loop() { return loop_; }
  HttpServer& server() { return server_; }

 private:
  EventLoop loop_;  // first: outlives the server
  HttpServer server_;
  std::mutex mutex_;
  std::function<UpgradeDecision(const UpgradeRequest&)> decide_;
  bool echo_ = true;
  int upgrade_calls_ = 0;
  UpgradeRequest last_request_;
  std::vector<std::shared_ptr<Recorder>> connections_;
};

// Starts an outbound connection that records into the returned Recorder (no echo).
inline std::shared_ptr<Recorder> ConnectRecorder(EventLoop& loop, WsClientOptions options,
                                                 ConnectHandle* handle = nullptr) {
  auto recorder = std::make_shared<Recorder>();
  ConnectHandle started = ConnectWebSocket(
      loop, std::move(options), recorder->MakeOpenHandler(false), recorder->MakeErrorHandler());
  if (handle) *handle = started;
  return recorder;
}

inline WsClientOptions ClientOptions(const std::string& url, const std::string& room = "r1") {
  WsClientOptions options;
  options.url = url;
  options.subprotocol = *EncodeSyncSubprotocol(room, std::nullopt);
  options.connect_timeout = 5000ms;
  return options;
}

}  // namespace crsync::net::testing

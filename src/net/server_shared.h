// Internal to net/: what an HttpServer shares with its HTTP sessions — the configuration frozen
// at Start, the route table, the compiled upgrade path pattern, the TLS context, the connection
// tracker and the counters. Immutable after Start except for the atomics and the tracker, so
// sessions on any thread read it without locks.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "net/beast_includes.h"
#include "net/connection_tracker.h"
#include "net/http_server.h"
#include "net/path_pattern.h"

namespace crsync::net::internal {

struct ServerShared {
  EventLoop* loop = nullptr;
  HttpServerOptions options;
  std::unordered_map<std::string, HttpHandler> routes;
  UpgradeHandler upgrade_handler;
  std::optional<PathPattern> ws_path_pattern;
  std::filesystem::path static_root;  // canonical; empty: no static files
  std::shared_ptr<ssl::context> tls;  // null: plain
  std::shared_ptr<ConnectionTracker> tracker = std::make_shared<ConnectionTracker>();
  std::atomic<std::uint64_t> connections_accepted{0};
  std::atomic<std::uint64_t> upgrades_accepted{0};
  std::atomic<std::uint64_t> upgrades_rejected{0};

  void Log(std::string_view text) const;
};

}  // namespace crsync::net::internal

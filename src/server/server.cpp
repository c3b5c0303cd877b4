// Server (see server.h): wires net::HttpServer (routes, upgrade), the room registry, auth and
// metrics together, and runs the graceful stop.
#include "server/server.h"

#include <atomic>
#include <ctime>
#include <filesystem>
#include <optional>
#include <thread>
#include <utility>

#include "net/http_server.h"
#include "net/ws_subprotocol.h"
#include "server/log.h"
#include "server/metrics.h"
#include "server/room.h"
#include "server/room_name.h"
#include "server/room_registry.h"
#include "server/server_metrics.h"
#include "wslink/ws_transport.h"

namespace crsync::server {
namespace {

// A regex that matches exactly path, optionally followed by a query string.
std::string ExactPathPattern(const std::string& path) {
  std::string pattern = "^";
  for (char c : path) {
    if (std::string_view("\\^$.|?*+()[]{}/").find(c) != std::string_view::npos) pattern += '\\';
    pattern += c;
  }
  return pattern + "(\\?.*)?$";
}

net::HttpResponse TextResponse(int status, std::string content_type, std::string body) {
  net::HttpResponse response;
  response.status = status;
  response.content_type = std::move(content_type);
  response.body = std::move(body);
  return response;
}

}  // namespace

struct Server::Impl {
  explicit Impl(ServerOptions server_options)
      : options(std::move(server_options)), metrics(registry) {}

  net::UpgradeDecision OnUpgrade(const net::UpgradeRequest& request);
  net::WsHandlers OnOpen(const std::string& room, bool read_only,
                         const std::shared_ptr<net::WsConnection>& connection);
  Status Start();
  void Stop();

  const ServerOptions options;
  MetricsRegistry registry;
  ServerMetrics metrics;
  RoomServices services;
  std::optional<Authenticator> auth;
  std::atomic<bool> stopping{false};
  bool started = false;
  bool stopped = false;
  // Destroyed in reverse: the HTTP server first, then the loop (abandoned tasks may hold rooms),
  // then the rooms.
  std::unique_ptr<RoomRegistry> rooms;
  std::unique_ptr<net::EventLoop> loop;
  std::unique_ptr<net::HttpServer> http;
};

net::UpgradeDecision Server::Impl::OnUpgrade(const net::UpgradeRequest& request) {
  if (stopping.load()) return net::UpgradeDecision::Reject(503, "server shutting down");
  Result<net::SyncSubprotocol> offer = net::ParseSyncSubprotocol(request.subprotocols);
  if (!offer.ok()) {
    metrics.Error(kErrorBadHandshake).Inc();
    return net::UpgradeDecision::Reject(400, offer.status().message());
  }
  const std::optional<std::string_view> token =
      offer->token ? std::optional<std::string_view>(*offer->token) : std::nullopt;
  Result<Grant> grant = auth->Authorize(token, offer->room, std::time(nullptr));
  if (!grant.ok()) {
    const bool forbidden = grant.status().code() == StatusCode::kPermissionDenied;
    metrics.Error(forbidden ? kErrorForbidden : kErrorUnauthorized).Inc();
    Log(LogLevel::kInfo, "upgrade refused",
        {{"peer", request.http.remote_address}, {"error", grant.status().ToString()}});
    return net::UpgradeDecision::Reject(forbidden ? 403 : 401, grant.status().message());
  }
  // The room name is checked after the upgrade so that a browser sees the reason in the close
  // event (an HTTP refusal body is invisible to page scripts).
  return net::UpgradeDecision::Accept(
      offer->echo, [this, room = offer->room, read_only = grant->read_only](
                       const std::shared_ptr<net::WsConnection>& connection) {
        return OnOpen(room, read_only, connection);
      });
}

net::WsHandlers Server::Impl::OnOpen(const std::string& room, bool read_only,
                                     const std::shared_ptr<net::WsConnection>& connection) {
  metrics.connections_total.Inc();
  Status valid = ValidateRoomName(room);
  if (!valid.ok()) {
    metrics.Error(kErrorInvalidRoom).Inc();
    connection->Close(net::kClosePolicyViolation, valid.message());
    return net::WsHandlers{};
  }
  std::shared_ptr<Room> target = rooms->Acquire(room);
  auto transport = std::make_shared<wslink::WsTransport>(
      connection, [strand = target->strand()](std::function<void()> task) {
        strand->Post(std::move(task));
      });
  net::WsHandlers handlers = transport->Handlers();
  // Posted before any event of this connection can be (they are posted after on_open returns).
  target->strand()->Post([target, transport, read_only] { target->AddPeer(transport, read_only); });
  return handlers;
}

Status Server::Impl::Start() {
  if (started) return Status::FailedPrecondition("server already started");
  started = true;
  CRSYNC_ASSIGN_OR_RETURN(Authenticator authenticator, Authenticator::Create(options.auth));
  auth.emplace(std::move(authenticator));
  if (!options.db_folder.empty()) {
    std::error_code error;
    std::filesystem::create_directories(options.db_folder, error);
    if (error || !std::filesystem::is_directory(options.db_folder)) {
      return Status::InvalidArgument("cannot create db folder " + options.db_folder + ": " +
                                     error.message());
    }
  }
  if (!options.schema_folder.empty() && !std::filesystem::is_directory(options.schema_folder)) {
    return Status::InvalidArgument("schema folder " + options.schema_folder +
                                   " is not a directory");
  }
  if (options.threads == 0) return Status::InvalidArgument("threads must be at least 1");
  services.db_folder = options.db_folder;
  services.schemas = SchemaFolder(options.schema_folder);
  services.metrics = &metrics;
  services.session_options.max_changes_per_message = options.max_changes_per_message;

  loop = std::make_unique<net::EventLoop>(options.threads);
  rooms = std::make_unique<RoomRegistry>(*loop, services);
  net::HttpServerOptions http_options;
  http_options.host = options.host;
  http_options.port = options.port;
  http_options.static_root = options.static_dir;
  http_options.ws_path_pattern = options.sync_path_pattern.empty()
                                     ? ExactPathPattern(options.sync_path)
                                     : options.sync_path_pattern;
  if (!options.tls_cert_file.empty() || !options.tls_key_file.empty()) {
    http_options.tls = net::TlsFiles{options.tls_cert_file, options.tls_key_file};
  }
  http_options.ws.max_message_bytes = options.max_message_bytes;
  http_options.ws.ping_interval = options.ping_interval;
  http_options.ws.send_queue_soft_limit = options.send_queue_bytes;
  // Two missed pongs and a half: the peer is gone (D13).
  http_options.ws.ping_timeout = options.ping_interval * 5 / 2;
  http_options.log = [](std::string_view line) { Log(LogLevel::kWarn, line); };
  http = std::make_unique<net::HttpServer>(*loop, http_options);
  http->Handle("/healthz", [this](const net::HttpRequest&) {
    if (stopping.load()) return TextResponse(503, "text/plain; charset=utf-8", "stopping\n");
    return TextResponse(200, "text/plain; charset=utf-8", "ok\n");
  });
  http->Handle("/metrics", [this](const net::HttpRequest&) {
    return TextResponse(200, std::string(kPrometheusContentType), registry.RenderPrometheus());
  });
  http->SetUpgradeHandler([this](const net::UpgradeRequest& request) { return OnUpgrade(request); });
  CRSYNC_RETURN_IF_ERROR(http->Start());
  Log(LogLevel::kInfo, "server started",
      {{"host", options.host},
       {"port", http->port()},
       {"auth", auth->Describe()},
       {"db_folder", options.db_folder.empty() ? std::string("(memory)") : options.db_folder}});
  return Status();
}

void Server::Impl::Stop() {
  if (stopped) return;
  stopped = true;
  stopping.store(true);
  if (http) http->Stop(options.shutdown_grace);
  // Every connection is gone; let the rooms process the closes (sessions removed, last group
  // commits done, databases closed), bounded by the grace period.
  if (rooms) {
    const auto deadline = std::chrono::steady_clock::now() + options.shutdown_grace;
    while (rooms->size() > 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  if (loop) loop->Stop();
  // Rooms still registered (their tasks never ran) close here, on this thread.
  if (rooms) rooms->TakeAll();
  if (started) Log(LogLevel::kInfo, "server stopped");
}

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Server::~Server() { Stop(); }

Status Server::Start() {
  Status status = impl_->Start();
  if (!status.ok() && status.code() != StatusCode::kFailedPrecondition) impl_->Stop();
  return status;
}

std::uint16_t Server::port() const { return impl_->http ? impl_->http->port() : 0; }

void Server::Stop() { impl_->Stop(); }

std::string Server::MetricsText() const { return impl_->registry.RenderPrometheus(); }

}  // namespace crsync::server

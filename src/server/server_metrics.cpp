// ServerMetrics (see server_metrics.h): registration of every crsync-server series.
#include "server/server_metrics.h"

namespace crsync::server {
namespace {

constexpr std::string_view kErrorsName = "crsync_errors_total";
constexpr std::string_view kErrorsHelp =
    "Refused upgrades, room failures and sessions that ended with an error, by kind";

// The StatusCodes a session can close with, plus the server's own kinds.
std::vector<std::string> ErrorKinds() {
  std::vector<std::string> kinds = {
      std::string(kErrorBadHandshake), std::string(kErrorUnauthorized),
      std::string(kErrorForbidden),    std::string(kErrorInvalidRoom),
      std::string(kErrorRoomOpen),     std::string(kErrorCommitFailed),
      "other"};
  for (StatusCode code :
       {StatusCode::kInvalidArgument, StatusCode::kDataLoss, StatusCode::kOutOfRange,
        StatusCode::kResourceExhausted, StatusCode::kNotFound, StatusCode::kFailedPrecondition,
        StatusCode::kUnimplemented, StatusCode::kUnavailable, StatusCode::kInternal,
        StatusCode::kUnauthenticated, StatusCode::kPermissionDenied}) {
    kinds.emplace_back(StatusCodeName(code));
  }
  return kinds;
}

}  // namespace

ServerMetrics::ServerMetrics(MetricsRegistry& registry)
    : connections(registry.AddGauge("crsync_connections", "WebSocket sync connections open")),
      rooms_open(registry.AddGauge("crsync_rooms_open", "Rooms with an open database")),
      connections_total(registry.AddCounter("crsync_connections_total",
                                            "WebSocket sync connections accepted")),
      changes_in(registry.AddCounter("crsync_changes_received_total",
                                     "Changes received from clients and applied")),
      changes_out(registry.AddCounter("crsync_changes_sent_total", "Changes sent to clients")),
      messages_in(registry.AddCounter("crsync_messages_received_total",
                                      "Sync protocol messages received")),
      messages_out(
          registry.AddCounter("crsync_messages_sent_total", "Sync protocol messages sent")),
      bytes_in(registry.AddCounter("crsync_bytes_received_total",
                                   "Bytes of sync protocol messages received")),
      bytes_out(registry.AddCounter("crsync_bytes_sent_total",
                                    "Bytes of sync protocol messages sent")),
      group_commits(registry.AddCounter("crsync_group_commits_total",
                                        "Room transactions committed (group commit)")),
      group_redos(registry.AddCounter(
          "crsync_group_redos_total",
          "Group transactions rolled back and redone without a batch that failed")),
      batches_applied(registry.AddCounter("crsync_batches_applied_total",
                                          "Received change batches applied")),
      commit_seconds(registry.AddHistogram(
          "crsync_commit_seconds", "Group commit latency, first apply to COMMIT done",
          ExponentialBuckets(0.0005, 2.0, 14))),
      pulls_cached(registry.AddCounter("crsync_pulls_cached_total",
                                       "Pulls answered from the room's recent-change cache")),
      pulls_sqlite(registry.AddCounter("crsync_pulls_sqlite_total",
                                       "Pulls that read crsql_changes")) {
  for (const std::string& kind : ErrorKinds()) {
    errors_[kind] = &registry.AddCounter(std::string(kErrorsName), std::string(kErrorsHelp),
                                         {{"kind", kind}});
  }
}

Counter& ServerMetrics::Error(std::string_view kind) {
  auto it = errors_.find(kind);
  if (it == errors_.end()) it = errors_.find(std::string_view("other"));
  return *it->second;
}

}  // namespace crsync::server

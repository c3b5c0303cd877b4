// The metrics crsync-server exports on GET /metrics (docs/operations.md lists them): one place
// that registers every series, so the names and help texts are defined once.
//
// Error kinds (label `kind` of crsync_errors_total) are a fixed list: HTTP-level refusals
// before the upgrade, room-level failures, and sessions that ended with an error, by the
// StatusCode of their close status (e.g. "data_loss" for an undecodable message,
// "failed_precondition" for a schema mismatch, "unavailable" for a lost connection).
//
// Threading: the references point into the registry and are thread-safe (atomic counters).
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "common/status.h"
#include "server/metrics.h"

namespace crsync::server {

class ServerMetrics {
 public:
  // Registers every series in registry, which must outlive this object.
  explicit ServerMetrics(MetricsRegistry& registry);

  Gauge& connections;         // WebSocket sync connections open
  Gauge& rooms_open;          // rooms with an open database
  Counter& connections_total; // sync connections accepted
  Counter& changes_in;        // changes received in applied batches
  Counter& changes_out;       // changes sent
  Counter& messages_in;
  Counter& messages_out;
  Counter& bytes_in;
  Counter& bytes_out;
  Counter& group_commits;     // room transactions committed
  Counter& group_redos;       // groups rolled back and redone without a failed batch
  Counter& batches_applied;   // received batches applied (several per group commit)
  Histogram& commit_seconds;  // group commit latency: BEGIN to COMMIT done
  Counter& pulls_cached;      // pulls answered from the room's change cache
  Counter& pulls_sqlite;      // pulls that read crsql_changes (cursor below the cache)

  // The error counter of kind (one of kErrorKinds, or a StatusCodeName); unknown kinds count
  // as "other".
  Counter& Error(std::string_view kind);
  // The error counter for a session that closed with status (not OK).
  Counter& SessionError(const Status& status) { return Error(StatusCodeName(status.code())); }

 private:
  std::map<std::string, Counter*, std::less<>> errors_;
};

// Error kinds outside StatusCodeName(): upgrade refusals and room failures.
inline constexpr std::string_view kErrorBadHandshake = "bad_handshake";    // 400 before upgrade
inline constexpr std::string_view kErrorUnauthorized = "unauthorized";     // 401
inline constexpr std::string_view kErrorForbidden = "forbidden";           // 403
inline constexpr std::string_view kErrorInvalidRoom = "invalid_room";      // closed 1008
inline constexpr std::string_view kErrorRoomOpen = "room_open_failed";     // closed 1011
inline constexpr std::string_view kErrorCommitFailed = "commit_failed";    // group COMMIT failed

}  // namespace crsync::server

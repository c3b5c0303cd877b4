// Which failures the native client retries and which end it (docs/client.md "Errors").
//
// Retrying helps when the server is unreachable, restarting or overloaded; it cannot help when
// the server refuses who we are or what we carry. Those end the client with a clear status
// instead of a reconnect storm:
//   * the upgrade was answered HTTP 401 -> kUnauthenticated, 403 -> kPermissionDenied;
//   * HTTP 400 or 404 (bad subprotocol header, wrong path), or a server that does not echo the
//     vlcn subprotocol -> kFailedPrecondition (a misconfigured URL or a non-vlcn server);
//   * the session was closed with 1008 by the server (schema mismatch, refused change, foreign
//     sender), except "send queue overflow", which is load -> kFailedPrecondition;
//   * our own engine refused a change from the server (the schemas differ) -> kFailedPrecondition.
// Everything else (connect errors, timeouts, 5xx, 1001 server shutdown, 1006 drops, 1011, 4000
// resync, protocol errors) is retried with backoff. Pure functions.
#pragma once

#include <optional>

#include "common/status.h"

namespace crsync::client {

// For an error of net::ConnectWebSocket: the fatal status, or nullopt to retry.
std::optional<Status> FatalConnectError(const Status& error);

// For the close status of a session (sync::SessionObserver::OnClosed): the fatal status, or
// nullopt to retry. An OK status (the server closed normally, e.g. shutting down) is retried.
std::optional<Status> FatalSessionClose(const Status& close_status);

}  // namespace crsync::client

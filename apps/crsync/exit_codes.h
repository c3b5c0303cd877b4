// Exit codes of the `crsync` CLI (documented in docs/client.md and in `crsync --help`).
#pragma once

#include "common/status.h"

namespace crsync::cli {

inline constexpr int kExitOk = 0;        // done; or stopped cleanly by SIGINT/SIGTERM
inline constexpr int kExitFailure = 1;   // any other failure
inline constexpr int kExitUsage = 2;     // bad flags or arguments (URL, room, token)
inline constexpr int kExitAuth = 3;      // the server refused the token (HTTP 401/403)
inline constexpr int kExitRefused = 4;   // the server refused the session or request
                                         // (schema mismatch, close 1008, HTTP 400/404)
inline constexpr int kExitDatabase = 5;  // the local database or schema file failed
inline constexpr int kExitTimeout = 6;   // --once: not up to date within --timeout

// The exit code for a sync that ended in SyncState::kError with error.
inline int ExitCodeForSyncError(const Status& error) {
  switch (error.code()) {
    case StatusCode::kUnauthenticated:
    case StatusCode::kPermissionDenied:
      return kExitAuth;
    case StatusCode::kFailedPrecondition:
    case StatusCode::kInvalidArgument:
      return kExitRefused;
    default:
      return kExitFailure;
  }
}

}  // namespace crsync::cli

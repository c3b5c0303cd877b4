// Room names: which names a client may use, and which file a room lives in.
//
// The room name arrives inside the Sec-WebSocket-Protocol value (net::ParseSyncSubprotocol, as
// UTF-8 converted from Latin-1) and becomes a file name under --db-folder, exactly as the
// reference server does (spec §1.2, §4.8). It is untrusted, so before any file is touched the
// name must pass ValidateRoomName: 1..kMaxRoomNameBytes bytes of valid UTF-8, no control
// characters, no path syntax ('/', '\\', a leading '.', ".."), no ':' except the reference's
// special room ":memory:", and no suffix that is one of SQLite's side files ("-wal", "-shm",
// "-journal"), which would alias another room's WAL or journal. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"

namespace crsync::server {

inline constexpr std::size_t kMaxRoomNameBytes = 128;

// The reference's special room name: an in-memory room even when a db folder is configured.
inline constexpr std::string_view kMemoryRoomName = ":memory:";

// OK, or InvalidArgument whose message says what is wrong (shown to the client as the close
// reason, so it names the rule, not the file system).
Status ValidateRoomName(std::string_view room);

}  // namespace crsync::server

// Internal to net/: the entry points of one server-side HTTP connection. The template lives in
// http_session_impl.h and is instantiated once per stream type, in http_session_plain.cpp and
// http_session_tls.cpp, so that the two (expensive) instantiations compile in parallel.
#pragma once

#include <memory>

#include "net/beast_includes.h"
#include "net/server_shared.h"

namespace crsync::net::internal {

// Run one HTTP connection until it closes or is upgraded to a WebSocket. The socket must be
// bound to its own strand.
void StartPlainHttpSession(tcp::socket socket, std::shared_ptr<ServerShared> shared);
void StartTlsHttpSession(tcp::socket socket, std::shared_ptr<ServerShared> shared);  // shared->tls

}  // namespace crsync::net::internal

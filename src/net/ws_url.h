// WebSocket URLs for the outbound client: ws://host[:port][/path][?query] and wss://...
//
// Parsed the way a browser's WebSocket constructor does for the cases a sync client meets:
// scheme case-insensitive (http/https are accepted as aliases, as the WHATWG WebSocket
// constructor now does), host required, IPv6 literals in brackets, default ports 80/443, path
// defaulting to "/", query kept verbatim, fragments refused. User info ("user@host") is refused
// rather than silently dropped. The request target is sent as written; nothing is appended
// (spec sync-protocol.md §1.1). Pure function, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace crsync::net {

struct WsUrl {
  bool secure = false;      // wss
  std::string host;         // without brackets: "example.com", "127.0.0.1", "::1"
  std::uint16_t port = 0;   // explicit or default (80 / 443)
  std::string target;       // "/path?query", never empty
  std::string host_header;  // value for the Host header: host, bracketed if IPv6, ":port" if
                            // the port is not the scheme's default
};

// InvalidArgument with a message naming the problem when url is not a usable ws/wss URL.
Result<WsUrl> ParseWsUrl(std::string_view url);

}  // namespace crsync::net

// Plain HTTP request/response values exchanged between the server and its route handlers, and
// header helpers. No Beast types: the server converts at its edge (http_session.cpp).
// Value types; thread-safe as values.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace crsync::net {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// The value of the first header named name (ASCII case-insensitive), or nullptr.
const std::string* FindHeader(const HttpHeaders& headers, std::string_view name);

struct HttpRequest {
  std::string method;          // "GET", "HEAD", ...
  std::string target;          // raw request-target: path + query
  std::string path;            // target up to '?'
  std::string query;           // after '?', without it; "" when none
  HttpHeaders headers;         // in arrival order, names as sent
  std::string remote_address;  // "ip:port"
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  HttpHeaders headers;  // extra headers (Cache-Control, ...)
};

}  // namespace crsync::net

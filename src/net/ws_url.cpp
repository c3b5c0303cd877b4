// ws:// and wss:// URL parsing for the outbound client; rules in ws_url.h.
#include "net/ws_url.h"

#include <algorithm>
#include <cctype>

namespace crsync::net {
namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool IsHostChar(char c) {
  const auto u = static_cast<unsigned char>(c);
  return std::isalnum(u) || c == '-' || c == '.' || c == '_' || c == '~' || c == '%';
}

}  // namespace

Result<WsUrl> ParseWsUrl(std::string_view url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    return Status::InvalidArgument("URL has no scheme (expected ws:// or wss://)");
  }
  const std::string scheme = Lower(url.substr(0, scheme_end));
  WsUrl result;
  if (scheme == "ws" || scheme == "http") {
    result.secure = false;
  } else if (scheme == "wss" || scheme == "https") {
    result.secure = true;
  } else {
    return Status::InvalidArgument("unsupported URL scheme '" + scheme + "'");
  }
  std::string_view rest = url.substr(scheme_end + 3);
  if (rest.find('#') != std::string_view::npos) {
    return Status::InvalidArgument("a WebSocket URL must not have a fragment");
  }
  const size_t authority_end = rest.find_first_of("/?");
  const std::string_view authority = rest.substr(0, authority_end);
  const std::string_view path_and_query =
      authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  if (authority.find('@') != std::string_view::npos) {
    return Status::InvalidArgument("user info in a WebSocket URL is not supported");
  }

  std::string_view port_text;
  bool ipv6 = false;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return Status::InvalidArgument("unterminated IPv6 host");
    result.host = std::string(authority.substr(1, close - 1));
    ipv6 = true;
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return Status::InvalidArgument("junk after IPv6 host");
      port_text = after.substr(1);
    }
    for (const char c : result.host) {
      if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.') {
        return Status::InvalidArgument("bad IPv6 host");
      }
    }
  } else {
    const size_t colon = authority.find(':');
    result.host = Lower(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
    for (const char c : result.host) {
      if (!IsHostChar(c)) return Status::InvalidArgument("bad character in host");
    }
  }
  if (result.host.empty()) return Status::InvalidArgument("URL has no host");

  const std::uint16_t default_port = result.secure ? 443 : 80;
  result.port = default_port;
  if (!port_text.empty()) {
    unsigned long value = 0;
    for (const char c : port_text) {
      if (!std::isdigit(static_cast<unsigned char>(c))) {
        return Status::InvalidArgument("bad port in URL");
      }
      value = value * 10 + static_cast<unsigned long>(c - '0');
      if (value > 65535) return Status::InvalidArgument("port out of range");
    }
    if (value == 0) return Status::InvalidArgument("port 0 in URL");
    result.port = static_cast<std::uint16_t>(value);
  }

  result.target = path_and_query.empty() || path_and_query.front() == '?'
                      ? "/" + std::string(path_and_query)
                      : std::string(path_and_query);
  for (const char c : result.target) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) {
      return Status::InvalidArgument(
          "URL path has a space, control or non-ASCII character; percent-encode it");
    }
  }
  result.host_header = ipv6 ? "[" + result.host + "]" : result.host;
  if (result.port != default_port) result.host_header += ":" + std::to_string(result.port);
  return result;
}

}  // namespace crsync::net

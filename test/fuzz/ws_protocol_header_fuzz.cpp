// libFuzzer target for net::ParseSyncSubprotocol (src/net/ws_subprotocol.h), the parser of the
// Sec-WebSocket-Protocol value every upgrade request carries (spec sync-protocol.md §1.2), and
// for the encoder and base64 helpers it relies on.
//
// Input: the raw header value. Checks, beyond "no crash, no sanitizer report": an accepted
// header has a non-empty room, its echo is the input without surrounding spaces/tabs and is one
// base64 token without ','; re-encoding the parsed room and token (when the encoder accepts
// them) parses back to the same room and token; any input used as a room either fails to
// encode or encodes to a value without '=' or '/' that parses back to it; base64 round-trips.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "net/base64.h"
#include "net/ws_subprotocol.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace crsync::net;
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  crsync::Result<SyncSubprotocol> parsed = ParseSyncSubprotocol(input);
  if (parsed.ok()) {
    Check(!parsed->room.empty());
    Check(!parsed->token || !parsed->token->empty());
    Check(parsed->echo == Trim(input));
    Check(parsed->echo.find(',') == std::string::npos);
    Check(Base64Decode(parsed->echo).has_value());
    crsync::Result<std::string> again = EncodeSyncSubprotocol(parsed->room, parsed->token);
    if (again.ok()) {
      crsync::Result<SyncSubprotocol> reparsed = ParseSyncSubprotocol(*again);
      Check(reparsed.ok());
      Check(reparsed->room == parsed->room);
      Check(reparsed->token == parsed->token);
    }
  }

  // The input as a room name (first half) and token (second half).
  const std::string_view room = input.substr(0, size / 2);
  const std::string token(input.substr(size / 2));
  crsync::Result<std::string> encoded =
      EncodeSyncSubprotocol(room, size % 2 ? std::optional<std::string>(token) : std::nullopt);
  if (encoded.ok()) {
    Check(encoded->find_first_of("=/,") == std::string::npos);
    crsync::Result<SyncSubprotocol> decoded = ParseSyncSubprotocol(*encoded);
    Check(decoded.ok());
    Check(decoded->room == room);
    Check(decoded->echo == *encoded);
    if (size % 2 && !token.empty()) {
      Check(decoded->token == token);
    } else {
      Check(!decoded->token.has_value());
    }
  }

  const std::string bytes(input);
  Check(Base64Decode(Base64Encode(bytes)) == bytes);
  return 0;
}

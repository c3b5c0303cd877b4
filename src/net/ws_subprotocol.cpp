// Parse and build the vlcn sync Sec-WebSocket-Protocol value; the rules and the reasons for them
// are in ws_subprotocol.h and spec sync-protocol.md §1.2. The parser mirrors the reference
// server's string handling step by step (atob, Latin-1, split(','), split('=')[0..1], later keys
// win) so that every header the reference accepts maps to the same room and token here.
#include "net/ws_subprotocol.h"

#include <cstdint>

#include "common/utf8.h"
#include "net/base64.h"

namespace crsync::net {
namespace {

bool IsOws(char c) { return c == ' ' || c == '\t'; }

std::string_view TrimOws(std::string_view text) {
  while (!text.empty() && IsOws(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsOws(text.back())) text.remove_suffix(1);
  return text;
}

// UTF-8 (already validated) to Latin-1; nullopt when a code point is above U+00FF.
std::optional<std::string> Utf8ToLatin1(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  for (size_t i = 0; i < utf8.size();) {
    const auto lead = static_cast<uint8_t>(utf8[i]);
    if (lead < 0x80) {
      out.push_back(static_cast<char>(lead));
      i += 1;
    } else if ((lead & 0xe0) == 0xc0) {
      // Valid UTF-8 guarantees the continuation byte; C2..C3 leads are U+0080..U+00FF.
      const uint32_t code_point =
          (uint32_t{lead & 0x1fu} << 6) | (static_cast<uint8_t>(utf8[i + 1]) & 0x3fu);
      if (code_point > 0xff) return std::nullopt;
      out.push_back(static_cast<char>(code_point));
      i += 2;
    } else {
      return std::nullopt;  // three- and four-byte sequences are all above U+00FF
    }
  }
  return out;
}

Status CheckEncodable(std::string_view what, std::string_view text) {
  if (!IsValidUtf8(text)) return Status::InvalidArgument(std::string(what) + " is not valid UTF-8");
  if (!Utf8ToLatin1(text)) {
    return Status::InvalidArgument(std::string(what) +
                                   " has a character above U+00FF, which btoa() cannot encode");
  }
  if (text.find_first_of(",=") != std::string_view::npos) {
    return Status::InvalidArgument(std::string(what) +
                                   " contains ',' or '=', which the server would cut off; "
                                   "percent- or base64url-encode it first");
  }
  return Status::Ok();
}

}  // namespace

std::string Latin1ToUtf8(std::string_view latin1) {
  std::string out;
  out.reserve(latin1.size());
  for (const char c : latin1) {
    const auto byte = static_cast<uint8_t>(c);
    if (byte < 0x80) {
      out.push_back(c);
    } else {
      out.push_back(static_cast<char>(0xc0 | (byte >> 6)));
      out.push_back(static_cast<char>(0x80 | (byte & 0x3f)));
    }
  }
  return out;
}

Result<SyncSubprotocol> ParseSyncSubprotocol(std::string_view header_value) {
  const std::string_view offered = TrimOws(header_value);
  if (offered.empty()) return Status::DataLoss("missing Sec-WebSocket-Protocol header");
  if (offered.find(',') != std::string_view::npos) {
    return Status::DataLoss("more than one subprotocol offered");
  }
  std::optional<std::string> plaintext = Base64Decode(offered);
  if (!plaintext) return Status::DataLoss("Sec-WebSocket-Protocol is not base64");

  // JavaScript: for (const entry of text.split(',')) { const [k, v] = entry.split('='); ... }
  std::optional<std::string_view> room;
  std::optional<std::string_view> auth;
  std::string_view rest = *plaintext;
  while (true) {
    const size_t comma = rest.find(',');
    const std::string_view entry = rest.substr(0, comma);
    const size_t eq = entry.find('=');
    const std::string_view key = entry.substr(0, eq);
    std::optional<std::string_view> value;
    if (eq != std::string_view::npos) {
      const std::string_view after = entry.substr(eq + 1);
      value = after.substr(0, after.find('='));  // split('=')[1]: up to the next '='
    }
    if (key == "room") room = value;
    if (key == "auth") auth = value;
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  if (!room || room->empty()) return Status::DataLoss("Sec-WebSocket-Protocol names no room");

  SyncSubprotocol result;
  result.room = Latin1ToUtf8(*room);
  if (auth && !auth->empty()) result.token = Latin1ToUtf8(*auth);
  result.echo = std::string(offered);
  return result;
}

Result<std::string> EncodeSyncSubprotocol(std::string_view room,
                                          const std::optional<std::string>& token) {
  if (room.empty()) return Status::InvalidArgument("room is empty");
  if (Status status = CheckEncodable("room", room); !status.ok()) return status;
  std::string plaintext;
  if (token) {
    if (Status status = CheckEncodable("token", *token); !status.ok()) return status;
    plaintext = "auth=" + *Utf8ToLatin1(*token) + ",";
  }
  plaintext += "room=" + *Utf8ToLatin1(room);

  std::string encoded = Base64Encode(plaintext);
  while (!encoded.empty() && encoded.back() == '=') encoded.pop_back();
  if (encoded.find('/') != std::string::npos) {
    return Status::InvalidArgument(
        "the encoded Sec-WebSocket-Protocol value contains '/', which browsers and ws refuse "
        "(a '?', DEL or non-ASCII character at an unlucky offset); choose another room or token");
  }
  return encoded;
}

}  // namespace crsync::net

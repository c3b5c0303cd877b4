// The vlcn sync subprotocol: how @vlcn.io/ws-client 0.2.0 carries the room name and the auth
// token in the Sec-WebSocket-Protocol header (spec sync-protocol.md §1.2, §1.7).
//
// The client builds the plaintext "room=<room>" or "auth=<token>,room=<room>", encodes it with
// btoa() (one byte per character, so only U+0000..U+00FF), strips every '=' and offers the result
// as its single subprotocol. The server decodes it with atob(), reads the bytes as Latin-1,
// splits on ',' and then on '=' keeping only the first two pieces, lets later keys win, and treats
// an empty or absent token as no token. A browser fails the handshake unless the 101 response
// echoes the offered value byte for byte, so the parser hands back that value for the echo.
//
// Both functions here work on UTF-8 text on the C++ side: the parser turns the Latin-1 bytes
// into UTF-8 (room "é" arrives as byte e9 and is returned as c3 a9, which is also how the
// reference names the room's file), and the encoder turns UTF-8 into Latin-1 before encoding.
// ParseSyncSubprotocol runs on untrusted bytes: it is a pure function with a fuzz target
// (test/fuzz/ws_protocol_header_fuzz.cpp), never throws and allocates at most a few times the
// input size. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace crsync::net {

struct SyncSubprotocol {
  std::string room;                  // UTF-8, never empty
  std::optional<std::string> token;  // UTF-8; nullopt when absent or empty (as the reference)
  std::string echo;                  // the offered value, to send back unchanged in the 101
};

// Parses the Sec-WebSocket-Protocol value of an upgrade request. header_value is the field
// value with repeated fields joined by ", " (as Node does); pass "" when the field is absent.
// Leading/trailing spaces and tabs are ignored. Accepted: exactly one offered protocol that is
// base64 with the standard alphabet, padding optional (the reference's `ws` library refuses
// padding and '/' with 400 before parsing; accepting them is the lenient choice §1.2 allows),
// whose plaintext holds a non-empty `room`. Every refusal is a DataLoss status whose message
// says why; the server answers it with 400 before upgrading (§1.7 step 2).
Result<SyncSubprotocol> ParseSyncSubprotocol(std::string_view header_value);

// Builds the value ws-client 0.2.0 offers for room and token (UTF-8; token nullopt = none; an
// empty token is sent as "auth=," like the reference, and the server then sees no token).
// InvalidArgument when: room is empty; room or token is not valid UTF-8 or has a code point
// above U+00FF (btoa() throws on those); room or token contains ',' or '=' (the reference
// server would silently cut the value there, §1.2); or the result contains '/' (not a valid
// subprotocol token: browsers throw SyntaxError, `ws` refuses it).
Result<std::string> EncodeSyncSubprotocol(std::string_view room,
                                          const std::optional<std::string>& token);

// Latin-1 bytes (one code point per byte) as UTF-8. Total, never fails.
std::string Latin1ToUtf8(std::string_view latin1);

}  // namespace crsync::net

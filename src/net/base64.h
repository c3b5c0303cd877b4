// Base64 with the standard alphabet (RFC 4648 §4: A-Z a-z 0-9 + /), as the browser's btoa() and
// atob() use it.
//
// Encoding always pads with '='. Decoding follows the WHATWG "forgiving-base64 decode" that
// atob() runs, minus the ASCII-whitespace stripping (callers that need it strip first): padding
// is optional, but when present the length must be a multiple of 4 and there are at most two
// '='; a length ≡ 1 (mod 4) after removing padding is an error, any byte outside the alphabet
// is an error, and leftover bits of the last sextet are discarded, not checked. The decoder is
// therefore exactly as lenient as the reference ws-server's parse of the subprotocol header
// (spec sync-protocol.md §1.2) and never reads outside its input.
//
// Pure functions over byte strings; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace crsync::net {

// Standard base64 of bytes, with '=' padding.
std::string Base64Encode(std::string_view bytes);

// The bytes encoded by text, or nullopt when text is not forgiving-base64 (see above).
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace crsync::net

// UTF-8 validation and repair with the WHATWG Encoding Standard's rules.
//
// The vlcn sync peers decode strings with a *fatal* TextDecoder and encode them with
// TextEncoder, which only ever produces well-formed UTF-8 (spec sync-protocol.md §2.6, §7.2).
// So a decoder of untrusted bytes must reject exactly what TextDecoder rejects (overlong forms,
// surrogates D800-DFFF, code points above 10FFFF, stray or missing continuation bytes), and an
// encoder must repair text the way a JavaScript peer would have: each maximal subpart of an
// ill-formed sequence becomes one U+FFFD. A leading BOM is ordinary text here (ignoreBOM).
// Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace crsync {

// True when bytes are well-formed UTF-8 (the empty string is).
bool IsValidUtf8(std::span<const uint8_t> bytes);
bool IsValidUtf8(std::string_view text);

// Offset of the first ill-formed byte, or bytes.size() when all of it is well-formed.
size_t FirstInvalidUtf8Offset(std::span<const uint8_t> bytes);

// text with every maximal ill-formed subpart replaced by U+FFFD (EF BF BD), as
// new TextDecoder("utf-8") (non-fatal) would decode it. Returns text unchanged when valid.
std::string RepairUtf8(std::string_view text);

}  // namespace crsync

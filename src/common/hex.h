// Lowercase hexadecimal text <-> bytes, as used by the spec's vectors, logs and test tools.
//
// HexDecode is strict (even length, only [0-9a-fA-F]) because its input may come from files or
// command lines; it reports a Status instead of guessing. Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace crsync {

// "00ff10" for {0x00, 0xff, 0x10}; empty for empty input.
std::string HexEncode(std::span<const uint8_t> bytes);

// Inverse of HexEncode; accepts upper- and lowercase digits. Fails with kInvalidArgument on an
// odd length or a non-hex character (the message names its offset).
Result<std::vector<uint8_t>> HexDecode(std::string_view hex);

}  // namespace crsync

// Helpers for the byte-level tests: spec-style hex ("ac 02", spaces ignored) to bytes and back.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "common/hex.h"

namespace crsync::testing {

// Bytes from hex text that may contain spaces (as the spec writes them). Aborts the test
// binary on malformed hex: the argument is a literal in the test source.
inline std::vector<uint8_t> HexBytes(std::string_view spaced) {
  std::string compact;
  for (char c : spaced) {
    if (c != ' ') compact += c;
  }
  auto bytes = HexDecode(compact);
  if (!bytes.ok()) std::abort();
  return std::move(bytes).value();
}

}  // namespace crsync::testing

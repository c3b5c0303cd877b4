// SiteId: the 16-byte identity of a cr-sqlite database (crsql_site_id()).
//
// Site ids travel as exactly 16 raw bytes with no length prefix (sync-protocol.md §2.7), so the
// type is a fixed-size array: a wrong length cannot be represented, which is how the codec
// enforces the "exactly 16 bytes" rule the JavaScript encoder lacks. Pure value type.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "common/status.h"

namespace crsync {

inline constexpr size_t kSiteIdSize = 16;
using SiteId = std::array<uint8_t, kSiteIdSize>;

// The site id held in bytes; kInvalidArgument unless bytes.size() == 16.
Result<SiteId> SiteIdFromBytes(std::span<const uint8_t> bytes);

}  // namespace crsync

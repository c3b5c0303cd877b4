// SiteId helpers (see site_id.h).
#include "common/site_id.h"

#include <algorithm>
#include <string>

namespace crsync {

Result<SiteId> SiteIdFromBytes(std::span<const uint8_t> bytes) {
  if (bytes.size() != kSiteIdSize) {
    return Status::InvalidArgument("a site id has 16 bytes, got " + std::to_string(bytes.size()));
  }
  SiteId id;
  std::copy(bytes.begin(), bytes.end(), id.begin());
  return id;
}

}  // namespace crsync

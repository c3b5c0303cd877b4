// Header lookup for HttpHeaders (http_types.h).
#include "net/http_types.h"

#include <cctype>

namespace crsync::net {

const std::string* FindHeader(const HttpHeaders& headers, std::string_view name) {
  for (const auto& [field, value] : headers) {
    if (field.size() != name.size()) continue;
    bool equal = true;
    for (size_t i = 0; i < name.size() && equal; ++i) {
      equal = std::tolower(static_cast<unsigned char>(field[i])) ==
              std::tolower(static_cast<unsigned char>(name[i]));
    }
    if (equal) return &value;
  }
  return nullptr;
}

}  // namespace crsync::net

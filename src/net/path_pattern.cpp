// PathPattern: std::regex (ECMAScript grammar, like the JavaScript RegExp of the reference)
// with regex_search; see path_pattern.h.
#include "net/path_pattern.h"

#include <exception>
#include <regex>

namespace crsync::net {

struct PathPattern::Compiled {
  bool literal = false;  // no metacharacters: substring search
  std::regex regex;      // otherwise
};

namespace {

bool IsLiteral(const std::string& pattern) {
  return pattern.find_first_of("\\^$.|?*+()[]{}") == std::string::npos;
}

}  // namespace

PathPattern::PathPattern(std::string pattern, std::shared_ptr<const Compiled> compiled)
    : pattern_(std::move(pattern)), compiled_(std::move(compiled)) {}

Result<PathPattern> PathPattern::Compile(const std::string& pattern) {
  try {
    auto compiled = std::make_shared<Compiled>();
    compiled->literal = IsLiteral(pattern);
    if (!compiled->literal) compiled->regex = std::regex(pattern, std::regex::ECMAScript);
    return PathPattern(pattern, std::move(compiled));
  } catch (const std::regex_error& e) {
    return Status::InvalidArgument("bad path pattern '" + pattern + "': " + e.what());
  }
}

bool PathPattern::Matches(std::string_view target) const {
  if (compiled_->literal) return target.find(pattern_) != std::string_view::npos;
  if (target.size() > kMaxRegexTargetBytes) return false;  // see path_pattern.h
  try {
    return std::regex_search(target.begin(), target.end(), compiled_->regex);
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace crsync::net

// The upgrade path test of the reference server: config.pathPattern.test(request.url), i.e. an
// ECMAScript regular expression searched (unanchored) in the raw request-target, query string
// included (spec sync-protocol.md §1.1). "/x/sync-y?z=1" matches "/sync"; "^/sync$" anchors.
//
// std::regex lives behind this class so that only path_pattern.cpp pays for it. Matching runs on
// untrusted request targets (bounded by the server's header limit); a regex engine failure
// (e.g. libstdc++'s error_complexity/error_stack on pathological input) counts as no match.
// Immutable after Compile; Matches is thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace crsync::net {

class PathPattern {
 public:
  // InvalidArgument with the regex error when pattern does not compile.
  static Result<PathPattern> Compile(const std::string& pattern);

  bool Matches(std::string_view target) const;
  const std::string& pattern() const { return pattern_; }

 private:
  struct Compiled;
  PathPattern(std::string pattern, std::shared_ptr<const Compiled> compiled);

  std::string pattern_;
  std::shared_ptr<const Compiled> compiled_;
};

}  // namespace crsync::net

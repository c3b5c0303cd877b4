// The upgrade path test of the reference server: config.pathPattern.test(request.url), i.e. an
// ECMAScript regular expression searched (unanchored) in the raw request-target, query string
// included (spec sync-protocol.md §1.1). "/x/sync-y?z=1" matches "/sync"; "^/sync$" anchors.
//
// Matching runs on untrusted request targets, and libstdc++'s std::regex recurses once per input
// character for patterns such as "(a|b)*": a 16 KiB target overflows a thread's stack. So a
// pattern without regex metacharacters (the usual "/vlcn-ws", "/sync") is matched as a plain
// substring search, at any length; any other pattern runs through std::regex only for targets
// up to kMaxRegexTargetBytes, and a longer target (no browser sync URL is that long) or an engine
// error counts as no match. std::regex lives behind this class so that only path_pattern.cpp
// pays for it. Immutable after Compile; Matches is thread-safe.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace crsync::net {

class PathPattern {
 public:
  static constexpr std::size_t kMaxRegexTargetBytes = 2048;

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

// Tests for net/path_pattern.h: the reference's unanchored RegExp test on path + query (§1.1).
#include "net/path_pattern.h"

#include <gtest/gtest.h>

namespace crsync::net {
namespace {

TEST(PathPatternTest, UnanchoredSearchOnPathAndQuery) {
  Result<PathPattern> sync = PathPattern::Compile("/sync");
  ASSERT_TRUE(sync.ok());
  EXPECT_TRUE(sync->Matches("/sync"));
  EXPECT_TRUE(sync->Matches("/x/sync-y?z=1"));  // observed on the reference server
  EXPECT_TRUE(sync->Matches("/other?next=/sync"));
  EXPECT_FALSE(sync->Matches("/other"));
  EXPECT_FALSE(sync->Matches("/SYNC"));
  EXPECT_EQ(sync->pattern(), "/sync");
}

TEST(PathPatternTest, DefaultPatternAndAnchors) {
  Result<PathPattern> vlcn = PathPattern::Compile("/vlcn-ws");
  ASSERT_TRUE(vlcn.ok());
  EXPECT_TRUE(vlcn->Matches("/vlcn-ws"));
  EXPECT_TRUE(vlcn->Matches("/app/vlcn-ws?room=a"));
  Result<PathPattern> exact = PathPattern::Compile("^/sync(\\?.*)?$");
  ASSERT_TRUE(exact.ok());
  EXPECT_TRUE(exact->Matches("/sync?x=1"));
  EXPECT_FALSE(exact->Matches("/x/sync"));
}

TEST(PathPatternTest, BadPatternIsAnError) {
  Result<PathPattern> bad = PathPattern::Compile("([");
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
}

TEST(PathPatternTest, LongTargetsDoNotOverflowTheStack) {
  // libstdc++ recurses per character here; 16 KiB (our header limit) used to crash.
  Result<PathPattern> nested = PathPattern::Compile("(a|b)*c");
  ASSERT_TRUE(nested.ok());
  EXPECT_FALSE(nested->Matches(std::string(16 * 1024, 'a')));
  EXPECT_TRUE(nested->Matches(std::string(PathPattern::kMaxRegexTargetBytes - 1, 'a') + "c"));
  // Literal patterns are substring searches at any length.
  Result<PathPattern> literal = PathPattern::Compile("/vlcn-ws");
  ASSERT_TRUE(literal.ok());
  EXPECT_TRUE(literal->Matches(std::string(16 * 1024, 'a') + "/vlcn-ws"));
  // Regex patterns see at most kMaxRegexTargetBytes.
  Result<PathPattern> regex = PathPattern::Compile("/sync$");
  ASSERT_TRUE(regex.ok());
  EXPECT_TRUE(regex->Matches("/a/sync"));
  EXPECT_FALSE(regex->Matches(std::string(4096, 'a') + "/sync"));
}

}  // namespace
}  // namespace crsync::net

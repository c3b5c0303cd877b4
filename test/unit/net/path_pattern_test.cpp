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

TEST(PathPatternTest, LongTargetsDoNotCrash) {
  Result<PathPattern> pattern = PathPattern::Compile("(a|b)*c");
  ASSERT_TRUE(pattern.ok());
  EXPECT_FALSE(pattern->Matches(std::string(16 * 1024, 'a')));
}

}  // namespace
}  // namespace crsync::net

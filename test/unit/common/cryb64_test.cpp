// Tests of crsync::Cryb64 (src/common/cryb64.h) against test vector TV-66 of
// crsqlite-0.16-test-vectors.md, observed with @vlcn.io/ws-common 0.2.0.
#include "common/cryb64.h"

#include <gtest/gtest.h>

#include <string>

namespace crsync {
namespace {

TEST(Cryb64, TV66_SchemaHashVectors) {
  EXPECT_EQ(5227514475777527171LL, Cryb64(""));
  EXPECT_EQ(5772536816540940545LL, Cryb64("a"));
  EXPECT_EQ(-2898942547908292807LL,
            Cryb64("CREATE TABLE foo (a primary key not null, b);\nSELECT crsql_as_crr('foo');\n"));
  EXPECT_EQ(-7951519944764646810LL, Cryb64("h\xC3\xA9llo \xE2\x82\xAC"));  // "héllo €"
  EXPECT_EQ(-8083739215034469202LL, Cryb64("\xF0\x9F\x98\x80"));           // "😀", 2 code units
}

TEST(Cryb64, Utf16AndUtf8FormsAgree) {
  EXPECT_EQ(Cryb64(u""), Cryb64(""));
  EXPECT_EQ(Cryb64(u"h\u00e9llo \u20ac"), Cryb64("h\xC3\xA9llo \xE2\x82\xAC"));
  EXPECT_EQ(Cryb64(u"\U0001F600"), Cryb64("\xF0\x9F\x98\x80"));
  EXPECT_EQ(2u, std::u16string(u"\U0001F600").size());
}

TEST(Cryb64, SeedChangesTheHash) {
  EXPECT_NE(Cryb64("a", 0), Cryb64("a", 1));
  EXPECT_EQ(Cryb64("a", 7), Cryb64(u"a", 7));
}

TEST(Cryb64, InvalidUtf8BecomesReplacementCharacter) {
  EXPECT_EQ(Cryb64(u"\ufffd"), Cryb64("\xFF"));
  EXPECT_EQ(Cryb64(u"a\ufffdb"), Cryb64("a\xC3"
                                        "b"));  // truncated 2-byte sequence
}

}  // namespace
}  // namespace crsync

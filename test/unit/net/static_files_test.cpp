// Tests for net/static_files.h: path resolution under a root, every traversal form refused,
// symlinks out of the root refused, index.html and directory redirects, content types.
#include "net/static_files.h"

#include <gtest/gtest.h>

#include "unit/net/net_test_util.h"

namespace crsync::net {
namespace {

using testing::TempDir;

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.Write("www/index.html", "<h1>home</h1>");
    dir_.Write("www/app.js", "console.log(1)");
    dir_.Write("www/sub/index.html", "sub");
    dir_.Write("www/sub/style.css", "a{}");
    dir_.Write("www/.env", "SECRET=1");
    dir_.Write("www/a b.txt", "space");
    dir_.Write("secret.txt", "top secret");
    std::filesystem::create_symlink(dir_.path() / "secret.txt", dir_.path() / "www/escape");
    std::filesystem::create_directory_symlink(dir_.path(), dir_.path() / "www/up");
    std::filesystem::create_symlink(dir_.path() / "www/app.js", dir_.path() / "www/inner");
    root_ = std::filesystem::canonical(dir_.path() / "www");
  }

  Result<StaticLookup> Resolve(std::string_view path) { return ResolveStaticPath(root_, path); }

  StatusCode CodeOf(std::string_view path) { return Resolve(path).status().code(); }

  TempDir dir_;
  std::filesystem::path root_;
};

TEST_F(StaticFilesTest, ServesFilesAndIndexes) {
  Result<StaticLookup> lookup = Resolve("/app.js");
  ASSERT_TRUE(lookup.ok());
  EXPECT_EQ(lookup->kind, StaticLookup::Kind::kFile);
  EXPECT_EQ(lookup->file, root_ / "app.js");

  lookup = Resolve("/");
  ASSERT_TRUE(lookup.ok());
  EXPECT_EQ(lookup->file, root_ / "index.html");

  lookup = Resolve("/sub/");
  ASSERT_TRUE(lookup.ok());
  EXPECT_EQ(lookup->file, root_ / "sub/index.html");

  lookup = Resolve("//sub///style.css");  // empty segments are skipped
  ASSERT_TRUE(lookup.ok());
  EXPECT_EQ(lookup->file, root_ / "sub/style.css");

  lookup = Resolve("/a%20b.txt");  // percent-decoding
  ASSERT_TRUE(lookup.ok());
  EXPECT_EQ(lookup->file, root_ / "a b.txt");

  lookup = Resolve("/inner");  // a symlink that stays inside the root is fine
  ASSERT_TRUE(lookup.ok());
  EXPECT_EQ(lookup->file, root_ / "app.js");
}

TEST_F(StaticFilesTest, RedirectsDirectoryWithoutSlash) {
  Result<StaticLookup> lookup = Resolve("/sub");
  ASSERT_TRUE(lookup.ok());
  EXPECT_EQ(lookup->kind, StaticLookup::Kind::kRedirect);
  EXPECT_EQ(lookup->location, "/sub/");
}

TEST_F(StaticFilesTest, RefusesTraversalAsBadRequest) {
  const char* hostile[] = {"/../secret.txt",
                           "/sub/../../secret.txt",
                           "/%2e%2e/secret.txt",
                           "/%2E%2E/secret.txt",
                           "/.%2e/secret.txt",
                           "/sub/%2e%2e/%2e%2e/secret.txt",
                           "/..%2fsecret.txt",
                           "/..%2Fsecret.txt",
                           "/%2f..%2fsecret.txt",
                           "/..\\secret.txt",
                           "/..%5csecret.txt",
                           "/./app.js",
                           "/app.js%00.html",
                           "/%",
                           "/%2",
                           "/%zz",
                           "/..",
                           "/sub/.."};
  for (const char* path : hostile) {
    EXPECT_EQ(CodeOf(path), StatusCode::kInvalidArgument) << path;
  }
  EXPECT_EQ(CodeOf("secret.txt"), StatusCode::kInvalidArgument);  // not origin-form
  EXPECT_EQ(CodeOf("http://x/../secret.txt"), StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(""), StatusCode::kInvalidArgument);
}

TEST_F(StaticFilesTest, RefusesEscapesAndHiddenFilesAsNotFound) {
  EXPECT_EQ(CodeOf("/escape"), StatusCode::kNotFound);         // symlink to a file outside
  EXPECT_EQ(CodeOf("/up/secret.txt"), StatusCode::kNotFound);  // symlinked directory outside
  EXPECT_EQ(CodeOf("/.env"), StatusCode::kNotFound);           // dotfile
  EXPECT_EQ(CodeOf("/%2eenv"), StatusCode::kNotFound);         // encoded dotfile
  EXPECT_EQ(CodeOf("/missing.html"), StatusCode::kNotFound);
  EXPECT_EQ(CodeOf("/etc/passwd"), StatusCode::kNotFound);  // absolute paths stay relative
  EXPECT_EQ(CodeOf("//etc/passwd"), StatusCode::kNotFound);
  EXPECT_EQ(CodeOf("/app.js/"), StatusCode::kNotFound);  // not a directory
}

TEST(ContentTypeTest, KnownAndUnknownExtensions) {
  EXPECT_EQ(ContentTypeForPath("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(ContentTypeForPath("a/b/APP.JS"), "text/javascript; charset=utf-8");
  EXPECT_EQ(ContentTypeForPath("crsqlite.wasm"), "application/wasm");
  EXPECT_EQ(ContentTypeForPath("x.css"), "text/css; charset=utf-8");
  EXPECT_EQ(ContentTypeForPath("x.json"), "application/json");
  EXPECT_EQ(ContentTypeForPath("x.svg"), "image/svg+xml");
  EXPECT_EQ(ContentTypeForPath("x.bin"), "application/octet-stream");
  EXPECT_EQ(ContentTypeForPath("Makefile"), "application/octet-stream");
}

}  // namespace
}  // namespace crsync::net

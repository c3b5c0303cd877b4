// Test vector TV-65 (section H, "Configuration") of crsqlite-0.16-test-vectors.md:
// crsql_config_set / crsql_config_get and persistence of 'merge-equal-values' in crsql_master
// (behaviour spec §2 step 7, §3.1). The effect of the setting on merges is TV-31 (merge_test.cpp).
//
// Section G (TV-63 crsql_fract_key_between, TV-64 crsql_fract_as_ordered) is tested in
// test/unit/crsqlite/fract_*_test.cpp; TV-66 (cryb64) in test/unit/common/cryb64_test.cpp.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/test_db.h"
#include "vectors/vector_util.h"

namespace crsync::test::vectors {
namespace {

// The last bullet deliberately differs from the real cr-sqlite: there,
// crsql_config_set('merge-equal-values', 'yes') stores the text and every later load of the
// database fails ('error during initialization'); ours rejects the value with an error and
// stores nothing, so the database keeps loading.
TEST(Config, TV65_Config) {
  TempDir dir;
  const std::string path = dir.File("tv65.db");
  {
    TestDb a(path);
    EXPECT_EQ("0", a.One("SELECT crsql_config_get('merge-equal-values')"));
    EXPECT_EQ("1", a.One("SELECT crsql_config_set('merge-equal-values', 1)"));
    EXPECT_EQ(
        std::vector<std::string>{"('config.merge-equal-values', 1, 'integer')"},
        a.Query("SELECT key, value, typeof(value) FROM crsql_master WHERE key LIKE 'config.%'"));
    EXPECT_EQ("1", a.One("SELECT crsql_config_get('merge-equal-values')"));

    EXPECT_EQ("error: Unknown setting name", a.One("SELECT crsql_config_set('nope', 1)"));
    EXPECT_EQ("error: Unknown setting name", a.One("SELECT crsql_config_get('nope')"));

    const std::string result = a.One("SELECT crsql_config_set('merge-equal-values', 'yes')");
    EXPECT_EQ(0u, result.rfind("error: ", 0)) << result;
    EXPECT_EQ(
        std::vector<std::string>{"('config.merge-equal-values', 1, 'integer')"},
        a.Query("SELECT key, value, typeof(value) FROM crsql_master WHERE key LIKE 'config.%'"));
    EXPECT_EQ("1", a.One("SELECT crsql_config_get('merge-equal-values')"));
  }
  {
    TestDb a(path);  // loads: the setting persisted and nothing bricked the database
    EXPECT_EQ("1", a.One("SELECT crsql_config_get('merge-equal-values')"));
    EXPECT_EQ("0", a.One("SELECT crsql_config_set('merge-equal-values', 0)"));
  }
  {
    TestDb a(path);
    EXPECT_EQ("0", a.One("SELECT crsql_config_get('merge-equal-values')"));
  }
}

}  // namespace
}  // namespace crsync::test::vectors

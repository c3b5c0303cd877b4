// Tests of InspectDatabase / FormatDatabaseInfo / ExecuteSql.
#include "client/database_inspection.h"

#include <gtest/gtest.h>

#include "client_test_util.h"

namespace crsync::client::testing {
namespace {

class DatabaseInspectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto database = LocalDatabase::Open(dir_.File("inspect.db"));
    ASSERT_TRUE(database.ok()) << database.status().ToString();
    database_ = std::move(database).value();
  }
  std::vector<std::vector<std::string>> Rows(const std::string& sql, Status* status = nullptr) {
    std::vector<std::vector<std::string>> rows;
    Status result = ExecuteSql(*database_, sql,
                               [&](const std::vector<std::string>& row) { rows.push_back(row); });
    if (status != nullptr) *status = result;
    return rows;
  }
  TempDir dir_;
  std::unique_ptr<LocalDatabase> database_;
};

TEST_F(DatabaseInspectionTest, ShowsSiteVersionTablesPeersAndSchema) {
  ASSERT_TRUE(database_
                  ->Exec("CREATE TABLE foo_bar (id INTEGER PRIMARY KEY NOT NULL, v);"
                         "SELECT crsql_as_crr('foo_bar');"
                         "CREATE TABLE plain (x);"
                         "INSERT INTO foo_bar VALUES (1, 'a');"
                         "INSERT INTO crsql_tracked_peers (site_id, tag, event, version, seq) "
                         "VALUES (zeroblob(16), 0, 0, 42, 0);"
                         "INSERT INTO crsql_master (key, value) VALUES ('schema_name', 's.sql'),"
                         " ('schema_version', 7);")
                  .ok());
  auto info = InspectDatabase(*database_);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->site_id.size(), 32u);
  EXPECT_EQ(Rows("SELECT hex(crsql_site_id())")[0][0], info->site_id);
  EXPECT_EQ(info->db_version, 1);
  EXPECT_EQ(info->crr_tables, std::vector<std::string>{"foo_bar"});
  ASSERT_EQ(info->tracked_peers.size(), 1u);
  EXPECT_EQ(info->tracked_peers[0].site_id, std::string(32, '0'));
  EXPECT_EQ(info->tracked_peers[0].version, 42);
  EXPECT_EQ(info->schema_name, "s.sql");
  EXPECT_EQ(info->schema_version, 7);
  const std::string text = FormatDatabaseInfo(*info);
  EXPECT_NE(text.find("crr_tables: foo_bar\n"), std::string::npos) << text;
  EXPECT_NE(text.find("schema: s.sql version 7\n"), std::string::npos) << text;
  EXPECT_NE(text.find("tracked_peers: 1\n  " + std::string(32, '0') + " db_version 42"),
            std::string::npos)
      << text;
}

TEST_F(DatabaseInspectionTest, EmptyDatabase) {
  auto info = InspectDatabase(*database_);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->db_version, 0);
  EXPECT_TRUE(info->crr_tables.empty());
  EXPECT_NE(FormatDatabaseInfo(*info).find("schema: (none)"), std::string::npos);
}

TEST_F(DatabaseInspectionTest, ExecuteSqlRendersEveryStatementsRows) {
  Status status;
  auto rows = Rows("SELECT 1, 'a', NULL, x'00ff', 2.5; -- comment\n SELECT 'b';  ", &status);
  ASSERT_TRUE(status.ok()) << status.ToString();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"1", "a", "NULL", "X'00FF'", "2.5"}));
  EXPECT_EQ(rows[1], std::vector<std::string>{"b"});
}

TEST_F(DatabaseInspectionTest, ExecuteSqlStopsAtTheFirstError) {
  Status status;
  auto rows = Rows("SELECT 1; SELECT nope FROM missing; SELECT 2;", &status);
  EXPECT_EQ(status.code(), StatusCode::kInternal);
  EXPECT_NE(status.message().find("no such table"), std::string::npos);
  EXPECT_NE(status.message().find("offset 10"), std::string::npos) << status.message();
  EXPECT_EQ(rows.size(), 1u);
  EXPECT_TRUE(Rows("", &status).empty());
  EXPECT_TRUE(status.ok());
}

}  // namespace
}  // namespace crsync::client::testing

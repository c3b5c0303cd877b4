// Tests of the automigrateTo-style schema application on real database files.
#include "client/schema_migration.h"

#include <gtest/gtest.h>

#include "client/local_database.h"
#include "client_test_util.h"
#include "common/cryb64.h"
#include "sync/sqlite_store.h"

namespace crsync::client::testing {
namespace {

constexpr const char* kV1 =
    "CREATE TABLE IF NOT EXISTS todo (id INTEGER PRIMARY KEY NOT NULL, title TEXT);\n"
    "SELECT crsql_as_crr('todo');\n";
constexpr const char* kV2 =
    "CREATE TABLE IF NOT EXISTS todo (id INTEGER PRIMARY KEY NOT NULL, title TEXT, "
    "done INTEGER DEFAULT 0);\n"
    "SELECT crsql_as_crr('todo');\n";

class SchemaMigrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto database = LocalDatabase::Open(dir_.File("schema.db"));
    ASSERT_TRUE(database.ok()) << database.status().ToString();
    database_ = std::move(database).value();
    store_ = std::move(sync::SqliteStore::Open(database_->db()).value());
  }
  void TearDown() override {
    store_.reset();
    database_.reset();
  }
  TempDir dir_;
  std::unique_ptr<LocalDatabase> database_;
  std::unique_ptr<sync::SqliteStore> store_;
};

TEST_F(SchemaMigrationTest, AppliesRecordsThenLeavesAloneThenMigrates) {
  auto applied = ApplySchema(*database_, *store_, "todo.sql", kV1);
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  EXPECT_EQ(*applied, SchemaOutcome::kApplied);
  EXPECT_EQ(store_->Schema()->name, "todo.sql");
  EXPECT_EQ(store_->Schema()->version, Cryb64(std::string_view(kV1)));
  ASSERT_TRUE(database_->Exec("INSERT INTO todo (id, title) VALUES (1, 'kept')").ok());

  EXPECT_EQ(*ApplySchema(*database_, *store_, "todo.sql", kV1), SchemaOutcome::kUnchanged);

  auto migrated = ApplySchema(*database_, *store_, "todo.sql", kV2);
  ASSERT_TRUE(migrated.ok()) << migrated.status().ToString();
  EXPECT_EQ(*migrated, SchemaOutcome::kMigrated);
  EXPECT_EQ(store_->Schema()->version, Cryb64(std::string_view(kV2)));
  // The row survived and the new column exists (and is a CRR column).
  EXPECT_TRUE(database_->Exec("UPDATE todo SET done = 1 WHERE id = 1").ok());
  EXPECT_TRUE(database_->Exec("SELECT done FROM todo WHERE title = 'kept'").ok());
}

TEST_F(SchemaMigrationTest, RefusesAnotherSchemaNameAndKeepsTheData) {
  ASSERT_TRUE(ApplySchema(*database_, *store_, "todo.sql", kV1).ok());
  ASSERT_TRUE(database_->Exec("INSERT INTO todo (id, title) VALUES (1, 'kept')").ok());
  auto refused = ApplySchema(*database_, *store_, "other.sql", kV2);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("todo.sql"), std::string::npos);
  EXPECT_EQ(store_->Schema()->name, "todo.sql");
  EXPECT_TRUE(database_->Exec("SELECT 1 FROM todo WHERE id = 1").ok());
}

TEST_F(SchemaMigrationTest, FailingSchemaKeepsNothing) {
  auto failed = ApplySchema(*database_, *store_, "bad.sql",
                            "CREATE TABLE a (id PRIMARY KEY); THIS IS NOT SQL;");
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kInternal);
  EXPECT_EQ(store_->Schema()->name, "");
  EXPECT_EQ(store_->Schema()->version, -1);
  EXPECT_FALSE(database_->Exec("SELECT * FROM a").ok());  // rolled back
  EXPECT_EQ(ApplySchema(*database_, *store_, "", kV1).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(SchemaMigrationTest, FileNameIsTheSchemaName) {
  const std::string path = dir_.Write("items.sql", kV1);
  auto applied = ApplySchemaFile(*database_, *store_, path, "");
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  EXPECT_EQ(store_->Schema()->name, "items.sql");
  EXPECT_EQ(ApplySchemaFile(*database_, *store_, dir_.File("nope.sql"), "").status().code(),
            StatusCode::kNotFound);
}

}  // namespace
}  // namespace crsync::client::testing

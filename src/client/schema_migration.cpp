// automigrateTo-style schema application (see schema_migration.h).
#include "client/schema_migration.h"

#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "common/cryb64.h"

namespace crsync::client {
namespace {

Status Automigrate(sqlite3* db, const std::string& text) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT crsql_automigrate(?1, 'SELECT crsql_finalize();')", -1, &stmt,
                         nullptr) != SQLITE_OK) {
    return Status::Internal(std::string("migrating the schema: ") + sqlite3_errmsg(db));
  }
  sqlite3_bind_text(stmt, 1, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
  const int rc = sqlite3_step(stmt);
  Status status =
      rc == SQLITE_ROW || rc == SQLITE_DONE
          ? Status()
          : Status::Internal(std::string("migrating the schema: ") + sqlite3_errmsg(db));
  sqlite3_finalize(stmt);
  return status;
}

Result<SchemaOutcome> ApplyInTransaction(LocalDatabase& database, sync::SqliteStore& store,
                                         const sync::SchemaInfo& wanted, const std::string& text) {
  CRSYNC_ASSIGN_OR_RETURN(sync::SchemaInfo stored, store.Schema());
  if (stored == wanted) return SchemaOutcome::kUnchanged;
  if (!stored.name.empty() && stored.name != wanted.name) {
    return Status::FailedPrecondition("the database records schema '" + stored.name + "', not '" +
                                      wanted.name + "'; refusing to replace it");
  }
  SchemaOutcome outcome = SchemaOutcome::kApplied;
  if (stored.name.empty()) {
    CRSYNC_RETURN_IF_ERROR(database.Exec(text).WithContext("running the schema"));
  } else {
    CRSYNC_RETURN_IF_ERROR(Automigrate(database.db(), text));
    outcome = SchemaOutcome::kMigrated;
  }
  CRSYNC_RETURN_IF_ERROR(store.SetSchema(wanted));
  return outcome;
}

}  // namespace

Result<SchemaOutcome> ApplySchema(LocalDatabase& database, sync::SqliteStore& store,
                                  const std::string& name, const std::string& text) {
  if (name.empty()) return Status::InvalidArgument("schema name is empty");
  const sync::SchemaInfo wanted{name, Cryb64(std::string_view(text))};
  CRSYNC_RETURN_IF_ERROR(database.Exec("BEGIN IMMEDIATE"));
  Result<SchemaOutcome> outcome = ApplyInTransaction(database, store, wanted, text);
  if (!outcome.ok()) {
    database.Exec("ROLLBACK");
    return outcome.status();
  }
  Status committed = database.Exec("COMMIT");
  if (!committed.ok()) {
    database.Exec("ROLLBACK");
    return committed.WithContext("committing the schema");
  }
  return outcome;
}

Result<SchemaOutcome> ApplySchemaFile(LocalDatabase& database, sync::SqliteStore& store,
                                      const std::string& path, std::string name) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return Status::NotFound("cannot read schema file " + path);
  const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  if (file.bad()) return Status::NotFound("cannot read schema file " + path);
  if (name.empty()) name = std::filesystem::path(path).filename().string();
  return ApplySchema(database, store, name, text);
}

}  // namespace crsync::client

// SchemaFolder and PrepareRoomSchema (see room_schema.h): the ws-server DB.ts schema steps with
// clear refusals instead of a silent, hanging session (D4).
#include "server/room_schema.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/cryb64.h"
#include "server/room_name.h"

namespace crsync::server {
namespace {

std::string Describe(const std::string& name, int64_t version) {
  return name + "@" + std::to_string(version);
}

// Runs work inside BEGIN IMMEDIATE ... COMMIT on db, rolling back on failure.
template <typename Work>
Status InTransaction(sqlite3* db, Work work) {
  char* err = nullptr;
  if (sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, &err) != SQLITE_OK) {
    std::string message = err != nullptr ? err : "BEGIN failed";
    sqlite3_free(err);
    return Status::Internal("schema transaction: " + message);
  }
  Status status = work();
  if (status.ok() && sqlite3_exec(db, "COMMIT", nullptr, nullptr, &err) != SQLITE_OK) {
    status = Status::Internal("schema commit: " + std::string(err != nullptr ? err : "failed"));
    sqlite3_free(err);
  }
  if (!status.ok() && sqlite3_get_autocommit(db) == 0) {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  return status;
}

Status ExecScript(sqlite3* db, const std::string& sql, std::string_view what) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) == SQLITE_OK) return Status();
  std::string message = std::string(what) + ": " + (err != nullptr ? err : sqlite3_errmsg(db));
  sqlite3_free(err);
  return Status::Internal(std::move(message));
}

Status Automigrate(sqlite3* db, const std::string& text) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT crsql_automigrate(?1)", -1, &stmt, nullptr) != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return Status::Internal(std::string("automigrate: ") + sqlite3_errmsg(db));
  }
  sqlite3_bind_text(stmt, 1, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
  const int rc = sqlite3_step(stmt);
  Status status;
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    status = Status::Internal(std::string("automigrate: ") + sqlite3_errmsg(db));
  }
  sqlite3_finalize(stmt);
  return status;
}

}  // namespace

Result<SchemaFile> SchemaFolder::Load(std::string_view name) const {
  // Same file-name rules as rooms (no traversal, no control characters).
  if (name.empty()) return Status::NotFound("the client announced no schema name");
  Status valid = ValidateRoomName(name);
  if (!valid.ok() || name == kMemoryRoomName) {
    return Status::InvalidArgument("invalid schema name '" + std::string(name) + "'");
  }
  if (folder_.empty()) {
    return Status::NotFound("unknown schema '" + std::string(name) +
                            "': the server has no schema folder");
  }
  const std::filesystem::path path = std::filesystem::path(folder_) / std::string(name);
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) {
    return Status::NotFound("unknown schema '" + std::string(name) + "'");
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in && !in.eof()) return Status::NotFound("cannot read schema '" + std::string(name) + "'");
  SchemaFile file;
  file.name = std::string(name);
  file.text = text.str();
  file.version = Cryb64(std::string_view(file.text));
  return file;
}

Status PrepareRoomSchema(sync::SqliteStore& store, const SchemaFolder& schemas,
                         const std::string& name, int64_t version, bool allow_migration) {
  CRSYNC_ASSIGN_OR_RETURN(sync::SchemaInfo current, store.Schema());
  if (current.name == name && current.version == version) return Status();
  if (!current.name.empty() && current.name != name) {
    return Status::FailedPrecondition("schema mismatch: room uses schema '" + current.name +
                                      "', client announced '" + name + "'");
  }
  CRSYNC_ASSIGN_OR_RETURN(SchemaFile file, schemas.Load(name));
  if (file.version != version) {
    return Status::FailedPrecondition("schema mismatch: client has " + Describe(name, version) +
                                      ", server's file is " + Describe(name, file.version));
  }
  sqlite3* db = store.db();
  const sync::SchemaInfo target{name, version};
  if (current.name.empty()) {
    return InTransaction(db, [&] {
      CRSYNC_RETURN_IF_ERROR(ExecScript(db, file.text, "applying schema " + name));
      return store.SetSchema(target);
    });
  }
  if (!allow_migration) {
    return Status::FailedPrecondition("schema mismatch: room is in use with " +
                                      Describe(name, current.version) + ", client has " +
                                      Describe(name, version));
  }
  return InTransaction(db, [&] {
    CRSYNC_RETURN_IF_ERROR(Automigrate(db, file.text));
    return store.SetSchema(target);
  });
}

}  // namespace crsync::server

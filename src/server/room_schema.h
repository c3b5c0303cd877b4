// Room schemas (spec §4.8): the schema folder, and bringing a room's database to the schema a
// client announces.
//
// A client announces (schemaName, schemaVersion). The server reads schema-folder/<schemaName>;
// its version is cryb64 of the file's text (§5), so the server can only ever move a room to the
// version of the file currently on disk. PrepareRoomSchema then:
//   * room already has that name and version          -> nothing to do;
//   * the file's version differs from the announced   -> FailedPrecondition (schema mismatch);
//   * room has no schema yet                          -> run the file and record name/version,
//                                                        in one transaction;
//   * room has another schema name                    -> FailedPrecondition;
//   * same name, other version, migration allowed     -> crsql_automigrate(file) and record the
//                                                        new version, in one transaction;
//   * same name, other version, room busy             -> FailedPrecondition (other sessions are
//                                                        streaming the old schema).
// Unknown schema names, names with path syntax, and a server without a schema folder give
// NotFound / InvalidArgument. Every refusal's message is meant for the client (the session
// closes with 1008 and the message as the reason).
//
// Threading: SchemaFolder is immutable and thread-safe; PrepareRoomSchema runs on the room's
// strand (it uses the room's connection).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "sync/sqlite_store.h"

namespace crsync::server {

struct SchemaFile {
  std::string name;
  std::string text;
  int64_t version = 0;  // cryb64(text)
};

class SchemaFolder {
 public:
  // folder "": no schemas (every announce is refused with NotFound).
  explicit SchemaFolder(std::string folder) : folder_(std::move(folder)) {}

  // Reads folder/<name> afresh (files may be edited while the server runs). Errors:
  // InvalidArgument (name empty, too long, or with '/', '\\', "..", a leading '.', control
  // characters), NotFound (no folder configured, or no such regular file).
  Result<SchemaFile> Load(std::string_view name) const;

  const std::string& folder() const { return folder_; }

 private:
  std::string folder_;
};

// Brings store's database to (name, version) as described above. allow_migration: no other
// session of the room is using the current schema.
Status PrepareRoomSchema(sync::SqliteStore& store, const SchemaFolder& schemas,
                         const std::string& name, int64_t version, bool allow_migration);

}  // namespace crsync::server

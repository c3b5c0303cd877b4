// Applying a schema file to the client's database the way crsqlite-wasm's automigrateTo does,
// so that the AnnouncePresence carries the schema name and version a server checks (spec
// sync-protocol.md §4.8, §5).
//
// version = cryb64(text). A database recording the same name and version is left alone; one
// without a schema name runs the text; one with the same name and another version runs
// crsql_automigrate(text, 'SELECT crsql_finalize();'); then SqliteStore::SetSchema records the
// name and version in crsql_master, all in one transaction. Unlike automigrateTo, a database
// that records a *different* schema name is refused instead of having all its tables dropped:
// a CLI pointed at the wrong file must not wipe it.
#pragma once

#include <string>

#include "client/local_database.h"
#include "common/status.h"
#include "sync/sqlite_store.h"

namespace crsync::client {

enum class SchemaOutcome { kUnchanged, kApplied, kMigrated };

// store must wrap database's connection. Errors: kInvalidArgument (empty name),
// kFailedPrecondition (another schema name is recorded), kInternal (the SQL failed; nothing is
// kept).
Result<SchemaOutcome> ApplySchema(LocalDatabase& database, sync::SqliteStore& store,
                                  const std::string& name, const std::string& text);

// Reads the file at path and applies it under name ("" = the file's name without directories).
// Errors: kNotFound when the file cannot be read, then as ApplySchema.
Result<SchemaOutcome> ApplySchemaFile(LocalDatabase& database, sync::SqliteStore& store,
                                      const std::string& path, std::string name);

}  // namespace crsync::client

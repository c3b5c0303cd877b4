// LocalDatabase: the client's SQLite connection to a local file, with the static crsqlite
// engine loaded (what the sync client, `crsync info` and `crsync exec` open).
//
// Ownership: the connection lives as long as the object; destruction runs crsql_finalize() and
// closes it. Threading: one thread at a time (SQLite's rule for a connection).
#pragma once

#include <sqlite3.h>

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace crsync::client {

class LocalDatabase {
 public:
  // Opens (creating when missing) the file at path and loads the engine. A busy timeout lets
  // the client share the file with other connections and processes. Errors: kInternal with
  // SQLite's message.
  static Result<std::unique_ptr<LocalDatabase>> Open(const std::string& path);

  ~LocalDatabase();
  LocalDatabase(const LocalDatabase&) = delete;
  LocalDatabase& operator=(const LocalDatabase&) = delete;

  sqlite3* db() const { return db_; }

  // Runs every statement of sql, discarding rows. Errors: kInternal with SQLite's message.
  Status Exec(std::string_view sql);

 private:
  explicit LocalDatabase(sqlite3* db) : db_(db) {}

  sqlite3* db_;
};

}  // namespace crsync::client

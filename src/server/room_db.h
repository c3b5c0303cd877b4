// One room's SQLite connection: opened with the crsqlite engine and the durability settings of
// docs/operations.md, closed the way the engine requires.
//
// A file room (path non-empty) is opened (created if missing) with journal_mode=WAL and
// synchronous=FULL: a commit the server has acknowledged (which is what the peers' lastSeen
// cursors reflect) survives kill -9 and power loss. An in-memory room (path empty) lives as long
// as the connection. busy_timeout is set so that an old incarnation of the same room, still
// closing on another strand, delays rather than fails the open.
//
// Threading: a RoomDb is used from one executor at a time (the room's strand); it may be created
// and destroyed on any thread.
#pragma once

#include <sqlite3.h>

#include <string>

#include "common/status.h"

namespace crsync::server {

class RoomDb {
 public:
  // Opens path ("" = in memory) and loads the engine. Errors: Internal (open failed, engine
  // failed, pragma refused) with SQLite's message.
  static Result<RoomDb> Open(const std::string& path);

  RoomDb(RoomDb&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  RoomDb& operator=(RoomDb&& other) noexcept;
  RoomDb(const RoomDb&) = delete;
  RoomDb& operator=(const RoomDb&) = delete;
  ~RoomDb() { Close(); }

  sqlite3* get() const { return db_; }

  // Runs every statement of sql. Errors: Internal with SQLite's message.
  Status Exec(const std::string& sql);

  // crsql_finalize(), then close. Idempotent. Destroy every SqliteStore on the connection first.
  void Close();

 private:
  explicit RoomDb(sqlite3* db) : db_(db) {}
  sqlite3* db_ = nullptr;
};

}  // namespace crsync::server

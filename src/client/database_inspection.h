// What the `crsync info` and `crsync exec` commands show about a local database: its site id,
// crsql_db_version(), CRR tables, the peers it has synced with (crsql_tracked_peers) and the
// recorded schema; and the rows of arbitrary SQL run with the engine loaded.
//
// Reads go through sync::SqliteStore where it has the query (site id, db_version, schema,
// last-seen cursors), so the CLI shows exactly what a sync session would announce.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "client/local_database.h"
#include "common/status.h"

namespace crsync::client {

struct TrackedPeer {
  std::string site_id;  // hex, upper case
  int64_t version = 0;
  int64_t seq = 0;
};

struct DatabaseInfo {
  std::string site_id;  // hex, upper case
  int64_t db_version = 0;
  std::vector<std::string> crr_tables;  // sorted
  std::vector<TrackedPeer> tracked_peers;
  std::string schema_name;      // "" when none is recorded
  int64_t schema_version = -1;  // -1 when none is recorded
};

// Errors: kFailedPrecondition/kInternal from the store or SQLite.
Result<DatabaseInfo> InspectDatabase(LocalDatabase& database);

// Human-readable, one "key: value" per line (peers one per line, indented).
std::string FormatDatabaseInfo(const DatabaseInfo& info);

// Runs every statement of sql in order. For each result row, on_row receives the columns
// rendered like the sqlite3 shell's list mode, except that NULL is "NULL" and BLOBs are X'HEX'.
// Stops at the first failing statement. Errors: kInternal with SQLite's message and the failing
// statement's position.
Status ExecuteSql(LocalDatabase& database, std::string_view sql,
                  const std::function<void(const std::vector<std::string>& row)>& on_row);

}  // namespace crsync::client

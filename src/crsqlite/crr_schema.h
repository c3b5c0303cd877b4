// Creating, checking, altering and removing the metadata of a CRR (spec §5, §6, §12.2, §13).
// These functions run plain SQL and do not open savepoints; the SQL functions in
// crr_functions.cpp wrap them so a failure rolls back only the engine's own work.
#pragma once

#include <string>

#include "crsqlite/ext_data.h"

namespace crsync::crsqlite {

// Runs the compatibility checks of §5, in order; err gets the exact message of the first failure.
int CheckCrrCompatible(sqlite3* db, const std::string& table, std::string* err);
// True when the CRR insert trigger T__crsql_itrig exists.
bool IsCrr(sqlite3* db, const std::string& table);
// Makes table a CRR: checks, clock/lookaside tables, triggers, backfill. With is_commit_alter the
// triggers are recreated and backfill uses the current (not next) db_version.
int CreateCrr(ExtData* ext, const std::string& table, bool is_commit_alter, std::string* err);
// Drops the CRR triggers (incl. legacy per-pk update triggers).
int DropCrrTriggers(sqlite3* db, const std::string& table, std::string* err);
// Drops triggers, clock and lookaside tables (crsql_as_table).
int RemoveCrr(sqlite3* db, const std::string& table, std::string* err);
// Compacts metadata after an alter (§12.2).
int CompactPostAlter(ExtData* ext, const std::string& table, std::string* err);

}  // namespace crsync::crsqlite

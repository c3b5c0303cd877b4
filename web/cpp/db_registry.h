// Cross-file bookkeeping of the web glue: the store and sync sessions of a connection.
#pragma once

#include <sqlite3.h>

#include "common/status.h"
#include "sync/sqlite_store.h"

namespace crsync::web {

// The sync store of db, created on first use and shared by every session (sync_exports.cpp).
Result<sync::SqliteStore*> StoreOf(sqlite3* db);

// Closes and frees every sync session (and the shared store) of db (sync_exports.cpp).
void CloseSyncsOf(sqlite3* db);

}  // namespace crsync::web

// Merging one remote change (an INSERT into crsql_changes) into the local database: the
// conflict-resolution algorithm of spec §10.
#pragma once

#include <string>

#include "crsqlite/ext_data.h"

namespace crsync::crsqlite {

// Column indexes of crsql_changes (spec §9.1).
enum ChangesColumn {
  kChangesTable = 0,
  kChangesPk = 1,
  kChangesCid = 2,
  kChangesVal = 3,
  kChangesColVersion = 4,
  kChangesDbVersion = 5,
  kChangesSiteId = 6,
  kChangesCl = 7,
  kChangesSeq = 8,
  kChangesColumnCount = 9,
};

// Applies one change given as the 9 column values. On success *rowid receives a rowid for SQLite.
// Returns an SQLite result code; err gets the message. Leaves no partial state of its own on
// error only together with SQLite's statement rollback (the vtab's INSERT statement).
int MergeChange(ExtData* ext, sqlite3_value** cols, int64_t* rowid, std::string* err);

}  // namespace crsync::crsqlite

// Registration functions of the engine's SQL function families and virtual tables. Each family
// lives in its own file and exposes one Register* function; sqlite3_crsqlite_init (crsqlite.cpp)
// calls them all, in one place. Each returns an SQLite result code.
#pragma once

#include <string>

#include "crsqlite/sqlite_api.h"

namespace crsync::crsqlite {

struct ExtData;

// crsqlite.cpp: loads the whole engine into a connection (what sqlite3_crsqlite_init does).
int LoadEngine(sqlite3* db, std::string* err);

// fract_index_functions.cpp: crsql_fract_key_between, crsql_fract_as_ordered,
// crsql_fract_fix_conflict_return_old_key.
int RegisterFractIndexFunctions(sqlite3* db);

// pack_functions.cpp: crsql_pack_columns, crsql_unpack_columns (table-valued).
int RegisterPackFunctions(sqlite3* db);

// Everything that needs the per-connection state (ext_data.h).
int RegisterCoreFunctions(sqlite3* db, ExtData* ext);    // core_functions.cpp
int RegisterCrrFunctions(sqlite3* db, ExtData* ext);     // crr_functions.cpp
int RegisterLocalWriteFunctions(sqlite3* db, ExtData* ext);  // local_writes.cpp
int RegisterChangesVtab(sqlite3* db, ExtData* ext);
int RegisterAutomigrate(sqlite3* db, ExtData* ext);      // automigrate.cpp
int RegisterClsetVtab(sqlite3* db, ExtData* ext);        // clset_vtab.cpp

}  // namespace crsync::crsqlite

// Single include point for the SQLite C API inside the engine.
//
// The engine is compiled twice from the same sources: as the loadable module crsqlite.so, where
// every SQLite call goes through the sqlite3_api_routines table handed to the entry point, and as
// a static library with SQLITE_CORE defined, where the same calls bind directly to SQLite. This
// header hides that difference: every engine file includes it instead of sqlite3.h.
#pragma once

#include <sqlite3ext.h>

#ifndef SQLITE_CORE
// Defined (SQLITE_EXTENSION_INIT1) in crsqlite.cpp; set by the entry point.
extern const sqlite3_api_routines* sqlite3_api;
#endif

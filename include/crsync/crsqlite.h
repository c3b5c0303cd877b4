/* crsync's CRDT engine: a drop-in replacement for cr-sqlite 0.16 as an SQLite extension.
 *
 * Loadable build: `build/crsqlite.so`, entry point sqlite3_crsqlite_init (what
 * `.load ./crsqlite` and better-sqlite3's loadExtension() derive from the file name).
 * Static build (crsqlite_core, compiled with SQLITE_CORE): call sqlite3_crsqlite_init(db, &err,
 * NULL) on each connection, or crsync_crsqlite_auto_register() once to have SQLite run it for
 * every connection opened afterwards.
 *
 * Contract: returns SQLITE_OK, or an SQLite error code with *pzErrMsg set (free it with
 * sqlite3_free). The engine keeps prepared statements per connection: run
 * `SELECT crsql_finalize()` before sqlite3_close(), or close with sqlite3_close_v2().
 * A connection must be used by one thread at a time (SQLite's own rule). */
#ifndef CRSYNC_CRSQLITE_H
#define CRSYNC_CRSQLITE_H

#ifdef __cplusplus
extern "C" {
#endif

struct sqlite3;
struct sqlite3_api_routines;

int sqlite3_crsqlite_init(struct sqlite3* db, char** pzErrMsg,
                          const struct sqlite3_api_routines* pApi);

/* Static build only: registers sqlite3_crsqlite_init as an auto-extension. Returns an SQLite
 * result code. */
int crsync_crsqlite_auto_register(void);

#ifdef __cplusplus
}
#endif

#endif /* CRSYNC_CRSQLITE_H */

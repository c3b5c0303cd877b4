// Entry point of the engine: sqlite3_crsqlite_init loads crsqlite into one connection
// (spec §2): registers every function family and virtual table, creates the bookkeeping tables
// (crsql_tracked_peers, crsql_master, crsql_site_id), checks and records the format version,
// loads or creates the site id, reads configuration, and installs the commit/rollback hooks.
// All registration happens here and nowhere else.
#include "crsync/crsqlite.h"

#include <memory>
#include <string>

#include "crsqlite/ext_data.h"
#include "crsqlite/registration.h"
#include "crsqlite/sqlite_api.h"

#ifndef SQLITE_CORE
SQLITE_EXTENSION_INIT1
#endif

namespace crsync::crsqlite {

namespace {

constexpr int64_t kFormatVersion = 160300;      // what cr-sqlite 0.16.3 records
constexpr int64_t kOldestSupported = 150000;    // 0.15.0 changed the on-disk format

int CommitHook(void* p) {
  static_cast<ExtData*>(p)->OnCommit();
  return 0;
}

void RollbackHook(void* p) { static_cast<ExtData*>(p)->OnRollback(); }

int UpdateFormatVersion(sqlite3* db, std::string* err) {
  int rc = SQLITE_OK;
  auto existed = QueryInt(
      db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'crsql_master'", &rc);
  if (rc != SQLITE_OK) return *err = sqlite3_errmsg(db), rc;
  bool blank = existed.value_or(0) == 0;
  rc = Exec(db, "CREATE TABLE IF NOT EXISTS \"crsql_master\" (\"key\" TEXT PRIMARY KEY, \"value\" ANY)",
            err);
  if (rc != SQLITE_OK) return rc;
  int64_t recorded = 0;
  if (!blank) {
    auto v = QueryInt(db, "SELECT value FROM crsql_master WHERE key = 'crsqlite_version'", &rc);
    if (rc != SQLITE_OK) return *err = sqlite3_errmsg(db), rc;
    recorded = v.value_or(0);
    if (recorded < kOldestSupported) {
      *err = "Opening a db created with cr-sqlite version " + std::to_string(recorded) +
             " is not supported. Upcoming release 0.15.0 is a breaking change.";
      return SQLITE_ERROR;
    }
  }
  if (blank || recorded < kFormatVersion) {
    rc = Exec(db,
              "INSERT OR REPLACE INTO crsql_master VALUES ('crsqlite_version', " +
                  std::to_string(kFormatVersion) + ")",
              err);
  }
  return rc;
}

int InitSiteId(sqlite3* db, std::string* site_id, std::string* err) {
  int rc = SQLITE_OK;
  auto exists = QueryInt(
      db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'crsql_site_id'",
      &rc);
  if (rc != SQLITE_OK) return *err = sqlite3_errmsg(db), rc;
  if (exists.value_or(0) == 0) {
    rc = Exec(db,
              "CREATE TABLE \"crsql_site_id\" (site_id BLOB NOT NULL, ordinal INTEGER PRIMARY KEY);"
              "CREATE UNIQUE INDEX crsql_site_id_site_id ON \"crsql_site_id\" (site_id);",
              err);
    if (rc != SQLITE_OK) return rc;
  } else {
    Stmt s = Prepare(db, "SELECT site_id FROM crsql_site_id WHERE ordinal = 0", &rc, err);
    if (!s) return rc;
    if (sqlite3_step(s.get()) == SQLITE_ROW) {
      const void* b = sqlite3_column_blob(s.get(), 0);
      int n = sqlite3_column_bytes(s.get(), 0);
      site_id->assign(static_cast<const char*>(b ? b : ""), n);
      return SQLITE_OK;
    }
  }
  unsigned char id[16];
  sqlite3_randomness(sizeof id, id);
  id[6] = static_cast<unsigned char>((id[6] & 0x0F) + 0x40);
  id[8] = static_cast<unsigned char>((id[8] & 0x3F) + 0x80);
  site_id->assign(reinterpret_cast<const char*>(id), sizeof id);
  Stmt ins = Prepare(db, "INSERT INTO crsql_site_id (site_id, ordinal) VALUES (?1, 0)", &rc, err);
  if (!ins) return rc;
  sqlite3_bind_blob(ins.get(), 1, id, sizeof id, SQLITE_STATIC);
  if (sqlite3_step(ins.get()) != SQLITE_DONE) return *err = sqlite3_errmsg(db), SQLITE_ERROR;
  return SQLITE_OK;
}

int LoadConfig(ExtData* ext, std::string* err) {
  int rc = SQLITE_OK;
  Stmt s = Prepare(ext->db,
                   "SELECT substr(key, 8), value FROM crsql_master WHERE key LIKE 'config.%'",
                   &rc, err);
  if (!s) return rc;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    std::string name = reinterpret_cast<const char*>(sqlite3_column_text(s.get(), 0));
    if (name == "merge-equal-values") {
      if (sqlite3_column_type(s.get(), 1) != SQLITE_INTEGER) {
        *err = "config.merge-equal-values is not an integer";
        return SQLITE_ERROR;
      }
      ext->merge_equal_values = sqlite3_column_int64(s.get(), 1);
    }
  }
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int Init(sqlite3* db, std::string* err) {
  int rc = RegisterFractIndexFunctions(db);
  if (rc == SQLITE_OK) rc = RegisterPackFunctions(db);
  if (rc != SQLITE_OK) return *err = "failed to register functions", rc;
  rc = Exec(db,
            "CREATE TABLE IF NOT EXISTS crsql_tracked_peers (\"site_id\" BLOB NOT NULL, "
            "\"version\" INTEGER NOT NULL, \"seq\" INTEGER DEFAULT 0, \"tag\" INTEGER, \"event\" "
            "INTEGER, PRIMARY KEY (\"site_id\", \"tag\", \"event\")) STRICT",
            err);
  if (rc != SQLITE_OK) return rc;
  rc = UpdateFormatVersion(db, err);
  if (rc != SQLITE_OK) return rc;
  auto ext = std::make_unique<ExtData>(db);
  rc = InitSiteId(db, &ext->site_id, err);
  if (rc != SQLITE_OK) return rc;
  rc = LoadConfig(ext.get(), err);
  if (rc != SQLITE_OK) return rc;
  ExtData* e = ext.get();
  // The crsql_changes module owns the ExtData: SQLite destroys it when the connection closes
  // (or when a second load replaces the module). Registered first so that the functions below
  // never point at freed state.
  rc = RegisterChangesVtab(db, ext.release());
  if (rc != SQLITE_OK) return *err = "failed to register crsql_changes", rc;
  rc = RegisterCoreFunctions(db, e);
  if (rc == SQLITE_OK) rc = RegisterLocalWriteFunctions(db, e);
  if (rc == SQLITE_OK) rc = RegisterCrrFunctions(db, e);
  if (rc == SQLITE_OK) rc = RegisterAutomigrate(db, e);
  if (rc == SQLITE_OK) rc = RegisterClsetVtab(db, e);
  if (rc != SQLITE_OK) return *err = "failed to register functions", rc;
  sqlite3_commit_hook(db, CommitHook, e);
  sqlite3_rollback_hook(db, RollbackHook, e);
  return SQLITE_OK;
}

}  // namespace

int LoadEngine(sqlite3* db, std::string* err) {
  try {
    return Init(db, err);
  } catch (...) {
    *err = "out of memory while loading crsqlite";
    return SQLITE_NOMEM;
  }
}

}  // namespace crsync::crsqlite

extern "C" {

#ifndef SQLITE_CORE
__attribute__((visibility("default")))
#endif
int sqlite3_crsqlite_init(sqlite3* db, char** pzErrMsg, const sqlite3_api_routines* pApi) {
#ifndef SQLITE_CORE
  SQLITE_EXTENSION_INIT2(pApi);
#else
  (void)pApi;
#endif
  std::string err;
  int rc = crsync::crsqlite::LoadEngine(db, &err);
  if (rc != SQLITE_OK && pzErrMsg) *pzErrMsg = sqlite3_mprintf("%s", err.c_str());
  return rc;
}

int crsync_crsqlite_auto_register(void) {
#ifdef SQLITE_CORE
  return sqlite3_auto_extension(reinterpret_cast<void (*)(void)>(sqlite3_crsqlite_init));
#else
  return SQLITE_MISUSE;
#endif
}

}  // extern "C"

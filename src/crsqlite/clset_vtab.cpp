// The creatable virtual table module clset (spec §3.2):
//   CREATE VIRTUAL TABLE <T>_schema USING clset(<column definitions>)
// creates the real table <T> with those columns and makes it a CRR; DROP TABLE <T>_schema drops
// <T> and its metadata. The virtual table itself holds no rows (the original's cursor never
// reached EOF; ours is simply empty).
#include <cstring>
#include <new>
#include <string>

#include "crsqlite/crr_schema.h"
#include "crsqlite/ext_data.h"
#include "crsqlite/registration.h"

namespace crsync::crsqlite {

namespace {

constexpr const char* kSchemaSuffix = "_schema";

struct ClsetVtab {
  sqlite3_vtab base;
  ExtData* ext;
  std::string table;  // the base table <T>
};

struct ClsetCursor {
  sqlite3_vtab_cursor base;
};

bool BaseName(const char* vtab_name, std::string* out) {
  std::string n = vtab_name;
  size_t s = std::strlen(kSchemaSuffix);
  if (n.size() <= s || n.compare(n.size() - s, s, kSchemaSuffix) != 0) return false;
  *out = n.substr(0, n.size() - s);
  return true;
}

int Declare(sqlite3* db, ExtData* ext, const std::string& table, sqlite3_vtab** out) {
  int rc = sqlite3_declare_vtab(db, "CREATE TABLE x(alteration TEXT HIDDEN, schema TEXT HIDDEN)");
  if (rc != SQLITE_OK) return rc;
  auto* vtab = new (std::nothrow) ClsetVtab();
  if (!vtab) return SQLITE_NOMEM;
  std::memset(&vtab->base, 0, sizeof vtab->base);
  vtab->ext = ext;
  vtab->table = table;
  *out = &vtab->base;
  return SQLITE_OK;
}

int ClsetCreate(sqlite3* db, void* aux, int argc, const char* const* argv, sqlite3_vtab** out,
                char** err_out) {
  auto* ext = static_cast<ExtData*>(aux);
  std::string table;
  if (argc < 3 || !BaseName(argv[2], &table)) {
    const char* n = argc >= 3 ? argv[2] : "?";
    *err_out = sqlite3_mprintf(
        "%s MUST end with _schema. E.g., %s_schema. Two tables will be created: the virtual "
        "table %s_schema and the base table %s",
        n, n, n, n);
    return SQLITE_ERROR;
  }
  std::string cols;
  for (int k = 3; k < argc; ++k) {
    if (k > 3) cols += ", ";
    cols += argv[k];
  }
  std::string err;
  int rc = Exec(db, "CREATE TABLE " + QuoteIdent(table) + " (" + cols + ")", &err);
  if (rc == SQLITE_OK) rc = CreateCrr(ext, table, false, &err);
  ext->InvalidateTableInfos();
  if (rc != SQLITE_OK) {
    *err_out = sqlite3_mprintf("%s", err.c_str());
    return rc;
  }
  return Declare(db, ext, table, out);
}

int ClsetConnect(sqlite3* db, void* aux, int argc, const char* const* argv, sqlite3_vtab** out,
                 char** err_out) {
  std::string table;
  if (argc < 3 || !BaseName(argv[2], &table)) {
    *err_out = sqlite3_mprintf("clset table names must end with _schema");
    return SQLITE_ERROR;
  }
  return Declare(db, static_cast<ExtData*>(aux), table, out);
}

int ClsetDisconnect(sqlite3_vtab* base) {
  auto* vtab = reinterpret_cast<ClsetVtab*>(base);
  sqlite3_free(vtab->base.zErrMsg);
  delete vtab;
  return SQLITE_OK;
}

int ClsetDestroy(sqlite3_vtab* base) {
  auto* vtab = reinterpret_cast<ClsetVtab*>(base);
  std::string err;
  sqlite3* db = vtab->ext->db;
  int rc = RemoveCrr(db, vtab->table, &err);
  if (rc == SQLITE_OK) rc = Exec(db, "DROP TABLE IF EXISTS " + QuoteIdent(vtab->table), &err);
  vtab->ext->InvalidateTableInfos();
  if (rc != SQLITE_OK) {
    sqlite3_free(base->zErrMsg);
    base->zErrMsg = sqlite3_mprintf("%s", err.c_str());
    return rc;
  }
  return ClsetDisconnect(base);
}

int ClsetBestIndex(sqlite3_vtab*, sqlite3_index_info* info) {
  info->estimatedCost = 1;
  return SQLITE_OK;
}

int ClsetOpen(sqlite3_vtab*, sqlite3_vtab_cursor** out) {
  auto* cur = new (std::nothrow) ClsetCursor();
  if (!cur) return SQLITE_NOMEM;
  std::memset(cur, 0, sizeof *cur);
  *out = &cur->base;
  return SQLITE_OK;
}

int ClsetClose(sqlite3_vtab_cursor* cur) {
  delete reinterpret_cast<ClsetCursor*>(cur);
  return SQLITE_OK;
}

int ClsetFilter(sqlite3_vtab_cursor*, int, const char*, int, sqlite3_value**) { return SQLITE_OK; }
int ClsetNext(sqlite3_vtab_cursor*) { return SQLITE_OK; }
int ClsetEof(sqlite3_vtab_cursor*) { return 1; }
int ClsetColumn(sqlite3_vtab_cursor*, sqlite3_context* ctx, int) {
  sqlite3_result_null(ctx);
  return SQLITE_OK;
}
int ClsetRowid(sqlite3_vtab_cursor*, sqlite3_int64* rowid) {
  *rowid = 0;
  return SQLITE_OK;
}

sqlite3_module MakeClsetModule() {
  sqlite3_module m;
  std::memset(&m, 0, sizeof m);
  m.xCreate = ClsetCreate;
  m.xConnect = ClsetConnect;
  m.xBestIndex = ClsetBestIndex;
  m.xDisconnect = ClsetDisconnect;
  m.xDestroy = ClsetDestroy;
  m.xOpen = ClsetOpen;
  m.xClose = ClsetClose;
  m.xFilter = ClsetFilter;
  m.xNext = ClsetNext;
  m.xEof = ClsetEof;
  m.xColumn = ClsetColumn;
  m.xRowid = ClsetRowid;
  return m;
}

const sqlite3_module kClsetModule = MakeClsetModule();

}  // namespace

int RegisterClsetVtab(sqlite3* db, ExtData* ext) {
  return sqlite3_create_module_v2(db, "clset", &kClsetModule, ext, nullptr);
}

}  // namespace crsync::crsqlite

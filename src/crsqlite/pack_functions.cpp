// SQL surface of the packed value format: the scalar crsql_pack_columns(...) and the
// eponymous table-valued function crsql_unpack_columns(<blob>) (spec §3.1, §3.2, §11).
#include <cstring>
#include <new>
#include <string>

#include "crsqlite/pack_columns.h"
#include "crsqlite/registration.h"

namespace crsync::crsqlite {

namespace {

void PackColumnsFunc(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  std::string out;
  if (!PackSqliteValues(argc, argv, &out)) {
    sqlite3_result_error(ctx, "Failed to pack columns", -1);
    sqlite3_result_error_code(ctx, SQLITE_ABORT);
    return;
  }
  sqlite3_result_blob(ctx, out.data(), static_cast<int>(out.size()), SQLITE_TRANSIENT);
}

// ---- crsql_unpack_columns ------------------------------------------------------------------

constexpr int kColCell = 0;
constexpr int kColPackage = 1;

struct UnpackCursor {
  sqlite3_vtab_cursor base;
  UnpackResult result;
  size_t index = 0;
};

int UnpackConnect(sqlite3* db, void*, int, const char* const*, sqlite3_vtab** out, char**) {
  int rc = sqlite3_declare_vtab(db, "CREATE TABLE x(cell ANY, package BLOB hidden)");
  if (rc != SQLITE_OK) return rc;
  auto* vtab = static_cast<sqlite3_vtab*>(sqlite3_malloc(sizeof(sqlite3_vtab)));
  if (!vtab) return SQLITE_NOMEM;
  std::memset(vtab, 0, sizeof *vtab);
  *out = vtab;
  return SQLITE_OK;
}

int UnpackDisconnect(sqlite3_vtab* vtab) {
  sqlite3_free(vtab);
  return SQLITE_OK;
}

int UnpackBestIndex(sqlite3_vtab* vtab, sqlite3_index_info* info) {
  bool has_package = false;
  for (int k = 0; k < info->nConstraint; ++k) {
    const auto& c = info->aConstraint[k];
    if (c.iColumn == kColPackage && c.op == SQLITE_INDEX_CONSTRAINT_EQ) {
      if (!c.usable) return SQLITE_CONSTRAINT;
      info->aConstraintUsage[k].argvIndex = 1;
      info->aConstraintUsage[k].omit = 1;
      has_package = true;
    }
  }
  info->idxNum = has_package ? 1 : 0;
  info->estimatedCost = has_package ? 1 : 1e9;
  return SQLITE_OK;
}

int UnpackOpen(sqlite3_vtab*, sqlite3_vtab_cursor** out) {
  auto* cur = new (std::nothrow) UnpackCursor();
  if (!cur) return SQLITE_NOMEM;
  *out = &cur->base;
  return SQLITE_OK;
}

int UnpackClose(sqlite3_vtab_cursor* base) {
  delete reinterpret_cast<UnpackCursor*>(base);
  return SQLITE_OK;
}

int UnpackFilter(sqlite3_vtab_cursor* base, int idx_num, const char*, int argc,
                 sqlite3_value** argv) {
  auto* cur = reinterpret_cast<UnpackCursor*>(base);
  sqlite3_vtab* vtab = base->pVtab;
  cur->index = 0;
  cur->result = UnpackResult();
  if (argc == 0 || idx_num == 0) {
    sqlite3_free(vtab->zErrMsg);
    vtab->zErrMsg = sqlite3_mprintf("Zero args passed to filter");
    return SQLITE_MISUSE;
  }
  if (sqlite3_value_type(argv[0]) != SQLITE_BLOB) {
    sqlite3_free(vtab->zErrMsg);
    vtab->zErrMsg = sqlite3_mprintf("crsql_unpack_columns expects a blob");
    return SQLITE_MISUSE;
  }
  const void* p = sqlite3_value_blob(argv[0]);
  int n = sqlite3_value_bytes(argv[0]);
  cur->result = UnpackValues(std::string_view(static_cast<const char*>(p), n));
  if (cur->result.rc != SQLITE_OK) {
    sqlite3_free(vtab->zErrMsg);
    vtab->zErrMsg = sqlite3_mprintf("%s", cur->result.error.c_str());
    return cur->result.rc;
  }
  return SQLITE_OK;
}

int UnpackNext(sqlite3_vtab_cursor* base) {
  reinterpret_cast<UnpackCursor*>(base)->index++;
  return SQLITE_OK;
}

int UnpackEof(sqlite3_vtab_cursor* base) {
  auto* cur = reinterpret_cast<UnpackCursor*>(base);
  return cur->index >= cur->result.values.size();
}

int UnpackColumn(sqlite3_vtab_cursor* base, sqlite3_context* ctx, int col) {
  auto* cur = reinterpret_cast<UnpackCursor*>(base);
  if (col == kColCell) ResultValue(ctx, cur->result.values[cur->index]);
  return SQLITE_OK;
}

int UnpackRowid(sqlite3_vtab_cursor* base, sqlite3_int64* rowid) {
  *rowid = static_cast<sqlite3_int64>(reinterpret_cast<UnpackCursor*>(base)->index);
  return SQLITE_OK;
}

sqlite3_module MakeUnpackModule() {
  sqlite3_module m;
  std::memset(&m, 0, sizeof m);
  m.iVersion = 0;
  m.xCreate = nullptr;  // eponymous-only
  m.xConnect = UnpackConnect;
  m.xBestIndex = UnpackBestIndex;
  m.xDisconnect = UnpackDisconnect;
  m.xDestroy = UnpackDisconnect;
  m.xOpen = UnpackOpen;
  m.xClose = UnpackClose;
  m.xFilter = UnpackFilter;
  m.xNext = UnpackNext;
  m.xEof = UnpackEof;
  m.xColumn = UnpackColumn;
  m.xRowid = UnpackRowid;
  return m;
}

const sqlite3_module kUnpackModule = MakeUnpackModule();

}  // namespace

int RegisterPackFunctions(sqlite3* db) {
  int rc = sqlite3_create_function_v2(db, "crsql_pack_columns", -1, SQLITE_UTF8, nullptr,
                                      PackColumnsFunc, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return rc;
  return sqlite3_create_module_v2(db, "crsql_unpack_columns", &kUnpackModule, nullptr, nullptr);
}

}  // namespace crsync::crsqlite

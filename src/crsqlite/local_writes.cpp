// Trigger helpers that record local writes in the clock tables (spec §7): crsql_after_insert,
// crsql_after_update and crsql_after_delete, called by the CRR triggers with the NEW/OLD values.
// Every call first takes the transaction's db_version (even an UPDATE that changes nothing
// consumes one — peers never see it, but the numbering must match the original), then writes
// clock rows stamped with that version and consecutive seq values.
#include <string>
#include <string_view>

#include "crsqlite/ext_data.h"
#include "crsqlite/registration.h"
#include "crsqlite/table_statements.h"
#include "crsqlite/value.h"

namespace crsync::crsqlite {

namespace {

void Fail(sqlite3_context* ctx, int rc, const std::string& msg) {
  sqlite3_result_error(ctx, msg.c_str(), -1);
  sqlite3_result_error_code(ctx, rc == SQLITE_OK ? SQLITE_ERROR : rc);
}

// Resolves the table named by argv[0]; sets the error result when it fails.
TableInfo* ResolveTable(sqlite3_context* ctx, ExtData* ext, int argc, sqlite3_value** argv) {
  if (argc < 1) {
    Fail(ctx, SQLITE_ERROR, "expected at least 1 argument");
    return nullptr;
  }
  const char* name = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
  std::string_view tbl = name ? name : "";
  std::string err;
  int rc = SQLITE_OK;
  TableInfo* t = ext->FindTable(tbl, &err, &rc);
  if (rc != SQLITE_OK) {
    Fail(ctx, rc, "failed to ensure table infos are up to date: " + std::to_string(rc));
    return nullptr;
  }
  if (!t) Fail(ctx, SQLITE_ERROR, "table " + std::string(tbl) + " not found");
  return t;
}

// Runs a clock statement bound as (?1 key, ?2 db_version, ?3 seq).
int RunKeyVersionSeq(sqlite3* db, sqlite3_stmt* s, int64_t key, int64_t v, int64_t seq,
                     std::string* err) {
  if (!s) return SQLITE_ERROR;
  StmtUse use(s);
  sqlite3_bind_int64(s, 1, key);
  sqlite3_bind_int64(s, 2, v);
  sqlite3_bind_int64(s, 3, seq);
  return StepDone(db, s, err);
}

int MarkUpdated(ExtData* ext, TableInfo* t, int64_t key, const std::string& col, int64_t v,
                std::string* err) {
  sqlite3_stmt* s = GetTableStmt(ext->db, t, TableStmt::kMarkUpdated, err);
  if (!s) return SQLITE_ERROR;
  StmtUse use(s);
  sqlite3_bind_int64(s, 1, key);
  sqlite3_bind_text(s, 2, col.data(), static_cast<int>(col.size()), SQLITE_STATIC);
  sqlite3_bind_int64(s, 3, v);
  sqlite3_bind_int64(s, 4, ext->BumpSeq());
  return StepDone(ext->db, s, err);
}

void AfterInsert(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  auto* ext = static_cast<ExtData*>(sqlite3_user_data(ctx));
  TableInfo* t = ResolveTable(ctx, ext, argc, argv);
  if (!t) return;
  if (static_cast<size_t>(argc) != 1 + t->pks.size()) {
    Fail(ctx, SQLITE_ERROR, "expected " + std::to_string(1 + t->pks.size()) + " values, got " +
                                std::to_string(argc));
    return;
  }
  std::string err;
  int64_t v = 0;
  int rc = ext->NextDbVersion(0, &v, &err);
  if (rc != SQLITE_OK) return Fail(ctx, rc, err);
  int64_t key = 0;
  bool existed = false;
  rc = GetOrCreateKeyFromArgs(ext->db, t, argv + 1, /*try_insert_first=*/true, &key, &existed,
                              &err);
  if (rc != SQLITE_OK) return Fail(ctx, rc, err);
  sqlite3* db = ext->db;
  if (t->non_pks.empty()) {
    rc = RunKeyVersionSeq(db, GetTableStmt(db, t, TableStmt::kMarkCreated, &err), key, v,
                          ext->BumpSeq(), &err);
    if (rc != SQLITE_OK) return Fail(ctx, rc, err);
    sqlite3_result_int(ctx, 0);
    return;
  }
  if (existed) {
    rc = RunKeyVersionSeq(db, GetTableStmt(db, t, TableStmt::kBumpSentinel, &err), key, v,
                          ext->BumpSeq(), &err);
    if (rc != SQLITE_OK) return Fail(ctx, rc, err);
  }
  // One statement upserts every cell clock, seq values in cid order.
  sqlite3_stmt* s = GetTableStmt(db, t, TableStmt::kMarkAllCells, &err);
  if (!s) return Fail(ctx, SQLITE_ERROR, err);
  {
    StmtUse use(s);
    sqlite3_bind_int64(s, 1, key);
    sqlite3_bind_int64(s, 2, v);
    for (size_t k = 0; k < t->non_pks.size(); ++k) {
      sqlite3_bind_int64(s, static_cast<int>(3 + k), ext->BumpSeq());
    }
    rc = StepDone(db, s, &err);
  }
  if (rc != SQLITE_OK) return Fail(ctx, rc, err);
  sqlite3_result_int(ctx, 0);
}

void AfterUpdate(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  auto* ext = static_cast<ExtData*>(sqlite3_user_data(ctx));
  TableInfo* t = ResolveTable(ctx, ext, argc, argv);
  if (!t) return;
  size_t np = t->pks.size(), nc = t->non_pks.size();
  size_t expected = 1 + 2 * np + 2 * nc;
  if (static_cast<size_t>(argc) != expected) {
    Fail(ctx, SQLITE_ERROR,
         "expected " + std::to_string(expected) + " values, got " + std::to_string(argc));
    return;
  }
  sqlite3_value** new_pks = argv + 1;
  sqlite3_value** old_pks = argv + 1 + np;
  sqlite3_value** new_vals = argv + 1 + 2 * np;
  sqlite3_value** old_vals = argv + 1 + 2 * np + nc;
  std::string err;
  sqlite3* db = ext->db;
  int64_t v = 0;
  int rc = ext->NextDbVersion(0, &v, &err);
  if (rc != SQLITE_OK) return Fail(ctx, rc, err);
  int64_t new_key = 0;
  bool existed = false;
  rc = GetOrCreateKeyFromArgs(db, t, new_pks, false, &new_key, &existed, &err);
  if (rc != SQLITE_OK) return Fail(ctx, rc, err);
  bool pk_changed = false;
  for (size_t k = 0; k < np; ++k) {
    if (CompareSqliteValues(new_pks[k], old_pks[k]) != 0) pk_changed = true;
  }
  if (pk_changed) {
    int64_t old_key = 0;
    rc = GetOrCreateKeyFromArgs(db, t, old_pks, false, &old_key, &existed, &err);
    if (rc != SQLITE_OK) return Fail(ctx, rc, err);
    rc = RunKeyVersionSeq(db, GetTableStmt(db, t, TableStmt::kMarkDeleted, &err), old_key, v,
                          ext->BumpSeq(), &err);
    if (rc != SQLITE_OK) return Fail(ctx, rc, err);
    sqlite3_stmt* mv = GetTableStmt(db, t, TableStmt::kMoveCells, &err);
    if (!mv) return Fail(ctx, SQLITE_ERROR, err);
    {
      StmtUse use(mv);
      sqlite3_bind_int64(mv, 1, new_key);
      sqlite3_bind_int64(mv, 2, old_key);
      rc = StepDone(db, mv, &err);
    }
    if (rc != SQLITE_OK) return Fail(ctx, rc, err);
    rc = RunKeyVersionSeq(db, GetTableStmt(db, t, TableStmt::kMarkCreated, &err), new_key, v,
                          ext->BumpSeq(), &err);
    if (rc != SQLITE_OK) return Fail(ctx, rc, err);
  }
  for (size_t k = 0; k < nc; ++k) {
    if (CompareSqliteValues(new_vals[k], old_vals[k]) == 0) continue;
    rc = MarkUpdated(ext, t, new_key, t->non_pks[k].name, v, &err);
    if (rc != SQLITE_OK) return Fail(ctx, rc, err);
  }
  sqlite3_result_int(ctx, 0);
}

void AfterDelete(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  auto* ext = static_cast<ExtData*>(sqlite3_user_data(ctx));
  TableInfo* t = ResolveTable(ctx, ext, argc, argv);
  if (!t) return;
  if (static_cast<size_t>(argc) != 1 + t->pks.size()) {
    Fail(ctx, SQLITE_ERROR, "expected " + std::to_string(1 + t->pks.size()) + " values, got " +
                                std::to_string(argc));
    return;
  }
  std::string err;
  sqlite3* db = ext->db;
  int64_t v = 0;
  int rc = ext->NextDbVersion(0, &v, &err);
  if (rc != SQLITE_OK) return Fail(ctx, rc, err);
  int32_t seq = ext->BumpSeq();
  int64_t key = 0;
  bool existed = false;
  rc = GetOrCreateKeyFromArgs(db, t, argv + 1, false, &key, &existed, &err);
  if (rc != SQLITE_OK) return Fail(ctx, rc, err);
  rc = RunKeyVersionSeq(db, GetTableStmt(db, t, TableStmt::kMarkDeleted, &err), key, v, seq, &err);
  if (rc != SQLITE_OK) return Fail(ctx, rc, err);
  sqlite3_stmt* drop = GetTableStmt(db, t, TableStmt::kDropCells, &err);
  if (!drop) return Fail(ctx, SQLITE_ERROR, err);
  {
    StmtUse use(drop);
    sqlite3_bind_int64(drop, 1, key);
    rc = StepDone(db, drop, &err);
  }
  if (rc != SQLITE_OK) return Fail(ctx, rc, err);
  sqlite3_result_int(ctx, 0);
}

}  // namespace

int RegisterLocalWriteFunctions(sqlite3* db, ExtData* ext) {
  const int flags = SQLITE_UTF8 | SQLITE_INNOCUOUS;
  int rc = sqlite3_create_function_v2(db, "crsql_after_insert", -1, flags, ext, AfterInsert,
                                      nullptr, nullptr, nullptr);
  if (rc == SQLITE_OK) {
    rc = sqlite3_create_function_v2(db, "crsql_after_update", -1, flags, ext, AfterUpdate, nullptr,
                                    nullptr, nullptr);
  }
  if (rc == SQLITE_OK) {
    rc = sqlite3_create_function_v2(db, "crsql_after_delete", -1, flags, ext, AfterDelete, nullptr,
                                    nullptr, nullptr);
  }
  return rc;
}

}  // namespace crsync::crsqlite

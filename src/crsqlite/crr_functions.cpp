// SQL functions that change which tables are CRRs: crsql_as_crr, crsql_as_table,
// crsql_begin_alter and crsql_commit_alter (spec §3.1, §12.1). Each runs its work inside its own
// savepoint; on failure it rolls back to that savepoint only. (cr-sqlite 0.16 runs a bare
// ROLLBACK, discarding the caller's whole transaction — a deliberate deviation, docs/crdt.md.)
#include <string>

#include "crsqlite/crr_schema.h"
#include "crsqlite/ext_data.h"
#include "crsqlite/registration.h"

namespace crsync::crsqlite {

namespace {

void Fail(sqlite3_context* ctx, int rc, const std::string& msg) {
  sqlite3_result_error(ctx, msg.c_str(), -1);
  sqlite3_result_error_code(ctx, rc == SQLITE_OK ? SQLITE_ERROR : rc);
}

// Table name from (table) or (schema, table); empty when the arity is wrong.
bool TableArg(int argc, sqlite3_value** argv, std::string* out) {
  if (argc != 1 && argc != 2) return false;
  const unsigned char* t = sqlite3_value_text(argv[argc - 1]);
  if (!t) return false;
  *out = reinterpret_cast<const char*>(t);
  return true;
}

// Runs work inside SAVEPOINT name; releases it on success, rolls back to it on failure.
template <typename Work>
int InSavepoint(sqlite3* db, const std::string& name, Work work, std::string* err) {
  int rc = Exec(db, "SAVEPOINT " + name, err);
  if (rc != SQLITE_OK) return rc;
  rc = work();
  if (rc == SQLITE_OK) {
    rc = Exec(db, "RELEASE " + name, err);
    if (rc == SQLITE_OK) return rc;
  }
  std::string ignored;
  Exec(db, "ROLLBACK TO " + name, &ignored);
  Exec(db, "RELEASE " + name, &ignored);
  return rc;
}

void AsCrrFunc(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  auto* ext = static_cast<ExtData*>(sqlite3_user_data(ctx));
  std::string table;
  if (!TableArg(argc, argv, &table)) {
    return Fail(ctx, SQLITE_ERROR,
                "Wrong number of args provided to crsql_as_crr. Provide the schema \n          "
                "name and table name or just the table name.");
  }
  std::string err;
  int rc = InSavepoint(
      ext->db, "as_crr", [&] { return CreateCrr(ext, table, false, &err); }, &err);
  ext->InvalidateTableInfos();
  if (rc != SQLITE_OK) return Fail(ctx, rc, err);
  sqlite3_result_text(ctx, "OK", -1, SQLITE_STATIC);
}

void AsTableFunc(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  auto* ext = static_cast<ExtData*>(sqlite3_user_data(ctx));
  std::string table;
  if (!TableArg(argc, argv, &table)) return Fail(ctx, SQLITE_ERROR, "expected a table name");
  std::string err;
  int rc = InSavepoint(
      ext->db, "as_table", [&] { return RemoveCrr(ext->db, table, &err); }, &err);
  ext->InvalidateTableInfos();
  if (rc != SQLITE_OK) return Fail(ctx, rc, "failed to downgrade the crr: " + err);
  sqlite3_result_null(ctx);
}

void BeginAlterFunc(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  auto* ext = static_cast<ExtData*>(sqlite3_user_data(ctx));
  std::string table;
  if (!TableArg(argc, argv, &table)) {
    return Fail(ctx, SQLITE_ERROR,
                "Wrong number of args provided to crsql_begin_alter. Provide the schema name "
                "and table name or just the table name.");
  }
  std::string err;
  // The alter_crr savepoint stays open until crsql_commit_alter releases it.
  int rc = Exec(ext->db, "SAVEPOINT alter_crr", &err);
  if (rc == SQLITE_OK) {
    rc = DropCrrTriggers(ext->db, table, &err);
    if (rc != SQLITE_OK) {
      std::string ignored;
      Exec(ext->db, "ROLLBACK TO alter_crr", &ignored);
      Exec(ext->db, "RELEASE alter_crr", &ignored);
    }
  }
  ext->InvalidateTableInfos();
  if (rc != SQLITE_OK) return Fail(ctx, rc, err);
  sqlite3_result_text(ctx, "OK", -1, SQLITE_STATIC);
}

void CommitAlterFunc(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  auto* ext = static_cast<ExtData*>(sqlite3_user_data(ctx));
  std::string table;
  if (!TableArg(argc, argv, &table)) {
    return Fail(ctx, SQLITE_ERROR,
                "Wrong number of args provided to crsql_commit_alter. Provide the schema name "
                "and table name or just the table name.");
  }
  std::string err;
  sqlite3* db = ext->db;
  int rc = Exec(db, "SAVEPOINT crsql_commit_alter", &err);
  if (rc == SQLITE_OK) {
    rc = CompactPostAlter(ext, table, &err);
    if (rc == SQLITE_OK) rc = CreateCrr(ext, table, true, &err);
    // Releasing alter_crr also releases crsql_commit_alter nested inside it. Without a prior
    // crsql_begin_alter there is no alter_crr and this fails.
    if (rc == SQLITE_OK) rc = Exec(db, "RELEASE alter_crr", &err);
    if (rc != SQLITE_OK) {
      std::string ignored;
      Exec(db, "ROLLBACK TO crsql_commit_alter", &ignored);
      Exec(db, "RELEASE crsql_commit_alter", &ignored);
    }
  }
  ext->InvalidateTableInfos();
  if (rc != SQLITE_OK) {
    return Fail(ctx, rc, "failed compacting tables post alteration");
  }
  sqlite3_result_null(ctx);
}

}  // namespace

int RegisterCrrFunctions(sqlite3* db, ExtData* ext) {
  struct Def {
    const char* name;
    int flags;
    void (*fn)(sqlite3_context*, int, sqlite3_value**);
  } defs[] = {
      {"crsql_as_crr", SQLITE_UTF8 | SQLITE_DETERMINISTIC, AsCrrFunc},
      {"crsql_as_table", SQLITE_UTF8, AsTableFunc},
      {"crsql_begin_alter", SQLITE_UTF8 | SQLITE_DIRECTONLY, BeginAlterFunc},
      {"crsql_commit_alter", SQLITE_UTF8 | SQLITE_DIRECTONLY, CommitAlterFunc},
  };
  for (const Def& d : defs) {
    int rc = sqlite3_create_function_v2(db, d.name, -1, d.flags, ext, d.fn, nullptr, nullptr,
                                        nullptr);
    if (rc != SQLITE_OK) return rc;
  }
  return SQLITE_OK;
}

}  // namespace crsync::crsqlite

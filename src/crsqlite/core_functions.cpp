// Scalar SQL functions over the per-connection state (spec §3.1): site id, db versions, seq,
// rows_impacted, the sync bit, configuration, finalize and sha.
#include <string>

#include "crsqlite/ext_data.h"
#include "crsqlite/registration.h"

namespace crsync::crsqlite {

namespace {

ExtData* Ext(sqlite3_context* ctx) { return static_cast<ExtData*>(sqlite3_user_data(ctx)); }

void Fail(sqlite3_context* ctx, int rc, const std::string& msg) {
  sqlite3_result_error(ctx, msg.c_str(), -1);
  sqlite3_result_error_code(ctx, rc == SQLITE_OK ? SQLITE_ERROR : rc);
}

void SiteIdFunc(sqlite3_context* ctx, int, sqlite3_value**) {
  const std::string& id = Ext(ctx)->site_id;
  sqlite3_result_blob(ctx, id.data(), static_cast<int>(id.size()), SQLITE_TRANSIENT);
}

void DbVersionFunc(sqlite3_context* ctx, int, sqlite3_value**) {
  ExtData* ext = Ext(ctx);
  std::string err;
  int rc = ext->FillDbVersion(&err);
  if (rc != SQLITE_OK) return Fail(ctx, rc, "failed to fill db version");
  sqlite3_result_int64(ctx, ext->db_version);
}

void NextDbVersionFunc(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  ExtData* ext = Ext(ctx);
  int64_t merging = argc >= 1 ? sqlite3_value_int64(argv[0]) : 0;
  int64_t out = 0;
  std::string err;
  int rc = ext->NextDbVersion(merging, &out, &err);
  if (rc != SQLITE_OK) return Fail(ctx, rc, "Unable to determine the next db version");
  sqlite3_result_int64(ctx, out);
}

void IncrementAndGetSeqFunc(sqlite3_context* ctx, int, sqlite3_value**) {
  sqlite3_result_int(ctx, Ext(ctx)->BumpSeq());
}

void GetSeqFunc(sqlite3_context* ctx, int, sqlite3_value**) {
  sqlite3_result_int(ctx, Ext(ctx)->seq);
}

void RowsImpactedFunc(sqlite3_context* ctx, int, sqlite3_value**) {
  sqlite3_result_int64(ctx, Ext(ctx)->rows_impacted);
}

void SyncBitFunc(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  ExtData* ext = Ext(ctx);
  if (argc >= 1) ext->sync_bit = sqlite3_value_int(argv[0]);
  sqlite3_result_int64(ctx, ext->sync_bit);
}

constexpr const char* kMergeEqualValues = "merge-equal-values";

void ConfigSetFunc(sqlite3_context* ctx, int, sqlite3_value** argv) {
  ExtData* ext = Ext(ctx);
  const unsigned char* name = sqlite3_value_text(argv[0]);
  if (!name || std::string(reinterpret_cast<const char*>(name)) != kMergeEqualValues) {
    return Fail(ctx, SQLITE_ERROR, "Unknown setting name");
  }
  // cr-sqlite 0.16.3 stores any value, and a non-integer one makes every later load of the
  // database fail. We refuse it instead (docs/crdt.md).
  if (sqlite3_value_type(argv[1]) != SQLITE_INTEGER) {
    return Fail(ctx, SQLITE_MISMATCH, "merge-equal-values must be an integer (0 or 1)");
  }
  int64_t v = sqlite3_value_int64(argv[1]);
  std::string err;
  int rc = Exec(ext->db,
                "INSERT OR REPLACE INTO crsql_master VALUES ('config.merge-equal-values', " +
                    std::to_string(v) + ")",
                &err);
  if (rc != SQLITE_OK) return Fail(ctx, rc, err);
  ext->merge_equal_values = v;
  sqlite3_result_int64(ctx, v);
}

void ConfigGetFunc(sqlite3_context* ctx, int, sqlite3_value** argv) {
  const unsigned char* name = sqlite3_value_text(argv[0]);
  if (!name || std::string(reinterpret_cast<const char*>(name)) != kMergeEqualValues) {
    return Fail(ctx, SQLITE_ERROR, "Unknown setting name");
  }
  sqlite3_result_int64(ctx, Ext(ctx)->merge_equal_values);
}

void FinalizeFunc(sqlite3_context* ctx, int, sqlite3_value**) {
  Ext(ctx)->FinalizeStatements();
  sqlite3_result_text(ctx, "finalized", -1, SQLITE_STATIC);
}

void ShaFunc(sqlite3_context* ctx, int, sqlite3_value**) {
#ifdef CRSYNC_GIT_SHA
  sqlite3_result_text(ctx, CRSYNC_GIT_SHA, -1, SQLITE_STATIC);
#else
  sqlite3_result_text(ctx, "crsync", -1, SQLITE_STATIC);
#endif
}

}  // namespace

int RegisterCoreFunctions(sqlite3* db, ExtData* ext) {
  const int kD = SQLITE_DETERMINISTIC, kI = SQLITE_INNOCUOUS, kDO = SQLITE_DIRECTONLY;
  struct Def {
    const char* name;
    int nargs;
    int flags;
    void (*fn)(sqlite3_context*, int, sqlite3_value**);
  } defs[] = {
      {"crsql_site_id", 0, kD | kI, SiteIdFunc},
      {"crsql_db_version", 0, kI, DbVersionFunc},
      {"crsql_next_db_version", -1, kI, NextDbVersionFunc},
      {"crsql_increment_and_get_seq", 0, kI, IncrementAndGetSeqFunc},
      {"crsql_get_seq", 0, kD | kI, GetSeqFunc},
      {"crsql_rows_impacted", 0, kI, RowsImpactedFunc},
      {"crsql_internal_sync_bit", -1, kI, SyncBitFunc},
      {"crsql_config_set", 2, 0, ConfigSetFunc},
      {"crsql_config_get", 1, kD | kI, ConfigGetFunc},
      {"crsql_finalize", -1, kDO, FinalizeFunc},
      {"crsql_sha", 0, kD | kI, ShaFunc},
  };
  for (const Def& d : defs) {
    int rc = sqlite3_create_function_v2(db, d.name, d.nargs, SQLITE_UTF8 | d.flags, ext, d.fn,
                                        nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return rc;
  }
  return SQLITE_OK;
}

}  // namespace crsync::crsqlite

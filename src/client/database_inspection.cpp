// Database inspection for the CLI (see database_inspection.h).
#include "client/database_inspection.h"

#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <memory>

#include "common/hex.h"
#include "sync/sqlite_store.h"

namespace crsync::client {
namespace {

constexpr std::string_view kClockSuffix = "__crsql_clock";

std::string UpperHex(std::span<const uint8_t> bytes) {
  std::string hex = HexEncode(bytes);
  std::transform(hex.begin(), hex.end(), hex.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return hex;
}

std::string RenderColumn(sqlite3_stmt* stmt, int column) {
  switch (sqlite3_column_type(stmt, column)) {
    case SQLITE_NULL:
      return "NULL";
    case SQLITE_BLOB: {
      const auto* data = static_cast<const uint8_t*>(sqlite3_column_blob(stmt, column));
      const int size = sqlite3_column_bytes(stmt, column);
      return "X'" + UpperHex(std::span<const uint8_t>(data, data == nullptr ? 0 : size)) + "'";
    }
    default: {
      // INTEGER, REAL (SQLite's own %!.15g rendering) and TEXT.
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, column));
      return text == nullptr ? std::string()
                             : std::string(text, sqlite3_column_bytes(stmt, column));
    }
  }
}

Result<std::vector<std::string>> CrrTables(sqlite3* db) {
  std::vector<std::string> tables;
  Status status = Status();
  const std::string sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%" +
                          std::string(kClockSuffix) + "' ORDER BY name";
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    return Status::Internal(std::string("listing CRR tables: ") + sqlite3_errmsg(db));
  }
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    std::string name = RenderColumn(stmt, 0);
    // LIKE treats '_' as a wildcard: check the suffix exactly.
    if (name.size() > kClockSuffix.size() && name.ends_with(kClockSuffix)) {
      tables.push_back(name.substr(0, name.size() - kClockSuffix.size()));
    }
  }
  if (rc != SQLITE_DONE) {
    status = Status::Internal(std::string("listing CRR tables: ") + sqlite3_errmsg(db));
  }
  sqlite3_finalize(stmt);
  if (!status.ok()) return status;
  return tables;
}

}  // namespace

Result<DatabaseInfo> InspectDatabase(LocalDatabase& database) {
  CRSYNC_ASSIGN_OR_RETURN(std::unique_ptr<sync::SqliteStore> store,
                          sync::SqliteStore::Open(database.db()));
  DatabaseInfo info;
  info.site_id = UpperHex(store->site_id());
  CRSYNC_ASSIGN_OR_RETURN(info.db_version, store->DbVersion());
  CRSYNC_ASSIGN_OR_RETURN(info.crr_tables, CrrTables(database.db()));
  CRSYNC_ASSIGN_OR_RETURN(std::vector<protocol::LastSeen> seen, store->AllLastSeens());
  for (const protocol::LastSeen& entry : seen) {
    info.tracked_peers.push_back(
        TrackedPeer{UpperHex(entry.site_id), entry.cursor.db_version, entry.cursor.seq});
  }
  CRSYNC_ASSIGN_OR_RETURN(sync::SchemaInfo schema, store->Schema());
  info.schema_name = schema.name;
  info.schema_version = schema.version;
  return info;
}

std::string FormatDatabaseInfo(const DatabaseInfo& info) {
  std::string out;
  out += "site_id: " + info.site_id + "\n";
  out += "db_version: " + std::to_string(info.db_version) + "\n";
  out += "crr_tables:";
  for (const std::string& table : info.crr_tables) out += " " + table;
  out += "\n";
  if (info.schema_name.empty()) {
    out += "schema: (none)\n";
  } else {
    out += "schema: " + info.schema_name + " version " + std::to_string(info.schema_version) + "\n";
  }
  out += "tracked_peers: " + std::to_string(info.tracked_peers.size()) + "\n";
  for (const TrackedPeer& peer : info.tracked_peers) {
    out += "  " + peer.site_id + " db_version " + std::to_string(peer.version) + " seq " +
           std::to_string(peer.seq) + "\n";
  }
  return out;
}

Status ExecuteSql(LocalDatabase& database, std::string_view sql,
                  const std::function<void(const std::vector<std::string>& row)>& on_row) {
  sqlite3* db = database.db();
  const char* next = sql.data();
  const char* const end = sql.data() + sql.size();
  while (next < end) {
    if (std::isspace(static_cast<unsigned char>(*next))) {
      ++next;  // so that offsets name the statement's first character
      continue;
    }
    sqlite3_stmt* stmt = nullptr;
    const char* tail = nullptr;
    const size_t offset = static_cast<size_t>(next - sql.data());
    if (sqlite3_prepare_v2(db, next, static_cast<int>(end - next), &stmt, &tail) != SQLITE_OK) {
      return Status::Internal("statement at offset " + std::to_string(offset) + ": " +
                              sqlite3_errmsg(db));
    }
    next = tail;
    if (stmt == nullptr) continue;  // whitespace or a comment
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int column = 0; column < sqlite3_column_count(stmt); ++column) {
        row.push_back(RenderColumn(stmt, column));
      }
      on_row(row);
    }
    Status status = rc == SQLITE_DONE
                        ? Status()
                        : Status::Internal("statement at offset " + std::to_string(offset) + ": " +
                                           sqlite3_errmsg(db));
    sqlite3_finalize(stmt);
    CRSYNC_RETURN_IF_ERROR(status);
  }
  return Status();
}

}  // namespace crsync::client

// `crsync info` and `crsync exec`: open a local database with the engine loaded, show what the
// sync layer sees, or run SQL and print the rows (columns separated by '|', like the sqlite3
// shell's list mode; NULL as NULL, BLOBs as X'HEX').
#include <cstdio>
#include <string>
#include <vector>

#include "client/database_inspection.h"
#include "client/local_database.h"
#include "commands.h"
#include "exit_codes.h"

namespace crsync::cli {

int RunInfo(const std::string& db) {
  Result<std::unique_ptr<client::LocalDatabase>> database = client::LocalDatabase::Open(db);
  if (!database.ok()) {
    std::fprintf(stderr, "crsync: %s\n", database.status().message().c_str());
    return kExitDatabase;
  }
  Result<client::DatabaseInfo> info = client::InspectDatabase(**database);
  if (!info.ok()) {
    std::fprintf(stderr, "crsync: %s\n", info.status().message().c_str());
    return kExitDatabase;
  }
  std::fputs(client::FormatDatabaseInfo(*info).c_str(), stdout);
  return kExitOk;
}

int RunExec(const std::string& db, const std::string& sql) {
  Result<std::unique_ptr<client::LocalDatabase>> database = client::LocalDatabase::Open(db);
  if (!database.ok()) {
    std::fprintf(stderr, "crsync: %s\n", database.status().message().c_str());
    return kExitDatabase;
  }
  Status status = client::ExecuteSql(**database, sql, [](const std::vector<std::string>& row) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      if (i > 0) line += '|';
      line += row[i];
    }
    line += '\n';
    std::fputs(line.c_str(), stdout);
  });
  std::fflush(stdout);
  if (!status.ok()) {
    std::fprintf(stderr, "crsync: %s\n", status.message().c_str());
    return kExitDatabase;
  }
  return kExitOk;
}

}  // namespace crsync::cli

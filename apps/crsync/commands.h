// The subcommands of the `crsync` CLI; main.cpp parses flags into these and dispatches.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace crsync::cli {

struct SyncCommand {
  std::string db;
  std::string url;
  std::string room;
  std::optional<std::string> token;
  std::string schema_file;
  bool once = false;
  double timeout_seconds = 0;  // --once only; 0 = wait forever
  int quiet_ms = 500;
  int reconnect_min_ms = 500;
  int reconnect_max_ms = 30'000;
  bool quiet_output = false;
};

// Each returns the process exit code (exit_codes.h).
int RunSync(const SyncCommand& command);
int RunInfo(const std::string& db);
int RunExec(const std::string& db, const std::string& sql);

}  // namespace crsync::cli

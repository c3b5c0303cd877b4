// crsync-server's configuration: command-line flags, CRSYNC_* environment variables and an
// optional JSON config file, merged with the precedence flags > environment > file > defaults
// (docs/operations.md has the full table).
//
// Every setting has one name used everywhere: the flag `--db-folder DIR` (or `--db-folder=DIR`),
// the environment variable CRSYNC_DB_FOLDER, and the config file key "db-folder" (or
// "db_folder"). The config file is a JSON object; its values may be strings, numbers or booleans.
// It is named by --config FILE or CRSYNC_CONFIG. Unknown flags, unknown file keys, malformed
// numbers and unreadable files are errors (InvalidArgument) with a message naming the setting;
// unknown CRSYNC_* variables are ignored (the environment is shared with other programs).
// Pure apart from reading the config and key files; thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/status.h"
#include "server/log.h"
#include "server/server.h"

namespace crsync::server {

struct ServerConfig {
  ServerOptions server;
  std::string port_file;  // write the bound port here once listening ("" = don't)
  LogLevel log_level = LogLevel::kInfo;
  LogFormat log_format = LogFormat::kText;
  bool help = false;  // --help: print Usage() and exit
};

// Looks up an environment variable; nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

// Parses args (without the program name). The defaults differ from ServerOptions' in one
// place: the port is 8080.
Result<ServerConfig> LoadServerConfig(std::span<const std::string> args, const EnvLookup& env);

// The --help text.
std::string ServerUsage();

}  // namespace crsync::server

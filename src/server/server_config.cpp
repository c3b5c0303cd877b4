// LoadServerConfig (see server_config.h): one table of settings, filled from defaults, file,
// environment and flags in that order.
#include "server/server_config.h"

#include <charconv>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include <nlohmann/json.hpp>

namespace crsync::server {
namespace {

using Apply = Status (*)(ServerConfig& config, const std::string& value);

struct Setting {
  std::string_view name;  // flag name without "--"; file key
  std::string_view arg;   // placeholder in --help
  std::string_view help;
  Apply apply;
};

template <typename T>
Result<T> ParseNumber(std::string_view name, const std::string& value, T min, T max) {
  T number{};
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), number);
  if (error != std::errc() || end != value.data() + value.size() || number < min || number > max) {
    return Status::InvalidArgument(std::string(name) + ": expected a number from " +
                                   std::to_string(min) + " to " + std::to_string(max) + ", got '" +
                                   value + "'");
  }
  return number;
}

Result<std::string> ReadFile(std::string_view what, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument(std::string(what) + ": cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

#define CRSYNC_STRING_SETTING(field)                                  \
  [](ServerConfig& c, const std::string& v) -> Status {               \
    c.field = v;                                                      \
    return Status();                                                  \
  }

const std::vector<Setting>& Settings() {
  static const std::vector<Setting> settings = {
      {"host", "ADDR", "address to listen on (default 127.0.0.1; 0.0.0.0 for all)",
       CRSYNC_STRING_SETTING(server.host)},
      {"port", "N", "port to listen on (default 8080; 0 = any free port)",
       [](ServerConfig& c, const std::string& v) -> Status {
         CRSYNC_ASSIGN_OR_RETURN(c.server.port, ParseNumber<uint16_t>("port", v, 0, 65535));
         return Status();
       }},
      {"path", "PATH", "sync endpoint path, matched exactly; a query is ignored (default /sync)",
       CRSYNC_STRING_SETTING(server.sync_path)},
      {"path-pattern", "REGEX",
       "instead of --path: ECMAScript regex searched in path+query, like ws-server's pathPattern",
       CRSYNC_STRING_SETTING(server.sync_path_pattern)},
      {"db-folder", "DIR", "one SQLite file per room here (default: rooms in memory)",
       CRSYNC_STRING_SETTING(server.db_folder)},
      {"schema-folder", "DIR", "schema files, named as clients announce them",
       CRSYNC_STRING_SETTING(server.schema_folder)},
      {"static-dir", "DIR", "serve the files of DIR over HTTP (e.g. the web demo)",
       CRSYNC_STRING_SETTING(server.static_dir)},
      {"tls-cert", "FILE", "PEM certificate chain: serve https/wss (with --tls-key)",
       CRSYNC_STRING_SETTING(server.tls_cert_file)},
      {"tls-key", "FILE", "PEM private key of --tls-cert", CRSYNC_STRING_SETTING(server.tls_key_file)},
      {"jwt-secret", "SECRET", "require HS256 JWTs signed with SECRET (docs/auth.md)",
       [](ServerConfig& c, const std::string& v) -> Status {
         // An empty secret would be indistinguishable from "no auth": refuse it, never fail open.
         if (v.empty()) return Status::InvalidArgument("--jwt-secret: the secret is empty");
         c.server.auth.hs256_secret = v;
         return Status();
       }},
      {"jwt-public-key", "FILE", "require RS256/ES256 JWTs verified with this PEM public key",
       [](ServerConfig& c, const std::string& v) -> Status {
         CRSYNC_ASSIGN_OR_RETURN(c.server.auth.public_key_pem, ReadFile("jwt-public-key", v));
         if (c.server.auth.public_key_pem.empty()) {
           return Status::InvalidArgument("--jwt-public-key: the file '" + v + "' is empty");
         }
         return Status();
       }},
      {"jwt-leeway-seconds", "N", "clock skew allowed for exp/nbf (default 30)",
       [](ServerConfig& c, const std::string& v) -> Status {
         CRSYNC_ASSIGN_OR_RETURN(c.server.auth.leeway_seconds,
                                 ParseNumber<int64_t>("jwt-leeway-seconds", v, 0, 86400));
         return Status();
       }},
      {"max-message-bytes", "N", "largest incoming message; larger closes 1009 (default 100 MiB)",
       [](ServerConfig& c, const std::string& v) -> Status {
         CRSYNC_ASSIGN_OR_RETURN(c.server.max_message_bytes,
                                 ParseNumber<size_t>("max-message-bytes", v, 1024, size_t{1} << 32));
         return Status();
       }},
      {"max-changes-per-message", "N", "outbound batch size in changes (default 1000)",
       [](ServerConfig& c, const std::string& v) -> Status {
         CRSYNC_ASSIGN_OR_RETURN(c.server.max_changes_per_message,
                                 ParseNumber<size_t>("max-changes-per-message", v, 1, 1000000));
         return Status();
       }},
      {"send-queue-bytes", "N",
       "per connection: stop pulling while more than N bytes wait unsent (default 512 KiB)",
       [](ServerConfig& c, const std::string& v) -> Status {
         CRSYNC_ASSIGN_OR_RETURN(c.server.send_queue_bytes,
                                 ParseNumber<size_t>("send-queue-bytes", v, 4096, size_t{1} << 30));
         return Status();
       }},
      {"ping-interval-ms", "N", "WebSocket ping period; 0 disables the heartbeat (default 25000)",
       [](ServerConfig& c, const std::string& v) -> Status {
         CRSYNC_ASSIGN_OR_RETURN(int64_t ms, ParseNumber<int64_t>("ping-interval-ms", v, 0, 3600000));
         c.server.ping_interval = std::chrono::milliseconds(ms);
         return Status();
       }},
      {"shutdown-grace-ms", "N", "on SIGTERM, wait this long for clients (default 5000)",
       [](ServerConfig& c, const std::string& v) -> Status {
         CRSYNC_ASSIGN_OR_RETURN(int64_t ms, ParseNumber<int64_t>("shutdown-grace-ms", v, 0, 600000));
         c.server.shutdown_grace = std::chrono::milliseconds(ms);
         return Status();
       }},
      {"threads", "N", "event loop threads (default 2)",
       [](ServerConfig& c, const std::string& v) -> Status {
         CRSYNC_ASSIGN_OR_RETURN(c.server.threads, ParseNumber<size_t>("threads", v, 1, 256));
         return Status();
       }},
      {"log-level", "LEVEL", "debug, info, warn or error (default info)",
       [](ServerConfig& c, const std::string& v) -> Status {
         CRSYNC_ASSIGN_OR_RETURN(c.log_level, ParseLogLevel(v));
         return Status();
       }},
      {"log-format", "FORMAT", "text or json (default text)",
       [](ServerConfig& c, const std::string& v) -> Status {
         CRSYNC_ASSIGN_OR_RETURN(c.log_format, ParseLogFormat(v));
         return Status();
       }},
      {"port-file", "FILE", "write the bound port to FILE once listening",
       CRSYNC_STRING_SETTING(port_file)},
  };
  return settings;
}

#undef CRSYNC_STRING_SETTING

const Setting* FindSetting(std::string_view name) {
  for (const Setting& setting : Settings()) {
    if (setting.name == name) return &setting;
  }
  return nullptr;
}

std::string EnvName(std::string_view name) {
  std::string env = "CRSYNC_";
  for (char c : name) env += c == '-' ? '_' : static_cast<char>(std::toupper(c));
  return env;
}

using Values = std::map<std::string, std::string, std::less<>>;

Status ReadConfigFile(const std::string& path, Values& values) {
  CRSYNC_ASSIGN_OR_RETURN(std::string text, ReadFile("config", path));
  nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) {
    return Status::InvalidArgument("config " + path + ": not a JSON object");
  }
  for (const auto& [raw_key, value] : json.items()) {
    std::string key = raw_key;
    for (char& c : key) c = c == '_' ? '-' : c;
    if (FindSetting(key) == nullptr) {
      return Status::InvalidArgument("config " + path + ": unknown key '" + raw_key + "'");
    }
    if (value.is_string()) {
      values[key] = value.get<std::string>();
    } else if (value.is_number_integer() || value.is_boolean()) {
      values[key] = value.dump();
    } else {
      return Status::InvalidArgument("config " + path + ": '" + raw_key +
                                     "' must be a string, an integer or a boolean");
    }
  }
  return Status();
}

// Splits args into --name value pairs (and --help); config is the --config value, if any.
Status ParseFlags(std::span<const std::string> args, Values& flags, std::optional<std::string>& config,
                  bool& help) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") {
      help = true;
      continue;
    }
    if (arg.rfind("--", 0) != 0) return Status::InvalidArgument("unexpected argument '" + arg + "'");
    std::string name = arg.substr(2);
    std::optional<std::string> value;
    if (const size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    }
    if (name != "config" && FindSetting(name) == nullptr) {
      return Status::InvalidArgument("unknown option --" + name + " (see --help)");
    }
    if (!value) {
      if (i + 1 >= args.size()) return Status::InvalidArgument("--" + name + " needs a value");
      value = args[++i];
    }
    if (name == "config") {
      config = *value;
    } else {
      flags[name] = *value;
    }
  }
  return Status();
}

}  // namespace

Result<ServerConfig> LoadServerConfig(std::span<const std::string> args, const EnvLookup& env) {
  ServerConfig config;
  config.server.port = 8080;
  Values flags;
  std::optional<std::string> config_file;
  CRSYNC_RETURN_IF_ERROR(ParseFlags(args, flags, config_file, config.help));
  if (config.help) return config;
  if (!config_file) config_file = env("CRSYNC_CONFIG");
  Values values;
  if (config_file && !config_file->empty()) CRSYNC_RETURN_IF_ERROR(ReadConfigFile(*config_file, values));
  for (const Setting& setting : Settings()) {
    if (std::optional<std::string> value = env(EnvName(setting.name))) {
      values[std::string(setting.name)] = *value;
    }
  }
  for (auto& [name, value] : flags) values[name] = value;
  for (const auto& [name, value] : values) {
    CRSYNC_RETURN_IF_ERROR(FindSetting(name)->apply(config, value));
  }
  return config;
}

std::string ServerUsage() {
  std::string usage =
      "Usage: crsync-server [options]\n"
      "WebSocket sync server, wire-compatible with @vlcn.io/ws-server 0.2.3.\n\n"
      "Every option may also come from the environment (CRSYNC_<NAME>, e.g. CRSYNC_DB_FOLDER)\n"
      "or from a JSON config file (--config FILE or CRSYNC_CONFIG; keys as below).\n"
      "Precedence: flags > environment > config file > defaults.\n\n"
      "  --config FILE                JSON config file\n";
  for (const Setting& setting : Settings()) {
    std::string left = "  --" + std::string(setting.name) + " " + std::string(setting.arg);
    if (left.size() < 31) left.resize(31, ' ');
    usage += left + std::string(setting.help) + "\n";
  }
  usage += "  --help                       this text\n";
  return usage;
}

}  // namespace crsync::server

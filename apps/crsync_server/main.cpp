// crsync-server: parse the configuration, run server::Server until SIGINT/SIGTERM, stop
// gracefully, exit 0 (docs/operations.md).
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "server/log.h"
#include "server/server.h"
#include "server/server_config.h"

namespace {

using crsync::server::Log;
using crsync::server::LogLevel;

bool WritePortFile(const std::string& path, uint16_t port) {
  // Written to a temporary name and renamed, so a reader never sees a partial file.
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << port << "\n";
    if (!out) return false;
  }
  return std::rename(temporary.c_str(), path.c_str()) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Block the stop signals in every thread (the loop threads inherit the mask); this thread
  // waits for them with sigwait.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  const std::vector<std::string> args(argv + 1, argv + argc);
  auto config = crsync::server::LoadServerConfig(args, [](std::string_view name) {
    const char* value = std::getenv(std::string(name).c_str());
    return value == nullptr ? std::nullopt : std::optional<std::string>(value);
  });
  if (!config.ok()) {
    std::fprintf(stderr, "crsync-server: %s\n", config.status().message().c_str());
    return 2;
  }
  if (config->help) {
    std::fputs(crsync::server::ServerUsage().c_str(), stdout);
    return 0;
  }
  crsync::server::ConfigureLogging(config->log_level, config->log_format);

  crsync::server::Server server(config->server);
  crsync::Status started = server.Start();
  if (!started.ok()) {
    Log(LogLevel::kError, "cannot start", {{"error", started.ToString()}});
    std::fprintf(stderr, "crsync-server: %s\n", started.message().c_str());
    return 1;
  }
  const bool tls = !config->server.tls_cert_file.empty();
  const std::string path = config->server.sync_path_pattern.empty()
                               ? config->server.sync_path
                               : "/" + config->server.sync_path_pattern + "/";
  std::printf("crsync-server listening on %s://%s:%u (sync path %s)\n", tls ? "https" : "http",
              config->server.host.c_str(), static_cast<unsigned>(server.port()), path.c_str());
  std::fflush(stdout);
  if (!config->port_file.empty() && !WritePortFile(config->port_file, server.port())) {
    Log(LogLevel::kError, "cannot write the port file", {{"path", config->port_file}});
    server.Stop();
    return 1;
  }

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  Log(LogLevel::kInfo, "stopping", {{"signal", signal_number == SIGINT ? "SIGINT" : "SIGTERM"}});
  server.Stop();
  return 0;
}

// `crsync sync`: runs a SyncClient on a local file until SIGINT/SIGTERM, or with --once until it
// is up to date. Signals are blocked in every thread and taken with sigtimedwait() by the main
// thread, so shutdown is an ordinary call to Stop() (clean close 1000), never work inside a
// signal handler.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "commands.h"
#include "crsync/client.h"
#include "exit_codes.h"
#include "progress_reporter.h"

namespace crsync::cli {
namespace {

constexpr long kWaitSliceNs = 100'000'000;  // how often the main thread looks at the status

std::string ErrorHint(int exit_code) {
  switch (exit_code) {
    case kExitAuth:
      return " (check --token)";
    case kExitRefused:
      return " (does --schema match the server's schema for this room? is --url the sync path?)";
    default:
      return "";
  }
}

}  // namespace

int RunSync(const SyncCommand& command) {
  if (Status valid = ValidateSyncTarget(command.url, command.room, command.token); !valid.ok()) {
    std::fprintf(stderr, "crsync: %s\n", valid.message().c_str());
    return kExitUsage;
  }
  // Before any thread exists, so that the client's threads inherit the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  ProgressReporter reporter(stderr, isatty(STDERR_FILENO) == 1, command.quiet_output);
  SyncOptions options;
  options.token = command.token;
  options.schema_file = command.schema_file;
  options.quiet_period = std::chrono::milliseconds(command.quiet_ms);
  options.reconnect_min = std::chrono::milliseconds(command.reconnect_min_ms);
  options.reconnect_max = std::chrono::milliseconds(command.reconnect_max_ms);
  options.on_status = [&reporter](const SyncStatus& status) { reporter.OnStatus(status); };
  options.on_progress = [&reporter](const SyncProgress& progress) {
    reporter.OnProgress(progress);
  };
  Result<std::unique_ptr<SyncClient>> started =
      StartSync(command.db, command.url, command.room, options);
  if (!started.ok()) {
    std::fprintf(stderr, "crsync: %s\n", started.status().message().c_str());
    return started.status().code() == StatusCode::kInvalidArgument ? kExitUsage : kExitDatabase;
  }
  SyncClient& client = **started;

  const auto begin = std::chrono::steady_clock::now();
  const auto limit = std::chrono::duration<double>(command.timeout_seconds);
  int exit_code = kExitOk;
  std::string final_message;
  for (;;) {
    const timespec slice{0, kWaitSliceNs};
    const int signal_number = sigtimedwait(&signals, nullptr, &slice);
    if (signal_number == SIGINT || signal_number == SIGTERM) {
      final_message = "stopped";
      break;
    }
    const SyncStatus status = client.status();
    if (status.state == SyncState::kError) {
      exit_code = ExitCodeForSyncError(status.error);
      // The reporter has printed the error itself (even with --quiet).
      final_message = "gave up" + ErrorHint(exit_code);
      break;
    }
    if (command.once && status.state == SyncState::kUpToDate) {
      final_message = "up to date";
      break;
    }
    if (command.once && command.timeout_seconds > 0 &&
        std::chrono::steady_clock::now() - begin >= limit) {
      exit_code = kExitTimeout;
      char seconds[32];
      std::snprintf(seconds, sizeof seconds, "%g", command.timeout_seconds);
      final_message = std::string("not up to date after ") + seconds +
                      " s (last state: " + std::string(SyncStateName(status.state)) + ")";
      break;
    }
  }
  client.Stop();
  const SyncProgress progress = client.progress();
  reporter.Finish(final_message + ": received " + std::to_string(progress.changes_received) +
                  ", sent " + std::to_string(progress.changes_sent) + " changes");
  return exit_code;
}

}  // namespace crsync::cli

// ProgressReporter: what `crsync sync` prints on stderr while it runs.
//
// On a terminal: one status line redrawn in place (state, a spinner while syncing, changes
// received and sent), with state changes that need attention (offline, error) on their own
// lines. Otherwise (a pipe, a log file): one plain line per state change, and a progress line
// at most every few seconds while counts move, so logs stay short. Called from the client's
// network thread (the callbacks) and from main; internally locked.
#pragma once

#include <chrono>
#include <cstdio>
#include <mutex>

#include "crsync/client.h"

namespace crsync::cli {

class ProgressReporter {
 public:
  // quiet: print only errors.
  ProgressReporter(std::FILE* out, bool terminal, bool quiet)
      : out_(out), terminal_(terminal), quiet_(quiet) {}

  void OnStatus(const SyncStatus& status);
  void OnProgress(const SyncProgress& progress);
  // A final line (clears the redrawn line on a terminal).
  void Finish(const std::string& message);

 private:
  void DrawLocked();
  void ClearLineLocked();

  std::FILE* const out_;
  const bool terminal_;
  const bool quiet_;
  std::mutex mutex_;
  SyncStatus status_;
  SyncProgress progress_;
  bool line_drawn_ = false;
  unsigned spinner_ = 0;
  std::chrono::steady_clock::time_point last_plain_progress_{};
};

}  // namespace crsync::cli

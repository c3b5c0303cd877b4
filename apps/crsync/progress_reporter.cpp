// ProgressReporter (see progress_reporter.h).
#include "progress_reporter.h"

#include <string>

namespace crsync::cli {
namespace {

constexpr std::chrono::seconds kPlainProgressEvery{2};
constexpr const char* kSpinner = "|/-\\";

std::string Counts(const SyncProgress& progress) {
  return "received " + std::to_string(progress.changes_received) + ", sent " +
         std::to_string(progress.changes_sent) + " changes";
}

}  // namespace

void ProgressReporter::ClearLineLocked() {
  if (terminal_ && line_drawn_) std::fputs("\r\033[K", out_);
  line_drawn_ = false;
}

void ProgressReporter::DrawLocked() {
  if (quiet_) return;
  if (terminal_) {
    ClearLineLocked();
    std::string line = "crsync: " + std::string(SyncStateName(status_.state));
    if (status_.state == SyncState::kSyncing || status_.state == SyncState::kConnecting) {
      line += std::string(" ") + kSpinner[spinner_++ % 4];
    }
    line += "  " + Counts(progress_);
    std::fputs(line.c_str(), out_);
    line_drawn_ = true;
  }
  std::fflush(out_);
}

void ProgressReporter::OnStatus(const SyncStatus& status) {
  std::lock_guard lock(mutex_);
  status_ = status;
  const bool important = status.state == SyncState::kOffline || status.state == SyncState::kError;
  if (quiet_ && status.state != SyncState::kError) return;
  std::string line = "crsync: " + std::string(SyncStateName(status.state));
  if (!status.error.ok()) line += ": " + status.error.message();
  if (status.state == SyncState::kOffline) {
    line += " (retrying in " + std::to_string(status.retry_in.count()) + " ms)";
  }
  if (status.state == SyncState::kUpToDate) line += " (" + Counts(progress_) + ")";
  if (terminal_ && !important) {
    DrawLocked();
    return;
  }
  ClearLineLocked();
  std::fprintf(out_, "%s\n", line.c_str());
  std::fflush(out_);
}

void ProgressReporter::OnProgress(const SyncProgress& progress) {
  std::lock_guard lock(mutex_);
  progress_ = progress;
  if (quiet_) return;
  if (terminal_) {
    DrawLocked();
    return;
  }
  const auto now = std::chrono::steady_clock::now();
  if (now - last_plain_progress_ < kPlainProgressEvery) return;
  last_plain_progress_ = now;
  std::fprintf(out_, "crsync: %s: %s\n", std::string(SyncStateName(status_.state)).c_str(),
               Counts(progress).c_str());
  std::fflush(out_);
}

void ProgressReporter::Finish(const std::string& message) {
  std::lock_guard lock(mutex_);
  ClearLineLocked();
  if (!message.empty()) std::fprintf(out_, "crsync: %s\n", message.c_str());
  std::fflush(out_);
}

}  // namespace crsync::cli

// Table and number formatting for crsqlite-bench (see report.h).
#include "report.h"

#include <algorithm>

namespace crsync::bench {

void Table::Print(std::FILE* out) const {
  std::vector<size_t> widths;
  for (const auto& row : rows_) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  for (size_t r = 0; r < rows_.size(); ++r) {
    std::string line;
    for (size_t i = 0; i < rows_[r].size(); ++i) {
      line += rows_[r][i];
      if (i + 1 < rows_[r].size()) line += std::string(widths[i] - rows_[r][i].size() + 2, ' ');
    }
    std::fprintf(out, "  %s\n", line.c_str());
    if (r == 0) {
      size_t total = 0;
      for (size_t w : widths) total += w + 2;
      std::fprintf(out, "  %s\n", std::string(total - 2, '-').c_str());
    }
  }
}

std::string FormatSeconds(double seconds) {
  char buf[32];
  if (seconds < 1.0) {
    std::snprintf(buf, sizeof buf, "%.1f ms", seconds * 1e3);
  } else {
    std::snprintf(buf, sizeof buf, "%.3f s", seconds);
  }
  return buf;
}

std::string FormatRate(double count, double seconds, const char* unit) {
  char buf[32];
  double rate = seconds > 0 ? count / seconds : 0;
  if (rate >= 1e6) {
    std::snprintf(buf, sizeof buf, "%.2fM %s/s", rate / 1e6, unit);
  } else if (rate >= 1e3) {
    std::snprintf(buf, sizeof buf, "%.0fk %s/s", rate / 1e3, unit);
  } else {
    std::snprintf(buf, sizeof buf, "%.0f %s/s", rate, unit);
  }
  return buf;
}

std::string FormatRatio(double ratio) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2fx", ratio);
  return buf;
}

std::string FormatCount(long long n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

void Summary::Add(const std::string& key, double value) { entries_.emplace_back(key, value); }

void Summary::Write(const std::string& path) const {
  if (path.empty()) return;
  std::FILE* f = std::fopen(path.c_str(), "a");
  if (!f) return;
  for (const auto& [key, value] : entries_) std::fprintf(f, "%s=%.10g\n", key.c_str(), value);
  std::fclose(f);
}

}  // namespace crsync::bench

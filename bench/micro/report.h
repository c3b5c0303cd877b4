// Output of crsqlite-bench: aligned text tables for people, and an optional key=value summary
// file that bench/run.sh merges with the wasm reference's summary into one comparison table.
#pragma once

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace crsync::bench {

// A text table whose column widths fit the widest cell; first row is the header.
class Table {
 public:
  explicit Table(std::vector<std::string> header) { rows_.push_back(std::move(header)); }
  void AddRow(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  void Print(std::FILE* out) const;

 private:
  std::vector<std::vector<std::string>> rows_;
};

// "0.123 s", "12.3 ms".
std::string FormatSeconds(double seconds);
// "1.23M rows/s", "456k rows/s" for count / seconds with unit "rows".
std::string FormatRate(double count, double seconds, const char* unit);
// "2.41x".
std::string FormatRatio(double ratio);
// Integer with thousands separators: "1,234,567".
std::string FormatCount(long long n);

// Collects key=value lines; Write() appends them to a file (no-op when path is empty).
class Summary {
 public:
  void Add(const std::string& key, double value);
  void Write(const std::string& path) const;

 private:
  std::vector<std::pair<std::string, double>> entries_;
};

}  // namespace crsync::bench

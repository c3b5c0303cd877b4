// Shared helpers for the SQL-level fuzz targets: a process-lifetime :memory: connection with the
// static crsqlite engine loaded, a checked-invariant abort that libFuzzer records as a crash,
// and a bounds-safe reader that turns fuzz bytes into choices (running out of bytes yields
// zeros, so every input decodes to something).
#pragma once

#include <sqlite3.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "crsync/crsqlite.h"

namespace crsync::fuzz {

// Prints what broke and aborts: the fuzzer saves the input as a crash artifact.
[[noreturn]] inline void Violation(const char* what, const std::string& detail = "") {
  std::fprintf(stderr, "INVARIANT VIOLATED: %s %s\n", what, detail.c_str());
  std::fflush(stderr);
  std::abort();
}

// Opens :memory:, loads the engine and runs setup_sql; any failure is fatal (not a finding).
inline sqlite3* OpenEngineDb(const char* setup_sql) {
  sqlite3* db = nullptr;
  if (sqlite3_open(":memory:", &db) != SQLITE_OK) Violation("cannot open :memory:");
  char* err = nullptr;
  if (sqlite3_crsqlite_init(db, &err, nullptr) != SQLITE_OK) {
    Violation("sqlite3_crsqlite_init failed", err ? err : "");
  }
  if (setup_sql && sqlite3_exec(db, setup_sql, nullptr, nullptr, &err) != SQLITE_OK) {
    Violation("fuzz setup SQL failed", err ? err : "");
  }
  return db;
}

inline sqlite3_stmt* PrepareOrDie(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    Violation("prepare failed", sql + ": " + sqlite3_errmsg(db));
  }
  return stmt;
}

inline std::string Hex(const void* data, size_t n) {
  static const char kDigits[] = "0123456789ABCDEF";
  std::string out;
  const auto* p = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < n; ++i) {
    out += kDigits[p[i] >> 4];
    out += kDigits[p[i] & 15];
  }
  return out;
}

// Consumes fuzz bytes front to back. Past the end every read returns zeros / empty.
class ByteReader {
 public:
  ByteReader(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  bool empty() const { return pos_ >= size_; }
  uint8_t U8() { return pos_ < size_ ? data_[pos_++] : 0; }
  uint64_t U64() {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | U8();
    return v;
  }
  std::string Bytes(size_t n) {
    n = std::min(n, size_ - std::min(pos_, size_));
    std::string out(reinterpret_cast<const char*>(data_ + pos_), n);
    pos_ += n;
    return out;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

}  // namespace crsync::fuzz

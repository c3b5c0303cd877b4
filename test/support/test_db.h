// Test helper: an SQLite connection with the static crsqlite engine loaded, plus helpers that
// run SQL and render result rows as text, so tests can compare against the spec's tuples.
// Rendering follows SQLite's quote(): integers as decimal, reals with %!.15g, text 'quoted',
// blobs X'HEX' (upper case), NULL as NULL; columns joined with ", " inside "(...)".
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace crsync::test {

// A bound parameter for Query/Exec: NULL, int64, double, text or blob.
struct Blob {
  std::string bytes;
};
struct Null {};
using Param = std::variant<Null, int64_t, double, std::string, Blob>;

class TestDb {
 public:
  // Opens path (":memory:" by default) and loads the engine. Throws std::runtime_error on failure.
  explicit TestDb(const std::string& path = ":memory:");
  ~TestDb();
  TestDb(const TestDb&) = delete;
  TestDb& operator=(const TestDb&) = delete;

  sqlite3* db() const { return db_; }

  // Runs every statement of sql. Returns "" on success, else the error message.
  std::string Exec(const std::string& sql);
  // Runs one statement with parameters; returns rows rendered as "(a, b, ...)".
  // On error returns a single element "error: <message>".
  std::vector<std::string> Query(const std::string& sql, const std::vector<Param>& params = {});
  // First column of the first row, rendered; "" when no row; "error: ..." on error.
  std::string One(const std::string& sql, const std::vector<Param>& params = {});
  // Extended error code of the last failing call.
  int last_rc() const { return last_rc_; }
  // Closes (runs crsql_finalize first). Safe to call twice.
  void Close();

 private:
  sqlite3* db_ = nullptr;
  int last_rc_ = 0;
};

// Renders one column value of a stepped statement like SQLite's quote().
std::string RenderValue(sqlite3_stmt* stmt, int col);
// Hex (upper case) of bytes.
std::string Hex(const std::string& bytes);
// Bytes of hex text.
std::string Unhex(const std::string& hex);

}  // namespace crsync::test

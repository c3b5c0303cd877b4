// An owned SQLite value (NULL, INTEGER, REAL, TEXT or BLOB) as used by the engine for primary-key
// tuples and merged cell values, with binding to statements and cr-sqlite's value ordering.
//
// Ordering (CompareValues) is cr-sqlite's, not SQLite's: storage classes order as
// NULL < BLOB < TEXT < REAL < INTEGER; within a class INTEGER/REAL compare numerically and
// TEXT/BLOB bytewise (memcmp, shorter prefix first). Peers compare with this order to break
// ties, so it must never change.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "crsqlite/sqlite_api.h"

namespace crsync::crsqlite {

struct Value {
  int type = SQLITE_NULL;  // SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT, SQLITE_BLOB, SQLITE_NULL
  int64_t i = 0;
  double d = 0;
  std::string bytes;  // TEXT (UTF-8) or BLOB payload

  static Value Null() { return Value{}; }
  static Value Int(int64_t v) { return Value{SQLITE_INTEGER, v, 0, {}}; }
  static Value Real(double v) { return Value{SQLITE_FLOAT, 0, v, {}}; }
  static Value Text(std::string v) { return Value{SQLITE_TEXT, 0, 0, std::move(v)}; }
  static Value Blob(std::string v) { return Value{SQLITE_BLOB, 0, 0, std::move(v)}; }
  // Copies an sqlite3_value (protected or unprotected), keeping its storage class.
  static Value From(sqlite3_value* v);
  // Copies column col of a stepped statement.
  static Value FromColumn(sqlite3_stmt* s, int col);
};

// Binds v to parameter index idx (1-based). Returns the SQLite result code.
int BindValue(sqlite3_stmt* s, int idx, const Value& v);
// Sets v as the result of a function or vtab column.
void ResultValue(sqlite3_context* ctx, const Value& v);

// cr-sqlite's total order: <0, 0, >0.
int CompareValues(const Value& a, const Value& b);
// Same order, for raw sqlite3_values (no copy).
int CompareSqliteValues(sqlite3_value* a, sqlite3_value* b);

}  // namespace crsync::crsqlite

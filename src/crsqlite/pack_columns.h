// The packed value format of cr-sqlite 0.16 (spec §11): how primary-key tuples travel in the
// `pk` column of crsql_changes and what crsql_pack_columns returns.
//
//   packed := count:u8 value{count};  value := tag:u8 payload;  tag = (n << 3) | type
//   type 1 INTEGER: n payload bytes, big-endian low bytes of the int64 (n = 8 for negatives)
//   type 2 REAL: 8-byte big-endian IEEE-754;  type 5 NULL: no payload
//   type 3 TEXT / 4 BLOB: n-byte big-endian length, then the bytes
// Decoding zero-extends integers (X'010980' is 128, not -128) and ignores trailing bytes, exactly
// like the original, because peers depend on byte-identical keys. Decoding is total: any input
// yields values or an error, never a crash.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crsqlite/value.h"

namespace crsync::crsqlite {

// Appends the packed encoding of values to out. Fails (returns false) for more than 255 values.
bool PackValues(const std::vector<Value>& values, std::string* out);
// Packs sqlite3_values directly (used by crsql_pack_columns and the change feed).
bool PackSqliteValues(int argc, sqlite3_value** argv, std::string* out);

struct UnpackResult {
  int rc = SQLITE_OK;  // SQLITE_ABORT for truncated/empty input, SQLITE_MISUSE for a bad type
  std::string error;   // human-readable reason when rc != SQLITE_OK
  std::vector<Value> values;
};
// Decodes a packed blob.
UnpackResult UnpackValues(std::string_view packed);

}  // namespace crsync::crsqlite

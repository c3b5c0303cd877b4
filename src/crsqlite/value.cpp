// Owned values, binding and cr-sqlite's value order (see value.h).
#include "crsqlite/value.h"

#include <cstring>

namespace crsync::crsqlite {

Value Value::From(sqlite3_value* v) {
  Value out;
  out.type = sqlite3_value_type(v);
  switch (out.type) {
    case SQLITE_INTEGER:
      out.i = sqlite3_value_int64(v);
      break;
    case SQLITE_FLOAT:
      out.d = sqlite3_value_double(v);
      break;
    case SQLITE_TEXT: {
      const unsigned char* t = sqlite3_value_text(v);
      out.bytes.assign(reinterpret_cast<const char*>(t), sqlite3_value_bytes(v));
      break;
    }
    case SQLITE_BLOB: {
      const void* b = sqlite3_value_blob(v);
      int n = sqlite3_value_bytes(v);
      if (n > 0) out.bytes.assign(static_cast<const char*>(b), n);
      break;
    }
    default:
      out.type = SQLITE_NULL;
  }
  return out;
}

Value Value::FromColumn(sqlite3_stmt* s, int col) {
  Value out;
  out.type = sqlite3_column_type(s, col);
  switch (out.type) {
    case SQLITE_INTEGER:
      out.i = sqlite3_column_int64(s, col);
      break;
    case SQLITE_FLOAT:
      out.d = sqlite3_column_double(s, col);
      break;
    case SQLITE_TEXT: {
      const unsigned char* t = sqlite3_column_text(s, col);
      out.bytes.assign(reinterpret_cast<const char*>(t), sqlite3_column_bytes(s, col));
      break;
    }
    case SQLITE_BLOB: {
      const void* b = sqlite3_column_blob(s, col);
      int n = sqlite3_column_bytes(s, col);
      if (n > 0) out.bytes.assign(static_cast<const char*>(b), n);
      break;
    }
    default:
      out.type = SQLITE_NULL;
  }
  return out;
}

int BindValue(sqlite3_stmt* s, int idx, const Value& v) {
  switch (v.type) {
    case SQLITE_INTEGER:
      return sqlite3_bind_int64(s, idx, v.i);
    case SQLITE_FLOAT:
      return sqlite3_bind_double(s, idx, v.d);
    case SQLITE_TEXT:
      return sqlite3_bind_text(s, idx, v.bytes.data(), static_cast<int>(v.bytes.size()),
                               SQLITE_TRANSIENT);
    case SQLITE_BLOB:
      return sqlite3_bind_blob(s, idx, v.bytes.data(), static_cast<int>(v.bytes.size()),
                               SQLITE_TRANSIENT);
    default:
      return sqlite3_bind_null(s, idx);
  }
}

void ResultValue(sqlite3_context* ctx, const Value& v) {
  switch (v.type) {
    case SQLITE_INTEGER:
      sqlite3_result_int64(ctx, v.i);
      break;
    case SQLITE_FLOAT:
      sqlite3_result_double(ctx, v.d);
      break;
    case SQLITE_TEXT:
      sqlite3_result_text(ctx, v.bytes.data(), static_cast<int>(v.bytes.size()), SQLITE_TRANSIENT);
      break;
    case SQLITE_BLOB:
      sqlite3_result_blob(ctx, v.bytes.data(), static_cast<int>(v.bytes.size()), SQLITE_TRANSIENT);
      break;
    default:
      sqlite3_result_null(ctx);
  }
}

namespace {

int ClassRank(int type) {
  switch (type) {
    case SQLITE_NULL:
      return 0;
    case SQLITE_BLOB:
      return 1;
    case SQLITE_TEXT:
      return 2;
    case SQLITE_FLOAT:
      return 3;
    default:  // SQLITE_INTEGER
      return 4;
  }
}

int CompareBytes(const void* a, size_t na, const void* b, size_t nb) {
  size_t n = na < nb ? na : nb;
  int c = n ? std::memcmp(a, b, n) : 0;
  if (c != 0) return c < 0 ? -1 : 1;
  if (na == nb) return 0;
  return na < nb ? -1 : 1;
}

template <typename T>
int Cmp3(T a, T b) {
  return a < b ? -1 : (a > b ? 1 : 0);
}

}  // namespace

int CompareValues(const Value& a, const Value& b) {
  int ra = ClassRank(a.type), rb = ClassRank(b.type);
  if (ra != rb) return ra < rb ? -1 : 1;
  switch (a.type) {
    case SQLITE_INTEGER:
      return Cmp3(a.i, b.i);
    case SQLITE_FLOAT:
      return Cmp3(a.d, b.d);
    case SQLITE_TEXT:
    case SQLITE_BLOB:
      return CompareBytes(a.bytes.data(), a.bytes.size(), b.bytes.data(), b.bytes.size());
    default:
      return 0;
  }
}

int CompareSqliteValues(sqlite3_value* a, sqlite3_value* b) {
  int ta = sqlite3_value_type(a), tb = sqlite3_value_type(b);
  int ra = ClassRank(ta), rb = ClassRank(tb);
  if (ra != rb) return ra < rb ? -1 : 1;
  switch (ta) {
    case SQLITE_INTEGER:
      return Cmp3(sqlite3_value_int64(a), sqlite3_value_int64(b));
    case SQLITE_FLOAT:
      return Cmp3(sqlite3_value_double(a), sqlite3_value_double(b));
    case SQLITE_TEXT: {
      const unsigned char* pa = sqlite3_value_text(a);
      int na = sqlite3_value_bytes(a);
      const unsigned char* pb = sqlite3_value_text(b);
      int nb = sqlite3_value_bytes(b);
      return CompareBytes(pa, na, pb, nb);
    }
    case SQLITE_BLOB: {
      const void* pa = sqlite3_value_blob(a);
      int na = sqlite3_value_bytes(a);
      const void* pb = sqlite3_value_blob(b);
      int nb = sqlite3_value_bytes(b);
      return CompareBytes(pa, na, pb, nb);
    }
    default:
      return 0;
  }
}

}  // namespace crsync::crsqlite

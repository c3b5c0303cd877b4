// Encoder and decoder of the packed value format (see pack_columns.h and spec §11).
#include "crsqlite/pack_columns.h"

#include <cstring>

namespace crsync::crsqlite {

namespace {

constexpr int kTypeInteger = 1;
constexpr int kTypeReal = 2;
constexpr int kTypeText = 3;
constexpr int kTypeBlob = 4;
constexpr int kTypeNull = 5;

// Number of significant bytes of the 64-bit pattern (0 for 0, 8 for negatives).
int SignificantBytes(uint64_t v) {
  int n = 0;
  while (v != 0) {
    ++n;
    v >>= 8;
  }
  return n;
}

void AppendBigEndian(uint64_t v, int n, std::string* out) {
  for (int k = n - 1; k >= 0; --k) out->push_back(static_cast<char>((v >> (8 * k)) & 0xFF));
}

void AppendInteger(int64_t v, std::string* out) {
  uint64_t u = static_cast<uint64_t>(v);
  int n = SignificantBytes(u);
  out->push_back(static_cast<char>((n << 3) | kTypeInteger));
  AppendBigEndian(u, n, out);
}

void AppendReal(double d, std::string* out) {
  uint64_t bits;
  std::memcpy(&bits, &d, sizeof bits);
  out->push_back(static_cast<char>(kTypeReal));
  AppendBigEndian(bits, 8, out);
}

void AppendBytes(int type, const void* data, size_t len, std::string* out) {
  uint32_t l = static_cast<uint32_t>(len);
  int n = SignificantBytes(l);
  out->push_back(static_cast<char>((n << 3) | type));
  AppendBigEndian(l, n, out);
  if (len) out->append(static_cast<const char*>(data), len);
}

}  // namespace

bool PackValues(const std::vector<Value>& values, std::string* out) {
  if (values.size() > 255) return false;
  out->push_back(static_cast<char>(values.size()));
  for (const Value& v : values) {
    switch (v.type) {
      case SQLITE_INTEGER:
        AppendInteger(v.i, out);
        break;
      case SQLITE_FLOAT:
        AppendReal(v.d, out);
        break;
      case SQLITE_TEXT:
        AppendBytes(kTypeText, v.bytes.data(), v.bytes.size(), out);
        break;
      case SQLITE_BLOB:
        AppendBytes(kTypeBlob, v.bytes.data(), v.bytes.size(), out);
        break;
      default:
        out->push_back(static_cast<char>(kTypeNull));
    }
  }
  return true;
}

bool PackSqliteValues(int argc, sqlite3_value** argv, std::string* out) {
  if (argc > 255) return false;
  out->push_back(static_cast<char>(argc));
  for (int k = 0; k < argc; ++k) {
    sqlite3_value* v = argv[k];
    switch (sqlite3_value_type(v)) {
      case SQLITE_INTEGER:
        AppendInteger(sqlite3_value_int64(v), out);
        break;
      case SQLITE_FLOAT:
        AppendReal(sqlite3_value_double(v), out);
        break;
      case SQLITE_TEXT: {
        const unsigned char* t = sqlite3_value_text(v);
        AppendBytes(kTypeText, t, sqlite3_value_bytes(v), out);
        break;
      }
      case SQLITE_BLOB: {
        const void* b = sqlite3_value_blob(v);
        AppendBytes(kTypeBlob, b, sqlite3_value_bytes(v), out);
        break;
      }
      default:
        out->push_back(static_cast<char>(kTypeNull));
    }
  }
  return true;
}

UnpackResult UnpackValues(std::string_view packed) {
  UnpackResult r;
  auto fail = [&r](int rc, const char* why) {
    r.rc = rc;
    r.error = why;
    r.values.clear();
    return r;
  };
  if (packed.empty()) return fail(SQLITE_ABORT, "crsql - packed value is empty");
  const auto* p = reinterpret_cast<const unsigned char*>(packed.data());
  size_t len = packed.size();
  size_t pos = 0;
  int count = p[pos++];
  r.values.reserve(count);
  auto read_be = [&](int n, uint64_t* v) {
    if (n > 8 || len - pos < static_cast<size_t>(n)) return false;
    uint64_t acc = 0;
    for (int k = 0; k < n; ++k) acc = (acc << 8) | p[pos + k];
    pos += n;
    *v = acc;
    return true;
  };
  for (int k = 0; k < count; ++k) {
    if (pos >= len) return fail(SQLITE_ABORT, "crsql - packed value is truncated");
    int tag = p[pos++];
    int type = tag & 0x07;
    int n = tag >> 3;
    switch (type) {
      case kTypeInteger: {
        uint64_t u;
        if (n > 8) return fail(SQLITE_ABORT, "crsql - packed integer is longer than 8 bytes");
        if (!read_be(n, &u)) return fail(SQLITE_ABORT, "crsql - packed value is truncated");
        r.values.push_back(Value::Int(static_cast<int64_t>(u)));
        break;
      }
      case kTypeReal: {
        uint64_t bits;
        if (!read_be(8, &bits)) return fail(SQLITE_ABORT, "crsql - packed value is truncated");
        double d;
        std::memcpy(&d, &bits, sizeof d);
        r.values.push_back(Value::Real(d));
        break;
      }
      case kTypeText:
      case kTypeBlob: {
        uint64_t l;
        if (n > 8) return fail(SQLITE_ABORT, "crsql - packed length is longer than 8 bytes");
        if (!read_be(n, &l)) return fail(SQLITE_ABORT, "crsql - packed value is truncated");
        if (l > len - pos) return fail(SQLITE_ABORT, "crsql - packed value is truncated");
        std::string bytes(reinterpret_cast<const char*>(p + pos), static_cast<size_t>(l));
        pos += static_cast<size_t>(l);
        r.values.push_back(type == kTypeText ? Value::Text(std::move(bytes))
                                             : Value::Blob(std::move(bytes)));
        break;
      }
      case kTypeNull:
        r.values.push_back(Value::Null());
        break;
      default:
        return fail(SQLITE_MISUSE, "crsql - packed value has an unknown type tag");
    }
  }
  return r;
}

}  // namespace crsync::crsqlite

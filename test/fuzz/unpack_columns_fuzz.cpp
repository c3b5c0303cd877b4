// Fuzz target for the packed-value decoder (spec §11) through SQL:
//   SELECT cell FROM crsql_unpack_columns(<input blob>)
// The input is also decoded by an independent reference decoder written from the spec, and:
//  * where the spec is unambiguous, the engine must accept exactly the inputs the reference
//    accepts and yield the same cells (type and bytes; a NaN REAL may come back as NULL, since
//    SQLite stores NaN as NULL);
//  * whenever the engine accepts an input of at most 127 cells (SQLite's function-argument
//    limit), crsql_pack_columns(cells...) must equal the reference encoding of those cells,
//    must unpack again to the same cells, and, when the input was canonical, must equal the
//    consumed prefix of the input.
// Any disagreement aborts with a description (a libFuzzer crash); SQL errors alone are fine.
#include <cmath>
#include <string>
#include <vector>

#include "fuzz_db.h"

namespace crsync::fuzz {
namespace {

constexpr int kMaxPackArgs = 127;

struct Cell {
  int type = SQLITE_NULL;
  int64_t integer = 0;
  uint64_t real_bits = 0;
  std::string bytes;  // TEXT / BLOB payload
};

enum class Verdict { kValid, kInvalid, kUnclear };

struct Decoded {
  Verdict verdict = Verdict::kValid;
  std::vector<Cell> cells;
  size_t consumed = 0;
  bool canonical = true;
};

int MinBytes(uint64_t v) {
  int n = 0;
  while (v != 0) {
    ++n;
    v >>= 8;
  }
  return n;
}

uint64_t ReadBigEndian(const uint8_t* p, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | p[i];
  return v;
}

// Spec §11 decoder: zero-extended integers, trailing bytes ignored. REAL or NULL tags with
// non-zero high bits are not pinned down by the spec: verdict kUnclear.
Decoded ReferenceDecode(const uint8_t* data, size_t size) {
  Decoded out;
  if (size == 0) {
    out.verdict = Verdict::kInvalid;
    return out;
  }
  const int count = data[0];
  size_t pos = 1;
  auto invalid = [&]() {
    out.verdict = Verdict::kInvalid;
    return out;
  };
  for (int k = 0; k < count; ++k) {
    if (pos >= size) return invalid();
    const uint8_t tag = data[pos++];
    const int type = tag & 7;
    const int n = tag >> 3;
    Cell cell;
    cell.type = type;
    switch (type) {
      case SQLITE_INTEGER: {
        if (n > 8 || size - pos < static_cast<size_t>(n)) return invalid();
        uint64_t v = ReadBigEndian(data + pos, n);
        pos += n;
        cell.integer = static_cast<int64_t>(v);
        out.canonical = out.canonical && n == MinBytes(v);
        break;
      }
      case SQLITE_FLOAT: {
        if (n != 0) {
          out.verdict = Verdict::kUnclear;
          return out;
        }
        if (size - pos < 8) return invalid();
        cell.real_bits = ReadBigEndian(data + pos, 8);
        pos += 8;
        double d;
        std::memcpy(&d, &cell.real_bits, sizeof d);
        if (std::isnan(d)) out.canonical = false;  // SQLite turns NaN into NULL
        break;
      }
      case SQLITE_TEXT:
      case SQLITE_BLOB: {
        if (n > 8 || size - pos < static_cast<size_t>(n)) return invalid();
        uint64_t len = ReadBigEndian(data + pos, n);
        pos += n;
        out.canonical = out.canonical && n == MinBytes(len);
        if (len > size - pos) return invalid();
        cell.bytes.assign(reinterpret_cast<const char*>(data + pos), len);
        pos += len;
        break;
      }
      case SQLITE_NULL:
        if (n != 0) {
          out.verdict = Verdict::kUnclear;
          return out;
        }
        break;
      default:  // 0, 6, 7
        return invalid();
    }
    out.cells.push_back(std::move(cell));
  }
  out.consumed = pos;
  return out;
}

void PutBigEndian(std::string* out, uint64_t v, int n) {
  for (int i = n - 1; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

// Spec §11 encoder.
std::string ReferenceEncode(const std::vector<Cell>& cells) {
  std::string out(1, static_cast<char>(cells.size()));
  for (const Cell& c : cells) {
    switch (c.type) {
      case SQLITE_INTEGER: {
        int n = MinBytes(static_cast<uint64_t>(c.integer));
        out.push_back(static_cast<char>((n << 3) | SQLITE_INTEGER));
        PutBigEndian(&out, static_cast<uint64_t>(c.integer), n);
        break;
      }
      case SQLITE_FLOAT:
        out.push_back(static_cast<char>(SQLITE_FLOAT));
        PutBigEndian(&out, c.real_bits, 8);
        break;
      case SQLITE_TEXT:
      case SQLITE_BLOB: {
        int n = MinBytes(c.bytes.size());
        out.push_back(static_cast<char>((n << 3) | c.type));
        PutBigEndian(&out, c.bytes.size(), n);
        out += c.bytes;
        break;
      }
      default:
        out.push_back(static_cast<char>(SQLITE_NULL));
    }
  }
  return out;
}

Cell CellOf(sqlite3_stmt* stmt, int col) {
  Cell c;
  c.type = sqlite3_column_type(stmt, col);
  switch (c.type) {
    case SQLITE_INTEGER:
      c.integer = sqlite3_column_int64(stmt, col);
      break;
    case SQLITE_FLOAT: {
      double d = sqlite3_column_double(stmt, col);
      std::memcpy(&c.real_bits, &d, sizeof d);
      break;
    }
    case SQLITE_TEXT: {
      const unsigned char* p = sqlite3_column_text(stmt, col);
      c.bytes.assign(reinterpret_cast<const char*>(p), sqlite3_column_bytes(stmt, col));
      break;
    }
    case SQLITE_BLOB: {
      const void* p = sqlite3_column_blob(stmt, col);
      int n = sqlite3_column_bytes(stmt, col);
      if (n > 0) c.bytes.assign(static_cast<const char*>(p), n);
      break;
    }
    default:
      break;
  }
  return c;
}

std::string Describe(const Cell& c) {
  switch (c.type) {
    case SQLITE_INTEGER:
      return "INTEGER " + std::to_string(c.integer);
    case SQLITE_FLOAT:
      return "REAL bits " + Hex(&c.real_bits, 8);
    case SQLITE_TEXT:
      return "TEXT x'" + Hex(c.bytes.data(), c.bytes.size()) + "'";
    case SQLITE_BLOB:
      return "BLOB x'" + Hex(c.bytes.data(), c.bytes.size()) + "'";
    default:
      return "NULL";
  }
}

// expected comes from the reference decoder (or an earlier unpack), actual from the engine.
bool SameCell(const Cell& expected, const Cell& actual) {
  if (expected.type == SQLITE_FLOAT && actual.type == SQLITE_NULL) {
    double d;
    std::memcpy(&d, &expected.real_bits, sizeof d);
    return std::isnan(d);
  }
  if (expected.type != actual.type) return false;
  switch (expected.type) {
    case SQLITE_INTEGER:
      return expected.integer == actual.integer;
    case SQLITE_FLOAT:
      return expected.real_bits == actual.real_bits;
    case SQLITE_TEXT:
    case SQLITE_BLOB:
      return expected.bytes == actual.bytes;
    default:
      return true;
  }
}

void ExpectSameCells(const char* what, const std::vector<Cell>& expected,
                     const std::vector<Cell>& actual) {
  if (expected.size() != actual.size()) {
    Violation(what, "cell count " + std::to_string(actual.size()) + ", expected " +
                        std::to_string(expected.size()));
  }
  for (size_t i = 0; i < expected.size(); ++i) {
    if (!SameCell(expected[i], actual[i])) {
      Violation(what, "cell " + std::to_string(i) + ": " + Describe(actual[i]) + ", expected " +
                          Describe(expected[i]));
    }
  }
}

struct Engine {
  sqlite3* db = nullptr;
  sqlite3_stmt* unpack = nullptr;
  sqlite3_stmt* pack[kMaxPackArgs + 1] = {};  // pack[n]: crsql_pack_columns with n arguments
};

Engine& GetEngine() {
  static Engine engine = [] {
    Engine e;
    e.db = OpenEngineDb(nullptr);
    e.unpack = PrepareOrDie(e.db, "SELECT cell FROM crsql_unpack_columns(?)");
    return e;
  }();
  return engine;
}

// Runs the engine's unpack over bytes. Returns false on an SQL error (cells then partial).
bool EngineUnpack(Engine& e, const void* bytes, size_t n, std::vector<Cell>* cells) {
  static const char kEmpty = 0;
  // A NULL pointer would bind SQL NULL, not an empty blob.
  sqlite3_bind_blob(e.unpack, 1, n ? bytes : &kEmpty, static_cast<int>(n), SQLITE_TRANSIENT);
  int rc;
  while ((rc = sqlite3_step(e.unpack)) == SQLITE_ROW) cells->push_back(CellOf(e.unpack, 0));
  sqlite3_reset(e.unpack);
  sqlite3_clear_bindings(e.unpack);
  return rc == SQLITE_DONE;
}

// crsql_pack_columns over the cells (at most kMaxPackArgs). Returns false on an SQL error.
bool EnginePack(Engine& e, const std::vector<Cell>& cells, std::string* packed) {
  const int n = static_cast<int>(cells.size());
  sqlite3_stmt*& stmt = e.pack[n];
  if (!stmt) {
    std::string sql = "SELECT crsql_pack_columns(";
    for (int i = 0; i < n; ++i) sql += i ? ",?" : "?";
    stmt = PrepareOrDie(e.db, sql + ")");
  }
  for (int i = 0; i < n; ++i) {
    const Cell& c = cells[i];
    double d;
    switch (c.type) {
      case SQLITE_INTEGER:
        sqlite3_bind_int64(stmt, i + 1, c.integer);
        break;
      case SQLITE_FLOAT:
        std::memcpy(&d, &c.real_bits, sizeof d);
        sqlite3_bind_double(stmt, i + 1, d);
        break;
      case SQLITE_TEXT:
        sqlite3_bind_text(stmt, i + 1, c.bytes.data(), static_cast<int>(c.bytes.size()),
                          SQLITE_TRANSIENT);
        break;
      case SQLITE_BLOB:
        sqlite3_bind_blob(stmt, i + 1, c.bytes.empty() ? "" : c.bytes.data(),
                          static_cast<int>(c.bytes.size()), SQLITE_TRANSIENT);
        break;
      default:
        sqlite3_bind_null(stmt, i + 1);
    }
  }
  bool ok = sqlite3_step(stmt) == SQLITE_ROW;
  if (ok) {
    if (sqlite3_column_type(stmt, 0) != SQLITE_BLOB) Violation("crsql_pack_columns: not a blob");
    const void* p = sqlite3_column_blob(stmt, 0);
    packed->assign(static_cast<const char*>(p), sqlite3_column_bytes(stmt, 0));
  }
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  return ok;
}

}  // namespace
}  // namespace crsync::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace crsync::fuzz;
  Engine& engine = GetEngine();
  const Decoded ref = ReferenceDecode(data, size);

  std::vector<Cell> cells;
  const bool accepted = EngineUnpack(engine, data, size, &cells);
  if (ref.verdict == Verdict::kValid && !accepted) {
    Violation("unpack rejected a valid packing", sqlite3_errmsg(engine.db));
  }
  if (ref.verdict == Verdict::kInvalid && accepted) {
    Violation("unpack accepted an invalid packing", "(" + std::to_string(cells.size()) + " cells)");
  }
  if (!accepted) return 0;
  if (ref.verdict == Verdict::kValid) ExpectSameCells("unpack vs reference", ref.cells, cells);
  if (cells.size() > kMaxPackArgs) return 0;

  // Round trip through crsql_pack_columns.
  std::string packed;
  if (!EnginePack(engine, cells, &packed)) {
    Violation("crsql_pack_columns failed on unpacked cells", sqlite3_errmsg(engine.db));
  }
  const std::string reference = ReferenceEncode(cells);
  if (packed != reference) {
    Violation("pack differs from the spec encoding",
              Hex(packed.data(), packed.size()) + " vs " + Hex(reference.data(), reference.size()));
  }
  std::vector<Cell> again;
  if (!EngineUnpack(engine, packed.data(), packed.size(), &again)) {
    Violation("unpack rejected crsql_pack_columns output", Hex(packed.data(), packed.size()));
  }
  ExpectSameCells("unpack(pack(cells))", cells, again);
  if (ref.verdict == Verdict::kValid && ref.canonical &&
      packed != std::string(reinterpret_cast<const char*>(data), ref.consumed)) {
    Violation("canonical input does not round-trip",
              Hex(data, ref.consumed) + " -> " + Hex(packed.data(), packed.size()));
  }
  return 0;
}

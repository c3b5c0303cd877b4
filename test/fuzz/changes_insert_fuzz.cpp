// Fuzz target for the merge path (spec §10): INSERT INTO crsql_changes with hostile rows.
// One :memory: database lives for the whole process, with five CRRs (integer pk, text pk,
// composite pk, pk-only, STRICT with CHECK) holding a few committed rows. Each input decodes
// into 1..6 change rows (table name, pk blob — raw bytes or a valid spec §11 packing —, cid,
// val of any storage class, versions including negative and extreme ones, site ids of 0..20
// bytes or NULL, cl, seq) that are inserted inside SAVEPOINT fz (which opens the transaction),
// optionally followed by local writes and reads of the feed, and then rolled back with ROLLBACK,
// so the database stays small and each input runs against the same committed state.
// Any SQL error is an acceptable outcome; crashes and sanitizer reports are findings. Checked
// invariants (abort on violation): after the rollback, `SELECT count(*) FROM crsql_changes`
// succeeds and equals its initial value, and crsql_db_version() equals its initial value; every
// kIntegrityEvery inputs, `PRAGMA integrity_check` says ok.
#include <limits>
#include <string>
#include <vector>

#include "fuzz_db.h"

namespace crsync::fuzz {
namespace {

constexpr int kIntegrityEvery = 256;

constexpr const char* kSetupSql = R"sql(
CREATE TABLE t_int (id INTEGER PRIMARY KEY NOT NULL, a, b TEXT, c REAL);
CREATE TABLE t_text (id TEXT PRIMARY KEY NOT NULL, v INTEGER);
CREATE TABLE t_comp (x NOT NULL, y NOT NULL, v, w, PRIMARY KEY (y, x));
CREATE TABLE t_pkonly (a INTEGER NOT NULL, b TEXT NOT NULL, PRIMARY KEY (a, b));
CREATE TABLE t_strict (id INTEGER PRIMARY KEY NOT NULL, n INTEGER NOT NULL DEFAULT 0
  CHECK (n >= 0), s TEXT CHECK (length(s) < 10)) STRICT;
SELECT crsql_as_crr('t_int');
SELECT crsql_as_crr('t_text');
SELECT crsql_as_crr('t_comp');
SELECT crsql_as_crr('t_pkonly');
SELECT crsql_as_crr('t_strict');
INSERT INTO t_int VALUES (1, 10, 'one', 1.5), (2, NULL, 'two', NULL), (3, x'00ff', '', -0.0);
UPDATE t_int SET a = 11 WHERE id = 1;
INSERT INTO t_text VALUES ('a', 1), ('b', 2), ('', NULL);
INSERT INTO t_comp VALUES (1, 'a', 'v1', 'w1'), (2, 'a', NULL, 3), ('a', 2, 1.0, x'01');
INSERT INTO t_pkonly VALUES (1, 'a'), (2, 'b');
INSERT INTO t_strict VALUES (1, 5, 'five'), (2, 0, NULL);
DELETE FROM t_int WHERE id = 2;
DELETE FROM t_pkonly WHERE a = 2;
)sql";

struct TableInfo {
  const char* name;
  int pk_count;
};
constexpr TableInfo kTables[] = {
    {"t_int", 1}, {"t_text", 1}, {"t_comp", 2}, {"t_pkonly", 2}, {"t_strict", 1}};
constexpr int kTableCount = sizeof kTables / sizeof kTables[0];
// Valid and invalid cids alike: non-pk columns, pk columns, unknown names.
constexpr const char* kColumnNames[] = {"a", "b", "c", "v", "w", "n", "s", "x", "y", "id"};

// A fuzz-chosen SQL value.
struct Value {
  int type = SQLITE_NULL;
  int64_t integer = 0;
  double real = 0;
  std::string bytes;
};

void PutBigEndian(std::string* out, uint64_t v, int n) {
  for (int i = n - 1; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

int MinBytes(uint64_t v) {
  int n = 0;
  for (; v != 0; v >>= 8) ++n;
  return n;
}

// Spec §11 encoder (independent of the engine's).
std::string Pack(const std::vector<Value>& values) {
  std::string out(1, static_cast<char>(values.size()));
  for (const Value& v : values) {
    switch (v.type) {
      case SQLITE_INTEGER: {
        int n = MinBytes(static_cast<uint64_t>(v.integer));
        out.push_back(static_cast<char>((n << 3) | SQLITE_INTEGER));
        PutBigEndian(&out, static_cast<uint64_t>(v.integer), n);
        break;
      }
      case SQLITE_FLOAT: {
        uint64_t bits;
        std::memcpy(&bits, &v.real, sizeof bits);
        out.push_back(static_cast<char>(SQLITE_FLOAT));
        PutBigEndian(&out, bits, 8);
        break;
      }
      case SQLITE_TEXT:
      case SQLITE_BLOB: {
        int n = MinBytes(v.bytes.size());
        out.push_back(static_cast<char>((n << 3) | v.type));
        PutBigEndian(&out, v.bytes.size(), n);
        out += v.bytes;
        break;
      }
      default:
        out.push_back(static_cast<char>(SQLITE_NULL));
    }
  }
  return out;
}

Value Null() { return Value{}; }
Value Int(int64_t i) {
  Value v;
  v.type = SQLITE_INTEGER;
  v.integer = i;
  return v;
}
Value Text(std::string s) {
  Value v;
  v.type = SQLITE_TEXT;
  v.bytes = std::move(s);
  return v;
}
Value Blob(std::string s) {
  Value v;
  v.type = SQLITE_BLOB;
  v.bytes = std::move(s);
  return v;
}

// Any storage class, biased towards values that exist in the tables.
Value AnyValue(ByteReader& in) {
  switch (in.U8() % 9) {
    case 0:
      return Null();
    case 1:
      return Int(static_cast<int8_t>(in.U8()));
    case 2:
      return Int(static_cast<int64_t>(in.U64()));
    case 3: {
      Value v;
      v.type = SQLITE_FLOAT;
      uint64_t bits = in.U64();
      std::memcpy(&v.real, &bits, sizeof bits);
      return v;
    }
    case 4:
      return Text(in.Bytes(in.U8() % 16));
    case 5:
      return Blob(in.Bytes(in.U8() % 16));
    case 6:
      return Int(1 + in.U8() % 3);
    case 7:
      return Text(std::string(1, static_cast<char>('a' + in.U8() % 3)));
    default: {
      Value v;
      v.type = SQLITE_FLOAT;
      v.real = static_cast<double>(in.U8() % 4) * 0.5;
      return v;
    }
  }
}

// Versions, cl and seq: small, extreme, or arbitrary; sometimes NULL or text.
Value AnyCounter(ByteReader& in) {
  switch (in.U8() % 8) {
    case 0:
    case 1:
      return Int(static_cast<int>(in.U8() % 8) - 1);  // -1..6
    case 2:
      return Int(static_cast<int64_t>(in.U64()));
    case 3:
      return Int(std::numeric_limits<int64_t>::max() - (in.U8() % 2));
    case 4:
      return Int(std::numeric_limits<int64_t>::min() + (in.U8() % 2));
    case 5:
      return Null();
    case 6:
      return Int(1 + in.U8() % 3);
    default:
      return AnyValue(in);
  }
}

Value ChooseTable(ByteReader& in, int* table_index) {
  *table_index = -1;
  const int choice = in.U8() % 10;
  if (choice < kTableCount) {
    *table_index = choice;
    return Text(kTables[choice].name);
  }
  switch (choice) {
    case 5:
      return Text("crsql_site_id");
    case 6:
      return Text(in.Bytes(in.U8() % 24));
    case 7:
      return Null();
    case 8:
      return Text("t_int__crsql_clock");
    default:
      return Int(in.U8());
  }
}

Value ChoosePk(ByteReader& in, int table_index) {
  const int arity = table_index >= 0 ? kTables[table_index].pk_count : 1;
  const int mode = in.U8() % 9;
  if (mode < 4) {  // a valid packing of the table's arity
    std::vector<Value> values;
    for (int i = 0; i < arity; ++i) values.push_back(AnyValue(in));
    return Blob(Pack(values));
  }
  switch (mode) {
    case 4: {  // a valid packing of some other arity
      std::vector<Value> values;
      for (int i = in.U8() % 4; i > 0; --i) values.push_back(AnyValue(in));
      return Blob(Pack(values));
    }
    case 5:
      return Blob(in.Bytes(in.U8() % 40));
    case 6:
      return Null();
    case 7:
      return Blob("");
    default:
      return Text(in.Bytes(in.U8() % 8));
  }
}

Value ChooseCid(ByteReader& in) {
  const int mode = in.U8() % 8;
  switch (mode) {
    case 0:
      return Text("-1");
    case 1:
    case 2:
    case 3:
    case 4:
      return Text(kColumnNames[in.U8() % (sizeof kColumnNames / sizeof kColumnNames[0])]);
    case 5:
      return Text(in.Bytes(in.U8() % 12));
    case 6:
      return Null();
    default:
      return Int(-1);
  }
}

struct Db {
  sqlite3* db = nullptr;
  sqlite3_stmt* insert = nullptr;
  sqlite3_stmt* count = nullptr;
  sqlite3_stmt* scan = nullptr;
  sqlite3_stmt* scan_filtered = nullptr;
  std::string local_site;
  std::string site_a = std::string(16, '\xAA');
  std::string site_b = std::string(16, '\x01');
  sqlite3_stmt* db_version = nullptr;
  int64_t initial_changes = 0;
  int64_t initial_db_version = 0;
  uint64_t inputs = 0;
};

Value ChooseSite(ByteReader& in, const Db& d) {
  switch (in.U8() % 7) {
    case 0:
      return Null();
    case 1:
      return Blob(d.local_site);
    case 2:
      return Blob(d.site_a);
    case 3:
      return Blob(d.site_b);
    case 4:
      return Blob(in.Bytes(in.U8() % 21));
    case 5:
      return Text(in.Bytes(16));
    default:
      return Blob(std::string(16, static_cast<char>(in.U8())));
  }
}

void Bind(sqlite3_stmt* stmt, int index, const Value& v) {
  switch (v.type) {
    case SQLITE_INTEGER:
      sqlite3_bind_int64(stmt, index, v.integer);
      break;
    case SQLITE_FLOAT:
      sqlite3_bind_double(stmt, index, v.real);
      break;
    case SQLITE_TEXT:
      sqlite3_bind_text(stmt, index, v.bytes.data(), static_cast<int>(v.bytes.size()),
                        SQLITE_TRANSIENT);
      break;
    case SQLITE_BLOB:
      sqlite3_bind_blob(stmt, index, v.bytes.empty() ? "" : v.bytes.data(),
                        static_cast<int>(v.bytes.size()), SQLITE_TRANSIENT);
      break;
    default:
      sqlite3_bind_null(stmt, index);
  }
}

int64_t DbVersion(Db& d) {
  if (sqlite3_step(d.db_version) != SQLITE_ROW) {
    Violation("SELECT crsql_db_version() failed", sqlite3_errmsg(d.db));
  }
  int64_t v = sqlite3_column_int64(d.db_version, 0);
  sqlite3_reset(d.db_version);
  return v;
}

int64_t CountChanges(Db& d) {
  int rc = sqlite3_step(d.count);
  if (rc != SQLITE_ROW)
    Violation("SELECT count(*) FROM crsql_changes failed", sqlite3_errmsg(d.db));
  int64_t n = sqlite3_column_int64(d.count, 0);
  sqlite3_reset(d.count);
  return n;
}

// Steps a feed query and reads every column (errors are acceptable outcomes).
void Drain(sqlite3_stmt* stmt) {
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    for (int col = 0; col < sqlite3_column_count(stmt); ++col) {
      if (sqlite3_column_type(stmt, col) == SQLITE_BLOB) {
        (void)sqlite3_column_blob(stmt, col);
      } else {
        (void)sqlite3_column_text(stmt, col);
      }
      (void)sqlite3_column_bytes(stmt, col);
    }
  }
  sqlite3_reset(stmt);
}

Db& GetDb() {
  static Db state = [] {
    Db d;
    d.db = OpenEngineDb(kSetupSql);
    d.insert = PrepareOrDie(d.db, "INSERT INTO crsql_changes VALUES (?,?,?,?,?,?,?,?,?)");
    d.count = PrepareOrDie(d.db, "SELECT count(*) FROM crsql_changes");
    d.scan = PrepareOrDie(d.db,
                          "SELECT \"table\",pk,cid,val,col_version,db_version,site_id,cl,seq "
                          "FROM crsql_changes WHERE db_version > 0");
    d.scan_filtered =
        PrepareOrDie(d.db, "SELECT * FROM crsql_changes WHERE db_version > ? AND site_id IS NOT ?");
    sqlite3_stmt* site = PrepareOrDie(d.db, "SELECT crsql_site_id()");
    if (sqlite3_step(site) != SQLITE_ROW) Violation("crsql_site_id() failed");
    d.local_site.assign(static_cast<const char*>(sqlite3_column_blob(site, 0)),
                        sqlite3_column_bytes(site, 0));
    sqlite3_finalize(site);
    d.db_version = PrepareOrDie(d.db, "SELECT crsql_db_version()");
    d.initial_changes = CountChanges(d);
    d.initial_db_version = DbVersion(d);
    return d;
  }();
  return state;
}

void ExecIgnoringErrors(sqlite3* db, const char* sql) {
  sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
}

}  // namespace
}  // namespace crsync::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace crsync::fuzz;
  Db& d = GetDb();
  ByteReader in(data, size);
  const int rows = 1 + in.U8() % 6;
  const uint8_t post = in.U8();

  if (sqlite3_exec(d.db, "SAVEPOINT fz", nullptr, nullptr, nullptr) != SQLITE_OK) {
    Violation("SAVEPOINT failed", sqlite3_errmsg(d.db));
  }
  // post & 64: the first half of the rows go into a nested savepoint that is rolled back
  // (exercises the engine's pending-version state across ROLLBACK TO within one input).
  const int nested_rows = (post & 64) ? rows / 2 + 1 : 0;
  if (nested_rows) sqlite3_exec(d.db, "SAVEPOINT nested", nullptr, nullptr, nullptr);
  for (int r = 0; r < rows; ++r) {
    if (nested_rows && r == nested_rows) {
      sqlite3_exec(d.db, "ROLLBACK TO nested; RELEASE nested", nullptr, nullptr, nullptr);
    }
    int table_index;
    Bind(d.insert, 1, ChooseTable(in, &table_index));
    Bind(d.insert, 2, ChoosePk(in, table_index));
    Bind(d.insert, 3, ChooseCid(in));
    Bind(d.insert, 4, AnyValue(in));
    Bind(d.insert, 5, AnyCounter(in));  // col_version
    Bind(d.insert, 6, AnyCounter(in));  // db_version
    Bind(d.insert, 7, ChooseSite(in, d));
    Bind(d.insert, 8, AnyCounter(in));  // cl
    Bind(d.insert, 9, AnyCounter(in));  // seq
    sqlite3_step(d.insert);
    sqlite3_reset(d.insert);
    sqlite3_clear_bindings(d.insert);
  }
  if (post & 1) Drain(d.scan);
  if (post & 2) ExecIgnoringErrors(d.db, "UPDATE t_int SET a = coalesce(a, 0) + 1 WHERE id <= 3");
  if (post & 4) {
    ExecIgnoringErrors(d.db,
                       "INSERT OR REPLACE INTO t_comp VALUES (1, 'a', 'nv', NULL);"
                       "DELETE FROM t_text WHERE id = 'b'; INSERT INTO t_int (id) VALUES (2)");
  }
  if (post & 8) ExecIgnoringErrors(d.db, "SELECT crsql_rows_impacted(), crsql_db_version()");
  if (post & 16) {
    sqlite3_bind_int64(d.scan_filtered, 1, static_cast<int8_t>(in.U8()));
    Bind(d.scan_filtered, 2, ChooseSite(in, d));
    Drain(d.scan_filtered);
    sqlite3_clear_bindings(d.scan_filtered);
  }
  if (post & 32) Drain(d.scan);

  // Roll the whole transaction back (SAVEPOINT fz opened it). Not `ROLLBACK TO fz; RELEASE fz`:
  // RELEASE commits, and the engine (like cr-sqlite 0.16) then keeps the rolled-back pending
  // db_version as its committed one, which would make inputs depend on earlier inputs.
  // A statement error may already have rolled back the whole transaction.
  if (!sqlite3_get_autocommit(d.db)) {
    if (sqlite3_exec(d.db, "ROLLBACK", nullptr, nullptr, nullptr) != SQLITE_OK) {
      Violation("ROLLBACK failed", sqlite3_errmsg(d.db));
    }
  }
  if (!sqlite3_get_autocommit(d.db)) Violation("transaction still open after ROLLBACK");

  const int64_t changes = CountChanges(d);
  if (changes != d.initial_changes) {
    Violation("crsql_changes count changed across a rolled-back savepoint",
              std::to_string(changes) + " vs " + std::to_string(d.initial_changes));
  }
  const int64_t db_version = DbVersion(d);
  if (db_version != d.initial_db_version) {
    Violation("crsql_db_version() changed across a rolled-back transaction",
              std::to_string(db_version) + " vs " + std::to_string(d.initial_db_version));
  }
  if (++d.inputs % kIntegrityEvery == 0) {
    sqlite3_stmt* check = PrepareOrDie(d.db, "PRAGMA integrity_check");
    if (sqlite3_step(check) != SQLITE_ROW) Violation("integrity_check failed to run");
    std::string result = reinterpret_cast<const char*>(sqlite3_column_text(check, 0));
    sqlite3_finalize(check);
    if (result != "ok") Violation("integrity_check", result);
  }
  return 0;
}

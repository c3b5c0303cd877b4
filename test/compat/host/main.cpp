// crsqlite-host: a JSON-lines SQL host that loads a cr-sqlite compatible extension into plain
// SQLite connections, so the Node differential test (test/compat) can drive our build/crsqlite.so
// with exactly the operation sequences it drives the real wasm engine with.
//
// Usage: crsqlite-host <path-to-crsqlite.so>
// Reads one JSON object per line on stdin and writes exactly one JSON object per line on stdout
// (flushed), in request order. Invariant: the process never dies on bad input -- malformed
// requests produce {"ok":false,"code":-1,...}; only a crash inside the loaded extension can end
// it early (the Node side reports that as a host crash). The full protocol is documented in
// test/compat/README.md; in short:
//
//   {"id":1,"op":"open","db":"A"}                        -> {"id":1,"ok":true}
//       optional "path" (default ":memory:"), "load" (default true: load the extension)
//   {"id":2,"op":"exec","db":"A","sql":"...","params":[v,...]}
//       -> {"id":2,"ok":true,"columns":[..],"rows":[[v,..],..],"changes":n,"autocommit":b}
//       -> {"id":2,"ok":false,"error":"<sqlite3_errmsg>","code":rc,"xcode":ext,"autocommit":b}
//   {"id":3,"op":"close","db":"A"}   runs SELECT crsql_finalize() then sqlite3_close_v2
//   {"id":4,"op":"info"}             -> {"ok":true,"sqlite_version":"3.x.y"}
//   {"id":5,"op":"quit"}             closes every connection and exits 0 (so does EOF)
//
// Values are typed losslessly: null | {"i":"<decimal int64>"} | {"r":"<16 hex digits: IEEE-754
// bits>"} | {"s":"<text, valid UTF-8, may contain U+0000>"} | {"sx":"<hex of text bytes>"} (TEXT
// that is not valid UTF-8) | {"b":"<hex>"}. Exec runs every statement of "sql" in order; each
// statement takes the next bind_parameter_count() values of "params" positionally; rows of all
// statements are concatenated; the first failing statement stops the exec (earlier effects stay,
// as with sqlite3_exec). The Node wasm adapter implements the very same semantics.

#include <sqlite3.h>

#include <charconv>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace {

using nlohmann::json;

constexpr int kBadRequest = -1;  // "code" of errors that come from the protocol, not SQLite.

// A protocol error (malformed request); reported with code -1.
class BadRequest : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// ---- value encoding ------------------------------------------------------------------------

std::string ToHex(const unsigned char* bytes, size_t n) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kDigits[bytes[i] >> 4]);
    out.push_back(kDigits[bytes[i] & 0xF]);
  }
  return out;
}

int HexNibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string FromHex(const std::string& hex) {
  if (hex.size() % 2 != 0) throw BadRequest("hex string has odd length");
  std::string out(hex.size() / 2, '\0');
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = HexNibble(hex[2 * i]);
    int lo = HexNibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) throw BadRequest("bad hex digit");
    out[i] = static_cast<char>(hi << 4 | lo);
  }
  return out;
}

// Strict UTF-8 validation (no overlongs, no surrogates, max U+10FFFF) -- the same rule as a
// fatal WHATWG TextDecoder, which the Node adapter uses, so both sides choose "s" vs "sx" alike.
bool IsValidUtf8(const unsigned char* s, size_t n) {
  size_t i = 0;
  while (i < n) {
    unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      return false;
    }
    if (i + len > n) return false;
    if (s[i + 1] < lo || s[i + 1] > hi) return false;
    for (size_t k = 2; k < len; ++k) {
      if (s[i + k] < 0x80 || s[i + k] > 0xBF) return false;
    }
    i += len;
  }
  return true;
}

json EncodeColumn(sqlite3_stmt* stmt, int col) {
  switch (sqlite3_column_type(stmt, col)) {
    case SQLITE_INTEGER:
      return json{{"i", std::to_string(sqlite3_column_int64(stmt, col))}};
    case SQLITE_FLOAT: {
      double d = sqlite3_column_double(stmt, col);
      uint64_t bits;
      std::memcpy(&bits, &d, sizeof bits);
      unsigned char be[8];
      for (int k = 0; k < 8; ++k) be[k] = static_cast<unsigned char>(bits >> (56 - 8 * k));
      return json{{"r", ToHex(be, 8)}};
    }
    case SQLITE_TEXT: {
      const unsigned char* text = sqlite3_column_text(stmt, col);
      size_t n = static_cast<size_t>(sqlite3_column_bytes(stmt, col));
      if (text == nullptr) return json{{"s", ""}};
      if (IsValidUtf8(text, n))
        return json{{"s", std::string(reinterpret_cast<const char*>(text), n)}};
      return json{{"sx", ToHex(text, n)}};
    }
    case SQLITE_BLOB: {
      const void* blob = sqlite3_column_blob(stmt, col);
      size_t n = static_cast<size_t>(sqlite3_column_bytes(stmt, col));
      return json{{"b", blob ? ToHex(static_cast<const unsigned char*>(blob), n) : ""}};
    }
    default:
      return nullptr;
  }
}

const std::string& StringField(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) {
    throw BadRequest(std::string("value object needs a string \"") + key + "\"");
  }
  return it->get_ref<const std::string&>();
}

// A decoded protocol value, ready to bind.
struct Value {
  enum class Kind { kNull, kInteger, kReal, kText, kBlob } kind = Kind::kNull;
  int64_t integer = 0;
  double real = 0;
  std::string bytes;  // text (UTF-8 or raw) or blob bytes
};

Value DecodeValue(const json& v) {
  Value out;
  if (v.is_null()) return out;
  if (!v.is_object() || v.size() != 1) {
    throw BadRequest("a value must be null or an object with exactly one of i, r, s, sx, b");
  }
  const std::string& tag = v.begin().key();
  if (tag == "i") {
    const std::string& text = StringField(v, "i");
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, out.integer);
    if (text.empty() || ec != std::errc() || ptr != end) {
      throw BadRequest("\"i\" must be a decimal 64-bit integer: " + text);
    }
    out.kind = Value::Kind::kInteger;
  } else if (tag == "r") {
    std::string bytes = FromHex(StringField(v, "r"));
    if (bytes.size() != 8) throw BadRequest("\"r\" must be 16 hex digits (IEEE-754 bits)");
    uint64_t bits = 0;
    for (unsigned char c : bytes) bits = bits << 8 | c;
    std::memcpy(&out.real, &bits, sizeof out.real);
    out.kind = Value::Kind::kReal;
  } else if (tag == "s") {
    out.bytes = StringField(v, "s");
    out.kind = Value::Kind::kText;
  } else if (tag == "sx") {
    out.bytes = FromHex(StringField(v, "sx"));
    out.kind = Value::Kind::kText;
  } else if (tag == "b") {
    out.bytes = FromHex(StringField(v, "b"));
    out.kind = Value::Kind::kBlob;
  } else {
    throw BadRequest("unknown value tag \"" + tag + "\"");
  }
  return out;
}

// Binds one decoded value to parameter index idx; returns the sqlite3_bind_* result code.
int BindValue(sqlite3_stmt* stmt, int idx, const Value& v) {
  switch (v.kind) {
    case Value::Kind::kNull:
      return sqlite3_bind_null(stmt, idx);
    case Value::Kind::kInteger:
      return sqlite3_bind_int64(stmt, idx, v.integer);
    case Value::Kind::kReal:
      return sqlite3_bind_double(stmt, idx, v.real);
    case Value::Kind::kText:
      return sqlite3_bind_text64(stmt, idx, v.bytes.data(), v.bytes.size(), SQLITE_TRANSIENT,
                                 SQLITE_UTF8);
    case Value::Kind::kBlob:
      // A NULL data pointer would bind SQL NULL, so an empty blob goes through zeroblob(0).
      if (v.bytes.empty()) return sqlite3_bind_zeroblob(stmt, idx, 0);
      return sqlite3_bind_blob64(stmt, idx, v.bytes.data(), v.bytes.size(), SQLITE_TRANSIENT);
  }
  return SQLITE_MISUSE;  // unreachable: every Kind is handled above
}

// ---- connections ---------------------------------------------------------------------------

struct Connection {
  sqlite3* db = nullptr;
  bool extension_loaded = false;
};

// Finalizes the extension's cached statements (when loaded) and closes. Returns the error text of
// crsql_finalize() or "" on success; the handle is closed either way.
std::string CloseConnection(Connection& conn) {
  std::string error;
  if (conn.extension_loaded) {
    char* err = nullptr;
    if (sqlite3_exec(conn.db, "SELECT crsql_finalize()", nullptr, nullptr, &err) != SQLITE_OK) {
      error = err ? err : sqlite3_errmsg(conn.db);
    }
    sqlite3_free(err);
  }
  sqlite3_close_v2(conn.db);
  conn.db = nullptr;
  return error;
}

class Host {
 public:
  explicit Host(std::string extension_path) : extension_path_(std::move(extension_path)) {}
  ~Host() { CloseAll(); }

  void CloseAll() {
    for (auto& [name, conn] : connections_) CloseConnection(conn);
    connections_.clear();
  }

  // Handles one request; sets quit when the host should exit.
  json Handle(const json& req, bool& quit) {
    if (!req.is_object()) throw BadRequest("request must be a JSON object");
    auto op_it = req.find("op");
    if (op_it == req.end() || !op_it->is_string())
      throw BadRequest("request needs a string \"op\"");
    const std::string& op = op_it->get_ref<const std::string&>();
    if (op == "open") return Open(req);
    if (op == "exec") return Exec(req);
    if (op == "close") return Close(req);
    if (op == "info") return json{{"ok", true}, {"sqlite_version", sqlite3_libversion()}};
    if (op == "quit") {
      CloseAll();
      quit = true;
      return json{{"ok", true}};
    }
    throw BadRequest("unknown op \"" + op + "\"");
  }

 private:
  static std::string DbName(const json& req) {
    auto it = req.find("db");
    if (it == req.end() || !it->is_string()) throw BadRequest("request needs a string \"db\"");
    return it->get<std::string>();
  }

  Connection& Find(const std::string& name) {
    auto it = connections_.find(name);
    if (it == connections_.end()) throw BadRequest("no open database named \"" + name + "\"");
    return it->second;
  }

  json Open(const json& req) {
    std::string name = DbName(req);
    if (connections_.count(name)) throw BadRequest("database \"" + name + "\" is already open");
    std::string path = ":memory:";
    if (auto it = req.find("path"); it != req.end()) {
      if (!it->is_string()) throw BadRequest("\"path\" must be a string");
      path = it->get<std::string>();
    }
    bool load = true;
    if (auto it = req.find("load"); it != req.end()) {
      if (!it->is_boolean()) throw BadRequest("\"load\" must be a boolean");
      load = it->get<bool>();
    }
    Connection conn;
    int rc = sqlite3_open_v2(path.c_str(), &conn.db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI, nullptr);
    if (rc != SQLITE_OK) {
      json res = {{"ok", false},
                  {"error", conn.db ? sqlite3_errmsg(conn.db) : sqlite3_errstr(rc)},
                  {"code", rc}};
      sqlite3_close_v2(conn.db);
      return res;
    }
    if (load) {
      sqlite3_enable_load_extension(conn.db, 1);
      char* err = nullptr;
      rc = sqlite3_load_extension(conn.db, extension_path_.c_str(), "sqlite3_crsqlite_init", &err);
      sqlite3_enable_load_extension(conn.db, 0);
      if (rc != SQLITE_OK) {
        json res = {{"ok", false},
                    {"error", err ? err : sqlite3_errmsg(conn.db)},
                    {"code", rc},
                    {"xcode", sqlite3_extended_errcode(conn.db)}};
        sqlite3_free(err);
        sqlite3_close_v2(conn.db);
        return res;
      }
      conn.extension_loaded = true;
    }
    connections_.emplace(name, conn);
    return json{{"ok", true}};
  }

  json Close(const json& req) {
    std::string name = DbName(req);
    Connection& conn = Find(name);
    std::string error = CloseConnection(conn);
    connections_.erase(name);
    if (!error.empty()) return json{{"ok", false}, {"error", error}, {"code", SQLITE_ERROR}};
    return json{{"ok", true}};
  }

  json Exec(const json& req) {
    Connection& conn = Find(DbName(req));
    auto sql_it = req.find("sql");
    if (sql_it == req.end() || !sql_it->is_string())
      throw BadRequest("exec needs a string \"sql\"");
    const std::string& sql = sql_it->get_ref<const std::string&>();
    // Decode every value up front so a malformed request never half-executes.
    std::vector<Value> params;
    if (auto it = req.find("params"); it != req.end() && !it->is_null()) {
      if (!it->is_array()) throw BadRequest("\"params\" must be an array");
      for (const json& v : *it) params.push_back(DecodeValue(v));
    }

    sqlite3* db = conn.db;
    json rows = json::array();
    json columns = json::array();
    size_t next_param = 0;
    const char* tail = sql.c_str();
    auto fail = [&](int rc, const std::string& message) {
      return json{{"ok", false},
                  {"error", message},
                  {"code", rc},
                  {"xcode", sqlite3_extended_errcode(db)},
                  {"autocommit", sqlite3_get_autocommit(db) != 0}};
    };
    while (*tail != '\0') {
      sqlite3_stmt* raw = nullptr;
      const char* next = nullptr;
      int rc = sqlite3_prepare_v2(db, tail, -1, &raw, &next);
      if (rc != SQLITE_OK) return fail(rc, sqlite3_errmsg(db));
      std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> stmt(raw, sqlite3_finalize);
      tail = next;
      if (!stmt) continue;  // whitespace or a comment only
      int wanted = sqlite3_bind_parameter_count(stmt.get());
      if (static_cast<size_t>(wanted) > params.size() - next_param) {
        return fail(SQLITE_RANGE, "bind: statement needs " + std::to_string(wanted) +
                                      " parameters but only " +
                                      std::to_string(params.size() - next_param) + " are left");
      }
      for (int i = 1; i <= wanted; ++i) {
        rc = BindValue(stmt.get(), i, params[next_param++]);
        if (rc != SQLITE_OK) return fail(rc, sqlite3_errmsg(db));
      }
      int ncol = sqlite3_column_count(stmt.get());
      if (ncol > 0) {
        columns = json::array();
        for (int c = 0; c < ncol; ++c) {
          const char* col_name = sqlite3_column_name(stmt.get(), c);
          columns.push_back(col_name ? col_name : "");
        }
      }
      while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
        json row = json::array();
        for (int c = 0; c < ncol; ++c) row.push_back(EncodeColumn(stmt.get(), c));
        rows.push_back(std::move(row));
      }
      if (rc != SQLITE_DONE) return fail(rc, sqlite3_errmsg(db));
    }
    if (next_param != params.size()) {
      return fail(SQLITE_RANGE, "bind: " + std::to_string(params.size()) +
                                    " parameters supplied but the SQL used " +
                                    std::to_string(next_param));
    }
    return json{{"ok", true},
                {"columns", std::move(columns)},
                {"rows", std::move(rows)},
                {"changes", sqlite3_changes(db)},
                {"autocommit", sqlite3_get_autocommit(db) != 0}};
  }

  std::string extension_path_;
  std::map<std::string, Connection> connections_;
};

void Reply(json res, const json& id) {
  res["id"] = id;
  // Strings we emit are valid UTF-8 except, possibly, SQLite error texts or column names that
  // echo invalid bytes; replace those rather than throw.
  std::cout << res.dump(-1, ' ', false, json::error_handler_t::replace) << '\n' << std::flush;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: crsqlite-host <path-to-crsqlite.so>\n";
    return 2;
  }
  std::ios::sync_with_stdio(false);
  Host host(argv[1]);
  std::string line;
  bool quit = false;
  while (!quit && std::getline(std::cin, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    json id = nullptr;
    try {
      json req = json::parse(line, nullptr, /*allow_exceptions=*/false);
      if (req.is_discarded()) throw BadRequest("request is not valid JSON");
      if (req.is_object()) {
        if (auto it = req.find("id"); it != req.end()) id = *it;
      }
      Reply(host.Handle(req, quit), id);
    } catch (const BadRequest& e) {
      Reply(json{{"ok", false},
                 {"error", std::string("bad request: ") + e.what()},
                 {"code", kBadRequest}},
            id);
    } catch (const std::exception& e) {
      Reply(json{{"ok", false},
                 {"error", std::string("host error: ") + e.what()},
                 {"code", kBadRequest}},
            id);
    }
  }
  host.CloseAll();
  return 0;
}

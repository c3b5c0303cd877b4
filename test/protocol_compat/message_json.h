// protocol::Message <-> JSON in the value-typing convention of sync-protocol-vectors.json.
//
// Shared by the unit tests (test/unit/protocol/codec_test.cpp compares decoded golden vectors
// with their `message`) and by codec_tool (the bridge the Node round-trip test talks to). The
// convention (sync-protocol.md, "The golden vectors file"): BigInt64 fields and type-1 values are
// {"bigint": "<decimal>"}, Float64 values {"float64": "<JavaScript String(n)>"} with "NaN",
// "Infinity", "-Infinity" and "-0" spelled out, byte strings {"bytes": "<hex>"}, text and
// booleans plain JSON, NULL null, seq/_reqid plain JSON integers. Tuples are objects with named
// keys. `tag_name` is informative; MessageToJson writes it and MessageFromJson ignores it.
// Header-only test support: nlohmann exceptions are caught here and turned into Status.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "common/hex.h"
#include "common/site_id.h"
#include "common/status.h"
#include "protocol/message.h"

namespace crsync::protocol_json {

using nlohmann::json;
using protocol::Bytes;
using protocol::Change;
using protocol::Cursor;
using protocol::Message;
using protocol::Value;

// JavaScript's Number.prototype.toString() (ECMA-262 Number::toString, radix 10), except that
// negative zero is "-0" as in the vectors file. std::to_chars gives the shortest round-trip
// digits; the layout rules (plain up to 21 integer digits, "0.000001" down to 1e-6, otherwise
// "d.ddde+n") are JavaScript's.
inline std::string JsNumberToString(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  if (v == 0) return std::signbit(v) ? "-0" : "0";
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof(buf), std::fabs(v), std::chars_format::scientific);
  const std::string s(buf, r.ptr);
  const size_t e = s.find('e');
  std::string digits;
  for (char c : s.substr(0, e)) {
    if (c != '.') digits += c;
  }
  const int k = static_cast<int>(digits.size());
  const int n = std::atoi(s.c_str() + e + 1) + 1;  // value = 0.digits * 10^n
  std::string out;
  if (k <= n && n <= 21) {
    out = digits + std::string(n - k, '0');
  } else if (0 < n && n <= 21) {
    out = digits.substr(0, n) + "." + digits.substr(n);
  } else if (-6 < n && n <= 0) {
    out = "0." + std::string(-n, '0') + digits;
  } else {
    out = digits.substr(0, 1);
    if (k > 1) out += "." + digits.substr(1);
    out += (n - 1 >= 0 ? "e+" : "e-") + std::to_string(std::abs(n - 1));
  }
  return v < 0 ? "-" + out : out;
}

inline Result<double> ParseJsNumber(const std::string& text) {
  if (text == "NaN") return std::nan("");
  if (text == "Infinity") return HUGE_VAL;
  if (text == "-Infinity") return -HUGE_VAL;
  double v = 0;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  if (r.ec != std::errc() || r.ptr != text.data() + text.size()) {
    return Status::InvalidArgument("bad float64 text \"" + text + "\"");
  }
  return v;
}

// ---- to JSON ------------------------------------------------------------------------------

inline json BytesJson(std::span<const uint8_t> bytes) { return {{"bytes", HexEncode(bytes)}}; }
inline json BigIntJson(int64_t v) { return {{"bigint", std::to_string(v)}}; }
inline json CursorJson(const Cursor& c) {
  return {{"db_version", BigIntJson(c.db_version)}, {"seq", c.seq}};
}

inline json ValueJson(const Value& value) {
  switch (protocol::TypeOf(value)) {
    case protocol::ValueType::kNull:
      return nullptr;
    case protocol::ValueType::kBigInt:
      return BigIntJson(std::get<int64_t>(value));
    case protocol::ValueType::kNumber:
      return {{"float64", JsNumberToString(std::get<double>(value))}};
    case protocol::ValueType::kString:
      return std::get<std::string>(value);
    case protocol::ValueType::kBool:
      return std::get<bool>(value);
    case protocol::ValueType::kBlob:
      return BytesJson(std::get<Bytes>(value));
  }
  return nullptr;
}

inline json ChangesJson(const std::vector<Change>& changes) {
  json out = json::array();
  for (const Change& c : changes) {
    out.push_back({{"table", c.table},
                   {"pk", BytesJson(c.pk)},
                   {"cid", c.cid},
                   {"val", ValueJson(c.val)},
                   {"col_version", BigIntJson(c.col_version)},
                   {"db_version", BigIntJson(c.db_version)},
                   {"site_id", c.site_id ? BytesJson(*c.site_id) : json(nullptr)},
                   {"cl", BigIntJson(c.cl)},
                   {"seq", c.seq}});
  }
  return out;
}

inline json MessageToJson(const Message& message) {
  json j;
  j["_tag"] = static_cast<int>(protocol::TagOf(message));
  j["tag_name"] = std::string(protocol::TagName(protocol::TagOf(message)));
  if (const auto* announce = std::get_if<protocol::AnnouncePresence>(&message)) {
    j["sender"] = BytesJson(announce->sender);
    j["lastSeens"] = json::array();
    for (const auto& entry : announce->last_seens) {
      j["lastSeens"].push_back({{"site_id", BytesJson(entry.site_id)},
                                {"db_version", BigIntJson(entry.cursor.db_version)},
                                {"seq", entry.cursor.seq}});
    }
    j["schemaName"] = announce->schema_name;
    j["schemaVersion"] = BigIntJson(announce->schema_version);
  } else if (const auto* changes = std::get_if<protocol::Changes>(&message)) {
    j["sender"] = BytesJson(changes->sender);
    j["since"] = CursorJson(changes->since);
    j["changes"] = ChangesJson(changes->changes);
  } else if (const auto* reject = std::get_if<protocol::RejectChanges>(&message)) {
    j["whose"] = BytesJson(reject->whose);
    j["since"] = CursorJson(reject->since);
  } else if (const auto* start = std::get_if<protocol::StartStreaming>(&message)) {
    j["since"] = CursorJson(start->since);
    j["excludeSites"] = json::array();
    for (const SiteId& site : start->exclude_sites) j["excludeSites"].push_back(BytesJson(site));
    j["localOnly"] = start->local_only;
  } else if (const auto* create = std::get_if<protocol::CreateDbOnPrimary>(&message)) {
    j["_reqid"] = create->reqid;
    j["room"] = create->room;
    j["schemaName"] = create->schema_name;
    j["schemaVersion"] = BigIntJson(create->schema_version);
  } else if (const auto* apply = std::get_if<protocol::ApplyChangesOnPrimary>(&message)) {
    j["_reqid"] = apply->reqid;
    j["sender"] = BytesJson(apply->sender);
    j["changes"] = ChangesJson(apply->changes);
    j["room"] = apply->room;
    j["newLastSeen"] = CursorJson(apply->new_last_seen);
  } else if (const auto* created = std::get_if<protocol::CreateDbOnPrimaryResponse>(&message)) {
    j["_reqid"] = created->reqid;
    j["txid"] = BigIntJson(created->txid);
  } else if (const auto* err = std::get_if<protocol::Err>(&message)) {
    j["_reqid"] = err->reqid;
    j["err"] = err->err;
  } else if (const auto* applied = std::get_if<protocol::ApplyChangesOnPrimaryResponse>(&message)) {
    j["_reqid"] = applied->reqid;
  }
  return j;
}

// ---- from JSON ----------------------------------------------------------------------------
// Internally these throw (nlohmann's own exceptions and JsonError); MessageFromJson converts
// every exception into a Status at the edge.

struct JsonError {
  std::string message;
};

inline const json& Key(const json& j, const char* key) {
  if (!j.is_object() || !j.contains(key)) throw JsonError{std::string("missing key ") + key};
  return j.at(key);
}

inline Bytes BytesFrom(const json& j) {
  auto bytes = HexDecode(Key(j, "bytes").get<std::string>());
  if (!bytes.ok()) throw JsonError{bytes.status().message()};
  return std::move(bytes).value();
}

inline SiteId SiteIdFrom(const json& j) {
  auto id = SiteIdFromBytes(BytesFrom(j));
  if (!id.ok()) throw JsonError{id.status().message()};
  return *id;
}

inline int64_t BigIntFrom(const json& j) {
  const std::string text = Key(j, "bigint").get<std::string>();
  int64_t v = 0;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  if (r.ec != std::errc() || r.ptr != text.data() + text.size()) {
    throw JsonError{"bad bigint text \"" + text + "\""};
  }
  return v;
}

inline int64_t IntFrom(const json& j) {
  if (!j.is_number_integer()) throw JsonError{"expected an integer, got " + j.dump()};
  return j.get<int64_t>();
}

inline Cursor CursorFrom(const json& j) {
  return Cursor{BigIntFrom(Key(j, "db_version")), IntFrom(Key(j, "seq"))};
}

inline Value ValueFrom(const json& j) {
  if (j.is_null()) return protocol::Null{};
  if (j.is_string()) return j.get<std::string>();
  if (j.is_boolean()) return j.get<bool>();
  if (j.is_object() && j.contains("bigint")) return BigIntFrom(j);
  if (j.is_object() && j.contains("bytes")) return BytesFrom(j);
  if (j.is_object() && j.contains("float64")) {
    auto v = ParseJsNumber(j.at("float64").get<std::string>());
    if (!v.ok()) throw JsonError{v.status().message()};
    return *v;
  }
  throw JsonError{"unsupported value " + j.dump()};
}

inline std::vector<Change> ChangesFrom(const json& j) {
  std::vector<Change> out;
  for (const json& c : j) {
    Change change;
    change.table = Key(c, "table").get<std::string>();
    change.pk = BytesFrom(Key(c, "pk"));
    change.cid = Key(c, "cid").get<std::string>();
    change.val = ValueFrom(Key(c, "val"));
    change.col_version = BigIntFrom(Key(c, "col_version"));
    change.db_version = BigIntFrom(Key(c, "db_version"));
    if (!Key(c, "site_id").is_null()) change.site_id = SiteIdFrom(c.at("site_id"));
    change.cl = BigIntFrom(Key(c, "cl"));
    change.seq = IntFrom(Key(c, "seq"));
    out.push_back(std::move(change));
  }
  return out;
}

inline Message MessageFromJsonOrThrow(const json& j) {
  switch (static_cast<protocol::Tag>(IntFrom(Key(j, "_tag")))) {
    case protocol::Tag::kAnnouncePresence: {
      protocol::AnnouncePresence m;
      m.sender = SiteIdFrom(Key(j, "sender"));
      for (const json& entry : Key(j, "lastSeens")) {
        m.last_seens.push_back(
            {SiteIdFrom(Key(entry, "site_id")),
             Cursor{BigIntFrom(Key(entry, "db_version")), IntFrom(Key(entry, "seq"))}});
      }
      m.schema_name = Key(j, "schemaName").get<std::string>();
      m.schema_version = BigIntFrom(Key(j, "schemaVersion"));
      return m;
    }
    case protocol::Tag::kChanges: {
      protocol::Changes m;
      m.sender = SiteIdFrom(Key(j, "sender"));
      m.since = CursorFrom(Key(j, "since"));
      m.changes = ChangesFrom(Key(j, "changes"));
      return m;
    }
    case protocol::Tag::kRejectChanges:
      return protocol::RejectChanges{SiteIdFrom(Key(j, "whose")), CursorFrom(Key(j, "since"))};
    case protocol::Tag::kStartStreaming: {
      protocol::StartStreaming m;
      m.since = CursorFrom(Key(j, "since"));
      for (const json& site : Key(j, "excludeSites")) m.exclude_sites.push_back(SiteIdFrom(site));
      m.local_only = Key(j, "localOnly").get<bool>();
      return m;
    }
    case protocol::Tag::kCreateDbOnPrimary:
      return protocol::CreateDbOnPrimary{
          IntFrom(Key(j, "_reqid")), Key(j, "room").get<std::string>(),
          Key(j, "schemaName").get<std::string>(), BigIntFrom(Key(j, "schemaVersion"))};
    case protocol::Tag::kApplyChangesOnPrimary: {
      protocol::ApplyChangesOnPrimary m;
      m.reqid = IntFrom(Key(j, "_reqid"));
      m.sender = SiteIdFrom(Key(j, "sender"));
      m.changes = ChangesFrom(Key(j, "changes"));
      m.room = Key(j, "room").get<std::string>();
      m.new_last_seen = CursorFrom(Key(j, "newLastSeen"));
      return m;
    }
    case protocol::Tag::kPing:
      return protocol::Ping{};
    case protocol::Tag::kPong:
      return protocol::Pong{};
    case protocol::Tag::kCreateDbOnPrimaryResponse:
      return protocol::CreateDbOnPrimaryResponse{IntFrom(Key(j, "_reqid")),
                                                 BigIntFrom(Key(j, "txid"))};
    case protocol::Tag::kErr:
      return protocol::Err{IntFrom(Key(j, "_reqid")), Key(j, "err").get<std::string>()};
    case protocol::Tag::kApplyChangesOnPrimaryResponse:
      return protocol::ApplyChangesOnPrimaryResponse{IntFrom(Key(j, "_reqid"))};
  }
  throw JsonError{"unknown _tag " + Key(j, "_tag").dump()};
}

// The message described by j, or kInvalidArgument naming what is wrong with j.
inline Result<Message> MessageFromJson(const json& j) {
  try {
    return MessageFromJsonOrThrow(j);
  } catch (const JsonError& e) {
    return Status::InvalidArgument(e.message);
  } catch (const std::exception& e) {
    return Status::InvalidArgument(e.what());
  }
}

}  // namespace crsync::protocol_json

// Message helpers (see message.h): tag names, representational equality, debug rendering.
#include "protocol/message.h"

#include <bit>
#include <charconv>
#include <type_traits>

#include "common/hex.h"
#include "common/overloaded.h"

namespace crsync::protocol {
namespace {

std::string Quote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      static constexpr char kDigits[] = "0123456789abcdef";
      out += "\\x";
      out += kDigits[u >> 4];
      out += kDigits[u & 0xf];
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

std::string CursorString(const Cursor& cursor) {
  return "[" + std::to_string(cursor.db_version) + "," + std::to_string(cursor.seq) + "]";
}

std::string ChangeString(const Change& c) {
  std::string out = "{" + Quote(c.table) + ", pk=" + HexEncode(c.pk) + ", " + Quote(c.cid) + ", " +
                    DebugString(c.val) + ", " + std::to_string(c.col_version) + ", " +
                    std::to_string(c.db_version) + ", " +
                    (c.site_id ? HexEncode(*c.site_id) : std::string("-")) + ", " +
                    std::to_string(c.cl) + ", " + std::to_string(c.seq) + "}";
  return out;
}

std::string ChangesString(const std::vector<Change>& changes) {
  std::string out = "[";
  for (size_t i = 0; i < changes.size(); ++i) {
    if (i > 0) out += ", ";
    out += ChangeString(changes[i]);
  }
  return out + "]";
}

}  // namespace

std::string_view TagName(Tag tag) {
  switch (tag) {
    case Tag::kAnnouncePresence:
      return "AnnouncePresence";
    case Tag::kChanges:
      return "Changes";
    case Tag::kRejectChanges:
      return "RejectChanges";
    case Tag::kStartStreaming:
      return "StartStreaming";
    case Tag::kCreateDbOnPrimary:
      return "CreateDbOnPrimary";
    case Tag::kApplyChangesOnPrimary:
      return "ApplyChangesOnPrimary";
    case Tag::kPing:
      return "Ping";
    case Tag::kPong:
      return "Pong";
    case Tag::kCreateDbOnPrimaryResponse:
      return "CreateDbOnPrimaryResponse";
    case Tag::kErr:
      return "Err";
    case Tag::kApplyChangesOnPrimaryResponse:
      return "ApplyChangesOnPrimaryResponse";
  }
  return "Unknown";
}

bool ValuesIdentical(const Value& a, const Value& b) {
  if (a.index() != b.index()) return false;
  if (const double* x = std::get_if<double>(&a)) {
    return std::bit_cast<uint64_t>(*x) == std::bit_cast<uint64_t>(std::get<double>(b));
  }
  return a == b;
}

bool operator==(const Change& a, const Change& b) {
  return a.table == b.table && a.pk == b.pk && a.cid == b.cid && ValuesIdentical(a.val, b.val) &&
         a.col_version == b.col_version && a.db_version == b.db_version && a.site_id == b.site_id &&
         a.cl == b.cl && a.seq == b.seq;
}

Tag TagOf(const Message& message) {
  return std::visit([](const auto& m) { return std::decay_t<decltype(m)>::kTag; }, message);
}

std::string DebugString(const Value& value) {
  return std::visit(Overloaded{
                        [](const Null&) { return std::string("NULL"); },
                        [](int64_t v) { return std::to_string(v) + "n"; },
                        [](double v) {
                          char buf[64];
                          const auto r = std::to_chars(buf, buf + sizeof(buf), v);
                          return "f64:" + std::string(buf, r.ptr);
                        },
                        [](const std::string& v) { return Quote(v); },
                        [](bool v) { return std::string(v ? "true" : "false"); },
                        [](const Bytes& v) { return "x'" + HexEncode(v) + "'"; },
                    },
                    value);
}

std::string DebugString(const Message& message) {
  std::string body = std::visit(
      Overloaded{
          [](const AnnouncePresence& m) {
            std::string out = "sender=" + HexEncode(m.sender) + ", lastSeens=[";
            for (size_t i = 0; i < m.last_seens.size(); ++i) {
              if (i > 0) out += ", ";
              out +=
                  HexEncode(m.last_seens[i].site_id) + ":" + CursorString(m.last_seens[i].cursor);
            }
            return out + "], schemaName=" + Quote(m.schema_name) +
                   ", schemaVersion=" + std::to_string(m.schema_version);
          },
          [](const Changes& m) {
            return "sender=" + HexEncode(m.sender) + ", since=" + CursorString(m.since) +
                   ", changes=" + ChangesString(m.changes);
          },
          [](const RejectChanges& m) {
            return "whose=" + HexEncode(m.whose) + ", since=" + CursorString(m.since);
          },
          [](const StartStreaming& m) {
            std::string out = "since=" + CursorString(m.since) + ", excludeSites=[";
            for (size_t i = 0; i < m.exclude_sites.size(); ++i) {
              if (i > 0) out += ", ";
              out += HexEncode(m.exclude_sites[i]);
            }
            return out + "], localOnly=" + (m.local_only ? "true" : "false");
          },
          [](const CreateDbOnPrimary& m) {
            return "reqid=" + std::to_string(m.reqid) + ", room=" + Quote(m.room) +
                   ", schemaName=" + Quote(m.schema_name) +
                   ", schemaVersion=" + std::to_string(m.schema_version);
          },
          [](const ApplyChangesOnPrimary& m) {
            return "reqid=" + std::to_string(m.reqid) + ", sender=" + HexEncode(m.sender) +
                   ", changes=" + ChangesString(m.changes) + ", room=" + Quote(m.room) +
                   ", newLastSeen=" + CursorString(m.new_last_seen);
          },
          [](const Ping&) { return std::string(); },
          [](const Pong&) { return std::string(); },
          [](const CreateDbOnPrimaryResponse& m) {
            return "reqid=" + std::to_string(m.reqid) + ", txid=" + std::to_string(m.txid);
          },
          [](const Err& m) { return "reqid=" + std::to_string(m.reqid) + ", err=" + Quote(m.err); },
          [](const ApplyChangesOnPrimaryResponse& m) { return "reqid=" + std::to_string(m.reqid); },
      },
      message);
  return std::string(TagName(TagOf(message))) + "{" + body + "}";
}

}  // namespace crsync::protocol

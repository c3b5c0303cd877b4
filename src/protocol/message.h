// The vlcn WebSocket sync messages (@vlcn.io/ws-common 0.2.0, sync-protocol.md §3) as C++ types.
//
// One struct per message tag, and Message = a std::variant of all eleven. Field names follow
// ws-common's (`lastSeens` -> last_seens, `_reqid` -> reqid, ...). Integer widths follow the wire:
// versions, causal lengths, schema versions and txids are BigInt64 (int64_t); `seq` and `_reqid`
// are lib0 varints, which peers only accept within +-(2^53 - 1) (kMaxSafeInteger), stored in
// int64_t. Site ids are fixed 16-byte arrays, so a wrong length is unrepresentable. Strings hold
// UTF-8. A change value is NULL / BIGINT / NUMBER / STRING / BOOL / BLOB, wire types 0-5.
//
// Equality (operator==) is *representational*: Float64 values compare by bit pattern, so NaN ==
// NaN and -0.0 != 0.0. That is what round-trip tests and the fuzz target need.
// Plain value types; no thread-safety concerns beyond those of std::vector/std::string.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/site_id.h"

namespace crsync::protocol {

using Bytes = std::vector<uint8_t>;

// Message tags: the first byte of every message.
enum class Tag : uint8_t {
  kAnnouncePresence = 1,
  kChanges = 2,
  kRejectChanges = 3,
  kStartStreaming = 4,
  kCreateDbOnPrimary = 5,
  kApplyChangesOnPrimary = 6,
  kPing = 7,
  kPong = 8,
  kCreateDbOnPrimaryResponse = 9,
  kErr = 10,
  kApplyChangesOnPrimaryResponse = 11,
};

// ws-common's name for a tag ("AnnouncePresence", ...); "Unknown" outside 1..11.
std::string_view TagName(Tag tag);

// ---- change values ------------------------------------------------------------------------

// SQL NULL (wire type 0).
struct Null {
  friend bool operator==(const Null&, const Null&) = default;
};

// Wire value types (the byte before a change value).
enum class ValueType : uint8_t {
  kNull = 0,
  kBigInt = 1,  // BigInt64
  kNumber = 2,  // Float64
  kString = 3,  // varString
  kBool = 4,    // uint8, 01 = true
  kBlob = 5,    // varUint8Array
};

// A change value. The alternatives are in wire-type order: index() == ValueType.
// Construct explicitly when in doubt: Value(int64_t{5}), Value(5.0), Value(std::string("x")),
// Value(true), Value(Bytes{...}), Value(Null{}).
using Value = std::variant<Null, int64_t, double, std::string, bool, Bytes>;

inline ValueType TypeOf(const Value& value) { return static_cast<ValueType>(value.index()); }

// Representational equality: doubles compare by bit pattern.
bool ValuesIdentical(const Value& a, const Value& b);

// ---- shared structures --------------------------------------------------------------------

// The `[db_version, seq]` pair ws-common calls since / lastSeen / newLastSeen (§3.2, §4.2).
struct Cursor {
  int64_t db_version = 0;
  int64_t seq = 0;
  friend bool operator==(const Cursor&, const Cursor&) = default;
};

// One `lastSeens` entry of AnnouncePresence: what the client has received from site_id.
struct LastSeen {
  SiteId site_id{};
  Cursor cursor;
  friend bool operator==(const LastSeen&, const LastSeen&) = default;
};

// One change record (a crsql_changes row), fields in wire order (§3.2).
struct Change {
  std::string table;
  Bytes pk;  // cr-sqlite packed primary key; opaque here
  std::string cid;
  Value val;
  int64_t col_version = 0;
  int64_t db_version = 0;
  std::optional<SiteId> site_id;  // reference peers send none (§4.6)
  int64_t cl = 0;
  int64_t seq = 0;

  friend bool operator==(const Change& a, const Change& b);
};

// ---- messages -----------------------------------------------------------------------------

// Tag 1, client -> server, first message of a session (§3.3).
struct AnnouncePresence {
  static constexpr Tag kTag = Tag::kAnnouncePresence;
  SiteId sender{};
  std::vector<LastSeen> last_seens;
  std::string schema_name;
  int64_t schema_version = 0;
  friend bool operator==(const AnnouncePresence&, const AnnouncePresence&) = default;
};

// Tag 2, both directions (§3.4).
struct Changes {
  static constexpr Tag kTag = Tag::kChanges;
  SiteId sender{};
  Cursor since;
  std::vector<Change> changes;
  friend bool operator==(const Changes&, const Changes&) = default;
};

// Tag 3, both directions (§3.5).
struct RejectChanges {
  static constexpr Tag kTag = Tag::kRejectChanges;
  SiteId whose{};
  Cursor since;
  friend bool operator==(const RejectChanges&, const RejectChanges&) = default;
};

// Tag 4, server -> client (§3.6).
struct StartStreaming {
  static constexpr Tag kTag = Tag::kStartStreaming;
  Cursor since;
  std::vector<SiteId> exclude_sites;
  bool local_only = false;
  friend bool operator==(const StartStreaming&, const StartStreaming&) = default;
};

// Tag 5, replica -> primary, LiteFS add-on (§3.8).
struct CreateDbOnPrimary {
  static constexpr Tag kTag = Tag::kCreateDbOnPrimary;
  int64_t reqid = 0;
  std::string room;
  std::string schema_name;
  int64_t schema_version = 0;
  friend bool operator==(const CreateDbOnPrimary&, const CreateDbOnPrimary&) = default;
};

// Tag 6, replica -> primary. Wire order: reqid, sender, changes, room, new_last_seen.
struct ApplyChangesOnPrimary {
  static constexpr Tag kTag = Tag::kApplyChangesOnPrimary;
  int64_t reqid = 0;
  SiteId sender{};
  std::vector<Change> changes;
  std::string room;
  Cursor new_last_seen;
  friend bool operator==(const ApplyChangesOnPrimary&, const ApplyChangesOnPrimary&) = default;
};

// Tag 7: just the tag.
struct Ping {
  static constexpr Tag kTag = Tag::kPing;
  friend bool operator==(const Ping&, const Ping&) = default;
};

// Tag 8: just the tag.
struct Pong {
  static constexpr Tag kTag = Tag::kPong;
  friend bool operator==(const Pong&, const Pong&) = default;
};

// Tag 9, primary -> replica.
struct CreateDbOnPrimaryResponse {
  static constexpr Tag kTag = Tag::kCreateDbOnPrimaryResponse;
  int64_t reqid = 0;
  int64_t txid = 0;
  friend bool operator==(const CreateDbOnPrimaryResponse&,
                         const CreateDbOnPrimaryResponse&) = default;
};

// Tag 10, primary -> replica: an error answering either request type.
struct Err {
  static constexpr Tag kTag = Tag::kErr;
  int64_t reqid = 0;
  std::string err;
  friend bool operator==(const Err&, const Err&) = default;
};

// Tag 11, primary -> replica.
struct ApplyChangesOnPrimaryResponse {
  static constexpr Tag kTag = Tag::kApplyChangesOnPrimaryResponse;
  int64_t reqid = 0;
  friend bool operator==(const ApplyChangesOnPrimaryResponse&,
                         const ApplyChangesOnPrimaryResponse&) = default;
};

using Message = std::variant<AnnouncePresence, Changes, RejectChanges, StartStreaming,
                             CreateDbOnPrimary, ApplyChangesOnPrimary, Ping, Pong,
                             CreateDbOnPrimaryResponse, Err, ApplyChangesOnPrimaryResponse>;

// The wire tag of message.
Tag TagOf(const Message& message);

// A one-line human-readable rendering for logs and test failures, e.g.
// `Changes{sender=0011…, since=[3,0], changes=[{t, pk=010901, a, NULL, 1, 4, -, 1, 0}]}`.
// Long byte strings and strings are shown in full; callers that log untrusted input should cap
// the length themselves.
std::string DebugString(const Message& message);
std::string DebugString(const Value& value);

}  // namespace crsync::protocol

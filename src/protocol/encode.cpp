// Encode and Validate (see codec.h). Encode mirrors ws-common 0.2.0's encode(): the tag byte,
// then each field in wire order with lib0's primitives (ByteWriter). Validate walks the same
// fields and checks what Encode cannot express in its types: the 2^53 - 1 range of lib0
// varints, well-formed UTF-8, and the decoder's count limits.
#include <string>
#include <type_traits>

#include "common/byte_reader.h"
#include "common/byte_writer.h"
#include "common/utf8.h"
#include "protocol/codec.h"

namespace crsync::protocol {
namespace {

// Site-id presence bytes: ws-common writes its BLOB value type for a present id.
constexpr uint8_t kSiteIdAbsent = 0;
constexpr uint8_t kSiteIdPresent = 5;

void WriteCursor(ByteWriter& w, const Cursor& cursor) {
  w.WriteBigInt64(cursor.db_version);
  w.WriteVarInt(cursor.seq);
}

void WriteValue(ByteWriter& w, const Value& value) {
  w.WriteUint8(static_cast<uint8_t>(TypeOf(value)));
  switch (TypeOf(value)) {
    case ValueType::kNull:
      break;
    case ValueType::kBigInt:
      w.WriteBigInt64(std::get<int64_t>(value));
      break;
    case ValueType::kNumber:
      w.WriteFloat64(std::get<double>(value));
      break;
    case ValueType::kString:
      w.WriteVarString(std::get<std::string>(value));
      break;
    case ValueType::kBool:
      w.WriteUint8(std::get<bool>(value) ? 1 : 0);
      break;
    case ValueType::kBlob:
      w.WriteVarBytes(std::get<Bytes>(value));
      break;
  }
}

void WriteChange(ByteWriter& w, const Change& c) {
  w.WriteVarString(c.table);
  w.WriteVarBytes(c.pk);
  w.WriteVarString(c.cid);
  WriteValue(w, c.val);
  w.WriteBigInt64(c.col_version);
  w.WriteBigInt64(c.db_version);
  if (c.site_id) {
    w.WriteUint8(kSiteIdPresent);
    w.WriteBytes(*c.site_id);
  } else {
    w.WriteUint8(kSiteIdAbsent);
  }
  w.WriteBigInt64(c.cl);
  w.WriteVarInt(c.seq);
}

void WriteChanges(ByteWriter& w, const std::vector<Change>& changes) {
  w.WriteVarUint(changes.size());
  for (const Change& c : changes) WriteChange(w, c);
}

void WriteBody(ByteWriter& w, const AnnouncePresence& m) {
  w.WriteBytes(m.sender);
  w.WriteVarUint(m.last_seens.size());
  for (const LastSeen& entry : m.last_seens) {
    w.WriteBytes(entry.site_id);
    WriteCursor(w, entry.cursor);
  }
  w.WriteVarString(m.schema_name);
  w.WriteBigInt64(m.schema_version);
}

void WriteBody(ByteWriter& w, const Changes& m) {
  w.WriteBytes(m.sender);
  WriteCursor(w, m.since);
  WriteChanges(w, m.changes);
}

void WriteBody(ByteWriter& w, const RejectChanges& m) {
  w.WriteBytes(m.whose);
  WriteCursor(w, m.since);
}

void WriteBody(ByteWriter& w, const StartStreaming& m) {
  WriteCursor(w, m.since);
  w.WriteVarUint(m.exclude_sites.size());
  for (const SiteId& site : m.exclude_sites) w.WriteBytes(site);
  w.WriteUint8(m.local_only ? 1 : 0);
}

void WriteBody(ByteWriter& w, const CreateDbOnPrimary& m) {
  w.WriteVarInt(m.reqid);
  w.WriteVarString(m.room);
  w.WriteVarString(m.schema_name);
  w.WriteBigInt64(m.schema_version);
}

void WriteBody(ByteWriter& w, const ApplyChangesOnPrimary& m) {
  w.WriteVarInt(m.reqid);
  w.WriteBytes(m.sender);
  WriteChanges(w, m.changes);
  w.WriteVarString(m.room);
  WriteCursor(w, m.new_last_seen);
}

void WriteBody(ByteWriter&, const Ping&) {}
void WriteBody(ByteWriter&, const Pong&) {}

void WriteBody(ByteWriter& w, const CreateDbOnPrimaryResponse& m) {
  w.WriteVarInt(m.reqid);
  w.WriteBigInt64(m.txid);
}

void WriteBody(ByteWriter& w, const Err& m) {
  w.WriteVarInt(m.reqid);
  w.WriteVarString(m.err);
}

void WriteBody(ByteWriter& w, const ApplyChangesOnPrimaryResponse& m) { w.WriteVarInt(m.reqid); }

// ---- Validate -----------------------------------------------------------------------------

Status CheckVarInt(int64_t value, std::string_view field) {
  // -kMaxSafeInteger <= value <= kMaxSafeInteger, written without overflowing on INT64_MIN.
  const bool ok = value >= 0 ? static_cast<uint64_t>(value) <= kMaxSafeInteger
                             : value >= -static_cast<int64_t>(kMaxSafeInteger);
  if (ok) return Status();
  return Status::InvalidArgument(std::string(field) + " " + std::to_string(value) +
                                 " is outside +-(2^53 - 1), which lib0 peers cannot read");
}

Status CheckString(const std::string& text, std::string_view field) {
  if (IsValidUtf8(text)) return Status();
  return Status::InvalidArgument(std::string(field) +
                                 " is not well-formed UTF-8 (Encode would replace bytes)");
}

Status CheckCount(size_t count, size_t limit, std::string_view field) {
  if (count <= limit) return Status();
  return Status::ResourceExhausted(std::string(field) + " has " + std::to_string(count) +
                                   " entries, more than the limit of " + std::to_string(limit));
}

Status CheckChanges(const std::vector<Change>& changes, const DecodeOptions& limits) {
  CRSYNC_RETURN_IF_ERROR(CheckCount(changes.size(), limits.max_changes, "changes"));
  for (size_t i = 0; i < changes.size(); ++i) {
    const Change& c = changes[i];
    Status status = CheckString(c.table, "table");
    if (status.ok()) status = CheckString(c.cid, "cid");
    if (status.ok()) {
      if (const auto* text = std::get_if<std::string>(&c.val)) status = CheckString(*text, "val");
    }
    if (status.ok()) status = CheckVarInt(c.seq, "seq");
    if (!status.ok()) return status.WithContext("change " + std::to_string(i));
  }
  return Status();
}

Status ValidateBody(const AnnouncePresence& m, const DecodeOptions& limits) {
  CRSYNC_RETURN_IF_ERROR(CheckCount(m.last_seens.size(), limits.max_sites, "lastSeens"));
  for (const LastSeen& entry : m.last_seens) {
    CRSYNC_RETURN_IF_ERROR(CheckVarInt(entry.cursor.seq, "lastSeens seq"));
  }
  return CheckString(m.schema_name, "schemaName");
}

Status ValidateBody(const Changes& m, const DecodeOptions& limits) {
  CRSYNC_RETURN_IF_ERROR(CheckVarInt(m.since.seq, "since.seq"));
  return CheckChanges(m.changes, limits);
}

Status ValidateBody(const RejectChanges& m, const DecodeOptions&) {
  return CheckVarInt(m.since.seq, "since.seq");
}

Status ValidateBody(const StartStreaming& m, const DecodeOptions& limits) {
  CRSYNC_RETURN_IF_ERROR(CheckVarInt(m.since.seq, "since.seq"));
  return CheckCount(m.exclude_sites.size(), limits.max_sites, "excludeSites");
}

Status ValidateBody(const CreateDbOnPrimary& m, const DecodeOptions&) {
  CRSYNC_RETURN_IF_ERROR(CheckVarInt(m.reqid, "_reqid"));
  CRSYNC_RETURN_IF_ERROR(CheckString(m.room, "room"));
  return CheckString(m.schema_name, "schemaName");
}

Status ValidateBody(const ApplyChangesOnPrimary& m, const DecodeOptions& limits) {
  CRSYNC_RETURN_IF_ERROR(CheckVarInt(m.reqid, "_reqid"));
  CRSYNC_RETURN_IF_ERROR(CheckChanges(m.changes, limits));
  CRSYNC_RETURN_IF_ERROR(CheckString(m.room, "room"));
  return CheckVarInt(m.new_last_seen.seq, "newLastSeen.seq");
}

Status ValidateBody(const Ping&, const DecodeOptions&) { return Status(); }
Status ValidateBody(const Pong&, const DecodeOptions&) { return Status(); }

Status ValidateBody(const CreateDbOnPrimaryResponse& m, const DecodeOptions&) {
  return CheckVarInt(m.reqid, "_reqid");
}

Status ValidateBody(const Err& m, const DecodeOptions&) {
  CRSYNC_RETURN_IF_ERROR(CheckVarInt(m.reqid, "_reqid"));
  return CheckString(m.err, "err");
}

Status ValidateBody(const ApplyChangesOnPrimaryResponse& m, const DecodeOptions&) {
  return CheckVarInt(m.reqid, "_reqid");
}

template <typename M>
std::vector<uint8_t> EncodeOne(const M& message) {
  ByteWriter writer;
  // A rough size, so that typical messages are written without reallocating.
  size_t size_hint = 64;
  if constexpr (requires { message.changes; }) size_hint += 64 * message.changes.size();
  writer.Reserve(size_hint);
  writer.WriteUint8(static_cast<uint8_t>(M::kTag));
  WriteBody(writer, message);
  return writer.Release();
}

template <typename M>
Status ValidateOne(const M& message, const DecodeOptions& limits) {
  return ValidateBody(message, limits).WithContext(TagName(M::kTag));
}

}  // namespace

std::vector<uint8_t> Encode(const Message& message) {
  return std::visit([](const auto& m) { return EncodeOne(m); }, message);
}

std::vector<uint8_t> Encode(const AnnouncePresence& m) { return EncodeOne(m); }
std::vector<uint8_t> Encode(const Changes& m) { return EncodeOne(m); }
std::vector<uint8_t> Encode(const RejectChanges& m) { return EncodeOne(m); }
std::vector<uint8_t> Encode(const StartStreaming& m) { return EncodeOne(m); }
std::vector<uint8_t> Encode(const CreateDbOnPrimary& m) { return EncodeOne(m); }
std::vector<uint8_t> Encode(const ApplyChangesOnPrimary& m) { return EncodeOne(m); }
std::vector<uint8_t> Encode(const Ping& m) { return EncodeOne(m); }
std::vector<uint8_t> Encode(const Pong& m) { return EncodeOne(m); }
std::vector<uint8_t> Encode(const CreateDbOnPrimaryResponse& m) { return EncodeOne(m); }
std::vector<uint8_t> Encode(const Err& m) { return EncodeOne(m); }
std::vector<uint8_t> Encode(const ApplyChangesOnPrimaryResponse& m) { return EncodeOne(m); }

std::vector<uint8_t> EncodeChange(const Change& change) {
  ByteWriter writer;
  writer.Reserve(64 + change.table.size() + change.pk.size() + change.cid.size());
  WriteChange(writer, change);
  return writer.Release();
}

std::vector<uint8_t> EncodeChanges(const SiteId& sender, const Cursor& since,
                                   std::span<const std::span<const uint8_t>> records) {
  size_t size = 1 + kSiteIdSize + 8 + 10 + 10;  // tag, sender, cursor, count
  for (std::span<const uint8_t> record : records) size += record.size();
  ByteWriter writer;
  writer.Reserve(size);
  writer.WriteUint8(static_cast<uint8_t>(Changes::kTag));
  writer.WriteBytes(sender);
  WriteCursor(writer, since);
  writer.WriteVarUint(records.size());
  for (std::span<const uint8_t> record : records) writer.WriteBytes(record);
  return writer.Release();
}

Status Validate(const Message& message, const DecodeOptions& limits) {
  return std::visit([&limits](const auto& m) { return ValidateOne(m, limits); }, message);
}

Status Validate(const AnnouncePresence& m, const DecodeOptions& l) { return ValidateOne(m, l); }
Status Validate(const Changes& m, const DecodeOptions& l) { return ValidateOne(m, l); }
Status Validate(const RejectChanges& m, const DecodeOptions& l) { return ValidateOne(m, l); }
Status Validate(const StartStreaming& m, const DecodeOptions& l) { return ValidateOne(m, l); }
Status Validate(const CreateDbOnPrimary& m, const DecodeOptions& l) { return ValidateOne(m, l); }
Status Validate(const ApplyChangesOnPrimary& m, const DecodeOptions& l) {
  return ValidateOne(m, l);
}
Status Validate(const Ping& m, const DecodeOptions& l) { return ValidateOne(m, l); }
Status Validate(const Pong& m, const DecodeOptions& l) { return ValidateOne(m, l); }
Status Validate(const CreateDbOnPrimaryResponse& m, const DecodeOptions& l) {
  return ValidateOne(m, l);
}
Status Validate(const Err& m, const DecodeOptions& l) { return ValidateOne(m, l); }
Status Validate(const ApplyChangesOnPrimaryResponse& m, const DecodeOptions& l) {
  return ValidateOne(m, l);
}

}  // namespace crsync::protocol

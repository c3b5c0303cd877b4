// Decode (see codec.h): one function per wire structure, each reading fields in wire order with
// a bounds-checked ByteReader. Errors get their field name prepended on the way out, so a
// failure reads like "Changes: change 3: val: unknown value type 9 at offset 120".
// Allocation is bounded: a count is checked against the bytes that remain (divided by the
// smallest possible encoding of one entry) before any vector is reserved, and strings and byte
// arrays are copied only after their length was checked against the input.
#include <algorithm>
#include <string>
#include <utility>

#include "common/byte_reader.h"
#include "protocol/codec.h"

namespace crsync::protocol {
namespace {

// Smallest encodings, used to bound counts before reserving.
constexpr size_t kMinLastSeenBytes = kSiteIdSize + 8 + 1;  // site id, BigInt64, varint
// table, pk, cid (1-byte lengths), value type byte, col_version, db_version, site-id presence
// byte, cl, seq (1-byte varint).
constexpr size_t kMinChangeBytes = 1 + 1 + 1 + 1 + 8 + 8 + 1 + 8 + 1;
// Vectors are reserved up to this many entries and then grow with the entries actually decoded,
// so a message that announces many entries but is cut short fails before it can make us hold
// more than a few times its own size.
constexpr size_t kReserveChunk = 4096;

class Decoder {
 public:
  Decoder(std::span<const uint8_t> bytes, const DecodeOptions& options)
      : reader_(bytes), options_(options) {}

  Status AnnouncePresenceBody(AnnouncePresence* m) {
    CRSYNC_RETURN_IF_ERROR(Field(reader_.ReadArray<kSiteIdSize>(), &m->sender, "sender"));
    size_t count = 0;
    CRSYNC_RETURN_IF_ERROR(Count(kMinLastSeenBytes, options_.max_sites, "lastSeens", &count));
    m->last_seens.reserve(std::min(count, kReserveChunk));
    for (size_t i = 0; i < count; ++i) {
      LastSeen& entry = m->last_seens.emplace_back();
      Status status = Field(reader_.ReadArray<kSiteIdSize>(), &entry.site_id, "site_id");
      if (status.ok()) status = CursorFields(&entry.cursor);
      if (!status.ok()) return status.WithContext("lastSeens[" + std::to_string(i) + "]");
    }
    CRSYNC_RETURN_IF_ERROR(Field(reader_.ReadVarString(), &m->schema_name, "schemaName"));
    return Field(reader_.ReadBigInt64(), &m->schema_version, "schemaVersion");
  }

  Status ChangesBody(Changes* m) {
    CRSYNC_RETURN_IF_ERROR(Field(reader_.ReadArray<kSiteIdSize>(), &m->sender, "sender"));
    CRSYNC_RETURN_IF_ERROR(CursorFields(&m->since).WithContext("since"));
    return ChangeList(&m->changes);
  }

  Status RejectChangesBody(RejectChanges* m) {
    CRSYNC_RETURN_IF_ERROR(Field(reader_.ReadArray<kSiteIdSize>(), &m->whose, "whose"));
    return CursorFields(&m->since).WithContext("since");
  }

  Status StartStreamingBody(StartStreaming* m) {
    CRSYNC_RETURN_IF_ERROR(CursorFields(&m->since).WithContext("since"));
    size_t count = 0;
    CRSYNC_RETURN_IF_ERROR(Count(kSiteIdSize, options_.max_sites, "excludeSites", &count));
    m->exclude_sites.reserve(std::min(count, kReserveChunk));
    for (size_t i = 0; i < count; ++i) {
      auto site = reader_.ReadArray<kSiteIdSize>();
      if (!site.ok()) return site.status().WithContext("excludeSites[" + std::to_string(i) + "]");
      m->exclude_sites.push_back(*site);
    }
    uint8_t local_only = 0;
    CRSYNC_RETURN_IF_ERROR(Field(reader_.ReadUint8(), &local_only, "localOnly"));
    m->local_only = local_only == 1;  // ws-common: only 01 is true
    return Status();
  }

  Status CreateDbOnPrimaryBody(CreateDbOnPrimary* m) {
    CRSYNC_RETURN_IF_ERROR(Field(reader_.ReadVarInt(), &m->reqid, "_reqid"));
    CRSYNC_RETURN_IF_ERROR(Field(reader_.ReadVarString(), &m->room, "room"));
    CRSYNC_RETURN_IF_ERROR(Field(reader_.ReadVarString(), &m->schema_name, "schemaName"));
    return Field(reader_.ReadBigInt64(), &m->schema_version, "schemaVersion");
  }

  Status ApplyChangesOnPrimaryBody(ApplyChangesOnPrimary* m) {
    CRSYNC_RETURN_IF_ERROR(Field(reader_.ReadVarInt(), &m->reqid, "_reqid"));
    CRSYNC_RETURN_IF_ERROR(Field(reader_.ReadArray<kSiteIdSize>(), &m->sender, "sender"));
    CRSYNC_RETURN_IF_ERROR(ChangeList(&m->changes));
    CRSYNC_RETURN_IF_ERROR(Field(reader_.ReadVarString(), &m->room, "room"));
    return CursorFields(&m->new_last_seen).WithContext("newLastSeen");
  }

  Status CreateDbOnPrimaryResponseBody(CreateDbOnPrimaryResponse* m) {
    CRSYNC_RETURN_IF_ERROR(Field(reader_.ReadVarInt(), &m->reqid, "_reqid"));
    return Field(reader_.ReadBigInt64(), &m->txid, "txid");
  }

  Status ErrBody(Err* m) {
    CRSYNC_RETURN_IF_ERROR(Field(reader_.ReadVarInt(), &m->reqid, "_reqid"));
    return Field(reader_.ReadVarString(), &m->err, "err");
  }

  Status ApplyChangesOnPrimaryResponseBody(ApplyChangesOnPrimaryResponse* m) {
    return Field(reader_.ReadVarInt(), &m->reqid, "_reqid");
  }

  ByteReader& reader() { return reader_; }

 private:
  // Moves a successful read into *out, or returns its error prefixed with the field name.
  template <typename T, typename U>
  static Status Field(Result<T> result, U* out, std::string_view name) {
    if (!result.ok()) return result.status().WithContext(name);
    *out = std::move(result).value();
    return Status();
  }

  // A varuint count of entries that each take at least min_entry_bytes.
  Status Count(size_t min_entry_bytes, size_t limit, std::string_view what, size_t* out) {
    const size_t offset = reader_.position();
    auto count = reader_.ReadVarUint();
    if (!count.ok()) return count.status().WithContext(std::string(what) + " count");
    if (*count > reader_.remaining() / min_entry_bytes) {
      return Status::OutOfRange(std::string(what) + " count " + std::to_string(*count) +
                                " at offset " + std::to_string(offset) + " needs at least " +
                                std::to_string(min_entry_bytes) + " bytes per entry, only " +
                                std::to_string(reader_.remaining()) + " left");
    }
    if (*count > limit) {
      return Status::ResourceExhausted(std::string(what) + " count " + std::to_string(*count) +
                                       " at offset " + std::to_string(offset) +
                                       " exceeds the limit of " + std::to_string(limit));
    }
    *out = static_cast<size_t>(*count);
    return Status();
  }

  // BigInt64 db_version, varint seq.
  Status CursorFields(Cursor* cursor) {
    CRSYNC_RETURN_IF_ERROR(Field(reader_.ReadBigInt64(), &cursor->db_version, "db_version"));
    return Field(reader_.ReadVarInt(), &cursor->seq, "seq");
  }

  Status ChangeList(std::vector<Change>* changes) {
    size_t count = 0;
    CRSYNC_RETURN_IF_ERROR(Count(kMinChangeBytes, options_.max_changes, "changes", &count));
    changes->reserve(std::min(count, kReserveChunk));
    for (size_t i = 0; i < count; ++i) {
      Status status = OneChange(&changes->emplace_back());
      if (!status.ok()) return status.WithContext("change " + std::to_string(i));
    }
    return Status();
  }

  Status OneChange(Change* c) {
    CRSYNC_RETURN_IF_ERROR(Field(reader_.ReadVarString(), &c->table, "table"));
    std::span<const uint8_t> pk;
    CRSYNC_RETURN_IF_ERROR(Field(reader_.ReadVarBytes(), &pk, "pk"));
    c->pk.assign(pk.begin(), pk.end());
    CRSYNC_RETURN_IF_ERROR(Field(reader_.ReadVarString(), &c->cid, "cid"));
    CRSYNC_RETURN_IF_ERROR(TypedValue(&c->val).WithContext("val"));
    CRSYNC_RETURN_IF_ERROR(Field(reader_.ReadBigInt64(), &c->col_version, "col_version"));
    CRSYNC_RETURN_IF_ERROR(Field(reader_.ReadBigInt64(), &c->db_version, "db_version"));
    uint8_t presence = 0;
    CRSYNC_RETURN_IF_ERROR(Field(reader_.ReadUint8(), &presence, "site_id"));
    if (presence != 0) {  // ws-common writes 05; any non-zero byte means "present"
      SiteId site_id;
      CRSYNC_RETURN_IF_ERROR(Field(reader_.ReadArray<kSiteIdSize>(), &site_id, "site_id"));
      c->site_id = site_id;
    }
    CRSYNC_RETURN_IF_ERROR(Field(reader_.ReadBigInt64(), &c->cl, "cl"));
    return Field(reader_.ReadVarInt(), &c->seq, "seq");
  }

  Status TypedValue(Value* value) {
    const size_t offset = reader_.position();
    uint8_t type = 0;
    CRSYNC_RETURN_IF_ERROR(Field(reader_.ReadUint8(), &type, "type"));
    switch (static_cast<ValueType>(type)) {
      case ValueType::kNull:
        *value = Null{};
        return Status();
      case ValueType::kBigInt: {
        int64_t v = 0;
        CRSYNC_RETURN_IF_ERROR(Field(reader_.ReadBigInt64(), &v, "bigint"));
        *value = v;
        return Status();
      }
      case ValueType::kNumber: {
        double v = 0;
        CRSYNC_RETURN_IF_ERROR(Field(reader_.ReadFloat64(), &v, "float64"));
        *value = v;
        return Status();
      }
      case ValueType::kString: {
        std::string v;
        CRSYNC_RETURN_IF_ERROR(Field(reader_.ReadVarString(), &v, "string"));
        *value = std::move(v);
        return Status();
      }
      case ValueType::kBool: {
        uint8_t v = 0;
        CRSYNC_RETURN_IF_ERROR(Field(reader_.ReadUint8(), &v, "bool"));
        *value = (v == 1);  // ws-common: only 01 is true
        return Status();
      }
      case ValueType::kBlob: {
        std::span<const uint8_t> v;
        CRSYNC_RETURN_IF_ERROR(Field(reader_.ReadVarBytes(), &v, "blob"));
        *value = Bytes(v.begin(), v.end());
        return Status();
      }
    }
    return Status::DataLoss("unknown value type " + std::to_string(type) + " at offset " +
                            std::to_string(offset));
  }

  ByteReader reader_;
  const DecodeOptions& options_;
};

// Decodes the body of message type M with the given member function.
template <typename M>
Result<Message> Body(Decoder& decoder, Status (Decoder::*read)(M*)) {
  M message;
  Status status = (decoder.*read)(&message);
  if (!status.ok()) return status.WithContext(TagName(M::kTag));
  return Message(std::move(message));
}

Result<Message> DecodeBody(Decoder& decoder, uint8_t tag) {
  switch (static_cast<Tag>(tag)) {
    case Tag::kAnnouncePresence:
      return Body(decoder, &Decoder::AnnouncePresenceBody);
    case Tag::kChanges:
      return Body(decoder, &Decoder::ChangesBody);
    case Tag::kRejectChanges:
      return Body(decoder, &Decoder::RejectChangesBody);
    case Tag::kStartStreaming:
      return Body(decoder, &Decoder::StartStreamingBody);
    case Tag::kCreateDbOnPrimary:
      return Body(decoder, &Decoder::CreateDbOnPrimaryBody);
    case Tag::kApplyChangesOnPrimary:
      return Body(decoder, &Decoder::ApplyChangesOnPrimaryBody);
    case Tag::kPing:
      return Message(Ping{});
    case Tag::kPong:
      return Message(Pong{});
    case Tag::kCreateDbOnPrimaryResponse:
      return Body(decoder, &Decoder::CreateDbOnPrimaryResponseBody);
    case Tag::kErr:
      return Body(decoder, &Decoder::ErrBody);
    case Tag::kApplyChangesOnPrimaryResponse:
      return Body(decoder, &Decoder::ApplyChangesOnPrimaryResponseBody);
  }
  return Status::DataLoss("unknown message tag " + std::to_string(tag));
}

}  // namespace

Result<Message> Decode(std::span<const uint8_t> bytes, const DecodeOptions& options,
                       DecodeInfo* info) {
  if (bytes.size() > options.max_message_bytes) {
    return Status::ResourceExhausted("message of " + std::to_string(bytes.size()) +
                                     " bytes exceeds the limit of " +
                                     std::to_string(options.max_message_bytes));
  }
  if (bytes.empty()) return Status::OutOfRange("empty message (no tag byte)");
  Decoder decoder(bytes, options);
  const uint8_t tag = *decoder.reader().ReadUint8();  // non-empty: cannot fail
  Result<Message> message = DecodeBody(decoder, tag);
  if (!message.ok()) return message;
  const size_t trailing = decoder.reader().remaining();
  if (trailing > 0 && !options.allow_trailing_bytes) {
    return Status::DataLoss(std::to_string(trailing) + " unexpected byte(s) after the " +
                            std::string(TagName(static_cast<Tag>(tag))) + " message at offset " +
                            std::to_string(decoder.reader().position()));
  }
  if (info != nullptr) info->trailing_bytes = trailing;
  return message;
}

}  // namespace crsync::protocol

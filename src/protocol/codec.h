// The sync message codec: bytes of one WebSocket message <-> protocol::Message.
//
// Byte-compatible with @vlcn.io/ws-common 0.2.0's encode()/decode() (sync-protocol.md §2, §3):
// Encode(m) produces exactly the bytes ws-common's encode() produces for the same message, and
// Decode accepts everything ws-common's decode() accepts *with the same meaning*, except where
// the spec (§3.9) asks a C++ peer to be stricter. Decode is total over arbitrary bytes: every
// malformed input yields a non-OK Status, never a crash, exception or allocation larger than a
// small multiple of the input (counts are bounded by the bytes that remain before anything is
// reserved). Decisions where the spec leaves room are listed in docs/protocol.md; in short:
//   * bytes after the last field are ignored by default (as ws-common does) and reported in
//     DecodeInfo; DecodeOptions::allow_trailing_bytes = false rejects them;
//   * any truncation is an error, including the cases ws-common reads as 0/false (a missing
//     final `seq` varint, a missing StartStreaming `localOnly` byte);
//   * lenient where ws-common is lenient and the meaning is unambiguous: a site-id presence byte
//     other than 00 means "present", a BOOL/localOnly byte other than 01 means false,
//     non-minimal varints are accepted; re-encoding canonicalises all of them;
//   * varuint/varint values above 2^53 - 1, value types above 5, unknown tags (0, 12-255), the
//     empty message and ill-formed UTF-8 are errors.
// Error codes: kOutOfRange for truncation (including a count or length larger than the bytes
// left), kDataLoss for malformed content, kResourceExhausted for a configured limit.
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "common/status.h"
#include "protocol/message.h"

namespace crsync::protocol {

struct DecodeOptions {
  // Larger messages are refused before any parsing. The default is the reference server's
  // WebSocket maxPayload (100 MiB, sync-protocol.md §1.5).
  size_t max_message_bytes = 100 * 1024 * 1024;
  // Most change records in one Changes / ApplyChangesOnPrimary. A record is at least 30 bytes,
  // so the default (4 Mi) never binds before max_message_bytes does; lower it to cap the memory
  // one message may take once decoded (roughly 200 bytes per change plus its strings).
  size_t max_changes = 4 * 1024 * 1024;
  // Most entries in AnnouncePresence.lastSeens or StartStreaming.excludeSites.
  size_t max_sites = 64 * 1024;
  // ws-common ignores bytes after the last field; so do we unless this is false.
  bool allow_trailing_bytes = true;
};

struct DecodeInfo {
  size_t trailing_bytes = 0;  // bytes after the last field (0 for a canonical message)
};

// Decodes one complete message. On success, fills *info (if given). Errors as described above;
// the message text names the field and byte offset.
Result<Message> Decode(std::span<const uint8_t> bytes, const DecodeOptions& options = {},
                       DecodeInfo* info = nullptr);

// Encodes a message exactly as ws-common's encode() would. Never fails: site ids are 16 bytes
// by type; ill-formed UTF-8 in a string is replaced by U+FFFD per maximal subpart (what a
// JavaScript peer would have sent, §7.2); a site_id is written as 05 + 16 bytes, a missing one as
// 00. `seq`/`reqid` values outside +-(2^53 - 1) are written faithfully but no lib0 peer (nor
// Decode) accepts them; call Validate first when they might be out of range.
std::vector<uint8_t> Encode(const Message& message);

// The same for one message struct, without first copying it into a Message.
std::vector<uint8_t> Encode(const AnnouncePresence& message);
std::vector<uint8_t> Encode(const Changes& message);
std::vector<uint8_t> Encode(const RejectChanges& message);
std::vector<uint8_t> Encode(const StartStreaming& message);
std::vector<uint8_t> Encode(const CreateDbOnPrimary& message);
std::vector<uint8_t> Encode(const ApplyChangesOnPrimary& message);
std::vector<uint8_t> Encode(const Ping& message);
std::vector<uint8_t> Encode(const Pong& message);
std::vector<uint8_t> Encode(const CreateDbOnPrimaryResponse& message);
std::vector<uint8_t> Encode(const Err& message);
std::vector<uint8_t> Encode(const ApplyChangesOnPrimaryResponse& message);

// Pre-encoded changes, for fan-out (a server encodes each change once and sends it to many):
// EncodeChange returns the bytes one change record takes inside a Changes message;
// EncodeChanges builds a Changes message from such records (in order). The result is exactly
// Encode(Changes{sender, since, changes}) for the changes the records were made from.
std::vector<uint8_t> EncodeChange(const Change& change);
std::vector<uint8_t> EncodeChanges(const SiteId& sender, const Cursor& since,
                                   std::span<const std::span<const uint8_t>> records);

// OK when Decode(Encode(message), limits) would return exactly message: every seq/reqid within
// +-(2^53 - 1), every string well-formed UTF-8, counts within limits.max_changes/max_sites.
// (The encoded size is not checked; compare Encode(message).size() with the peer's limit.)
// Otherwise kInvalidArgument or kResourceExhausted naming the first offending field.
Status Validate(const Message& message, const DecodeOptions& limits = {});
Status Validate(const AnnouncePresence& message, const DecodeOptions& limits = {});
Status Validate(const Changes& message, const DecodeOptions& limits = {});
Status Validate(const RejectChanges& message, const DecodeOptions& limits = {});
Status Validate(const StartStreaming& message, const DecodeOptions& limits = {});
Status Validate(const CreateDbOnPrimary& message, const DecodeOptions& limits = {});
Status Validate(const ApplyChangesOnPrimary& message, const DecodeOptions& limits = {});
Status Validate(const Ping& message, const DecodeOptions& limits = {});
Status Validate(const Pong& message, const DecodeOptions& limits = {});
Status Validate(const CreateDbOnPrimaryResponse& message, const DecodeOptions& limits = {});
Status Validate(const Err& message, const DecodeOptions& limits = {});
Status Validate(const ApplyChangesOnPrimaryResponse& message, const DecodeOptions& limits = {});

}  // namespace crsync::protocol

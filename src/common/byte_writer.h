// ByteWriter: appends lib0's binary primitives to a growing buffer.
//
// These are exactly the encodings @vlcn.io/ws-common 0.2.0 gets from lib0 0.2.120's
// `encoding` module (sync-protocol.md §2): uint8; varuint (minimal unsigned LEB128); lib0's
// signed varint (sign-magnitude with the sign in bit 6 of the first byte, NOT zigzag); BigInt64
// and Float64 big-endian; varUint8Array and varString (varuint byte length + bytes). Writing
// cannot fail; the only policy here is that varString always emits well-formed UTF-8, repairing
// ill-formed input the way TextEncoder would (U+FFFD), so no peer's fatal decoder can choke on
// what we send. Not thread-safe (one writer per thread).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace crsync {

class ByteWriter {
 public:
  ByteWriter() = default;

  void Reserve(size_t bytes) { buffer_.reserve(bytes); }

  void WriteUint8(uint8_t value) { buffer_.push_back(value); }

  // Minimal unsigned LEB128 (7 bits per byte, least significant first). lib0 peers only read
  // values up to 2^53 - 1; larger ones are written faithfully but no peer will accept them.
  void WriteVarUint(uint64_t value);

  // lib0 signed varint: first byte [continue][sign][6 low bits of |value|], then |value| >> 6
  // as varuint groups. Same 2^53 - 1 caveat as WriteVarUint. Never writes negative zero (40).
  void WriteVarInt(int64_t value);

  // 8 bytes, two's complement, big-endian (DataView.setBigInt64).
  void WriteBigInt64(int64_t value);

  // IEEE-754 binary64, big-endian, bit pattern preserved (NaN payloads included).
  void WriteFloat64(double value);

  // Raw bytes, no length prefix (fixed-size fields such as site ids).
  void WriteBytes(std::span<const uint8_t> bytes);

  // varuint length, then the bytes (lib0 writeVarUint8Array).
  void WriteVarBytes(std::span<const uint8_t> bytes);

  // varuint UTF-8 byte length, then the UTF-8 bytes (lib0 writeVarString). Ill-formed UTF-8 in
  // text is replaced by U+FFFD per maximal subpart first.
  void WriteVarString(std::string_view text);

  size_t size() const { return buffer_.size(); }
  const std::vector<uint8_t>& bytes() const { return buffer_; }

  // Moves the buffer out; the writer is empty afterwards.
  std::vector<uint8_t> Release() { return std::move(buffer_); }

 private:
  std::vector<uint8_t> buffer_;
};

}  // namespace crsync

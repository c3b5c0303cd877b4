// ByteReader: a bounds-checked cursor that reads lib0's binary primitives from untrusted bytes.
//
// The inverse of ByteWriter (sync-protocol.md §2), with the strictness the spec recommends for
// a C++ peer (§3.9) where lib0's own decoder is lax:
//   * every read is bounds-checked; running past the end is kOutOfRange, never a zero/undefined
//     value (lib0 reads a missing uint8 or varint first byte as undefined/0);
//   * varuint and varint magnitudes above 2^53 - 1 (JavaScript's MAX_SAFE_INTEGER, the most a
//     lib0 peer can produce) are kDataLoss, however the overflow happens;
//   * non-minimal forms ("80 00" = 0) are accepted, as lib0 accepts them, however long;
//   * varString must be well-formed UTF-8 (lib0 uses a fatal TextDecoder); a BOM is kept.
// Nothing here allocates more than the input already holds: lengths are checked against the
// remaining bytes before any copy. On error the position is left where the failed read started.
// The reader borrows the span; the caller keeps the bytes alive. Not thread-safe.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <span>
#include <string>

#include "common/status.h"

namespace crsync {

// 2^53 - 1: the largest integer a lib0 varuint/varint may carry.
inline constexpr uint64_t kMaxSafeInteger = (uint64_t{1} << 53) - 1;

class ByteReader {
 public:
  explicit ByteReader(std::span<const uint8_t> data) : data_(data) {}

  size_t position() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }
  bool AtEnd() const { return pos_ == data_.size(); }

  Result<uint8_t> ReadUint8();

  // Unsigned LEB128, value <= kMaxSafeInteger.
  Result<uint64_t> ReadVarUint();

  // lib0 signed varint, |value| <= kMaxSafeInteger. Negative zero ("40") reads as 0.
  Result<int64_t> ReadVarInt();

  Result<int64_t> ReadBigInt64();  // 8 bytes big-endian two's complement
  Result<double> ReadFloat64();    // 8 bytes big-endian IEEE-754, bits preserved

  // The next n bytes, as a view into the input (no copy).
  Result<std::span<const uint8_t>> ReadBytes(size_t n);

  // The next N bytes copied into an array (fixed-size fields such as site ids).
  template <size_t N>
  Result<std::array<uint8_t, N>> ReadArray() {
    auto bytes = ReadBytes(N);
    if (!bytes.ok()) return bytes.status();
    std::array<uint8_t, N> out;
    std::copy(bytes->begin(), bytes->end(), out.begin());
    return out;
  }

  // varuint length, then that many bytes (a view into the input).
  Result<std::span<const uint8_t>> ReadVarBytes();

  // varuint length, then that many bytes of well-formed UTF-8.
  Result<std::string> ReadVarString();

 private:
  // Shared by ReadVarUint/ReadVarInt: continues a LEB128 number whose first `shift` bits of
  // magnitude are already in *magnitude, reading from *pos. Returns the error, if any.
  Status ContinueVarUint(size_t* pos, unsigned shift, uint64_t* magnitude) const;
  Status Truncated(size_t needed) const;

  std::span<const uint8_t> data_;
  size_t pos_ = 0;
};

}  // namespace crsync

// ByteWriter (see byte_writer.h).
#include "common/byte_writer.h"

#include <bit>
#include <string>

#include "common/utf8.h"

namespace crsync {

void ByteWriter::WriteVarUint(uint64_t value) {
  while (value > 0x7f) {
    buffer_.push_back(static_cast<uint8_t>(0x80 | (value & 0x7f)));
    value >>= 7;
  }
  buffer_.push_back(static_cast<uint8_t>(value));
}

void ByteWriter::WriteVarInt(int64_t value) {
  const bool negative = value < 0;
  // Magnitude computed in unsigned arithmetic so INT64_MIN does not overflow.
  uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(value) : static_cast<uint64_t>(value);
  buffer_.push_back(static_cast<uint8_t>((magnitude > 0x3f ? 0x80 : 0) | (negative ? 0x40 : 0) |
                                         (magnitude & 0x3f)));
  magnitude >>= 6;
  while (magnitude > 0) {
    buffer_.push_back(static_cast<uint8_t>((magnitude > 0x7f ? 0x80 : 0) | (magnitude & 0x7f)));
    magnitude >>= 7;
  }
}

void ByteWriter::WriteBigInt64(int64_t value) {
  const uint64_t bits = static_cast<uint64_t>(value);
  for (int shift = 56; shift >= 0; shift -= 8) {
    buffer_.push_back(static_cast<uint8_t>(bits >> shift));
  }
}

void ByteWriter::WriteFloat64(double value) {
  WriteBigInt64(static_cast<int64_t>(std::bit_cast<uint64_t>(value)));
}

void ByteWriter::WriteBytes(std::span<const uint8_t> bytes) {
  buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
}

void ByteWriter::WriteVarBytes(std::span<const uint8_t> bytes) {
  WriteVarUint(bytes.size());
  WriteBytes(bytes);
}

void ByteWriter::WriteVarString(std::string_view text) {
  if (!IsValidUtf8(text)) {
    const std::string repaired = RepairUtf8(text);
    WriteVarString(repaired);
    return;
  }
  WriteVarUint(text.size());
  buffer_.insert(buffer_.end(), text.begin(), text.end());
}

}  // namespace crsync

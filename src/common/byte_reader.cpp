// ByteReader (see byte_reader.h). Varint magnitudes are accumulated in a uint64_t with an
// explicit range check before each shift, so no input can shift a bit past bit 52 or cause
// undefined behaviour; zero groups of an over-long non-minimal form are skipped without shifting.
#include "common/byte_reader.h"

#include <bit>

#include "common/utf8.h"

namespace crsync {
namespace {

std::string TooLarge(size_t offset) {
  return "varint at offset " + std::to_string(offset) + " exceeds 2^53 - 1";
}

}  // namespace

Status ByteReader::Truncated(size_t needed) const {
  return Status::OutOfRange("unexpected end of input: need " + std::to_string(needed) +
                            " byte(s) at offset " + std::to_string(pos_) + ", " +
                            std::to_string(remaining()) + " left");
}

Result<uint8_t> ByteReader::ReadUint8() {
  if (remaining() < 1) return Truncated(1);
  return data_[pos_++];
}

Status ByteReader::ContinueVarUint(size_t* pos, unsigned shift, uint64_t* magnitude) const {
  const size_t start = pos_;
  while (true) {
    if (*pos >= data_.size()) {
      return Status::OutOfRange("unexpected end of input inside the varint at offset " +
                                std::to_string(start));
    }
    const uint8_t byte = data_[(*pos)++];
    const uint64_t group = byte & 0x7f;
    if (group != 0) {
      if (shift >= 53 || group > (kMaxSafeInteger >> shift)) {
        return Status::DataLoss(TooLarge(start));
      }
      *magnitude |= group << shift;
    }
    if ((byte & 0x80) == 0) return Status();
    if (shift < 53) shift += 7;  // stays bounded for arbitrarily long zero padding
  }
}

Result<uint64_t> ByteReader::ReadVarUint() {
  size_t pos = pos_;
  uint64_t magnitude = 0;
  CRSYNC_RETURN_IF_ERROR(ContinueVarUint(&pos, 0, &magnitude));
  pos_ = pos;
  return magnitude;
}

Result<int64_t> ByteReader::ReadVarInt() {
  if (remaining() < 1) return Truncated(1);
  size_t pos = pos_;
  const uint8_t first = data_[pos++];
  const bool negative = (first & 0x40) != 0;
  uint64_t magnitude = first & 0x3f;
  if ((first & 0x80) != 0) CRSYNC_RETURN_IF_ERROR(ContinueVarUint(&pos, 6, &magnitude));
  pos_ = pos;
  // magnitude <= 2^53 - 1, so both signs fit in int64_t.
  const int64_t value = static_cast<int64_t>(magnitude);
  return negative ? -value : value;
}

Result<int64_t> ByteReader::ReadBigInt64() {
  if (remaining() < 8) return Truncated(8);
  uint64_t bits = 0;
  for (int i = 0; i < 8; ++i) bits = (bits << 8) | data_[pos_ + i];
  pos_ += 8;
  return static_cast<int64_t>(bits);
}

Result<double> ByteReader::ReadFloat64() {
  auto bits = ReadBigInt64();
  if (!bits.ok()) return bits.status();
  return std::bit_cast<double>(static_cast<uint64_t>(*bits));
}

Result<std::span<const uint8_t>> ByteReader::ReadBytes(size_t n) {
  if (remaining() < n) return Truncated(n);
  const std::span<const uint8_t> out = data_.subspan(pos_, n);
  pos_ += n;
  return out;
}

Result<std::span<const uint8_t>> ByteReader::ReadVarBytes() {
  const size_t start = pos_;
  auto length = ReadVarUint();
  if (!length.ok()) return length.status();
  if (*length > remaining()) {
    const Status status = Status::OutOfRange("length " + std::to_string(*length) + " at offset " +
                                             std::to_string(start) + " exceeds the " +
                                             std::to_string(remaining()) + " byte(s) left");
    pos_ = start;
    return status;
  }
  return ReadBytes(static_cast<size_t>(*length));
}

Result<std::string> ByteReader::ReadVarString() {
  const size_t start = pos_;
  auto bytes = ReadVarBytes();
  if (!bytes.ok()) return bytes.status();
  const size_t bad = FirstInvalidUtf8Offset(*bytes);
  if (bad != bytes->size()) {
    pos_ = start;
    return Status::DataLoss("invalid UTF-8 in the string at offset " + std::to_string(start) +
                            " (byte " + std::to_string(bad) + " of its text)");
  }
  return std::string(reinterpret_cast<const char*>(bytes->data()), bytes->size());
}

}  // namespace crsync

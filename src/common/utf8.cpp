// UTF-8 validation and repair (see utf8.h). One routine, SequenceLength, encodes the WHATWG
// decoder's table of allowed lead bytes and per-lead bounds for the second byte; both the
// validator and the repairer are loops over it, so they cannot disagree.
#include "common/utf8.h"

namespace crsync {
namespace {

// Length of the well-formed sequence starting at s[i], or 0 when it is ill-formed; then
// *bad_length is the length of its maximal subpart (at least 1), which WHATWG replaces by a
// single U+FFFD before resuming at the first byte that did not fit.
size_t SequenceLength(std::span<const uint8_t> s, size_t i, size_t* bad_length) {
  const uint8_t lead = s[i];
  if (lead < 0x80) return 1;
  size_t need;
  uint8_t lower = 0x80;
  uint8_t upper = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    need = 1;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    need = 2;
    if (lead == 0xE0) lower = 0xA0;  // no overlong 3-byte forms
    if (lead == 0xED) upper = 0x9F;  // no surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    need = 3;
    if (lead == 0xF0) lower = 0x90;  // no overlong 4-byte forms
    if (lead == 0xF4) upper = 0x8F;  // nothing above U+10FFFF
  } else {
    *bad_length = 1;  // 80-C1 and F5-FF never start a sequence
    return 0;
  }
  for (size_t j = 1; j <= need; ++j) {
    if (i + j >= s.size() || s[i + j] < lower || s[i + j] > upper) {
      *bad_length = j;
      return 0;
    }
    lower = 0x80;
    upper = 0xBF;
  }
  return need + 1;
}

std::span<const uint8_t> AsBytes(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

}  // namespace

size_t FirstInvalidUtf8Offset(std::span<const uint8_t> bytes) {
  size_t i = 0;
  while (i < bytes.size()) {
    if (bytes[i] < 0x80) {
      ++i;
      continue;
    }
    size_t bad = 0;
    const size_t n = SequenceLength(bytes, i, &bad);
    if (n == 0) return i;
    i += n;
  }
  return bytes.size();
}

bool IsValidUtf8(std::span<const uint8_t> bytes) {
  return FirstInvalidUtf8Offset(bytes) == bytes.size();
}

bool IsValidUtf8(std::string_view text) { return IsValidUtf8(AsBytes(text)); }

std::string RepairUtf8(std::string_view text) {
  const std::span<const uint8_t> bytes = AsBytes(text);
  size_t i = FirstInvalidUtf8Offset(bytes);
  if (i == bytes.size()) return std::string(text);
  std::string out(text.substr(0, i));
  while (i < bytes.size()) {
    size_t bad = 0;
    const size_t n = SequenceLength(bytes, i, &bad);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      i += bad;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

}  // namespace crsync

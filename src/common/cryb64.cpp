// cryb64 schema hash (see cryb64.h). All lane arithmetic is on uint32_t, where wrap-around is
// defined and equals JavaScript's Math.imul / `^` / `>>>` results modulo 2^32; the lanes are read
// as signed only in the final combination, as JavaScript does.
#include "common/cryb64.h"

#include <string>

namespace crsync {
namespace {

uint32_t Imul(uint32_t a, uint32_t b) { return a * b; }

// Appends the UTF-16 code units of code point cp.
void AppendUtf16(std::u16string& out, uint32_t cp) {
  if (cp < 0x10000) {
    out.push_back(static_cast<char16_t>(cp));
  } else {
    cp -= 0x10000;
    out.push_back(static_cast<char16_t>(0xD800 + (cp >> 10)));
    out.push_back(static_cast<char16_t>(0xDC00 + (cp & 0x3FF)));
  }
}

std::u16string Utf8ToUtf16(std::string_view in) {
  constexpr uint32_t kReplacement = 0xFFFD;
  std::u16string out;
  out.reserve(in.size());
  size_t i = 0;
  while (i < in.size()) {
    const unsigned char lead = static_cast<unsigned char>(in[i]);
    int extra;
    uint32_t cp;
    uint32_t min;
    if (lead < 0x80) {
      out.push_back(lead);
      ++i;
      continue;
    } else if ((lead & 0xE0) == 0xC0) {
      extra = 1, cp = lead & 0x1F, min = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
      extra = 2, cp = lead & 0x0F, min = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
      extra = 3, cp = lead & 0x07, min = 0x10000;
    } else {
      AppendUtf16(out, kReplacement);
      ++i;
      continue;
    }
    size_t j = i + 1;
    for (; j < in.size() && j <= i + extra; ++j) {
      const unsigned char c = static_cast<unsigned char>(in[j]);
      if ((c & 0xC0) != 0x80) break;
      cp = (cp << 6) | (c & 0x3F);
    }
    if (j != i + 1 + extra || cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      AppendUtf16(out, kReplacement);
      i = j > i + 1 ? j : i + 1;
      continue;
    }
    AppendUtf16(out, cp);
    i = j;
  }
  return out;
}

}  // namespace

int64_t Cryb64(std::u16string_view text, uint32_t seed) {
  uint32_t h1 = 0xdeadbeefu ^ seed;
  uint32_t h2 = 0x41c6ce57u ^ seed;
  for (char16_t c : text) {
    h1 = Imul(h1 ^ c, 2654435761u);
    h2 = Imul(h2 ^ c, 1597334677u);
  }
  h1 = Imul(h1 ^ (h1 >> 16), 2246822507u);
  h1 ^= Imul(h2 ^ (h2 >> 13), 3266489909u);
  h2 = Imul(h2 ^ (h2 >> 16), 2246822507u);
  h2 ^= Imul(h1 ^ (h1 >> 13), 3266489909u);
  // 2^32 * (signed)h2 + (signed)h1, wrapped to 64 bits.
  const uint64_t high = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(h2))) << 32;
  const uint64_t low = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(h1)));
  return static_cast<int64_t>(high + low);
}

int64_t Cryb64(std::string_view utf8, uint32_t seed) { return Cryb64(Utf8ToUtf16(utf8), seed); }

}  // namespace crsync

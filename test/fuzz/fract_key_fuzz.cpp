// libFuzzer target for KeyBetween (src/crsqlite/fract_key.h), which parses untrusted keys.
//
// Input layout: byte 0 selects which bounds are present (bit 0: a, bit 1: b); the rest is split
// at its first 0xFF byte into a and b (0xFF is never a key digit, so any other key bytes can be
// expressed). Checks: no crash or sanitizer report, and any key returned sorts strictly between
// the bounds given; when the bounds are printable ASCII the result is itself a usable key.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string_view>

#include "crsqlite/fract_key.h"

namespace {

bool Printable(std::string_view s) {
  for (char c : s) {
    if (c < ' ' || c > '~') return false;
  }
  return true;
}

void Check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using crsync::crsqlite::FractKeyResult;
  using crsync::crsqlite::KeyBetween;
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  size_t split = rest.find('\xff');
  std::string_view first = rest.substr(0, split);
  std::string_view second =
      split == std::string_view::npos ? std::string_view() : rest.substr(split + 1);

  std::optional<std::string_view> a;
  std::optional<std::string_view> b;
  if (mode & 1) a = first;
  if (mode & 2) b = (mode & 1) ? second : first;

  FractKeyResult r = KeyBetween(a, b);
  if (!r.ok) {
    Check(!r.value.empty());  // Every error has a message.
    return 0;
  }
  const std::string& key = r.value;
  Check(!key.empty());
  if (a) Check(*a < key);
  if (b) Check(key < *b);
  if ((!a || Printable(*a)) && (!b || Printable(*b))) {
    Check(Printable(key));
    // The result is a valid key: it can bound a further call on either side.
    Check(KeyBetween(key, std::nullopt).ok);
    Check(KeyBetween(std::nullopt, key).ok);
    if (a) Check(KeyBetween(*a, key).ok);
    if (b) Check(KeyBetween(key, *b).ok);
  }
  return 0;
}

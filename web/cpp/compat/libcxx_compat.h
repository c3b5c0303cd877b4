// Force-included into every C++ file of the wasm build (web/CMakeLists.txt): fills in the C++20
// library pieces that emscripten 3.1.6's libc++ lacks but the native engine sources use, so the
// engine compiles unchanged. Each piece is defined only when the library does not have it.
#pragma once

#ifdef __cplusplus
#include <version>

#if !defined(__cpp_lib_bit_cast)
#include <cstring>
#include <type_traits>

namespace std {
// std::bit_cast (C++20 <bit>) for trivially copyable types of equal size.
template <class To, class From>
requires(sizeof(To) == sizeof(From) && is_trivially_copyable_v<To> &&
         is_trivially_copyable_v<From>) constexpr To bit_cast(const From& from) noexcept {
  return __builtin_bit_cast(To, from);
}
}  // namespace std
#endif

#if !defined(__cpp_lib_to_chars)
#include <charconv>
#include <cstdio>
#include <cstdlib>

namespace std {
// std::to_chars for double (shortest text that reads back as the same value), which this
// libc++ declares only for integers. Used by the protocol's debug strings.
inline to_chars_result to_chars(char* first, char* last, double value) {
  char text[32];
  int length = 0;
  for (int precision = 1; precision <= 17; ++precision) {
    length = snprintf(text, sizeof text, "%.*g", precision, value);
    if (strtod(text, nullptr) == value || value != value) break;
  }
  if (length < 0 || length > last - first) return {last, errc::value_too_large};
  for (int i = 0; i < length; ++i) first[i] = text[i];
  return {first + length, errc()};
}
}  // namespace std
#endif

#endif  // __cplusplus

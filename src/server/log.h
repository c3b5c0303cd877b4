// Structured, levelled logging for crsync-server: one line per event, as text or as JSON.
//
// A log call names a level, a short message and a few key/value fields:
//   Log(LogLevel::kInfo, "room opened", {{"room", name}, {"connections", 3}});
// Text:  2026-11-24T10:00:00.123Z INFO room opened room=abc connections=3
// JSON:  {"ts":"2026-11-24T10:00:00.123Z","level":"info","msg":"room opened","room":"abc",...}
// Timestamps are UTC with milliseconds. Every line is written with one fwrite under a mutex and
// flushed, so lines of concurrent callers never interleave. Untrusted text (room names, peer
// addresses, error messages) is safe to log: invalid UTF-8 becomes U+FFFD, and control
// characters are escaped in both formats, so one call is always exactly one line.
//
// Text format: a value is written bare unless it is empty or contains a space, '"', '=', '\'
// or a control character; then it is quoted with \" \\ \n \r \t \uXXXX escapes. The message is
// written bare with control characters escaped. JSON format: a field whose key is "ts",
// "level" or "msg" is written as "_ts", "_level", "_msg" so that it cannot shadow them;
// non-finite doubles become null.
//
// Configuration is process-wide (a logger is a process resource, like stderr). Defaults: kInfo,
// kText, stderr. All functions are thread-safe; ConfigureLogging may run concurrently with Log.
#pragma once

#include <concepts>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <limits>
#include <string>
#include <string_view>
#include <variant>

#include "common/status.h"

namespace crsync::server {

enum class LogLevel { kDebug, kInfo, kWarn, kError };
enum class LogFormat { kText, kJson };

// One key/value pair of a log line. Constructible from text (literals, std::string,
// string_view), any integer (unsigned values above INT64_MAX are clamped), floating point and
// bool, so that call sites can write {"room", name}, {"bytes", buffer.size()}, {"ok", true}.
struct LogField {
  using Value = std::variant<std::string, int64_t, double, bool>;

  std::string key;
  Value value;

  LogField(std::string_view field_key, std::string_view text)
      : key(field_key), value(std::string(text)) {}
  LogField(std::string_view field_key, const char* text)
      : key(field_key), value(std::string(text == nullptr ? "" : text)) {}
  LogField(std::string_view field_key, const std::string& text) : key(field_key), value(text) {}
  LogField(std::string_view field_key, bool flag) : key(field_key), value(flag) {}
  // Plain int (and, through promotion, unscoped enums) as a number, never as bool.
  LogField(std::string_view field_key, int number) : key(field_key), value(int64_t{number}) {}
  template <std::integral T>
  requires(!std::same_as<T, bool>) LogField(std::string_view field_key, T number)
      : key(field_key), value(ClampToInt64(number)) {}
  template <std::floating_point T>
  LogField(std::string_view field_key, T number)
      : key(field_key), value(static_cast<double>(number)) {}

 private:
  template <std::integral T>
  static int64_t ClampToInt64(T number) {
    if constexpr (std::is_unsigned_v<T> && sizeof(T) >= sizeof(int64_t)) {
      if (number > static_cast<T>(std::numeric_limits<int64_t>::max())) {
        return std::numeric_limits<int64_t>::max();
      }
    }
    return static_cast<int64_t>(number);
  }
};

// Sets the minimum level written, the format and where lines go. The sink is not owned: it
// must stay open until logging is reconfigured or the process ends. A null sink means stderr.
void ConfigureLogging(LogLevel min_level, LogFormat format, std::FILE* sink = stderr);

// "debug", "info", "warn" (or "warning"), "error", case-insensitive; else InvalidArgument.
Result<LogLevel> ParseLogLevel(std::string_view text);
// "text" or "json", case-insensitive; else InvalidArgument.
Result<LogFormat> ParseLogFormat(std::string_view text);

// Lowercase name of a level: "debug", "info", "warn", "error".
std::string_view LogLevelName(LogLevel level);

// True when a line at this level would be written (lets callers skip building costly fields).
bool LogEnabled(LogLevel level);

// Writes one line when level is enabled. Never fails: a write error on the sink is ignored.
void Log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields = {});

// The line Log would write at the given time (milliseconds since the Unix epoch), without a
// trailing newline. Exposed for tests and for callers that ship lines elsewhere.
std::string FormatLogLine(LogFormat format, int64_t unix_millis, LogLevel level,
                          std::string_view message, std::initializer_list<LogField> fields);

}  // namespace crsync::server

// Structured logging (see log.h): line formatting for text and JSON, and the process-wide sink.
//
// Formatting is a pure function (FormatLogLine) so that tests can check exact bytes; Log adds
// the clock, the level filter and one locked fwrite + fflush per line.
#include "server/log.h"

#include <array>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cmath>
#include <ctime>
#include <mutex>

#include "common/overloaded.h"
#include "common/utf8.h"

namespace crsync::server {
namespace {

struct LogConfig {
  std::mutex mutex;  // guards format and sink, and serialises writes
  LogFormat format = LogFormat::kText;
  std::FILE* sink = nullptr;  // null = stderr
  std::atomic<int> min_level{static_cast<int>(LogLevel::kInfo)};
};

LogConfig& Config() {
  static LogConfig config;
  return config;
}

std::string Lowercase(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

// 2026-11-24T10:00:00.123Z
std::string FormatTimestamp(int64_t unix_millis) {
  int64_t seconds = unix_millis / 1000;
  int64_t millis = unix_millis % 1000;
  if (millis < 0) {
    millis += 1000;
    seconds -= 1;
  }
  const std::time_t time = static_cast<std::time_t>(seconds);
  std::tm utc{};
  gmtime_r(&time, &utc);
  std::array<char, 64> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min,
                utc.tm_sec, static_cast<int>(millis));
  return buffer.data();
}

std::string FormatDouble(double number) {
  std::array<char, 64> buffer{};
  auto [end, error] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), number);
  if (error != std::errc()) return "0";
  return std::string(buffer.data(), end);
}

// Appends text (already valid UTF-8) with JSON string escapes, without the quotes.
void AppendEscaped(std::string& out, std::string_view text) {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (byte < 0x20 || byte == 0x7f) {
          std::array<char, 8> escape{};
          std::snprintf(escape.data(), escape.size(), "\\u%04x", byte);
          out += escape.data();
        } else {
          out += c;
        }
    }
  }
}

void AppendJsonString(std::string& out, std::string_view text) {
  out += '"';
  AppendEscaped(out, RepairUtf8(text));
  out += '"';
}

bool NeedsQuotes(std::string_view text) {
  if (text.empty()) return true;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == ' ' || c == '"' || c == '=' || c == '\\' || byte < 0x20 || byte == 0x7f) return true;
  }
  return false;
}

void AppendTextValue(std::string& out, std::string_view raw) {
  const std::string text = RepairUtf8(raw);
  if (!NeedsQuotes(text)) {
    out += text;
    return;
  }
  out += '"';
  AppendEscaped(out, text);
  out += '"';
}

// A key is code-supplied, but keep the line parseable whatever it is: anything outside
// [A-Za-z0-9_.-] becomes '_'.
std::string SanitizeKey(std::string_view key) {
  std::string clean(key.empty() ? "_" : key);
  for (char& c : clean) {
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                         (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    if (!allowed) c = '_';
  }
  return clean;
}

std::string UppercaseLevel(LogLevel level) {
  std::string name(LogLevelName(level));
  for (char& c : name) c = static_cast<char>(c - 'a' + 'A');
  return name;
}

std::string FormatText(const std::string& timestamp, LogLevel level, std::string_view message,
                       std::initializer_list<LogField> fields) {
  std::string line = timestamp;
  line += ' ';
  line += UppercaseLevel(level);
  line += ' ';
  AppendEscaped(line, RepairUtf8(message));
  for (const LogField& field : fields) {
    line += ' ';
    line += SanitizeKey(field.key);
    line += '=';
    std::visit(Overloaded{[&](const std::string& text) { AppendTextValue(line, text); },
                          [&](int64_t number) { line += std::to_string(number); },
                          [&](double number) { line += FormatDouble(number); },
                          [&](bool flag) { line += flag ? "true" : "false"; }},
               field.value);
  }
  return line;
}

std::string FormatJson(const std::string& timestamp, LogLevel level, std::string_view message,
                       std::initializer_list<LogField> fields) {
  std::string line = "{\"ts\":\"" + timestamp + "\",\"level\":\"";
  line += LogLevelName(level);
  line += "\",\"msg\":";
  AppendJsonString(line, message);
  for (const LogField& field : fields) {
    line += ',';
    const bool reserved = field.key == "ts" || field.key == "level" || field.key == "msg";
    AppendJsonString(line, reserved ? "_" + field.key : field.key);
    line += ':';
    std::visit(Overloaded{[&](const std::string& text) { AppendJsonString(line, text); },
                          [&](int64_t number) { line += std::to_string(number); },
                          [&](double number) {
                            line += std::isfinite(number) ? FormatDouble(number) : "null";
                          },
                          [&](bool flag) { line += flag ? "true" : "false"; }},
               field.value);
  }
  line += '}';
  return line;
}

}  // namespace

void ConfigureLogging(LogLevel min_level, LogFormat format, std::FILE* sink) {
  LogConfig& config = Config();
  std::lock_guard lock(config.mutex);
  config.format = format;
  config.sink = sink;
  config.min_level.store(static_cast<int>(min_level), std::memory_order_relaxed);
}

Result<LogLevel> ParseLogLevel(std::string_view text) {
  const std::string lower = Lowercase(text);
  if (lower == "debug") return LogLevel::kDebug;
  if (lower == "info") return LogLevel::kInfo;
  if (lower == "warn" || lower == "warning") return LogLevel::kWarn;
  if (lower == "error") return LogLevel::kError;
  return Status::InvalidArgument("unknown log level '" + RepairUtf8(text) +
                                 "' (expected debug, info, warn or error)");
}

Result<LogFormat> ParseLogFormat(std::string_view text) {
  const std::string lower = Lowercase(text);
  if (lower == "text") return LogFormat::kText;
  if (lower == "json") return LogFormat::kJson;
  return Status::InvalidArgument("unknown log format '" + RepairUtf8(text) +
                                 "' (expected text or json)");
}

std::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "error";
}

bool LogEnabled(LogLevel level) {
  return static_cast<int>(level) >= Config().min_level.load(std::memory_order_relaxed);
}

std::string FormatLogLine(LogFormat format, int64_t unix_millis, LogLevel level,
                          std::string_view message, std::initializer_list<LogField> fields) {
  const std::string timestamp = FormatTimestamp(unix_millis);
  return format == LogFormat::kJson ? FormatJson(timestamp, level, message, fields)
                                    : FormatText(timestamp, level, message, fields);
}

void Log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields) {
  if (!LogEnabled(level)) return;
  const int64_t now_millis = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
  LogConfig& config = Config();
  std::lock_guard lock(config.mutex);
  std::string line = FormatLogLine(config.format, now_millis, level, message, fields);
  line += '\n';
  std::FILE* sink = config.sink != nullptr ? config.sink : stderr;
  std::fwrite(line.data(), 1, line.size(), sink);
  std::fflush(sink);
}

}  // namespace crsync::server

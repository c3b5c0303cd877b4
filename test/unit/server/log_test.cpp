// Tests of the structured logger (src/server/log.h): exact text and JSON lines, escaping of
// hostile text, level parsing and filtering, and whole lines under concurrent writers.
#include "server/log.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace crsync::server {
namespace {

constexpr int64_t kTestMillis = 1795514400123;  // 2026-11-24T10:00:00.123Z

// Reads back everything written to a tmpfile sink, split into lines.
std::vector<std::string> ReadLines(std::FILE* file) {
  std::fflush(file);
  std::rewind(file);
  std::string content;
  char buffer[4096];
  size_t read = 0;
  while ((read = std::fread(buffer, 1, sizeof buffer, file)) > 0) content.append(buffer, read);
  std::vector<std::string> lines;
  std::istringstream stream(content);
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  return lines;
}

// Restores the default configuration after each test (logging is process-wide).
class LogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sink_ = std::tmpfile();
    ASSERT_NE(sink_, nullptr);
  }
  void TearDown() override {
    ConfigureLogging(LogLevel::kInfo, LogFormat::kText, stderr);
    std::fclose(sink_);
  }
  std::FILE* sink_ = nullptr;
};

TEST(LogFormatTest, TextLineHasTimestampLevelMessageAndFields) {
  const std::string name = "abc";
  EXPECT_EQ(FormatLogLine(LogFormat::kText, kTestMillis, LogLevel::kInfo, "room opened",
                          {{"room", name}, {"n", 3}}),
            "2026-11-24T10:00:00.123Z INFO room opened room=abc n=3");
}

TEST(LogFormatTest, TextRendersEveryValueType) {
  const std::string_view view = "v";
  const size_t size = 42;
  EXPECT_EQ(FormatLogLine(LogFormat::kText, 0, LogLevel::kWarn, "m",
                          {{"s", view},
                           {"z", size},
                           {"neg", int64_t{-5}},
                           {"d", 0.5},
                           {"b", true},
                           {"f", false},
                           {"u", uint64_t{18446744073709551615u}}}),
            "1970-01-01T00:00:00.000Z WARN m s=v z=42 neg=-5 d=0.5 b=true f=false "
            "u=9223372036854775807");
}

TEST(LogFormatTest, EnumsAndPointersPickTheIntendedType) {
  enum Plain { kZero, kTwo = 2 };
  const char* text = "p";
  EXPECT_EQ(FormatLogLine(LogFormat::kText, 0, LogLevel::kInfo, "m",
                          {{"e", kTwo}, {"p", text}, {"c", 'A'}, {"f", 2.5f}}),
            "1970-01-01T00:00:00.000Z INFO m e=2 p=p c=65 f=2.5");
}

TEST(LogFormatTest, TextQuotesValuesThatNeedIt) {
  EXPECT_EQ(FormatLogLine(LogFormat::kText, 0, LogLevel::kError, "x",
                          {{"a", "two words"},
                           {"b", "say \"hi\""},
                           {"c", ""},
                           {"d", "k=v"},
                           {"e", "back\\slash"},
                           {"f", "line\nbreak"},
                           {"g", "bell\x07"}}),
            "1970-01-01T00:00:00.000Z ERROR x a=\"two words\" b=\"say \\\"hi\\\"\" c=\"\" "
            "d=\"k=v\" e=\"back\\\\slash\" f=\"line\\nbreak\" g=\"bell\\u0007\"");
}

TEST(LogFormatTest, TextMessageAndKeysCannotBreakTheLine) {
  const std::string line =
      FormatLogLine(LogFormat::kText, 0, LogLevel::kDebug, "evil\nINFO forged", {{"bad key\n", 1}});
  EXPECT_EQ(line, "1970-01-01T00:00:00.000Z DEBUG evil\\nINFO forged bad_key_=1");
  EXPECT_EQ(line.find('\n'), std::string::npos);
}

TEST(LogFormatTest, JsonLineIsExactAndParses) {
  const std::string line = FormatLogLine(LogFormat::kJson, kTestMillis, LogLevel::kInfo,
                                         "room opened", {{"room", "abc"}, {"n", 3}, {"ok", true}});
  EXPECT_EQ(line,
            "{\"ts\":\"2026-11-24T10:00:00.123Z\",\"level\":\"info\",\"msg\":\"room opened\","
            "\"room\":\"abc\",\"n\":3,\"ok\":true}");
  const nlohmann::json parsed = nlohmann::json::parse(line);
  EXPECT_EQ(parsed["n"], 3);
}

TEST(LogFormatTest, JsonEscapesControlCharactersQuotesAndInvalidUtf8) {
  const std::string hostile = std::string("q\"b\\n\n\r\t\x01\x1f\x7f") + "\xff" + "\xC3\xA9";
  const std::string line =
      FormatLogLine(LogFormat::kJson, 0, LogLevel::kError, hostile, {{"v", hostile}});
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_NE(line.find("\"msg\":\"q\\\"b\\\\n\\n\\r\\t\\u0001\\u001f\\u007f\xEF\xBF\xBD\xC3\xA9\""),
            std::string::npos)
      << line;
  // A strict parser accepts it, and gets the text back with U+FFFD for the invalid byte.
  const nlohmann::json parsed = nlohmann::json::parse(line);
  const std::string expected = std::string("q\"b\\n\n\r\t\x01\x1f\x7f") + "\xEF\xBF\xBD\xC3\xA9";
  EXPECT_EQ(parsed["msg"], expected);
  EXPECT_EQ(parsed["v"], expected);
}

TEST(LogFormatTest, JsonReservedKeysAndNonFiniteNumbers) {
  const std::string line =
      FormatLogLine(LogFormat::kJson, 0, LogLevel::kInfo, "m",
                    {{"msg", "shadow"}, {"inf", 1.0 / 0.0}, {"x", 1.25}, {"neg", -7}});
  const nlohmann::json parsed = nlohmann::json::parse(line);
  EXPECT_EQ(parsed["msg"], "m");
  EXPECT_EQ(parsed["_msg"], "shadow");
  EXPECT_TRUE(parsed["inf"].is_null());
  EXPECT_EQ(parsed["x"], 1.25);
  EXPECT_EQ(parsed["neg"], -7);
}

TEST(LogFormatTest, TimestampsBeforeTheEpochAndLeapDays) {
  EXPECT_EQ(FormatLogLine(LogFormat::kText, -1, LogLevel::kInfo, "m", {}),
            "1969-12-31T23:59:59.999Z INFO m");
  EXPECT_EQ(FormatLogLine(LogFormat::kText, 951782400000, LogLevel::kInfo, "m", {}),
            "2000-02-29T00:00:00.000Z INFO m");
}

TEST(LogParseTest, LevelsAndFormats) {
  EXPECT_EQ(*ParseLogLevel("debug"), LogLevel::kDebug);
  EXPECT_EQ(*ParseLogLevel("INFO"), LogLevel::kInfo);
  EXPECT_EQ(*ParseLogLevel("Warning"), LogLevel::kWarn);
  EXPECT_EQ(*ParseLogLevel("warn"), LogLevel::kWarn);
  EXPECT_EQ(*ParseLogLevel("error"), LogLevel::kError);
  const Result<LogLevel> bad = ParseLogLevel("verbose");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("'verbose'"), std::string::npos);
  EXPECT_FALSE(ParseLogLevel("").ok());

  EXPECT_EQ(*ParseLogFormat("json"), LogFormat::kJson);
  EXPECT_EQ(*ParseLogFormat("TEXT"), LogFormat::kText);
  EXPECT_EQ(ParseLogFormat("xml").status().code(), StatusCode::kInvalidArgument);
}

TEST_F(LogTest, FiltersBelowTheMinimumLevel) {
  ConfigureLogging(LogLevel::kWarn, LogFormat::kText, sink_);
  EXPECT_FALSE(LogEnabled(LogLevel::kDebug));
  EXPECT_FALSE(LogEnabled(LogLevel::kInfo));
  EXPECT_TRUE(LogEnabled(LogLevel::kWarn));
  EXPECT_TRUE(LogEnabled(LogLevel::kError));
  Log(LogLevel::kDebug, "d");
  Log(LogLevel::kInfo, "i");
  Log(LogLevel::kWarn, "w", {{"k", 1}});
  Log(LogLevel::kError, "e");
  const std::vector<std::string> lines = ReadLines(sink_);
  ASSERT_EQ(lines.size(), 2u);
  const std::regex warn_line(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z WARN w k=1)");
  EXPECT_TRUE(std::regex_match(lines[0], warn_line)) << lines[0];
  EXPECT_NE(lines[1].find(" ERROR e"), std::string::npos);
}

TEST_F(LogTest, JsonSinkWritesParseableLines) {
  ConfigureLogging(LogLevel::kDebug, LogFormat::kJson, sink_);
  Log(LogLevel::kDebug, "hello", {{"room", "r1"}});
  const std::vector<std::string> lines = ReadLines(sink_);
  ASSERT_EQ(lines.size(), 1u);
  const nlohmann::json parsed = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(parsed["level"], "debug");
  EXPECT_EQ(parsed["msg"], "hello");
  EXPECT_EQ(parsed["room"], "r1");
}

TEST_F(LogTest, ConcurrentWritersProduceWholeLines) {
  ConfigureLogging(LogLevel::kInfo, LogFormat::kJson, sink_);
  constexpr int kThreads = 4;
  constexpr int kLinesPerThread = 200;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t] {
      const std::string padding(300, static_cast<char>('a' + t));
      for (int i = 0; i < kLinesPerThread; ++i) {
        Log(LogLevel::kInfo, "line", {{"thread", t}, {"i", i}, {"pad", padding}});
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  const std::vector<std::string> lines = ReadLines(sink_);
  ASSERT_EQ(lines.size(), static_cast<size_t>(kThreads * kLinesPerThread));
  std::vector<int> per_thread(kThreads, 0);
  for (const std::string& line : lines) {
    const nlohmann::json parsed = nlohmann::json::parse(line);  // throws on a torn line
    const int thread = parsed["thread"];
    ASSERT_GE(thread, 0);
    ASSERT_LT(thread, kThreads);
    EXPECT_EQ(parsed["pad"], std::string(300, static_cast<char>('a' + thread)));
    ++per_thread[thread];
  }
  for (int count : per_thread) EXPECT_EQ(count, kLinesPerThread);
}

}  // namespace
}  // namespace crsync::server

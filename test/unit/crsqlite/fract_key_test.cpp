// Unit tests of KeyBetween (src/crsqlite/fract_key.*): every row of test vector TV-63, the
// inputs on which the original crashed, malformed keys, and ordering properties over random and
// repeated insertions (each result must sort strictly between its bounds and be a valid key).
#include "crsqlite/fract_key.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace crsync::crsqlite {
namespace {

using Bound = std::optional<std::string>;

std::string Between(const Bound& a, const Bound& b) {
  std::optional<std::string_view> va;
  std::optional<std::string_view> vb;
  if (a) va = *a;
  if (b) vb = *b;
  FractKeyResult r = KeyBetween(va, vb);
  return r.ok ? r.value : "error: " + r.value;
}

std::string Spaces(size_t n) { return std::string(n, ' '); }

constexpr const char* kTrailingSpace = "error: Fractional part should not end with ' ' (space)";

struct Row {
  Bound a;
  Bound b;
  std::string expected;
};

TEST(FractKey, TestVector63) {
  const std::vector<Row> rows = {
      {std::nullopt, std::nullopt, "a "},
      {std::nullopt, "a ", "Z~"},
      {std::nullopt, "Z~", "Z}"},
      {"a ", std::nullopt, "a!"},
      {"a!", std::nullopt, "a\""},
      {"a0", "a1", "a0P"},
      {"a1", "a2", "a1P"},
      {"a0V", "a1", "a0k"},
      {"Z~", "a ", "Z~P"},
      {"Z~", "a!", "a "},
      {std::nullopt, "Y  ", "X~~~"},
      {"b~~", std::nullopt, "c   "},
      {"a0", "a0V", "a0;"},
      {"a0", "a0G", "a04"},
      {"b125", "b129", "b127"},
      {"a0", "a1V", "a1"},
      {"Z~", "a 1", "a "},
      {std::nullopt, "a0V", "a0"},
      {std::nullopt, "b999", "b99"},
      {"a~", std::nullopt, "b  "},
      {"a ", "a!", "a P"},
      {"zzzzzzzzzzzzzzzzzzzzzzzzzzy", std::nullopt, "zzzzzzzzzzzzzzzzzzzzzzzzzzz"},
      {"z~~~~~~~~~~~~~~~~~~~~~~~~~~", std::nullopt, "z~~~~~~~~~~~~~~~~~~~~~~~~~~P"},
      {std::nullopt, "A" + Spaces(26) + "!", "A" + Spaces(27) + "P"},
      {std::nullopt, "A" + Spaces(26), "error: Key is too small"},
      {"a0 ", std::nullopt, kTrailingSpace},
      {"a0 ", "a1", kTrailingSpace},
      {"0", "1", "error: head is out of range"},
      {"a1", "a0", "error: key_between - a must be before b"},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(Between(row.a, row.b), row.expected)
        << "a=" << row.a.value_or("NULL") << " b=" << row.b.value_or("NULL");
  }
}

TEST(FractKey, InputsThatCrashedTheOriginalAreErrors) {
  // TV-63 last two rows: the original aborts; any error is acceptable.
  EXPECT_EQ(Between("a1", "a1"), "error: key_between - a must be before b");
  EXPECT_EQ(Between("", "a"), "error: Key is empty");
  EXPECT_EQ(Between("", std::nullopt), "error: Key is empty");
  EXPECT_EQ(Between(std::nullopt, ""), "error: Key is empty");
  EXPECT_EQ(Between("a ", "a "), "error: key_between - a must be before b");
  EXPECT_EQ(Between("a0V", "a0V"), "error: key_between - a must be before b");
}

TEST(FractKey, MalformedKeysAreErrors) {
  EXPECT_EQ(Between("a", std::nullopt), "error: integer part of key is too long");
  EXPECT_EQ(Between(std::nullopt, "z"), "error: integer part of key is too long");
  EXPECT_EQ(Between("A", std::nullopt), "error: integer part of key is too long");
  EXPECT_EQ(Between("~a", std::nullopt), "error: head is out of range");
  EXPECT_EQ(Between(std::string("\0a", 2), std::nullopt), "error: head is out of range");
  EXPECT_EQ(Between("\xc3\xa9 ", std::nullopt), "error: head is out of range");
  EXPECT_EQ(Between("a\x01", std::nullopt), "error: invalid digit");
  EXPECT_EQ(Between(std::nullopt, "a\x7f"), "error: invalid digit");
  EXPECT_EQ(Between("a0", "a0\x80"), "error: midpoint - b has invalid digits");
  EXPECT_EQ(Between("a0\x01", "a0!"), "error: midpoint - a has invalid digits");
  EXPECT_EQ(Between("a0\x01", "a0\x02"), "error: midpoint - a has invalid digits");
  EXPECT_EQ(Between("a0\x7f", "a1"), "error: midpoint - a has invalid digits");
  EXPECT_EQ(Between("Z\x01", "a\x01"), "error: invalid digit");
  // Digits are only checked where the algorithm reads them (as in the original).
  EXPECT_EQ(Between("a0\xc3\xa9", std::nullopt), "a1");
  EXPECT_EQ(Between("a0!\x01", "a0#"), "a0\"");
  EXPECT_EQ(Between("a0!", "a0#\x01"), "a0\"");
  EXPECT_EQ(Between("a0\x01~", "a0\x01~~!"), "a0\x01~O");
  EXPECT_EQ(Between("a1 ", std::nullopt), kTrailingSpace);
  EXPECT_EQ(Between(std::nullopt, "a1 "), kTrailingSpace);
  EXPECT_EQ(Between("a0", "a1 "), kTrailingSpace);
  // a is checked before b, and both before their order.
  EXPECT_EQ(Between("0", "a1 "), "error: head is out of range");
  EXPECT_EQ(Between("b12", "a1 "), kTrailingSpace);
}

TEST(FractKey, IntegerBoundaries) {
  // Carries and borrows across the head letters, both signs.
  EXPECT_EQ(Between("Z~", std::nullopt), "a ");
  EXPECT_EQ(Between("Y~~", std::nullopt), "Z ");
  EXPECT_EQ(Between(std::nullopt, "Z "), "Y~~");
  EXPECT_EQ(Between(std::nullopt, "b  "), "a~");
  EXPECT_EQ(Between("a ", "b  "), "a!");
  // Smallest integer: only fractions below, never the bare integer (which the original returns
  // for the first case, although it is not a valid key).
  EXPECT_EQ(Between(std::nullopt, "A" + Spaces(25) + "!"), "A" + Spaces(26) + "P");
  EXPECT_EQ(Between(std::nullopt, "A" + Spaces(26) + "P"), "A" + Spaces(26) + "8");
  // Largest integer: only fractions above.
  const std::string largest = "z" + std::string(26, '~');
  EXPECT_EQ(Between(largest + "~~", std::nullopt), largest + "~~P");
  EXPECT_EQ(Between(largest, largest + "!"), largest + " P");
}

TEST(FractKey, HugeKeysDoNotExhaustTheStack) {
  // Midpoint walks the whole common prefix / run of '~'; this must be a loop, not recursion.
  const std::string prefix = "a " + std::string(2'000'000, '~');
  FractKeyResult r = KeyBetween(prefix, std::nullopt);
  ASSERT_TRUE(r.ok);
  EXPECT_GT(r.value, prefix);
  const std::string a = "a " + std::string(1'000'000, 'x') + "0";
  const std::string b = "a " + std::string(1'000'000, 'x') + "1";
  r = KeyBetween(a, b);
  ASSERT_TRUE(r.ok);
  EXPECT_LT(a, r.value);
  EXPECT_LT(r.value, b);
}

// A random valid key: a random integer part plus a random fraction without a trailing zero.
std::string RandomKey(std::mt19937_64& rng) {
  std::uniform_int_distribution<int> head_dist(0, 51);
  std::uniform_int_distribution<int> digit_dist(0, 94);
  std::uniform_int_distribution<int> frac_len_dist(0, 6);
  std::uniform_int_distribution<int> coin(0, 3);
  for (;;) {
    int h = head_dist(rng);
    // Prefer short integer parts near zero; sometimes take any head.
    if (coin(rng) != 0) h = std::uniform_int_distribution<int>(23, 28)(rng);
    char head = h < 26 ? static_cast<char>('A' + h) : static_cast<char>('a' + h - 26);
    size_t int_len = head >= 'a' ? static_cast<size_t>(head - 'a' + 2) : 'Z' - head + 2u;
    std::string key(1, head);
    // Small digit alphabets make collisions and carries likely.
    bool narrow = coin(rng) == 0;
    auto digit = [&] {
      int d = digit_dist(rng);
      if (narrow) d = d % 3 == 0 ? 0 : (d % 3 == 1 ? 94 : 1);
      return static_cast<char>(' ' + d);
    };
    while (key.size() < int_len) key.push_back(digit());
    int frac_len = frac_len_dist(rng);
    for (int i = 0; i < frac_len; ++i) key.push_back(digit());
    while (key.size() > int_len && key.back() == ' ') key.pop_back();
    if (key == "A" + Spaces(26)) continue;
    return key;
  }
}

bool IsValidKey(const std::string& key) {
  return KeyBetween(key, std::nullopt).ok && KeyBetween(std::nullopt, key).ok;
}

TEST(FractKey, RandomPairsGiveKeysStrictlyBetween) {
  std::mt19937_64 rng(20240601);
  for (int i = 0; i < 20000; ++i) {
    std::string a = RandomKey(rng);
    std::string b = RandomKey(rng);
    if (a == b) continue;
    if (a > b) std::swap(a, b);
    FractKeyResult r = KeyBetween(a, b);
    ASSERT_TRUE(r.ok) << a << " | " << b << " -> " << r.value;
    ASSERT_LT(a, r.value) << a << " | " << b;
    ASSERT_LT(r.value, b) << a << " | " << b;
    ASSERT_TRUE(IsValidKey(r.value)) << r.value;
    FractKeyResult below = KeyBetween(std::nullopt, a);
    ASSERT_TRUE(below.ok) << a;
    ASSERT_LT(below.value, a);
    FractKeyResult above = KeyBetween(b, std::nullopt);
    ASSERT_TRUE(above.ok) << b;
    ASSERT_GT(above.value, b);
    EXPECT_FALSE(KeyBetween(b, a).ok);
  }
}

TEST(FractKey, RepeatedAppendsAndPrependsStayOrdered) {
  std::vector<std::string> appended = {"a "};
  for (int i = 0; i < 5000; ++i) {
    FractKeyResult r = KeyBetween(appended.back(), std::nullopt);
    ASSERT_TRUE(r.ok) << r.value;
    ASSERT_GT(r.value, appended.back());
    appended.push_back(r.value);
  }
  std::vector<std::string> prepended = {"a "};
  for (int i = 0; i < 5000; ++i) {
    FractKeyResult r = KeyBetween(std::nullopt, prepended.back());
    ASSERT_TRUE(r.ok) << r.value;
    ASSERT_LT(r.value, prepended.back());
    prepended.push_back(r.value);
  }
  std::vector<std::string> keys(prepended.rbegin(), prepended.rend() - 1);
  keys.insert(keys.end(), appended.begin(), appended.end());
  EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end()));
  EXPECT_EQ(std::adjacent_find(keys.begin(), keys.end()), keys.end());
  // Keys grow slowly: 5000 steps either way from zero stay within 3-char integers.
  EXPECT_LE(appended.back().size(), 3u);
  EXPECT_LE(prepended.back().size(), 3u);
}

TEST(FractKey, RepeatedInsertsBetweenTheSameNeighboursConverge) {
  // Always inserting right after the first key: keys get longer but stay ordered.
  std::string low = "a ";
  std::string high = "a!";
  for (int i = 0; i < 2000; ++i) {
    FractKeyResult r = KeyBetween(low, high);
    ASSERT_TRUE(r.ok) << r.value;
    ASSERT_LT(low, r.value);
    ASSERT_LT(r.value, high);
    high = r.value;
  }
  // And always inserting right before the last key.
  low = "a ";
  high = "a!";
  for (int i = 0; i < 2000; ++i) {
    FractKeyResult r = KeyBetween(low, high);
    ASSERT_TRUE(r.ok) << r.value;
    ASSERT_LT(low, r.value);
    ASSERT_LT(r.value, high);
    low = r.value;
  }
}

TEST(FractKey, RandomListInsertionsStayOrdered) {
  std::mt19937_64 rng(7);
  std::vector<std::string> list;
  for (int i = 0; i < 3000; ++i) {
    size_t pos = std::uniform_int_distribution<size_t>(0, list.size())(rng);
    Bound a = pos == 0 ? Bound() : Bound(list[pos - 1]);
    Bound b = pos == list.size() ? Bound() : Bound(list[pos]);
    std::string key = Between(a, b);
    ASSERT_EQ(key.rfind("error", 0), std::string::npos) << key;
    list.insert(list.begin() + static_cast<std::ptrdiff_t>(pos), key);
  }
  EXPECT_TRUE(std::is_sorted(list.begin(), list.end()));
  EXPECT_EQ(std::adjacent_find(list.begin(), list.end()), list.end());
}

}  // namespace
}  // namespace crsync::crsqlite

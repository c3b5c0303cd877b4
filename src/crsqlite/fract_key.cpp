// KeyBetween (fract_key.h): generation of fractional-index keys, spec §14.1.
//
// The algorithm works on the two halves of a key separately. Integer parts are incremented or
// decremented like odometers (changing length when the head letter changes); fractional parts
// get a "midpoint": the shared prefix is kept and the first differing digit is split. Midpoint is
// written as a loop rather than the original's recursion so that hostile, very long keys cannot
// exhaust the stack. Digits are checked only where the algorithm reads them, as in the original.
#include "crsqlite/fract_key.h"

#include <cstddef>
#include <utility>

namespace crsync::crsqlite {

namespace {

constexpr char kFirstDigit = ' ';
constexpr char kLastDigit = '~';
constexpr int kBase = kLastDigit - kFirstDigit + 1;  // 95
constexpr std::string_view kIntegerZero = "a ";
// "A" followed by 26 zero digits: the smallest integer part, which is not a valid key by itself.
constexpr std::string_view kSmallestInteger = "A                          ";

constexpr std::string_view kErrEmpty = "Key is empty";
constexpr std::string_view kErrHead = "head is out of range";
constexpr std::string_view kErrIntegerTooLong = "integer part of key is too long";
constexpr std::string_view kErrInvalidDigit = "invalid digit";
constexpr std::string_view kErrTooSmall = "Key is too small";
constexpr std::string_view kErrTrailingSpace = "Fractional part should not end with ' ' (space)";
constexpr std::string_view kErrOrder = "key_between - a must be before b";
constexpr std::string_view kErrMidpointOrder = "midpoint - a must be before b";
constexpr std::string_view kErrMidpointDigitA = "midpoint - a has invalid digits";
constexpr std::string_view kErrMidpointDigitB = "midpoint - b has invalid digits";
constexpr std::string_view kErrDecrement = "cannot decrement anymore";

// Value of digit c, or -1 when c is not a digit.
int DigitValue(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  if (u < static_cast<unsigned char>(kFirstDigit) || u > static_cast<unsigned char>(kLastDigit)) {
    return -1;
  }
  return u - kFirstDigit;
}

char DigitChar(int value) { return static_cast<char>(kFirstDigit + value); }

// Length of the integer part announced by head, or 0 when head is not a letter.
size_t IntegerLength(char head) {
  if (head >= 'a' && head <= 'z') return static_cast<size_t>(head - 'a') + 2;
  if (head >= 'A' && head <= 'Z') return static_cast<size_t>('Z' - head) + 2;
  return 0;
}

// Splits a key into its integer part (the result) and fractional part (*fraction).
FractKeyResult SplitKey(std::string_view key, std::string_view* fraction) {
  if (key.empty()) return FractKeyResult::Error(kErrEmpty);
  size_t length = IntegerLength(key[0]);
  if (length == 0) return FractKeyResult::Error(kErrHead);
  if (length > key.size()) return FractKeyResult::Error(kErrIntegerTooLong);
  *fraction = key.substr(length);
  return FractKeyResult::Key(std::string(key.substr(0, length)));
}

// Checks the rules every key obeys; returns its integer part and fraction on success.
FractKeyResult ValidateKey(std::string_view key, std::string_view* fraction) {
  if (key == kSmallestInteger) return FractKeyResult::Error(kErrTooSmall);
  FractKeyResult integer = SplitKey(key, fraction);
  if (!integer.ok) return integer;
  if (!fraction->empty() && fraction->back() == kFirstDigit) {
    return FractKeyResult::Error(kErrTrailingSpace);
  }
  return integer;
}

// Next integer after `integer` (a well-formed integer part). *exhausted is set instead when
// `integer` is the largest one ("z" + 26 '~').
FractKeyResult IncrementInteger(std::string_view integer, bool* exhausted) {
  *exhausted = false;
  std::string digits(integer.substr(1));
  char head = integer[0];
  bool carry = true;
  for (size_t i = digits.size(); carry && i-- > 0;) {
    int d = DigitValue(digits[i]);
    if (d < 0) return FractKeyResult::Error(kErrInvalidDigit);
    if (d + 1 == kBase) {
      digits[i] = kFirstDigit;
    } else {
      digits[i] = DigitChar(d + 1);
      carry = false;
    }
  }
  if (!carry) return FractKeyResult::Key(head + digits);
  if (head == 'Z') return FractKeyResult::Key(std::string(kIntegerZero));
  if (head == 'z') {
    *exhausted = true;
    return FractKeyResult::Key(std::string());
  }
  char next_head = static_cast<char>(head + 1);
  if (next_head > 'a') {
    digits.push_back(kFirstDigit);  // One more digit on the positive side.
  } else if (!digits.empty()) {
    digits.pop_back();  // One digit fewer on the negative side.
  }
  return FractKeyResult::Key(next_head + digits);
}

// Integer before `integer` (a well-formed integer part); error at the smallest one.
FractKeyResult DecrementInteger(std::string_view integer) {
  std::string digits(integer.substr(1));
  char head = integer[0];
  bool borrow = true;
  for (size_t i = digits.size(); borrow && i-- > 0;) {
    int d = DigitValue(digits[i]);
    if (d < 0) return FractKeyResult::Error(kErrInvalidDigit);
    if (d == 0) {
      digits[i] = kLastDigit;
    } else {
      digits[i] = DigitChar(d - 1);
      borrow = false;
    }
  }
  if (!borrow) return FractKeyResult::Key(head + digits);
  if (head == 'a') return FractKeyResult::Key(std::string("Z") + kLastDigit);
  if (head == 'A') return FractKeyResult::Error(kErrDecrement);
  char prev_head = static_cast<char>(head - 1);
  if (prev_head < 'Z') {
    digits.push_back(kLastDigit);  // One more digit on the negative side.
  } else if (!digits.empty()) {
    digits.pop_back();  // One digit fewer on the positive side.
  }
  return FractKeyResult::Key(prev_head + digits);
}

// A fraction strictly between fractions a and b (b absent = 1.0). Both are digit strings without
// a trailing zero; a < b is required. A missing digit of a counts as zero.
FractKeyResult Midpoint(std::string_view a, std::optional<std::string_view> b) {
  if (b && a >= *b) return FractKeyResult::Error(kErrMidpointOrder);
  if ((!a.empty() && a.back() == kFirstDigit) || (b && !b->empty() && b->back() == kFirstDigit)) {
    return FractKeyResult::Error(kErrTrailingSpace);
  }
  std::string out;
  for (;;) {
    if (b) {
      // Copy the common prefix (padding a with zeros); b cannot run out first since a < b.
      size_t n = 0;
      while (n < b->size() && (n < a.size() ? a[n] : kFirstDigit) == (*b)[n]) ++n;
      out.append(b->substr(0, n));
      a = n < a.size() ? a.substr(n) : std::string_view();
      b = b->substr(n);
      if (b->empty()) return FractKeyResult::Error(kErrMidpointOrder);
    }
    int digit_a = a.empty() ? 0 : DigitValue(a[0]);
    int digit_b = b ? DigitValue((*b)[0]) : kBase;
    if (digit_a < 0) return FractKeyResult::Error(kErrMidpointDigitA);
    if (digit_b < 0) return FractKeyResult::Error(kErrMidpointDigitB);
    if (digit_b <= digit_a) return FractKeyResult::Error(kErrMidpointOrder);
    if (digit_b - digit_a > 1) {
      out.push_back(DigitChar((digit_a + digit_b + 1) / 2));  // Middle digit, halves round up.
      return FractKeyResult::Key(std::move(out));
    }
    // Consecutive digits. If b continues, its first digit alone is already between.
    if (b && b->size() > 1) {
      out.push_back((*b)[0]);
      return FractKeyResult::Key(std::move(out));
    }
    // Otherwise keep a's digit and look for room after a's remaining digits.
    out.push_back(DigitChar(digit_a));
    a = a.empty() ? a : a.substr(1);
    b.reset();
  }
}

FractKeyResult Concat(std::string prefix, const FractKeyResult& suffix) {
  if (!suffix.ok) return suffix;
  return FractKeyResult::Key(std::move(prefix) + suffix.value);
}

}  // namespace

FractKeyResult KeyBetween(std::optional<std::string_view> a, std::optional<std::string_view> b) {
  std::string_view frac_a;
  std::string_view frac_b;
  FractKeyResult int_a;
  FractKeyResult int_b;
  if (a) {
    int_a = ValidateKey(*a, &frac_a);
    if (!int_a.ok) return int_a;
  }
  if (b) {
    int_b = ValidateKey(*b, &frac_b);
    if (!int_b.ok) return int_b;
  }
  // The original only rejects a > b and crashes on a == b; both are errors here.
  if (a && b && *a >= *b) return FractKeyResult::Error(kErrOrder);

  if (!a && !b) return FractKeyResult::Key(std::string(kIntegerZero));

  if (!a) {
    const std::string& ib = int_b.value;
    if (ib == kSmallestInteger) return Concat(ib, Midpoint("", frac_b));
    if (!frac_b.empty()) return FractKeyResult::Key(ib);
    FractKeyResult before = DecrementInteger(ib);
    // Decrementing "A" + 25 spaces + "!" yields the smallest integer, which is not a valid key
    // (the original returns it anyway); append a fraction to keep the result usable.
    if (before.ok && before.value == kSmallestInteger) {
      return Concat(before.value, Midpoint("", {}));
    }
    return before;
  }

  const std::string& ia = int_a.value;
  if (b && ia == int_b.value) return Concat(ia, Midpoint(frac_a, frac_b));
  bool exhausted = false;
  FractKeyResult after = IncrementInteger(ia, &exhausted);
  if (!after.ok) return after;
  // The next integer is the answer unless it is not below b (or there is none).
  if (!exhausted && (!b || after.value < *b)) return after;
  return Concat(ia, Midpoint(frac_a, {}));
}

}  // namespace crsync::crsqlite

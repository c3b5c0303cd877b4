// Fractional-index keys (spec §14.1): strings that sort bytewise and between any two of which a
// new key can always be generated, so a list can be reordered by rewriting one row's key.
//
// A key is an integer part followed by a fractional part, written in base 95 over the printable
// ASCII characters ' ' (0x20, digit 0) .. '~' (0x7E, digit 94). The integer part's first char (the
// "head") encodes its length: 'a'..'z' head 2..27 chars (non-negative integers, zero = "a "),
// 'A'..'Z' head 27..2 chars (negative integers). The fractional part never ends in ' ' (a
// trailing zero would make two spellings of one value). KeyBetween reproduces cr-sqlite 0.16
// exactly, including its error messages (checked against the original on random inputs), except
// that inputs on which the original crashed (equal or empty keys) are reported as errors, and
// that it never returns the bare smallest integer "A" + 26 spaces, which is not a valid key (the
// original does for b = "A" + 25 spaces + "!"; here the answer is that integer + "P").
//
// This is a parser of untrusted input (SQL arguments, replicated cells): it never asserts, never
// throws on malformed keys, and runs in time and stack linear in the input length.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace crsync::crsqlite {

// Outcome of KeyBetween: a key, or the message to raise as an SQL error.
struct FractKeyResult {
  bool ok = false;
  std::string value;  // The generated key when ok, else the error message.

  static FractKeyResult Key(std::string key) { return {true, std::move(key)}; }
  static FractKeyResult Error(std::string_view message) { return {false, std::string(message)}; }
};

// Returns a key k with a < k < b (bytewise), where an absent bound is open: KeyBetween(nullopt,
// nullopt) is "a ", KeyBetween(nullopt, b) sorts before b, KeyBetween(a, nullopt) after a.
// Errors (as values, never thrown for bad input): malformed a or b, or a not strictly before b.
// Pure function; thread-safe. May throw std::bad_alloc only.
FractKeyResult KeyBetween(std::optional<std::string_view> a, std::optional<std::string_view> b);

}  // namespace crsync::crsqlite

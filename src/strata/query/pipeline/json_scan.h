#pragma once
// Minimal JSON reading for the json and unpack parsers: validating, allocation-free scanning over the raw line
// (strings are located, not copied; unescaping appends to a caller buffer). RFC 8259 grammar for values; nesting
// is bounded by kMaxJsonDepth so hostile lines cannot exhaust the stack or time.

#include <cstddef>
#include <string>
#include <string_view>

namespace strata::query::json {

inline constexpr int kMaxJsonDepth = 256;

// A cursor over one line; every function advances `pos` on success and leaves an error message on failure.
struct Cursor {
  std::string_view s;
  size_t pos = 0;
  const char* error = nullptr;

  bool Fail(const char* what) {
    if (error == nullptr) error = what;
    return false;
  }
  void SkipWs() {
    while (pos < s.size() && (s[pos] == ' ' || s[pos] == '\t' || s[pos] == '\n' || s[pos] == '\r')) ++pos;
  }
  bool AtEnd() const { return pos >= s.size(); }
  char Peek() const { return pos < s.size() ? s[pos] : '\0'; }
  bool Consume(char c) {
    if (pos < s.size() && s[pos] == c) {
      ++pos;
      return true;
    }
    return false;
  }

  // At '"': the raw (still escaped) content between the quotes; `escaped` tells whether it holds a backslash.
  bool String(std::string_view* raw, bool* escaped);
  // At the first character of a number: its text.
  bool Number(std::string_view* text);
  // Skips any value (objects and arrays iteratively, with the depth bound); `raw` = its text.
  bool SkipValue(std::string_view* raw = nullptr);
};

// Appends the unescaped form of a raw string body. False on an invalid escape or a lone surrogate.
bool Unescape(std::string_view raw, std::string& out);

// Loki rejects values holding invalid UTF-8 or U+FFFD (the replacement character Prometheus refuses).
bool HasRuneError(std::string_view s);

}  // namespace strata::query::json

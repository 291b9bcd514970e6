#pragma once
// Character-level helpers shared by every parser of user text (query languages, label sets, protocol decoders,
// JSON writing): hex digit values, UTF-8 encoding and decoding of a code point, and strict UTF-8 sequence
// validation.
// Pure, thread-safe.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace strata::common {

// 0-15 for [0-9a-fA-F], -1 otherwise.
inline int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Appends the UTF-8 encoding of a code point (<= 0x10FFFF; the caller rejects surrogates where it matters).
void AppendUtf8(std::string& out, uint32_t code_point);

// Decodes the code point at s[i] (Go's utf8.DecodeRuneInString): an invalid or truncated sequence decodes as
// U+FFFD with *width 1, so a loop over a string always advances.
uint32_t DecodeUtf8(std::string_view s, size_t i, size_t* width);

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is not valid UTF-8 (truncated sequences,
// overlong forms, surrogates and code points above 0x10FFFF are invalid).
size_t Utf8SequenceLength(std::string_view s, size_t i);

}  // namespace strata::common

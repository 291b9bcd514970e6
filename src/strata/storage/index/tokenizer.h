#pragma once
// Tokens for full-text indexing and search: maximal runs of ASCII letters, digits and '_' , plus any byte >= 0x80
// (so UTF-8 words are tokens too). The index keys on a 64-bit hash of the case-folded token (ASCII A-Z -> a-z),
// which serves both the case-sensitive and the case-insensitive filters (rows are verified after the index).
// Pure, thread-safe.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace strata::storage::index {

namespace internal {
// 1 for token bytes, 0 for separators; defined in tokenizer.cc.
extern const std::array<uint8_t, 256> kTokenByteTable;
}  // namespace internal

// True for bytes that belong to tokens. Inline (one table load): ForEachToken calls it for every byte.
inline bool IsTokenByte(unsigned char c) { return internal::kTokenByteTable[c] != 0; }

// Calls fn(token) for each token of text, in order (duplicates included).
template <typename Fn>
void ForEachToken(std::string_view text, Fn&& fn) {
  size_t i = 0, n = text.size();
  while (i < n) {
    while (i < n && !IsTokenByte(static_cast<unsigned char>(text[i]))) ++i;
    size_t start = i;
    while (i < n && IsTokenByte(static_cast<unsigned char>(text[i]))) ++i;
    if (i > start) fn(text.substr(start, i - start));
  }
}

// 64-bit hash of the ASCII-lower-cased token. Stable across versions: it is stored on disk.
// = common::Hash64(lower(token), 0), computed without copying or allocating (common::Hash64AsciiLower).
uint64_t TokenHash(std::string_view token);

}  // namespace strata::storage::index

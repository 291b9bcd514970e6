#include "strata/storage/index/tokenizer.h"

#include <array>

#include "strata/common/hash.h"

namespace strata::storage::index {
namespace internal {
namespace {

constexpr std::array<uint8_t, 256> MakeTokenByteTable() {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    bool token = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c >= 0x80;
    t[c] = token ? 1 : 0;
  }
  return t;
}

}  // namespace

// Constant-initialized (no static-initialization-order issue for callers in other translation units).
constinit const std::array<uint8_t, 256> kTokenByteTable = MakeTokenByteTable();

}  // namespace internal

uint64_t TokenHash(std::string_view token) {
  // Folds case word by word inside the hash: no copy, no allocation, at any length.
  return common::Hash64AsciiLower(token);
}

}  // namespace strata::storage::index

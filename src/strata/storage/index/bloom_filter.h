#pragma once
// Per-block, per-column bloom filter over token hashes: answers "may this block's column contain token T?"
// with no false negatives. Serialized form (docs/format/part.md): u8 k (hash functions), then the bit array as
// 64-bit little-endian words. Bits per token are chosen at build time (default 10, ~1% false positives).
// Builder: not thread-safe. BloomMayContain: pure, thread-safe, works on the serialized bytes without copying.
//
// Details of the format (they are on disk; change only with a format version bump):
//   filter := ""                              no tokens: contains nothing
//           | k:u8 word:u64le{m}              1 <= k <= kBloomMaxHashes, m >= 1; bits = 64*m
//   m = ceil(n * bits_per_token / 64) for n distinct token hashes; k = round(0.69 * bits_per_token), at least 1.
//   Probe i (0 <= i < k) of token hash h tests bit ((hi32(h + i*d)) * bits) >> 32, d = rotl(h, 32) | 1 (64-bit
//   wrapping arithmetic); bit b is bit b%64 of word b/64 (= bit b%8 of array byte b/8).
// A malformed filter (no words, a partial word, k out of range) makes BloomMayContain return true ("may
// contain"): a corrupt filter can cost a block read but never hide rows.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace strata::storage::index {

inline constexpr int kBloomMaxHashes = 32;
// bits_per_token is clamped to [1, 64].
inline int ClampBloomBitsPerToken(int bits_per_token) {
  return bits_per_token < 1 ? 1 : (bits_per_token > 64 ? 64 : bits_per_token);
}
// Number of probes (k) used for a bits-per-token setting.
int BloomHashCount(int bits_per_token);

class BloomFilterBuilder {
 public:
  explicit BloomFilterBuilder(int bits_per_token = 10) : bits_per_token_(bits_per_token) {}
  void Add(uint64_t token_hash) { hashes_.push_back(token_hash); }
  // Deduplicates the hashes, sizes the filter, serializes it. Empty when nothing was added. Clears the builder,
  // which can then be reused for the next filter.
  std::string Finish();
  // Hashes added since the last Finish (duplicates included).
  size_t pending() const { return hashes_.size(); }

 private:
  int bits_per_token_;
  std::vector<uint64_t> hashes_;
};

// An empty filter (no tokens) contains nothing.
bool BloomMayContain(std::string_view filter, uint64_t token_hash);

}  // namespace strata::storage::index

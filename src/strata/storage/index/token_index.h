#pragma once
// Exact token index of one part: for each (column, token hash), the sorted list of block numbers whose column
// contains the token. This is what lets `trace_id = X` or `|= "a3f9c2"` touch only the blocks that hold X,
// where bloom filters alone would still make a reader probe every block header. Grammar: docs/format/index.md.
//
// Layout is built for compactness and zero-copy probing: keys sorted, delta-encoded in groups of 64 with a
// restart array for binary search; postings delta-varint encoded (a dense bitmap when smaller).
// Builder: not thread-safe. Reader: immutable view over bytes owned by the caller; thread-safe.
//
// Serialized form, version 2 (little-endian; varint = LEB128 as in common/coding.h):
//   index       := header restart{G} group{G}
//   header      := "STIX" version:u32(=2) key_count:u32 group_size:u32 key_bits:u32 groups_bytes:u64  (28 bytes)
//   Stored keys are the top key_bits bits of the 64-bit keys (key_bits = bit width of the key count + 10,
//   16..64), so deltas stay around 2^10 (two varint bytes) instead of ~2^64/n. Keys that share their top bits
//   share one posting (the union of their blocks): a lookup may return a few extra blocks (about one lookup in a
//   thousand for an absent token), never miss one. Rows are always verified after the index.
//   restart     := first_key:u64 group_offset:u64     G = ceil(key_count / group_size); offsets are relative to
//                                                      the first group, start at 0 and strictly increase
//   group       := entry{min(group_size, keys left)}  keys strictly increasing; the last group ends at
//                                                      groups_bytes, and the file ends there (exact size)
//   entry       := [key_delta:varint] posting         no delta for a group's first key (it is in the restart);
//                                                      then key = previous key + delta, delta >= 1
//   posting     := tag_word:varint payload            tag = tag_word & 3, n = tag_word >> 2
//     tag 0 single block:  n = the block id; no payload
//     tag 1 list:          payload = n bytes: first_block:varint (gap - 1):varint*   (>= 2 blocks)
//     tag 2 bitmap:        payload = n bytes: base_block:varint bitmap_byte+; bit j (byte j/8, bit j%8) set
//                          means block base + j is present
//     tag 3 reserved (corrupt)
// The writer picks the bitmap only when it is strictly smaller than the list. Skipping an entry costs two varint
// reads and one jump (payload length is explicit), so Lookup is a binary search plus a scan of <= 64 entries.

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "strata/base/status.h"

namespace strata::storage::index {

inline constexpr char kTokenIndexMagic[4] = {'S', 'T', 'I', 'X'};
inline constexpr uint32_t kTokenIndexVersion = 2;
inline constexpr uint32_t kTokenIndexGroupSize = 64;
inline constexpr uint32_t kTokenIndexMaxGroupSize = 1 << 16;
inline constexpr size_t kTokenIndexHeaderSize = 28;
inline constexpr size_t kTokenIndexRestartSize = 16;

// Key of a (column, token) pair: the token hash mixed with the column id. For a fixed column it is a bijection of
// the token hash (distinct tokens never share a key within a column). Stored on disk: stable.
uint64_t TokenKey(uint32_t column_id, uint64_t token_hash);

class TokenIndexBuilder {
 public:
  // How Finish encoded the postings (for tests, benchmarks and metrics).
  struct Stats {
    size_t keys = 0;
    size_t entries = 0;  // distinct (key, block) pairs
    size_t singles = 0;  // keys in one block
    size_t lists = 0;    // keys encoded as delta lists
    size_t bitmaps = 0;  // keys encoded as bitmaps
  };

  // group_size: keys per restart group (clamped to [1, kTokenIndexMaxGroupSize]); tests use small groups.
  // exact_keys keeps all 64 key bits (no shared postings, no false positives) at about twice the size.
  explicit TokenIndexBuilder(uint32_t group_size = kTokenIndexGroupSize, bool exact_keys = false);

  // Blocks must be added in non-decreasing block order per key (the part writer goes block by block);
  // duplicates are ignored. Repeats of a key within the current block are dropped at once (a small per-block set),
  // so memory grows with distinct (key, block) pairs, not with token occurrences. Out-of-order blocks are still
  // indexed correctly, only more slowly.
  void Add(uint64_t key, uint32_t block);
  // Serializes everything added so far (at most 2^32 - 1 distinct keys). The builder keeps its entries: Add may
  // continue and Finish be called again (the output then covers all entries); Clear() starts over.
  std::string Finish();
  // Distinct keys added so far (sorts the pending entries: O(n log n) after new Adds, O(1) otherwise).
  size_t keys() const;
  // Of the last Finish.
  const Stats& stats() const { return stats_; }
  void Clear();

 private:
  void SortAndDedup() const;
  bool SeenInCurrentBlock(uint64_t key, uint32_t block);

  struct Entry {
    uint64_t key;
    uint32_t block;
  };

  bool exact_keys_ = false;
  uint32_t group_size_;
  mutable std::vector<Entry> entries_;
  mutable bool sorted_ = true;
  mutable size_t distinct_keys_ = 0;
  Stats stats_;
  // Per-block dedup set: open addressing over keys; a slot is live when its generation is the current one, so
  // moving to the next block clears the set in O(1).
  std::vector<uint64_t> seen_keys_;
  std::vector<uint32_t> seen_gen_;
  uint32_t gen_ = 1;
  uint32_t seen_block_ = 0;
  size_t seen_count_ = 0;
  int seen_shift_ = 64;
};

class TokenIndexReader {
 public:
  // DataLoss on malformed data (header, sizes, restart array). The bytes must outlive the reader.
  static base::Result<TokenIndexReader> Open(std::string_view data);
  // Appends the blocks holding key to *blocks (sorted ascending); false if the key is absent. A corrupt group
  // (never read past its bounds) also gives false, with *blocks left as it was.
  bool Lookup(uint64_t key, std::vector<uint32_t>* blocks) const;
  // Calls fn(key, blocks) for every stored (truncated, see key_bits) key in ascending order (tools). DataLoss on a
  // corrupt group.
  base::Status ForEach(const std::function<void(uint64_t key, std::span<const uint32_t> blocks)>& fn) const;
  size_t key_count() const { return key_count_; }
  size_t size_bytes() const { return data_.size(); }
  uint32_t key_bits() const { return key_bits_; }

 private:
  size_t group_count() const { return restarts_.size() / kTokenIndexRestartSize; }
  uint64_t FirstKey(size_t group) const;
  std::string_view GroupBytes(size_t group) const;
  size_t GroupKeys(size_t group) const;

  std::string_view data_;
  size_t key_count_ = 0;
  // Parsed section views (restart table etc.), set by Open.
  std::string_view restarts_;
  std::string_view entries_;
  uint32_t group_size_ = 64;
  uint32_t key_bits_ = 64;
};

// The stored form of a key in an index with key_bits bits.
inline uint64_t TruncateTokenKey(uint64_t key, uint32_t key_bits) {
  return key_bits >= 64 ? key : key >> (64 - key_bits);
}

}  // namespace strata::storage::index

#include "strata/storage/index/token_index.h"

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "strata/common/coding.h"
#include "strata/common/hash.h"

namespace strata::storage::index {
namespace {

constexpr uint64_t kTagSingle = 0;
constexpr uint64_t kTagList = 1;
constexpr uint64_t kTagBitmap = 2;

inline size_t VarintLength(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

// Stable LSD radix sort by key, 11 bits per pass (6 passes cover 64 bits), skipping passes whose digit is the same
// in every entry. Stability keeps each key's blocks in insertion order, which the builder contract makes
// non-decreasing.
template <typename Entry>
void RadixSortByKey(std::vector<Entry>& v) {
  constexpr int kBits = 11, kPasses = 6, kBuckets = 1 << kBits;
  const size_t n = v.size();
  if (n < 512) {
    std::stable_sort(v.begin(), v.end(), [](const Entry& a, const Entry& b) { return a.key < b.key; });
    return;
  }
  std::vector<size_t> count_storage(kPasses * kBuckets, 0);
  size_t* counts = count_storage.data();
  Entry* src = v.data();
  for (size_t i = 0; i < n; ++i) {
    const uint64_t k = src[i].key;
    for (int pass = 0; pass < kPasses; ++pass) ++counts[pass * kBuckets + ((k >> (kBits * pass)) & (kBuckets - 1))];
  }
  std::vector<Entry> tmp(n);
  Entry* dst = tmp.data();
  for (int pass = 0; pass < kPasses; ++pass) {
    size_t* c = counts + pass * kBuckets;
    if (std::find(c, c + kBuckets, n) != c + kBuckets) continue;  // digit constant: nothing would move
    size_t sum = 0;
    for (int d = 0; d < kBuckets; ++d) {
      const size_t cnt = c[d];
      c[d] = sum;
      sum += cnt;
    }
    const int shift = kBits * pass;
    for (size_t i = 0; i < n; ++i) dst[c[(src[i].key >> shift) & (kBuckets - 1)]++] = src[i];
    std::swap(src, dst);
  }
  if (src != v.data()) std::copy(src, src + n, v.data());
}

// Appends the posting of blocks[0..n) (strictly increasing) and counts its kind.
void EncodePosting(const uint32_t* blocks, size_t n, std::string& out, TokenIndexBuilder::Stats& stats) {
  if (n == 1) {
    common::PutVarint64(out, (static_cast<uint64_t>(blocks[0]) << 2) | kTagSingle);
    ++stats.singles;
    return;
  }
  size_t list_bytes = VarintLength(blocks[0]);
  for (size_t i = 1; i < n; ++i) list_bytes += VarintLength(blocks[i] - blocks[i - 1] - 1);
  const uint64_t span = static_cast<uint64_t>(blocks[n - 1]) - blocks[0] + 1;
  const size_t bitmap_bytes = VarintLength(blocks[0]) + (span + 7) / 8;
  const size_t list_total = VarintLength((list_bytes << 2) | kTagList) + list_bytes;
  const size_t bitmap_total = VarintLength((bitmap_bytes << 2) | kTagBitmap) + bitmap_bytes;
  if (bitmap_total < list_total) {
    common::PutVarint64(out, (static_cast<uint64_t>(bitmap_bytes) << 2) | kTagBitmap);
    common::PutVarint64(out, blocks[0]);
    const size_t start = out.size();
    out.resize(start + (span + 7) / 8, '\0');
    auto* bits = reinterpret_cast<unsigned char*>(out.data() + start);
    for (size_t i = 0; i < n; ++i) {
      uint64_t j = blocks[i] - blocks[0];
      bits[j >> 3] |= static_cast<unsigned char>(1u << (j & 7));
    }
    ++stats.bitmaps;
  } else {
    common::PutVarint64(out, (static_cast<uint64_t>(list_bytes) << 2) | kTagList);
    common::PutVarint64(out, blocks[0]);
    for (size_t i = 1; i < n; ++i) common::PutVarint64(out, blocks[i] - blocks[i - 1] - 1);
    ++stats.lists;
  }
}

// common::GetVarint64 with a fast path: when 10 bytes are left, no per-byte bounds check. Same results.
inline bool ReadVarint(std::string_view& in, uint64_t* v) {
  if (in.size() >= 10) [[likely]] {
    const auto* p = reinterpret_cast<const unsigned char*>(in.data());
    uint64_t result = 0;
    for (int i = 0; i < 10; ++i) {
      const unsigned char byte = p[i];
      result |= static_cast<uint64_t>(byte & 0x7f) << (7 * i);
      if (!(byte & 0x80)) {
        *v = result;
        in.remove_prefix(i + 1);
        return true;
      }
    }
    return false;
  }
  return common::GetVarint64(in, v);
}

// Decodes one posting payload (the tag word already read) into *blocks. False on any inconsistency.
bool DecodePosting(uint64_t tag_word, std::string_view& in, std::vector<uint32_t>* blocks) {
  constexpr uint64_t kMaxBlock = std::numeric_limits<uint32_t>::max();
  const uint64_t tag = tag_word & 3;
  const uint64_t n = tag_word >> 2;
  if (tag == kTagSingle) {
    if (n > kMaxBlock) return false;
    blocks->push_back(static_cast<uint32_t>(n));
    return true;
  }
  if (tag == 3 || n == 0 || n > in.size()) return false;
  std::string_view payload = in.substr(0, n);
  in.remove_prefix(n);
  uint64_t block;
  if (!ReadVarint(payload, &block) || block > kMaxBlock) return false;
  if (tag == kTagList) {
    blocks->push_back(static_cast<uint32_t>(block));
    while (!payload.empty()) {
      uint64_t gap;
      if (!ReadVarint(payload, &gap) || gap >= kMaxBlock - block) return false;
      block += gap + 1;
      blocks->push_back(static_cast<uint32_t>(block));
    }
    return true;
  }
  // Bitmap.
  if (payload.empty()) return false;
  const size_t before = blocks->size();
  for (size_t i = 0; i < payload.size(); ++i) {
    unsigned bits = static_cast<unsigned char>(payload[i]);
    while (bits != 0) {
      const uint64_t b = block + i * 8 + static_cast<unsigned>(__builtin_ctz(bits));
      if (b > kMaxBlock) return false;
      blocks->push_back(static_cast<uint32_t>(b));
      bits &= bits - 1;
    }
  }
  return blocks->size() > before;
}

// Reads the next entry's key and tag word. False on truncation or a non-increasing key.
inline bool NextEntry(std::string_view& in, bool first, uint64_t* key, uint64_t* tag_word) {
  if (!first) {
    uint64_t delta;
    if (!ReadVarint(in, &delta) || delta == 0 || delta > ~*key) return false;
    *key += delta;
  }
  return ReadVarint(in, tag_word);
}

// Skips the payload of an entry whose tag word was read.
inline bool SkipPayload(uint64_t tag_word, std::string_view& in) {
  const uint64_t tag = tag_word & 3;
  if (tag == kTagSingle) return true;
  const uint64_t n = tag_word >> 2;
  if (tag == 3 || n == 0 || n > in.size()) return false;
  in.remove_prefix(n);
  return true;
}

}  // namespace

uint64_t TokenKey(uint32_t column_id, uint64_t token_hash) {
  return common::Mix64(token_hash ^ (static_cast<uint64_t>(column_id) * 0x9e3779b97f4a7c15ULL));
}

// ---- Builder ----

TokenIndexBuilder::TokenIndexBuilder(uint32_t group_size, bool exact_keys)
    : exact_keys_(exact_keys), group_size_(std::clamp<uint32_t>(group_size, 1, kTokenIndexMaxGroupSize)) {}

bool TokenIndexBuilder::SeenInCurrentBlock(uint64_t key, uint32_t block) {
  if (block != seen_block_ || seen_keys_.empty()) {
    seen_block_ = block;
    seen_count_ = 0;
    if (++gen_ == 0) {  // wrapped after 2^32 blocks: really clear
      std::fill(seen_gen_.begin(), seen_gen_.end(), 0);
      gen_ = 1;
    }
    if (seen_keys_.empty()) {
      seen_keys_.assign(1024, 0);
      seen_gen_.assign(1024, 0);
      seen_shift_ = 64 - 10;
    }
  }
  if ((seen_count_ + 1) * 2 > seen_keys_.size()) {
    // Grow (load <= 1/2): rehash the live keys.
    std::vector<uint64_t> old_keys = std::move(seen_keys_);
    std::vector<uint32_t> old_gen = std::move(seen_gen_);
    seen_keys_.assign(old_keys.size() * 2, 0);
    seen_gen_.assign(old_keys.size() * 2, 0);
    --seen_shift_;
    const size_t mask = seen_keys_.size() - 1;
    for (size_t i = 0; i < old_keys.size(); ++i) {
      if (old_gen[i] != gen_) continue;
      size_t s = (old_keys[i] * 0x9e3779b97f4a7c15ULL) >> seen_shift_;
      while (seen_gen_[s] == gen_) s = (s + 1) & mask;
      seen_keys_[s] = old_keys[i];
      seen_gen_[s] = gen_;
    }
  }
  // Fibonacci hashing: robust even when callers pass structured (non-hash) keys.
  const size_t mask = seen_keys_.size() - 1;
  uint64_t* keys = seen_keys_.data();
  uint32_t* gens = seen_gen_.data();
  size_t s = (key * 0x9e3779b97f4a7c15ULL) >> seen_shift_;
  while (gens[s] == gen_) {
    if (keys[s] == key) return true;
    s = (s + 1) & mask;
  }
  keys[s] = key;
  gens[s] = gen_;
  ++seen_count_;
  return false;
}

void TokenIndexBuilder::Add(uint64_t key, uint32_t block) {
  if (SeenInCurrentBlock(key, block)) return;
  entries_.push_back({key, block});
  sorted_ = false;
}

void TokenIndexBuilder::SortAndDedup() const {
  if (sorted_) return;
  RadixSortByKey(entries_);
  // Within a key the blocks are in insertion order; a caller that broke the non-decreasing contract gets a sort.
  // Then drop repeated (key, block) pairs, in place.
  Entry* e = entries_.data();
  const size_t n = entries_.size();
  size_t keys = 0, out = 0;
  for (size_t i = 0; i < n;) {
    size_t j = i + 1;
    bool ordered = true;
    while (j < n && e[j].key == e[i].key) {
      ordered &= e[j - 1].block <= e[j].block;
      ++j;
    }
    if (!ordered) std::sort(e + i, e + j, [](const Entry& a, const Entry& b) { return a.block < b.block; });
    for (size_t k = i; k < j; ++k) {
      if (k == i || e[k].block != e[k - 1].block) e[out++] = e[k];
    }
    ++keys;
    i = j;
  }
  entries_.resize(out);
  distinct_keys_ = keys;
  sorted_ = true;
}

size_t TokenIndexBuilder::keys() const {
  SortAndDedup();
  return distinct_keys_;
}

void TokenIndexBuilder::Clear() {
  entries_.clear();
  entries_.shrink_to_fit();
  sorted_ = true;
  distinct_keys_ = 0;
  stats_ = Stats{};
  seen_keys_.clear();
  seen_gen_.clear();
  seen_count_ = 0;
}

std::string TokenIndexBuilder::Finish() {
  SortAndDedup();
  stats_ = Stats{};
  stats_.entries = entries_.size();
  // Truncate keys to key_bits: sorted full keys stay sorted (non-strictly) once truncated, so keys sharing their
  // top bits are adjacent and their postings merge.
  const uint32_t key_bits =
      exact_keys_ ? 64 : std::clamp<uint32_t>(static_cast<uint32_t>(std::bit_width(distinct_keys_)) + 10, 16, 64);
  size_t stored_keys = 0;
  {
    bool first = true;
    uint64_t prev = 0;
    for (const auto& e : entries_) {
      uint64_t k = TruncateTokenKey(e.key, key_bits);
      if (first || k != prev) ++stored_keys;
      first = false;
      prev = k;
    }
  }
  // key_count is a u32 on disk; 2^32 distinct keys would need > 64 GiB of builder memory first.
  if (stored_keys > std::numeric_limits<uint32_t>::max()) std::abort();
  stats_.keys = stored_keys;
  const size_t groups = (stored_keys + group_size_ - 1) / group_size_;
  const size_t groups_start = kTokenIndexHeaderSize + groups * kTokenIndexRestartSize;

  std::string out;
  // Typical entries cost 1-3 bytes and keys ~2; reserving avoids most regrowth copies.
  out.reserve(groups_start + entries_.size() * 3 + stored_keys * 3);
  out.append(kTokenIndexMagic, 4);
  common::PutFixed32(out, kTokenIndexVersion);
  common::PutFixed32(out, static_cast<uint32_t>(stored_keys));
  common::PutFixed32(out, group_size_);
  common::PutFixed32(out, key_bits);
  common::PutFixed64(out, 0);  // groups_bytes, patched below
  out.resize(groups_start, '\0');

  std::vector<uint32_t> blocks;
  size_t key_index = 0;
  uint64_t prev_key = 0;
  for (size_t i = 0; i < entries_.size();) {
    const uint64_t key = TruncateTokenKey(entries_[i].key, key_bits);
    blocks.clear();
    size_t j = i;
    size_t full_keys = 0;
    uint64_t last_full = 0;
    for (; j < entries_.size() && TruncateTokenKey(entries_[j].key, key_bits) == key; ++j) {
      if (j == i || entries_[j].key != last_full) ++full_keys;
      last_full = entries_[j].key;
      blocks.push_back(entries_[j].block);
    }
    if (full_keys > 1) {
      std::sort(blocks.begin(), blocks.end());
      blocks.erase(std::unique(blocks.begin(), blocks.end()), blocks.end());
    }
    if (key_index % group_size_ == 0) {
      char* r = out.data() + kTokenIndexHeaderSize + (key_index / group_size_) * kTokenIndexRestartSize;
      const uint64_t offset = out.size() - groups_start;
      std::memcpy(r, &key, 8);  // little-endian hosts only, as common/coding.h
      std::memcpy(r + 8, &offset, 8);
    } else {
      common::PutVarint64(out, key - prev_key);
    }
    EncodePosting(blocks.data(), blocks.size(), out, stats_);
    prev_key = key;
    ++key_index;
    i = j;
  }
  const uint64_t groups_bytes = out.size() - groups_start;
  std::memcpy(out.data() + 20, &groups_bytes, 8);
  return out;
}

// ---- Reader ----

base::Result<TokenIndexReader> TokenIndexReader::Open(std::string_view data) {
  if (data.size() < kTokenIndexHeaderSize) return base::DataLoss("token index: shorter than its header");
  if (std::memcmp(data.data(), kTokenIndexMagic, 4) != 0) return base::DataLoss("token index: bad magic");
  const uint32_t version = common::DecodeFixed32(data.data() + 4);
  if (version != kTokenIndexVersion) {
    return base::DataLoss("token index: unsupported version " + std::to_string(version));
  }
  const uint32_t key_count = common::DecodeFixed32(data.data() + 8);
  const uint32_t group_size = common::DecodeFixed32(data.data() + 12);
  const uint32_t key_bits = common::DecodeFixed32(data.data() + 16);
  const uint64_t groups_bytes = common::DecodeFixed64(data.data() + 20);
  if (key_bits < 1 || key_bits > 64) return base::DataLoss("token index: bad key width " + std::to_string(key_bits));
  if (group_size == 0 || group_size > kTokenIndexMaxGroupSize) {
    return base::DataLoss("token index: bad group size " + std::to_string(group_size));
  }
  const uint64_t groups = (static_cast<uint64_t>(key_count) + group_size - 1) / group_size;
  const uint64_t body = data.size() - kTokenIndexHeaderSize;
  if (groups > body / kTokenIndexRestartSize) return base::DataLoss("token index: restart array truncated");
  const uint64_t restart_bytes = groups * kTokenIndexRestartSize;
  if (groups_bytes != body - restart_bytes) {
    return base::DataLoss("token index: size mismatch (truncated or trailing bytes)");
  }
  if (groups == 0 && groups_bytes != 0) return base::DataLoss("token index: bytes after an empty index");
  TokenIndexReader r;
  r.data_ = data;
  r.key_count_ = key_count;
  r.group_size_ = group_size;
  r.key_bits_ = key_bits;
  r.restarts_ = data.substr(kTokenIndexHeaderSize, restart_bytes);
  r.entries_ = data.substr(kTokenIndexHeaderSize + restart_bytes);
  // Every group holds at least one byte, so offsets start at 0 and strictly increase; first keys too.
  for (uint64_t g = 0; g < groups; ++g) {
    const char* e = r.restarts_.data() + g * kTokenIndexRestartSize;
    const uint64_t offset = common::DecodeFixed64(e + 8);
    if (g == 0 ? offset != 0 : offset <= common::DecodeFixed64(e + 8 - kTokenIndexRestartSize)) {
      return base::DataLoss("token index: restart offsets out of order");
    }
    if (offset >= groups_bytes) return base::DataLoss("token index: restart offset out of bounds");
    if (g > 0 && common::DecodeFixed64(e) <= common::DecodeFixed64(e - kTokenIndexRestartSize)) {
      return base::DataLoss("token index: restart keys out of order");
    }
  }
  return r;
}

uint64_t TokenIndexReader::FirstKey(size_t group) const {
  return common::DecodeFixed64(restarts_.data() + group * kTokenIndexRestartSize);
}

std::string_view TokenIndexReader::GroupBytes(size_t group) const {
  const char* e = restarts_.data() + group * kTokenIndexRestartSize;
  const uint64_t begin = common::DecodeFixed64(e + 8);
  const uint64_t end = group + 1 < group_count() ? common::DecodeFixed64(e + 8 + kTokenIndexRestartSize)
                                                 : entries_.size();
  return entries_.substr(begin, end - begin);  // bounds were checked by Open
}

size_t TokenIndexReader::GroupKeys(size_t group) const {
  return std::min<size_t>(group_size_, key_count_ - group * group_size_);
}

bool TokenIndexReader::Lookup(uint64_t full_key, std::vector<uint32_t>* blocks) const {
  const uint64_t key = TruncateTokenKey(full_key, key_bits_);
  const size_t groups = group_count();
  if (groups == 0 || key < FirstKey(0)) return false;
  // Last group whose first key <= key.
  size_t lo = 0, hi = groups;
  while (hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;
    if (FirstKey(mid) <= key) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  std::string_view in = GroupBytes(lo);
  const size_t n = GroupKeys(lo);
  uint64_t cur = FirstKey(lo);
  for (size_t i = 0; i < n; ++i) {
    uint64_t tag_word;
    if (!NextEntry(in, i == 0, &cur, &tag_word)) return false;
    if (cur == key) {
      const size_t before = blocks->size();
      if (DecodePosting(tag_word, in, blocks)) return true;
      blocks->resize(before);
      return false;
    }
    if (cur > key || !SkipPayload(tag_word, in)) return false;
  }
  return false;
}

base::Status TokenIndexReader::ForEach(
    const std::function<void(uint64_t key, std::span<const uint32_t> blocks)>& fn) const {
  std::vector<uint32_t> blocks;
  for (size_t g = 0; g < group_count(); ++g) {
    std::string_view in = GroupBytes(g);
    uint64_t cur = FirstKey(g);
    const size_t n = GroupKeys(g);
    for (size_t i = 0; i < n; ++i) {
      uint64_t tag_word;
      blocks.clear();
      if (!NextEntry(in, i == 0, &cur, &tag_word) || !DecodePosting(tag_word, in, &blocks)) {
        return base::DataLoss("token index: corrupt group " + std::to_string(g));
      }
      if (g + 1 < group_count() && cur >= FirstKey(g + 1)) {
        return base::DataLoss("token index: group " + std::to_string(g) + " overlaps the next");
      }
      fn(cur, blocks);
    }
    if (!in.empty()) return base::DataLoss("token index: trailing bytes in group " + std::to_string(g));
  }
  return base::Status::Ok();
}

}  // namespace strata::storage::index

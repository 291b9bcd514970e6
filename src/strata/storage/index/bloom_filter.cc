#include "strata/storage/index/bloom_filter.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace strata::storage::index {
namespace {

// Kirsch-Mitzenmacher double hashing on the (already uniform) 64-bit token hash: probe i looks at h1 + i*h2.
// Rotating by 32 makes the high halves of h1 and h2 the two independent 32-bit halves of the hash; the high 32 bits
// of each probe are then mapped onto [0, bits) with a multiply-shift instead of a modulo.
struct Probe {
  uint64_t h, delta;
  explicit Probe(uint64_t token_hash) : h(token_hash), delta(std::rotl(token_hash, 32) | 1) {}
  uint64_t Next(uint64_t bits) {
    uint64_t pos = ((h >> 32) * bits) >> 32;
    h += delta;
    return pos;
  }
};

// Bit b of the filter lives in 64-bit little-endian word b/64, bit b%64: that is byte b/8, bit b%8, so the
// reader indexes bytes and needs neither alignment nor byte swapping.
inline bool TestBit(const unsigned char* bits, uint64_t b) { return (bits[b >> 3] >> (b & 7)) & 1; }
inline void SetBit(unsigned char* bits, uint64_t b) { bits[b >> 3] |= static_cast<unsigned char>(1u << (b & 7)); }

}  // namespace

int BloomHashCount(int bits_per_token) {
  int k = static_cast<int>(std::lround(0.69 * ClampBloomBitsPerToken(bits_per_token)));
  return std::clamp(k, 1, kBloomMaxHashes);
}

namespace {

// Removes duplicate hashes in place, keeping first occurrences, in O(n) with a scratch open-addressing set (a block
// column's tokens repeat a lot; sorting them was the builder's main cost).
void Dedup(std::vector<uint64_t>& v) {
  if (v.size() < 32) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return;
  }
  int bits = 6;
  while ((size_t{1} << bits) < v.size() * 2) ++bits;
  std::vector<uint64_t> table(size_t{1} << bits, 0);
  const size_t mask = table.size() - 1;
  bool have_zero = false;  // 0 marks an empty slot, so the hash 0 is tracked on the side
  size_t out = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    const uint64_t h = v[i];
    if (h == 0) {
      if (!have_zero) v[out++] = 0;
      have_zero = true;
      continue;
    }
    size_t s = (h * 0x9e3779b97f4a7c15ULL) >> (64 - bits);  // structured test inputs spread too
    while (table[s] != 0 && table[s] != h) s = (s + 1) & mask;
    if (table[s] == 0) {
      table[s] = h;
      v[out++] = h;
    }
  }
  v.resize(out);
}

}  // namespace

std::string BloomFilterBuilder::Finish() {
  Dedup(hashes_);
  std::string out;
  if (!hashes_.empty()) {
    const int bpt = ClampBloomBitsPerToken(bits_per_token_);
    const int k = BloomHashCount(bpt);
    // Bits are capped below 2^32 (512 MiB) so a probe's 32-bit fraction maps onto every bit.
    const uint64_t wanted_bits = std::min<uint64_t>(hashes_.size() * static_cast<uint64_t>(bpt), 0xffffffc0ULL);
    const uint64_t words = (wanted_bits + 63) / 64;
    const uint64_t bits = words * 64;
    out.assign(1 + words * 8, '\0');
    out[0] = static_cast<char>(k);
    auto* array = reinterpret_cast<unsigned char*>(out.data() + 1);
    for (uint64_t hash : hashes_) {
      Probe p(hash);
      for (int i = 0; i < k; ++i) SetBit(array, p.Next(bits));
    }
  }
  hashes_.clear();
  return out;
}

bool BloomMayContain(std::string_view filter, uint64_t token_hash) {
  if (filter.empty()) return false;  // no tokens were added
  const auto k = static_cast<unsigned char>(filter[0]);
  const size_t array_bytes = filter.size() - 1;
  // Malformed (no words, a partial word, k out of range): answer "may contain" so a bad filter can only cost a
  // block read, never hide rows. The part's section CRC is what detects the corruption.
  if (array_bytes == 0 || array_bytes % 8 != 0 || k == 0 || k > kBloomMaxHashes) return true;
  const uint64_t bits = array_bytes * 8;
  if (bits > 0xffffffffULL) return true;
  const auto* array = reinterpret_cast<const unsigned char*>(filter.data() + 1);
  Probe p(token_hash);
  for (int i = 0; i < k; ++i) {
    if (!TestBit(array, p.Next(bits))) return false;
  }
  return true;
}

}  // namespace strata::storage::index

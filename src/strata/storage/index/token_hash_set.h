#pragma once
// TokenHashSet: the distinct token hashes of one block column, collected while tokenizing. The part writer used to
// push every token occurrence into a vector and sort it to deduplicate (a message column of 16 k rows has ~400 k
// occurrences but only tens of thousands of distinct tokens); a set drops repeats at once, so the work is one probe
// per occurrence and memory grows with distinct tokens only.
//
// Open addressing with linear probing over the hash's top bits (token hashes are already well mixed). Each slot
// holds (generation << 32 | index + 1), so Clear() is O(1): slots of an older generation count as empty. values()
// keeps insertion order. Not thread-safe; reuse one set per thread.

#include <algorithm>
#include <cstdint>
#include <vector>

namespace strata::storage::index {

class TokenHashSet {
 public:
  // Starts a new, empty set (keeps the memory).
  void Clear() {
    values_.clear();
    if (++generation_ == 0) {  // wrapped after 2^32 clears: really clear
      std::fill(slots_.begin(), slots_.end(), 0);
      generation_ = 1;
    }
  }

  // Adds h; false if it was already present.
  bool Insert(uint64_t h) {
    if ((values_.size() + 1) * 2 > slots_.size()) Grow();
    const size_t mask = slots_.size() - 1;
    for (size_t s = h >> shift_;; s = (s + 1) & mask) {
      const uint64_t slot = slots_[s];
      if ((slot >> 32) != generation_) {
        values_.push_back(h);
        slots_[s] = (uint64_t{generation_} << 32) | values_.size();
        return true;
      }
      if (values_[(slot & 0xffffffffu) - 1] == h) return false;
    }
  }

  // The distinct hashes, in insertion order.
  const std::vector<uint64_t>& values() const { return values_; }
  size_t size() const { return values_.size(); }

 private:
  void Grow() {
    const size_t n = slots_.empty() ? 1024 : slots_.size() * 2;
    slots_.assign(n, 0);
    shift_ = 64 - __builtin_ctzll(n);
    generation_ = 1;
    const size_t mask = n - 1;
    for (size_t i = 0; i < values_.size(); ++i) {
      size_t s = values_[i] >> shift_;
      while ((slots_[s] >> 32) == generation_) s = (s + 1) & mask;
      slots_[s] = (uint64_t{generation_} << 32) | (i + 1);
    }
  }

  std::vector<uint64_t> slots_;
  std::vector<uint64_t> values_;
  uint32_t generation_ = 1;
  int shift_ = 64;
};

}  // namespace strata::storage::index

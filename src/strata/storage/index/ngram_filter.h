#pragma once
// Per-block, per-column trigram filter: answers "may some value of this block's column contain substring S?" with
// no false negatives. The exact token index proves whole tokens only; a LogQL `|= "x"` needle may sit inside a
// longer token ("c61a" in "tr_c61a01"), so substring and regex filters prune blocks with this filter instead.
//
// The filter is the exact set of trigrams over case-folded byte classes, so one filter serves case-sensitive and
// case-insensitive needles:
//   class(b) = 1 + digit ('0'-'9' -> 1..10), 11 + letter ('a'-'z' and 'A'-'Z' -> 11..36), 37 for '_',
//              38 for bytes >= 0x80, 0 for every other byte (separators: space, punctuation, control bytes).
// A trigram is 3 consecutive bytes of one value (never spanning two values); its id is
// class(b0) * 39^2 + class(b1) * 39 + class(b2), below kTrigramSpace = 39^3 = 59,319. A needle passes when every
// one of its trigrams is in the set; a needle shorter than 3 bytes has none and always passes. Rows are always
// verified after the filter (the classes merge bytes, so "a.b" and "a-b" share a trigram).
//
// Serialized form (docs/format/index.md; on disk: change only with a new tag):
//   filter := ""                                      no filter: may contain anything
//           | tag:u8(=1) mask:u64le{15} word:u64le{popcount(mask)}
//   The set is a bitmap of kTrigramSpace bits = kTrigramWords (927) 64-bit words, of which only the nonzero words
//   are stored, in order; bit w of the mask (bit w%64 of mask word w/64) says word w is stored. Trigram t is in
//   the set when its word t/64 is stored and bit t%64 of that word is set. Mask bits >= 927 are zero.
// A column with no trigram (every value shorter than 3 bytes) stores tag 1 with an all-zero mask (contains no
// substring of 3 bytes or more). A malformed filter (unknown tag, wrong size, stray mask bits) answers "may
// contain": a corrupt filter can cost a block read but never hide rows.
//
// Cost: building is three table loads, two adds and a byte store per value byte (~880 MB/s, BM_TrigramBuild) plus
// ~60 KB of packing per filter; probing is a few popcounts per trigram (~100 ns for a 19-byte needle).
// Builder: not thread-safe (one per encoding thread). Probes: pure, thread-safe, zero-copy on the stored bytes.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace strata::storage::index {

inline constexpr uint32_t kTrigramClasses = 39;
inline constexpr uint32_t kTrigramSpace = kTrigramClasses * kTrigramClasses * kTrigramClasses;
inline constexpr size_t kTrigramWords = (kTrigramSpace + 63) / 64;
inline constexpr size_t kTrigramMaskWords = (kTrigramWords + 63) / 64;
inline constexpr uint8_t kTrigramFilterTag = 1;

namespace internal {
// Byte -> class (see above), and class * 39^2, class * 39; defined in ngram_filter.cc.
extern const std::array<uint8_t, 256> kTrigramClassTable;
extern const std::array<uint16_t, 256> kTrigramFirstTable;
extern const std::array<uint16_t, 256> kTrigramSecondTable;
}  // namespace internal

inline uint32_t TrigramClassOf(unsigned char c) { return internal::kTrigramClassTable[c]; }

// The distinct trigram ids of a needle, ascending; empty when the needle is shorter than 3 bytes. A value that
// contains the needle (case-sensitively or not) contains every one of them.
std::vector<uint32_t> TrigramsOf(std::string_view needle);

class TrigramFilterBuilder {
 public:
  TrigramFilterBuilder() { seen_.fill(0); }

  // Adds the trigrams of one value.
  // Each trigram id is computed from its three bytes (pre-multiplied class tables), with no dependency on the
  // previous one, and marked with a plain byte store (no read-modify-write of a shared word), so the loop
  // pipelines: 3 loads, 2 adds and a store per byte.
  void AddValue(std::string_view value) {
    if (value.size() < 3) return;
    const auto* p = reinterpret_cast<const unsigned char*>(value.data());
    const auto& first = internal::kTrigramFirstTable;
    const auto& second = internal::kTrigramSecondTable;
    const auto& third = internal::kTrigramClassTable;
    for (size_t i = 2; i < value.size(); ++i) {
      uint32_t gram = first[p[i - 2]] + second[p[i - 1]] + third[p[i]];
      seen_[gram] = 1;
    }
  }
  // Serializes the set of every value added since the last Finish, and empties the builder.
  std::string Finish();

 private:
  std::array<uint8_t, kTrigramWords * 64> seen_;  // 1 per trigram present; packed into bits by Finish
};

// True unless some trigram (ascending ids from TrigramsOf) is proven absent from the filter's column. An empty or
// malformed filter says true.
bool TrigramFilterMayContainAll(std::string_view filter, std::span<const uint32_t> trigrams);

// Distinct trigrams in a well-formed filter (tools, tests), 0 otherwise.
size_t TrigramFilterSize(std::string_view filter);

}  // namespace strata::storage::index

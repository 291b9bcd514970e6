#include "strata/storage/index/ngram_filter.h"

#include <algorithm>
#include <bit>

#include "strata/common/coding.h"

namespace strata::storage::index {
namespace internal {
namespace {

constexpr std::array<uint8_t, 256> MakeTrigramClassTable() {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    uint8_t cls = 0;
    if (c >= '0' && c <= '9') cls = static_cast<uint8_t>(1 + (c - '0'));
    else if (c >= 'a' && c <= 'z') cls = static_cast<uint8_t>(11 + (c - 'a'));
    else if (c >= 'A' && c <= 'Z') cls = static_cast<uint8_t>(11 + (c - 'A'));
    else if (c == '_') cls = 37;
    else if (c >= 0x80) cls = 38;
    t[c] = cls;
  }
  return t;
}

}  // namespace

constexpr std::array<uint16_t, 256> MakeScaledTable(uint32_t factor) {
  std::array<uint16_t, 256> t{};
  const auto classes = MakeTrigramClassTable();
  for (int c = 0; c < 256; ++c) t[c] = static_cast<uint16_t>(classes[c] * factor);
  return t;
}

constinit const std::array<uint8_t, 256> kTrigramClassTable = MakeTrigramClassTable();
constinit const std::array<uint16_t, 256> kTrigramFirstTable = MakeScaledTable(kTrigramClasses * kTrigramClasses);
constinit const std::array<uint16_t, 256> kTrigramSecondTable = MakeScaledTable(kTrigramClasses);

}  // namespace internal

namespace {

constexpr size_t kHeaderBytes = 1 + kTrigramMaskWords * 8;

// The mask words of a filter whose tag and size were checked, and the stored words after them.
struct FilterView {
  const char* mask;
  const char* words;
  size_t stored;
};

bool View(std::string_view filter, FilterView* out) {
  if (filter.size() < kHeaderBytes || static_cast<uint8_t>(filter[0]) != kTrigramFilterTag) return false;
  size_t stored = 0;
  for (size_t m = 0; m < kTrigramMaskWords; ++m) {
    uint64_t w = common::DecodeFixed64(filter.data() + 1 + m * 8);
    if (m == kTrigramMaskWords - 1 && (w >> (kTrigramWords % 64)) != 0) return false;  // stray mask bits
    stored += static_cast<size_t>(std::popcount(w));
  }
  if (filter.size() != kHeaderBytes + stored * 8) return false;
  out->mask = filter.data() + 1;
  out->words = filter.data() + kHeaderBytes;
  out->stored = stored;
  return true;
}

}  // namespace

std::vector<uint32_t> TrigramsOf(std::string_view needle) {
  std::vector<uint32_t> out;
  if (needle.size() < 3) return out;
  const auto* p = reinterpret_cast<const unsigned char*>(needle.data());
  for (size_t i = 2; i < needle.size(); ++i) {
    out.push_back((TrigramClassOf(p[i - 2]) * kTrigramClasses + TrigramClassOf(p[i - 1])) * kTrigramClasses +
                  TrigramClassOf(p[i]));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string TrigramFilterBuilder::Finish() {
  std::array<uint64_t, kTrigramWords> words;
  for (size_t w = 0; w < kTrigramWords; ++w) {
    uint64_t bits = 0;
    const uint8_t* b = seen_.data() + w * 64;
    for (int i = 0; i < 64; ++i) bits |= uint64_t{b[i]} << i;
    words[w] = bits;
  }
  seen_.fill(0);
  std::array<uint64_t, kTrigramMaskWords> mask{};
  size_t stored = 0;
  for (size_t w = 0; w < kTrigramWords; ++w) {
    if (words[w] != 0) {
      mask[w / 64] |= uint64_t{1} << (w % 64);
      ++stored;
    }
  }
  std::string out;
  out.reserve(kHeaderBytes + stored * 8);
  out.push_back(static_cast<char>(kTrigramFilterTag));
  for (uint64_t m : mask) common::PutFixed64(out, m);
  for (size_t w = 0; w < kTrigramWords; ++w) {
    if (words[w] != 0) common::PutFixed64(out, words[w]);
  }
  return out;
}

bool TrigramFilterMayContainAll(std::string_view filter, std::span<const uint32_t> trigrams) {
  if (trigrams.empty()) return true;
  FilterView v;
  if (!View(filter, &v)) return true;
  // Rank of a mask bit = stored words before it; mask words are few (15), so prefix counts are recomputed per
  // probe rather than kept.
  for (uint32_t t : trigrams) {
    if (t >= kTrigramSpace) return true;  // not a trigram id: no proof either way
    size_t word = t / 64;
    uint64_t mask_word = common::DecodeFixed64(v.mask + (word / 64) * 8);
    uint64_t bit = uint64_t{1} << (word % 64);
    if ((mask_word & bit) == 0) return false;
    size_t rank = static_cast<size_t>(std::popcount(mask_word & (bit - 1)));
    for (size_t m = 0; m < word / 64; ++m) rank += static_cast<size_t>(std::popcount(common::DecodeFixed64(v.mask + m * 8)));
    uint64_t bits = common::DecodeFixed64(v.words + rank * 8);
    if ((bits & (uint64_t{1} << (t % 64))) == 0) return false;
  }
  return true;
}

size_t TrigramFilterSize(std::string_view filter) {
  FilterView v;
  if (!View(filter, &v)) return 0;
  size_t n = 0;
  for (size_t i = 0; i < v.stored; ++i) n += static_cast<size_t>(std::popcount(common::DecodeFixed64(v.words + i * 8)));
  return n;
}

}  // namespace strata::storage::index

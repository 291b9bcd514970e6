#include "strata/storage/index/bloom_filter.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <random>
#include <unordered_set>

#include "strata/storage/index/tokenizer.h"

namespace strata::storage::index {
namespace {

TEST(BloomFilter, EmptyFilterContainsNothing) {
  BloomFilterBuilder b;
  std::string f = b.Finish();
  EXPECT_TRUE(f.empty());
  std::mt19937_64 rng(1);
  for (int i = 0; i < 1000; ++i) EXPECT_FALSE(BloomMayContain(f, rng()));
  EXPECT_FALSE(BloomMayContain("", 0));
}

TEST(BloomFilter, HashCount) {
  EXPECT_EQ(BloomHashCount(10), 7);
  EXPECT_EQ(BloomHashCount(16), 11);
  EXPECT_EQ(BloomHashCount(1), 1);
  EXPECT_EQ(BloomHashCount(0), 1);
  EXPECT_EQ(BloomHashCount(1000), BloomHashCount(64));
}

TEST(BloomFilter, LayoutAndSizing) {
  BloomFilterBuilder b(10);
  for (uint64_t i = 0; i < 100; ++i) b.Add(TokenHash("tok" + std::to_string(i)));
  for (uint64_t i = 0; i < 100; ++i) b.Add(TokenHash("TOK" + std::to_string(i)));  // duplicates after folding
  std::string f = b.Finish();
  EXPECT_EQ(f[0], 7);                      // k
  EXPECT_EQ(f.size(), 1 + 16 * 8u);        // ceil(100 * 10 / 64) = 16 words
  EXPECT_EQ(b.pending(), 0u);              // Finish clears
  EXPECT_TRUE(BloomMayContain(f, TokenHash("tok42")));
  EXPECT_TRUE(BloomMayContain(f, TokenHash("Tok42")));
}

TEST(BloomFilter, SingleToken) {
  BloomFilterBuilder b;
  b.Add(12345);
  std::string f = b.Finish();
  EXPECT_EQ(f.size(), 9u);
  EXPECT_TRUE(BloomMayContain(f, 12345));
}

TEST(BloomFilter, NoFalseNegatives) {
  std::mt19937_64 rng(2);
  for (int bits : {4, 10, 16}) {
    for (size_t n : {size_t{1}, size_t{7}, size_t{1000}, size_t{100000}}) {
      BloomFilterBuilder b(bits);
      std::vector<uint64_t> hashes(n);
      for (auto& h : hashes) {
        h = rng();
        b.Add(h);
      }
      std::string f = b.Finish();
      size_t misses = 0;
      for (uint64_t h : hashes) misses += !BloomMayContain(f, h);
      EXPECT_EQ(misses, 0u) << "bits " << bits << " n " << n;
    }
  }
}

// Token hashes are uniform 64-bit values, so random 64-bit values stand in for them.
double MeasureFpRate(int bits_per_token, size_t n, size_t probes, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::unordered_set<uint64_t> members;
  BloomFilterBuilder b(bits_per_token);
  while (members.size() < n) {
    uint64_t h = rng();
    if (members.insert(h).second) b.Add(h);
  }
  std::string f = b.Finish();
  size_t fp = 0, tried = 0;
  while (tried < probes) {
    uint64_t h = rng();
    if (members.count(h)) continue;
    ++tried;
    fp += BloomMayContain(f, h);
  }
  return static_cast<double>(fp) / static_cast<double>(probes);
}

TEST(BloomFilter, FalsePositiveRate) {
  const double fp10 = MeasureFpRate(10, 20000, 200000, 3);
  const double fp16 = MeasureFpRate(16, 20000, 200000, 4);
  const double fp10_small = MeasureFpRate(10, 50, 200000, 5);
  std::printf("bloom false-positive rate: 10 bits/token %.3f%% (20k tokens), %.3f%% (50 tokens); "
              "16 bits/token %.4f%%\n", fp10 * 100, fp10_small * 100, fp16 * 100);
  EXPECT_LT(fp10, 0.02);
  EXPECT_LT(fp10_small, 0.03);  // 512 bits: noisier, rounding up to whole words helps
  EXPECT_LT(fp16, 0.002);
  EXPECT_LT(fp16, fp10);
}

TEST(BloomFilter, MalformedNeverCrashes) {
  // Documented: empty = contains nothing; any other malformed filter = "may contain" (safe).
  EXPECT_TRUE(BloomMayContain(std::string_view("\x07", 1), 1));                 // k but no words
  EXPECT_TRUE(BloomMayContain(std::string_view("\x07\x00\x00\x00", 4), 1));     // partial word
  EXPECT_TRUE(BloomMayContain(std::string("\x00", 1) + std::string(8, '\0'), 1));  // k = 0
  EXPECT_TRUE(BloomMayContain(std::string("\xff", 1) + std::string(8, '\0'), 1));  // k too large
  // Truncations and random bytes of every length: whatever the answer, no crash or overread (ASan).
  BloomFilterBuilder b;
  for (uint64_t i = 0; i < 200; ++i) b.Add(i * 0x9e3779b97f4a7c15ULL);
  std::string f = b.Finish();
  for (size_t len = 0; len <= f.size(); ++len) {
    std::unique_ptr<char[]> cut(new char[len + (len == 0)]);  // no slack: ASan sees a read past the end
    if (len) std::memcpy(cut.get(), f.data(), len);
    for (uint64_t h = 0; h < 50; ++h) (void)BloomMayContain({cut.get(), len}, h * 0x9e3779b97f4a7c15ULL);
  }
  std::mt19937_64 rng(6);
  for (int i = 0; i < 2000; ++i) {
    size_t len = rng() % 40;
    std::unique_ptr<char[]> junk(new char[len + 1]);
    for (size_t j = 0; j < len; ++j) junk[j] = static_cast<char>(rng());
    if (len) junk[0] = static_cast<char>(1 + rng() % 12);  // mostly a plausible k, so the probes do run
    (void)BloomMayContain({junk.get(), len}, rng());
  }
}

TEST(BloomFilter, BuilderReuse) {
  BloomFilterBuilder b;
  b.Add(1);
  std::string f1 = b.Finish();
  b.Add(2);
  std::string f2 = b.Finish();
  EXPECT_TRUE(BloomMayContain(f1, 1));
  EXPECT_TRUE(BloomMayContain(f2, 2));
  EXPECT_EQ(f1.size(), f2.size());
}

}  // namespace
}  // namespace strata::storage::index

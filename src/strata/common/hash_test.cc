#include "strata/common/hash.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace strata::common {
namespace {

std::string RandomBytes(std::mt19937_64& rng, size_t n) {
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

// Hash64 is stored on disk (token indexes, stream ids): these values must never change without a format bump.
TEST(Hash64, PinnedOutputs) {
  EXPECT_EQ(Hash64(""), 0x967168ed69a41a1bULL);
  EXPECT_EQ(Hash64("a"), 0x3732bdb9c99446f7ULL);
  EXPECT_EQ(Hash64("error"), 0xea2a513b00a14b6eULL);
  EXPECT_EQ(Hash64("trace_id=a3f9c2"), 0xa906786e21544c0bULL);
  EXPECT_EQ(Hash64("The quick brown fox jumps over the lazy dog"), 0xac714839f176b4c5ULL);
  EXPECT_EQ(Hash64("", 1), 0x960aefa6505a5745ULL);
  EXPECT_EQ(Hash64("error", 0x5354524154413031ULL), 0x06ac7cbe0bacb745ULL);
}

TEST(Hash64, AllLengthsDiffer) {
  // Same byte repeated, and zero bytes: length is the only difference, so the tail padding must not collide.
  for (char fill : {'\0', 'a', '\xff'}) {
    std::set<uint64_t> seen;
    for (size_t n = 0; n <= 64; ++n) seen.insert(Hash64(std::string(n, fill)));
    EXPECT_EQ(seen.size(), 65u) << "fill " << static_cast<int>(fill);
  }
  // Prefixes of one random string.
  std::mt19937_64 rng(1);
  std::string s = RandomBytes(rng, 64);
  std::set<uint64_t> seen;
  for (size_t n = 0; n <= 64; ++n) seen.insert(Hash64(std::string_view(s).substr(0, n)));
  EXPECT_EQ(seen.size(), 65u);
}

TEST(Hash64, SeedChangesOutput) {
  std::mt19937_64 rng(2);
  for (size_t n = 0; n <= 40; ++n) {
    std::string s = RandomBytes(rng, n);
    EXPECT_NE(Hash64(s, 0), Hash64(s, 1)) << n;
    EXPECT_NE(Hash64(s, 1), Hash64(s, 2)) << n;
    EXPECT_NE(Hash64(s, 0), Hash64(s, 1ULL << 63)) << n;
    EXPECT_EQ(Hash64(s, 7), Hash64(s, 7)) << n;
  }
}

TEST(Hash64, NoCollisionsOnSmallKeys) {
  // Every 1- and 2-byte string, and 200k distinct short random strings (a 4-byte counter keeps them distinct).
  std::vector<uint64_t> hashes;
  for (int i = 0; i < 256; ++i) hashes.push_back(Hash64(std::string(1, static_cast<char>(i))));
  for (int i = 0; i < 65536; ++i) {
    char buf[2] = {static_cast<char>(i & 0xff), static_cast<char>(i >> 8)};
    hashes.push_back(Hash64(std::string_view(buf, 2)));
  }
  std::mt19937_64 rng(3);
  char buf[32];
  for (uint32_t i = 0; i < 200000; ++i) {
    size_t len = 4 + rng() % 20;
    std::memcpy(buf, &i, 4);
    for (size_t j = 4; j < len; ++j) buf[j] = static_cast<char>(rng());
    hashes.push_back(Hash64(std::string_view(buf, len)));
  }
  std::sort(hashes.begin(), hashes.end());
  EXPECT_EQ(std::adjacent_find(hashes.begin(), hashes.end()), hashes.end());
}

// Flipping any one input bit should flip about half of the output bits, and each output bit about half the time.
TEST(Hash64, Avalanche) {
  std::mt19937_64 rng(4);
  for (size_t len : {1, 3, 4, 7, 8, 9, 15, 16, 17, 31, 40, 64}) {
    const int kSamples = 64;
    std::vector<int> per_output_bit(64, 0);
    double total_flips = 0;
    int trials = 0;
    double worst_input_bit = 32;
    for (size_t bit = 0; bit < len * 8; ++bit) {
      double flips_for_bit = 0;
      for (int s = 0; s < kSamples; ++s) {
        std::string in = RandomBytes(rng, len);
        uint64_t seed = rng();
        uint64_t h0 = Hash64(in, seed);
        in[bit / 8] = static_cast<char>(in[bit / 8] ^ (1 << (bit % 8)));
        uint64_t diff = h0 ^ Hash64(in, seed);
        flips_for_bit += std::popcount(diff);
        for (int o = 0; o < 64; ++o) per_output_bit[o] += (diff >> o) & 1;
        ++trials;
      }
      flips_for_bit /= kSamples;
      // Mean of 64 samples of Binomial(64, 1/2): sd 0.5. A weak input bit shows up far outside this band.
      if (std::abs(flips_for_bit - 32) > std::abs(worst_input_bit - 32)) worst_input_bit = flips_for_bit;
      total_flips += flips_for_bit * kSamples;
    }
    double mean = total_flips / trials;
    EXPECT_NEAR(mean, 32.0, 1.0) << "len " << len;
    EXPECT_NEAR(worst_input_bit, 32.0, 3.5) << "len " << len;
    for (int o = 0; o < 64; ++o) {
      double p = static_cast<double>(per_output_bit[o]) / trials;
      EXPECT_NEAR(p, 0.5, 0.12) << "len " << len << " output bit " << o;
    }
  }
}

std::string AsciiLower(std::string s) {
  for (auto& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

TEST(Hash64AsciiLower, EqualsHashOfLoweredCopy) {
  // Every byte value at every position of every length class, so each byte of the SWAR fold is checked.
  for (size_t len = 1; len <= 24; ++len) {
    for (size_t pos = 0; pos < len; ++pos) {
      for (int c = 0; c < 256; ++c) {
        std::string s(len, 'Q');
        s[pos] = static_cast<char>(c);
        ASSERT_EQ(Hash64AsciiLower(s, 9), Hash64(AsciiLower(s), 9)) << len << " " << pos << " " << c;
      }
    }
  }
  std::mt19937_64 rng(6);
  for (int i = 0; i < 2000; ++i) {
    std::string s = RandomBytes(rng, rng() % 100);
    ASSERT_EQ(Hash64AsciiLower(s), Hash64(AsciiLower(s)));
  }
  EXPECT_EQ(Hash64AsciiLower(""), Hash64(""));
  EXPECT_EQ(Hash64AsciiLower("HeLLo_World-42"), Hash64("hello_world-42"));
  EXPECT_NE(Hash64AsciiLower("@[`{"), Hash64AsciiLower("`{@["));
}

TEST(Hash64, Mix64IsBijectiveOnSamples) {
  std::mt19937_64 rng(5);
  std::set<uint64_t> in, out;
  for (int i = 0; i < 10000; ++i) {
    uint64_t x = (i < 5000) ? static_cast<uint64_t>(i) : rng();
    if (in.insert(x).second) out.insert(Mix64(x));
  }
  EXPECT_EQ(in.size(), out.size());
  EXPECT_EQ(Mix64(0), 0u);
}

}  // namespace
}  // namespace strata::common

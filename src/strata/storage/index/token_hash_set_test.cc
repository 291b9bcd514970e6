#include "strata/storage/index/token_hash_set.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <set>
#include <vector>

namespace strata::storage::index {
namespace {

TEST(TokenHashSetTest, KeepsDistinctHashesInInsertionOrder) {
  TokenHashSet set;
  set.Clear();
  EXPECT_TRUE(set.Insert(5));
  EXPECT_TRUE(set.Insert(0));
  EXPECT_FALSE(set.Insert(5));
  EXPECT_TRUE(set.Insert(~uint64_t{0}));
  EXPECT_FALSE(set.Insert(0));
  EXPECT_EQ(set.values(), (std::vector<uint64_t>{5, 0, ~uint64_t{0}}));
  set.Clear();
  EXPECT_EQ(set.size(), 0u);
  EXPECT_TRUE(set.Insert(5));  // cleared: new again
}

// Randomized against std::set: skewed repeats, clustered high bits (the probe start), growth across several
// doublings, and reuse after Clear.
TEST(TokenHashSetTest, MatchesStdSetOnRandomInput) {
  std::mt19937_64 rng(7);
  TokenHashSet set;
  for (int round = 0; round < 50; ++round) {
    set.Clear();
    std::set<uint64_t> truth;
    std::vector<uint64_t> order;
    const size_t n = rng() % 20000;
    const bool clustered = round % 3 == 0;  // every value shares its top 40 bits: long probe chains
    const uint64_t universe = 1 + rng() % 5000;
    for (size_t i = 0; i < n; ++i) {
      uint64_t v = rng() % universe;
      v = clustered ? (uint64_t{0xabcdef1234} << 24) | v : v * 0x9e3779b97f4a7c15ULL;
      const bool inserted = truth.insert(v).second;
      if (inserted) order.push_back(v);
      ASSERT_EQ(set.Insert(v), inserted) << "round " << round << " value " << v;
    }
    ASSERT_EQ(set.values(), order);
  }
}

}  // namespace
}  // namespace strata::storage::index

#include "strata/ingest/elasticsearch/id_dedup.h"

#include <gtest/gtest.h>

namespace strata::ingest::elasticsearch {
namespace {

TEST(IdDedupTest, RemembersPerTenantAndIndex) {
  IdDedup d(10, 1000);
  const std::string k = IdDedup::Key("logs", "1");
  EXPECT_FALSE(d.Contains("a", k, 0));
  d.Remember("a", {k}, 0);
  EXPECT_TRUE(d.Contains("a", k, 10));
  EXPECT_FALSE(d.Contains("b", k, 10));                          // tenants are isolated
  EXPECT_FALSE(d.Contains("a", IdDedup::Key("other", "1"), 10));  // ids are per index
  EXPECT_NE(IdDedup::Key("a", "b\0c"), IdDedup::Key("a\0b", "c"));
}

TEST(IdDedupTest, ForgetsAfterTheWindowUnlessRefreshed) {
  IdDedup d(10, 1000);
  d.Remember("t", {"x", "y"}, 0);
  d.Remember("t", {"y"}, 900);  // refreshed
  EXPECT_TRUE(d.Contains("t", "x", 1000));
  EXPECT_FALSE(d.Contains("t", "x", 1001));
  EXPECT_TRUE(d.Contains("t", "y", 1500));
  EXPECT_FALSE(d.Contains("t", "y", 1901));
  EXPECT_EQ(d.Size("t"), 0u);
}

TEST(IdDedupTest, EvictsTheLeastRecentBeyondCapacity) {
  IdDedup d(3, 1000000);
  d.Remember("t", {"a", "b", "c"}, 0);
  d.Remember("t", {"a"}, 1);  // a is now the most recent; b the least
  d.Remember("t", {"d"}, 2);
  EXPECT_EQ(d.Size("t"), 3u);
  EXPECT_TRUE(d.Contains("t", "a", 3));
  EXPECT_FALSE(d.Contains("t", "b", 3));
  EXPECT_TRUE(d.Contains("t", "c", 3));
  EXPECT_TRUE(d.Contains("t", "d", 3));
}

}  // namespace
}  // namespace strata::ingest::elasticsearch

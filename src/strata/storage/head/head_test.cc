#include "strata/storage/head/head.h"

#include <gtest/gtest.h>

namespace strata::storage {
namespace {

std::shared_ptr<const HeadBatch> Batch(int64_t min_ts, int64_t max_ts, uint32_t n) {
  auto b = std::make_shared<HeadBatch>();
  b->encoded = std::string(n * 10, 'x');
  b->min_ts = min_ts;
  b->max_ts = max_ts;
  b->records = n;
  return b;
}

TEST(HeadTest, SnapshotsOverlapTheWindowPerTenant) {
  Head head;
  head.Add("a", Batch(0, 10, 1));
  head.Add("a", Batch(20, 30, 2));
  head.Add("b", Batch(0, 100, 3));
  EXPECT_EQ(head.Snapshot("a", 5, 15).size(), 1u);
  EXPECT_EQ(head.Snapshot("a", 10, 20).size(), 2u);  // bounds inclusive
  EXPECT_EQ(head.Snapshot("a", 11, 19).size(), 0u);
  EXPECT_EQ(head.Snapshot("b", 0, 1).size(), 1u);
  EXPECT_EQ(head.Snapshot("c", 0, 1000).size(), 0u);
  EXPECT_EQ(head.records(), 6u);
  EXPECT_EQ(head.bytes(), 60u);
  EXPECT_EQ(head.Tenants(), (std::vector<std::string>{"a", "b"}));
}

}  // namespace
}  // namespace strata::storage

// The per-window functions in isolation: quantile edge cases, counter rate, partial merging.

#include "strata/query/metric/range_functions.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace strata::query::metric::internal {
namespace {

TEST(Quantile, OutOfRangePhi) {
  std::vector<double> v = {1, 2, 3};
  EXPECT_EQ(Quantile(-0.1, v), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(Quantile(1.1, v), std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(Quantile(std::nan(""), v)));
}

TEST(Quantile, SingleValueAndInterpolation) {
  std::vector<double> one = {7};
  EXPECT_EQ(Quantile(0.99, one), 7);
  // 10, 20 (unsorted input): phi .25 -> rank .25 -> 10*.75 + 20*.25 = 12.5
  std::vector<double> two = {20, 10};
  EXPECT_DOUBLE_EQ(Quantile(0.25, two), 12.5);
}

TEST(CounterRate, NoResetNoExtrapolationNeeded) {
  // window (0,60]: samples at 0+ and 60 cover it: 0.000000001s:0 ... 60s:60 -> increase 60 over ~60s -> ~1/s
  std::vector<TimedValue> s = {{1, 0}, {30'000'000'000, 30}, {60'000'000'000, 60}};
  EXPECT_NEAR(CounterRate(s, 0, 60'000'000'000), 1.0, 1e-6);
}

TEST(CounterRate, AllSamplesAtOneInstant) {
  std::vector<TimedValue> s = {{5, 1}, {5, 2}};
  EXPECT_EQ(CounterRate(s, 0, 10), 0);
}

TEST(Partial, StddevMergeEqualsSequential) {
  // Merging partials of {1,2,3} and {10,20} equals adding all five in order.
  Partial a, b, all;
  for (double v : {1, 2, 3}) AddSample(RangeOp::kStdvarOverTime, a, 0, v), AddSample(RangeOp::kStdvarOverTime, all, 0, v);
  for (double v : {10, 20}) AddSample(RangeOp::kStdvarOverTime, b, 0, v), AddSample(RangeOp::kStdvarOverTime, all, 0, v);
  Partial m = Merge(RangeOp::kStdvarOverTime, a, b);
  EXPECT_EQ(m.n, 5u);
  EXPECT_NEAR(*PartialResult(RangeOp::kStdvarOverTime, m, 60), *PartialResult(RangeOp::kStdvarOverTime, all, 60),
              1e-9);
  // mean 7.2; deviations^2: 38.44 + 27.04 + 17.64 + 7.84 + 163.84 = 254.8 / 5 = 50.96
  EXPECT_NEAR(*PartialResult(RangeOp::kStdvarOverTime, m, 60), 50.96, 1e-9);
}

TEST(Partial, EmptyIsIdentityAndHasNoResult) {
  Partial empty, one;
  AddSample(RangeOp::kMaxOverTime, one, 0, 4);
  EXPECT_EQ(Merge(RangeOp::kMaxOverTime, empty, one).a, 4);
  EXPECT_EQ(Merge(RangeOp::kMaxOverTime, one, empty).a, 4);
  EXPECT_FALSE(PartialResult(RangeOp::kMaxOverTime, empty, 60).has_value());
}

TEST(Partial, FirstLastTiesKeepArrivalOrder) {
  // Same timestamp: first keeps the first arrival, last takes the last arrival.
  Partial p;
  AddSample(RangeOp::kFirstOverTime, p, 10, 1);
  AddSample(RangeOp::kFirstOverTime, p, 10, 2);
  EXPECT_EQ(*PartialResult(RangeOp::kFirstOverTime, p, 60), 1);
  EXPECT_EQ(*PartialResult(RangeOp::kLastOverTime, p, 60), 2);
}

}  // namespace
}  // namespace strata::query::metric::internal

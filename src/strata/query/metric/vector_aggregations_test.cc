// Vector aggregations over range aggregation results. Inputs use sum_over_time(... | unwrap v [1m]) with one
// sample per series and window, so each series' value at a step is exactly the sample fed.

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "strata/query/metric/metric_test_util.h"

namespace strata::query::metric {
namespace {

using namespace mtest;  // NOLINT

const model::LabelSet kP1 = {{"app", "a"}, {"host", "h1"}, {"pod", "p1"}};
const model::LabelSet kP2 = {{"app", "a"}, {"host", "h1"}, {"pod", "p2"}};
const model::LabelSet kP3 = {{"app", "a"}, {"host", "h2"}, {"pod", "p3"}};
const model::LabelSet kH1 = {{"host", "h1"}};
const model::LabelSet kH2 = {{"host", "h2"}};

// Instant at 60: p1 = 1, p2 = 3, p3 = 8.
const std::vector<In> kIn = {{kP1, 30, 1}, {kP2, 30, 3}, {kP3, 30, 8}};
const StepGrid kAt60 = InstantGrid(60);
#define X "sum_over_time({app=\"a\"} | unwrap v [1m])"

TEST(VectorAggregation, SumBy) { EXPECT_RESULT("sum by (host) (" X ")", kAt60, kIn, {{kH1, {{60, 4}}}, {kH2, {{60, 8}}}}); }

TEST(VectorAggregation, SumWithout) {
  EXPECT_RESULT("sum without (pod) (" X ")", kAt60, kIn,
                {{{{"app", "a"}, {"host", "h1"}}, {{60, 4}}}, {{{"app", "a"}, {"host", "h2"}}, {{60, 8}}}});
}

TEST(VectorAggregation, SumWithoutGroupingIsOneEmptySeries) {
  // 1 + 3 + 8
  EXPECT_RESULT("sum(" X ")", kAt60, kIn, {{{}, {{60, 12}}}});
}

TEST(VectorAggregation, ByMissingLabelGroupsUnderEmptySet) {
  EXPECT_RESULT("sum by (nope) (" X ")", kAt60, kIn, {{{}, {{60, 12}}}});
}

TEST(VectorAggregation, AvgBy) {
  // h1: (1+3)/2 = 2; h2: 8
  EXPECT_RESULT("avg by (host) (" X ")", kAt60, kIn, {{kH1, {{60, 2}}}, {kH2, {{60, 8}}}});
}

TEST(VectorAggregation, MinMaxBy) {
  EXPECT_RESULT("min by (host) (" X ")", kAt60, kIn, {{kH1, {{60, 1}}}, {kH2, {{60, 8}}}});
  EXPECT_RESULT("max by (host) (" X ")", kAt60, kIn, {{kH1, {{60, 3}}}, {kH2, {{60, 8}}}});
}

TEST(VectorAggregation, MinIgnoresNaNWhenANumberExists) {
  double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<In> in = {{kP1, 30, nan}, {kP2, 30, 3}};
  EXPECT_RESULT("min(" X ")", kAt60, in, {{{}, {{60, 3}}}});
}

TEST(VectorAggregation, CountBy) {
  EXPECT_RESULT("count by (host) (" X ")", kAt60, kIn, {{kH1, {{60, 2}}}, {kH2, {{60, 1}}}});
  EXPECT_RESULT("count(" X ")", kAt60, kIn, {{{}, {{60, 3}}}});
}

TEST(VectorAggregation, StdvarStddev) {
  // 1, 3, 8: mean 4, squared deviations 9 + 1 + 16 = 26, / 3
  EXPECT_RESULT("stdvar(" X ")", kAt60, kIn, {{{}, {{60, 26.0 / 3}}}});
  EXPECT_RESULT("stddev(" X ")", kAt60, kIn, {{{}, {{60, std::sqrt(26.0 / 3)}}}});
  // by host: h1 {1,3}: mean 2, (1+1)/2 = 1; h2 {8}: 0
  EXPECT_RESULT("stdvar by (host) (" X ")", kAt60, kIn, {{kH1, {{60, 1}}}, {kH2, {{60, 0}}}});
}

TEST(VectorAggregation, AggregatesEveryStepIndependently) {
  // t=60: p1 1, p3 8; t=120: p1 5 -> sum: 9, 5
  std::vector<In> in = {{kP1, 30, 1}, {kP3, 30, 8}, {kP1, 90, 5}};
  EXPECT_RESULT("sum(" X ")", RangeGrid(60, 120, 60), in, {{{}, {{60, 9}, {120, 5}}}});
}

TEST(VectorAggregation, TopkKeepsOriginalLabels) {
  EXPECT_RESULT("topk(2, " X ")", kAt60, kIn, {{kP2, {{60, 3}}}, {kP3, {{60, 8}}}});
}

TEST(VectorAggregation, TopkBy) {
  // top 1 per host: h1 -> p2 (3), h2 -> p3 (8)
  EXPECT_RESULT("topk by (host) (1, " X ")", kAt60, kIn, {{kP2, {{60, 3}}}, {kP3, {{60, 8}}}});
}

TEST(VectorAggregation, BottomkWithout) {
  // without (pod) groups by {app, host}: bottom 1 of h1 is p1 (1), of h2 p3 (8)
  EXPECT_RESULT("bottomk without (pod) (1, " X ")", kAt60, kIn, {{kP1, {{60, 1}}}, {kP3, {{60, 8}}}});
}

TEST(VectorAggregation, TopkLargerThanGroupKeepsAll) {
  EXPECT_RESULT("topk(10, " X ")", kAt60, kIn, {{kP1, {{60, 1}}}, {kP2, {{60, 3}}}, {kP3, {{60, 8}}}});
}

TEST(VectorAggregation, TopkPerStepOnRangeQueries) {
  // t=60: p1 5, p2 1 -> p1; t=120: p1 1, p2 5 -> p2. Each series only has the steps where it was in the top 1.
  std::vector<In> in = {{kP1, 30, 5}, {kP2, 30, 1}, {kP1, 90, 1}, {kP2, 90, 5}};
  EXPECT_RESULT("topk(1, " X ")", RangeGrid(60, 120, 60), in, {{kP1, {{60, 5}}}, {kP2, {{120, 5}}}});
}

TEST(VectorAggregation, TopkRanksNaNLast) {
  double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<In> in = {{kP1, 30, nan}, {kP2, 30, -100}};
  EXPECT_RESULT("topk(1, " X ")", kAt60, in, {{kP2, {{60, -100}}}});
  EXPECT_RESULT("bottomk(1, " X ")", kAt60, in, {{kP2, {{60, -100}}}});
}

TEST(VectorAggregation, ApproxTopkIsTopk) {
  EXPECT_RESULT("approx_topk(1, " X ")", kAt60, kIn, {{kP3, {{60, 8}}}});
}

TEST(VectorAggregation, SortKeepsValueOrderOnInstantQueries) {
  auto r = RunQuery("sort_desc(" X ")", kAt60, kIn);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(SameSeries(r->series, {{kP3, {{60, 8}}}, {kP2, {{60, 3}}}, {kP1, {{60, 1}}}}));
  r = RunQuery("sort(" X ")", kAt60, {{kP1, 30, 5}, {kP2, 30, 3}, {kP3, 30, 4}});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(SameSeries(r->series, {{kP2, {{60, 3}}}, {kP3, {{60, 4}}}, {kP1, {{60, 5}}}}));
}

TEST(VectorAggregation, SortPutsNaNLast) {
  double nan = std::numeric_limits<double>::quiet_NaN();
  auto r = RunQuery("sort(" X ")", kAt60, {{kP1, 30, nan}, {kP2, 30, 3}, {kP3, 30, 1}});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->series.size(), 3u);
  EXPECT_EQ(r->series[0].metric, kP3);
  EXPECT_EQ(r->series[1].metric, kP2);
  EXPECT_EQ(r->series[2].metric, kP1);
}

TEST(VectorAggregation, SortOnRangeQueriesIsOrderedByLabels) {
  std::vector<In> in = {{kP1, 30, 5}, {kP2, 30, 3}, {kP1, 90, 5}};
  EXPECT_RESULT("sort(" X ")", RangeGrid(60, 120, 60), in, {{kP1, {{60, 5}, {120, 5}}}, {kP2, {{60, 3}}}});
}

TEST(VectorAggregation, NestedAggregations) {
  // max of the per-host sums 4 and 8
  EXPECT_RESULT("max(sum by (host) (" X "))", kAt60, kIn, {{{}, {{60, 8}}}});
}

TEST(VectorAggregation, OverVectorLiteral) {
  EXPECT_RESULT("sum(vector(3))", RangeGrid(60, 120, 60), {}, {{{}, {{60, 3}, {120, 3}}}});
}

}  // namespace
}  // namespace strata::query::metric

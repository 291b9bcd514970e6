// Evaluate(): result shapes, ordering, limits, errors.

#include "strata/query/metric/evaluator.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "strata/query/metric/metric_test_util.h"

namespace strata::query::metric {
namespace {

using namespace mtest;  // NOLINT

TEST(Evaluate, MaxSeriesTruncatesWithWarning) {
  // 5 series, max_series 3: the first three by label order are kept.
  std::vector<In> in;
  for (int i = 0; i < 5; ++i) in.push_back({{{"app", "a"}, {"i", std::to_string(4 - i)}}, 30});
  Limits limits;
  limits.max_series = 3;
  auto r = RunQuery("count_over_time({app=\"a\"}[1m])", InstantGrid(60), in, limits);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->series.size(), 3u);
  EXPECT_EQ(r->series[0].metric, (model::LabelSet{{"app", "a"}, {"i", "0"}}));
  EXPECT_EQ(r->series[2].metric, (model::LabelSet{{"app", "a"}, {"i", "2"}}));
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_EQ(r->warnings[0],
            "maximum number of series (3) reached for a single query; consider reducing query cardinality by adding "
            "more filters or using aggregations");
}

TEST(Evaluate, NoWarningAtExactlyMaxSeries) {
  std::vector<In> in = {{{{"app", "a"}, {"i", "0"}}, 30}, {{{"app", "a"}, {"i", "1"}}, 30}};
  Limits limits;
  limits.max_series = 2;
  auto r = RunQuery("count_over_time({app=\"a\"}[1m])", InstantGrid(60), in, limits);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->series.size(), 2u);
  EXPECT_TRUE(r->warnings.empty());
}

TEST(Evaluate, DefaultWarningNamesFiveHundred) {
  std::vector<In> in;
  for (int i = 0; i < 501; ++i) in.push_back({{{"app", "a"}, {"i", std::to_string(i)}}, 30});
  auto r = RunQuery("count_over_time({app=\"a\"}[1m])", InstantGrid(60), in);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->series.size(), 500u);
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_EQ(r->warnings[0].rfind("maximum number of series (500) reached for a single query", 0), 0u);
}

TEST(Evaluate, LogQueryIsRejected) {
  auto r = RunQuery("{app=\"a\"} |= \"x\"", InstantGrid(60), {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), base::StatusCode::kInvalidArgument);
}

TEST(Evaluate, FillErrorPropagates) {
  auto expr = ParseLogQL("sum(count_over_time({app=\"a\"}[1m]))");
  ASSERT_TRUE(expr.ok());
  auto r = Evaluate(*expr, InstantGrid(60), [](const RangeAggregation&, RangeVectorBuilder&) {
    return base::Status(base::StatusCode::kDeadlineExceeded, "too slow");
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), base::StatusCode::kDeadlineExceeded);
}

TEST(Evaluate, FillCalledOncePerRangeAggregationWithItsNode) {
  auto expr = ParseLogQL("count_over_time({app=\"a\"}[1m]) / on() group_left sum(rate({app=\"b\"}[5m]))");
  ASSERT_TRUE(expr.ok()) << expr.status().message();
  std::vector<std::pair<RangeOp, int64_t>> calls;
  auto r = Evaluate(*expr, InstantGrid(600), [&](const RangeAggregation& node, RangeVectorBuilder& b) {
    calls.push_back({node.op, node.range.range_ns});
    // The builder's data range is the node's window at 600s.
    EXPECT_EQ(b.data_to_ns(), 600 * kSec);
    EXPECT_EQ(b.data_from_ns(), 600 * kSec - node.range.range_ns + 1);
    return base::Status::Ok();
  });
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0], (std::pair<RangeOp, int64_t>{RangeOp::kCountOverTime, 60 * kSec}));
  EXPECT_EQ(calls[1], (std::pair<RangeOp, int64_t>{RangeOp::kRate, 300 * kSec}));
}

TEST(Evaluate, EmptyResultIsAnEmptyMatrix) {
  auto r = RunQuery("count_over_time({app=\"a\"}[1m])", RangeGrid(60, 180, 60), {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->type, MetricResult::Type::kMatrix);
  EXPECT_TRUE(r->series.empty());
}

TEST(Evaluate, SeriesDroppedByFilterAtEveryStepDisappear) {
  // a: 1 line per window, b: 3 lines at 60 only -> `> 2` leaves b at 60; a has no point and is dropped.
  std::vector<In> in = {{{{"app", "a"}, {"s", "a"}}, 30}, {{{"app", "a"}, {"s", "a"}}, 90},
                        {{{"app", "a"}, {"s", "b"}}, 10}, {{{"app", "a"}, {"s", "b"}}, 20},
                        {{{"app", "a"}, {"s", "b"}}, 30}};
  EXPECT_RESULT("count_over_time({app=\"a\"}[1m]) > 2", RangeGrid(60, 120, 60), in,
                {{{{"app", "a"}, {"s", "b"}}, {{60, 3}}}});
}

TEST(Evaluate, VectorFunctionHasValueAtEveryStep) {
  EXPECT_RESULT("vector(5)", RangeGrid(0, 30, 10), {}, {{{}, {{0, 5}, {10, 5}, {20, 5}, {30, 5}}}});
}

TEST(Evaluate, InstantGridPointsAtStart) {
  EXPECT_RESULT("vector(1)", InstantGrid(42), {}, {{{}, {{42, 1}}}});
}

TEST(Evaluate, ReentrantAcrossThreads) {
  auto expr = ParseLogQL("sum by (app) (count_over_time({app=\"a\"}[1m]))");
  ASSERT_TRUE(expr.ok());
  std::vector<In> in = {{{{"app", "a"}}, 30}, {{{"app", "a"}}, 40}};
  std::vector<std::thread> threads;
  std::atomic<int> good{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      auto r = Evaluate(*expr, InstantGrid(60), FakeFill(in));
      if (r.ok() && r->series.size() == 1 && r->series[0].points[0].v == 2) ++good;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(good.load(), 4);
}


// ---- whole queries as Grafana sends them -------------------------------------------------------------------------

const model::LabelSet kH1P1 = {{"app", "a"}, {"host", "h1"}, {"pod", "p1"}};
const model::LabelSet kH1P2 = {{"app", "a"}, {"host", "h1"}, {"pod", "p2"}};
const model::LabelSet kH2P3 = {{"app", "a"}, {"host", "h2"}, {"pod", "p3"}};
const std::vector<In> kLines = {{kH1P1, 30}, {kH1P1, 90}, {kH1P1, 150}, {kH1P2, 100}, {kH2P3, 170}};

TEST(Evaluate, SumByOfRateOverOverlappingWindows) {
  // [2m] step 1m. h1: t=60 (-60,60] {30} -> 1/120; t=120 (0,120] {30,90,100} -> 3/120; t=180 (60,180]
  // {90,100,150} -> 3/120. h2: only t=180 {170} -> 1/120.
  EXPECT_RESULT("sum by (host) (rate({app=\"a\"}[2m]))", RangeGrid(60, 180, 60), kLines,
                {{{{"host", "h1"}}, {{60, 1.0 / 120}, {120, 3.0 / 120}, {180, 3.0 / 120}}},
                 {{{"host", "h2"}}, {{180, 1.0 / 120}}}});
}

TEST(Evaluate, ShareOfTotalWithOnEmptyGroupLeft) {
  // instant at 180, [1m] = (120,180]: h1 {150} = 1, h2 {170} = 1, total 2 -> 0.5 each
  EXPECT_RESULT("sum by (host) (count_over_time({app=\"a\"}[1m])) / on() group_left "
                "sum(count_over_time({app=\"a\"}[1m]))",
                InstantGrid(180), kLines, {{{{"host", "h1"}}, {{180, 0.5}}}, {{{"host", "h2"}}, {{180, 0.5}}}});
}

TEST(Evaluate, TopkOfSumByPerStep) {
  // [1m]: t=120 (60,120]: h1 {90,100} = 2, h2 0 -> h1; t=180 (120,180]: h1 {150} = 1, h2 {170} = 1 -> tie broken
  // by labels -> h1. t=60: h1 {30} = 1 -> h1.
  EXPECT_RESULT("topk(1, sum by (host) (count_over_time({app=\"a\"}[1m])))", RangeGrid(60, 180, 60), kLines,
                {{{{"host", "h1"}}, {{60, 1}, {120, 2}, {180, 1}}}});
}

}  // namespace
}  // namespace strata::query::metric

// Range aggregations end to end: parsed LogQL, samples fed through a fake engine fill, values worked out by hand.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <span>

#include "strata/query/metric/metric_test_util.h"

namespace strata::query::metric {
namespace {

using namespace mtest;  // NOLINT

const model::LabelSet kA = {{"app", "a"}};
const model::LabelSet kB = {{"app", "a"}, {"host", "h2"}};

// Grid used by most tests: t = 60, 120, 180 (seconds); with [1m] the windows are (0,60], (60,120], (120,180].
const StepGrid kGrid = RangeGrid(60, 180, 60);

TEST(CountOverTime, CountsSamplesPerWindow) {
  // (0,60]: 10 20 30 -> 3;  (60,120]: 61 120 -> 2;  (120,180]: 170 -> 1
  std::vector<In> in = {{kA, 10}, {kA, 20}, {kA, 30}, {kA, 61}, {kA, 120}, {kA, 170}};
  EXPECT_RESULT("count_over_time({app=\"a\"}[1m])", kGrid, in, {{kA, {{60, 3}, {120, 2}, {180, 1}}}});
}

TEST(CountOverTime, WindowLowerEdgeExcludedUpperEdgeIncluded) {
  // A sample at exactly t-range (0 for t=60, 60 for t=120) belongs to the previous window only; distinct values
  // show which window took which sample: t=60 (0,60] -> 10; t=120 (60,120] -> 100.
  std::vector<In> in = {{kA, 0, 1}, {kA, 60, 10}, {kA, 120, 100}};
  EXPECT_RESULT("sum_over_time({app=\"a\"} | unwrap x [1m])", RangeGrid(60, 120, 60), in,
                {{kA, {{60, 10}, {120, 100}}}});
}

TEST(CountOverTime, OverlappingWindowsRangeTwiceTheStep) {
  // [2m] step 1m: t=60 (-60,60] {30} -> 1; t=120 (0,120] {30,90} -> 2; t=180 (60,180] {90,150} -> 2
  std::vector<In> in = {{kA, 30}, {kA, 90}, {kA, 150}};
  EXPECT_RESULT("count_over_time({app=\"a\"}[2m])", kGrid, in, {{kA, {{60, 1}, {120, 2}, {180, 2}}}});
}

TEST(CountOverTime, GappedWindowsRangeShorterThanStep) {
  // [30s] step 1m: windows (30,60], (90,120], (150,180]; 20, 75 fall in gaps.
  std::vector<In> in = {{kA, 20}, {kA, 45}, {kA, 75}, {kA, 100}, {kA, 110}, {kA, 179}, {kA, 180}};
  EXPECT_RESULT("count_over_time({app=\"a\"}[30s])", kGrid, in, {{kA, {{60, 1}, {120, 2}, {180, 2}}}});
}

TEST(CountOverTime, StepsWithoutSamplesHaveNoPoint) {
  std::vector<In> in = {{kA, 10}, {kA, 130}};
  EXPECT_RESULT("count_over_time({app=\"a\"}[1m])", kGrid, in, {{kA, {{60, 1}, {180, 1}}}});
}

TEST(CountOverTime, OneSeriesPerLabelSetSortedByLabels) {
  std::vector<In> in = {{kB, 10}, {kA, 10}, {kB, 20}};
  EXPECT_RESULT("count_over_time({app=\"a\"}[1m])", RangeGrid(60, 60, 60), in, {{kA, {{60, 1}}}, {kB, {{60, 2}}}});
}

TEST(CountOverTime, Offset) {
  // offset 1m: t=120 -> (0,60] {30,60} = 2; t=180 -> (60,120] {90} = 1; 150 is in no window.
  std::vector<In> in = {{kA, 30}, {kA, 60}, {kA, 90}, {kA, 150}};
  EXPECT_RESULT("count_over_time({app=\"a\"}[1m] offset 1m)", RangeGrid(120, 180, 60), in,
                {{kA, {{120, 2}, {180, 1}}}});
}

TEST(CountOverTime, InstantQueryUsesOneWindowEndingAtTime) {
  // instant at 120, [1m]: (60,120] {61, 120} = 2
  std::vector<In> in = {{kA, 60}, {kA, 61}, {kA, 120}, {kA, 121}};
  EXPECT_RESULT("count_over_time({app=\"a\"}[1m])", InstantGrid(120), in, {{kA, {{120, 2}}}});
}

TEST(CountOverTime, RangeGridEndNotOnStep) {
  // start 60, end 170, step 60: points 60 and 120 only (180 > end).
  std::vector<In> in = {{kA, 30}, {kA, 90}, {kA, 150}};
  EXPECT_RESULT("count_over_time({app=\"a\"}[1m])", RangeGrid(60, 170, 60), in, {{kA, {{60, 1}, {120, 1}}}});
}

TEST(Rate, LogRangeIsCountOverRangeSeconds) {
  // 3 lines in (0,60] -> 3/60 = 0.05; 1 line in (60,120] -> 1/60
  std::vector<In> in = {{kA, 1}, {kA, 2}, {kA, 3}, {kA, 100}};
  EXPECT_RESULT("rate({app=\"a\"}[1m])", RangeGrid(60, 120, 60), in, {{kA, {{60, 0.05}, {120, 1.0 / 60}}}});
}

TEST(Rate, UnwrapIsSumOverRangeSeconds) {
  // (10 + 20) / 60 = 0.5
  std::vector<In> in = {{kA, 10, 10}, {kA, 20, 20}};
  EXPECT_RESULT("rate({app=\"a\"} | unwrap x [1m])", RangeGrid(60, 60, 60), in, {{kA, {{60, 0.5}}}});
}

TEST(Rate, NoExtrapolationWithOverlappingWindows) {
  // [2m]: t=120 (0,120] holds 4 lines -> 4/120; t=60 (-60,60] holds 2 -> 2/120
  std::vector<In> in = {{kA, 10}, {kA, 50}, {kA, 70}, {kA, 110}};
  EXPECT_RESULT("rate({app=\"a\"}[2m])", RangeGrid(60, 120, 60), in, {{kA, {{60, 2.0 / 120}, {120, 4.0 / 120}}}});
}

TEST(BytesOverTime, SumsLineBytes) {
  // line bytes 100 + 50 = 150; next window 7
  std::vector<In> in = {{kA, 10, 100}, {kA, 50, 50}, {kA, 70, 7}};
  EXPECT_RESULT("bytes_over_time({app=\"a\"}[1m])", RangeGrid(60, 120, 60), in, {{kA, {{60, 150}, {120, 7}}}});
}

TEST(BytesRate, BytesOverRangeSeconds) {
  // 150 bytes / 60 s = 2.5
  std::vector<In> in = {{kA, 10, 100}, {kA, 50, 50}};
  EXPECT_RESULT("bytes_rate({app=\"a\"}[1m])", RangeGrid(60, 60, 60), in, {{kA, {{60, 2.5}}}});
}

TEST(SumOverTime, SumsUnwrappedValues) {
  // 1.5 + 2.5 - 1 = 3
  std::vector<In> in = {{kA, 10, 1.5}, {kA, 20, 2.5}, {kA, 30, -1}};
  EXPECT_RESULT("sum_over_time({app=\"a\"} | unwrap x [1m])", RangeGrid(60, 60, 60), in, {{kA, {{60, 3}}}});
}

TEST(AvgOverTime, Averages) {
  // (2 + 4 + 9) / 3 = 5
  std::vector<In> in = {{kA, 10, 2}, {kA, 20, 4}, {kA, 30, 9}};
  EXPECT_RESULT("avg_over_time({app=\"a\"} | unwrap x [1m])", RangeGrid(60, 60, 60), in, {{kA, {{60, 5}}}});
}

TEST(AvgOverTime, AcrossCellsOfOverlappingWindows) {
  // [2m]: t=60 (-60,60] {2,4} -> 3; t=120 (0,120] {2,4,9} -> 5; t=180 (60,180] {9} -> 9
  std::vector<In> in = {{kA, 10, 2}, {kA, 20, 4}, {kA, 90, 9}};
  EXPECT_RESULT("avg_over_time({app=\"a\"} | unwrap x [2m])", kGrid, in, {{kA, {{60, 3}, {120, 5}, {180, 9}}}});
}

TEST(MinMaxOverTime, Extremes) {
  std::vector<In> in = {{kA, 10, 3}, {kA, 20, -2}, {kA, 30, 7}};
  EXPECT_RESULT("min_over_time({app=\"a\"} | unwrap x [1m])", RangeGrid(60, 60, 60), in, {{kA, {{60, -2}}}});
  EXPECT_RESULT("max_over_time({app=\"a\"} | unwrap x [1m])", RangeGrid(60, 60, 60), in, {{kA, {{60, 7}}}});
}

TEST(MinMaxOverTime, NumbersWinOverNaN) {
  // Prometheus: a NaN never replaces a number, and a number replaces a NaN.
  double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<In> in = {{kA, 10, nan}, {kA, 20, 5}, {kA, 30, nan}};
  EXPECT_RESULT("min_over_time({app=\"a\"} | unwrap x [1m])", RangeGrid(60, 60, 60), in, {{kA, {{60, 5}}}});
  EXPECT_RESULT("max_over_time({app=\"a\"} | unwrap x [1m])", RangeGrid(60, 60, 60), in, {{kA, {{60, 5}}}});
}

TEST(MinMaxOverTime, SlidingWindowForgetsOldExtremes) {
  // [2m] over 4 steps: max over (t-120, t]. Values: 30s:9, 90s:1, 150s:5, 210s:2
  // t=60 {9} 9; t=120 {9,1} 9; t=180 {1,5} 5; t=240 {5,2} 5
  std::vector<In> in = {{kA, 30, 9}, {kA, 90, 1}, {kA, 150, 5}, {kA, 210, 2}};
  EXPECT_RESULT("max_over_time({app=\"a\"} | unwrap x [2m])", RangeGrid(60, 240, 60), in,
                {{kA, {{60, 9}, {120, 9}, {180, 5}, {240, 5}}}});
  // min: t=60 9; t=120 1; t=180 1; t=240 2
  EXPECT_RESULT("min_over_time({app=\"a\"} | unwrap x [2m])", RangeGrid(60, 240, 60), in,
                {{kA, {{60, 9}, {120, 1}, {180, 1}, {240, 2}}}});
}

TEST(StdOverTime, PopulationVarianceAndDeviation) {
  // 2,4,4,4,5,5,7,9: mean 5, squared deviations 9+1+1+1+0+0+4+16 = 32, /8 = 4 -> stddev 2
  std::vector<In> in;
  for (double v : {2, 4, 4, 4, 5, 5, 7, 9}) in.push_back({kA, 10 + v, v});
  EXPECT_RESULT("stdvar_over_time({app=\"a\"} | unwrap x [1m])", RangeGrid(60, 60, 60), in, {{kA, {{60, 4}}}});
  EXPECT_RESULT("stddev_over_time({app=\"a\"} | unwrap x [1m])", RangeGrid(60, 60, 60), in, {{kA, {{60, 2}}}});
}

TEST(StdOverTime, MergesPartialsOfOverlappingWindows) {
  // [2m]: (0,60] holds 2,4,4,4 and (60,120] holds 5,5,7,9.
  // t=60: 2,4,4,4: mean 3.5, dev^2 2.25+.25+.25+.25 = 3 -> 0.75
  // t=120: all eight -> 4
  // t=180: 5,5,7,9: mean 6.5, dev^2 2.25+2.25+.25+6.25 = 11 -> 2.75
  std::vector<In> in;
  for (double v : {2, 4, 4, 4}) in.push_back({kA, 10 + v, v});
  for (double v : {5, 5, 7, 9}) in.push_back({kA, 70 + v, v});
  EXPECT_RESULT("stdvar_over_time({app=\"a\"} | unwrap x [2m])", kGrid, in,
                {{kA, {{60, 0.75}, {120, 4}, {180, 2.75}}}});
}

TEST(QuantileOverTime, PrometheusInterpolation) {
  // 1,2,3,4 (fed shuffled): phi .5 -> rank 1.5 -> 2*.5 + 3*.5 = 2.5; phi .9 -> rank 2.7 -> 3*.3 + 4*.7 = 3.7
  std::vector<In> in = {{kA, 40, 3}, {kA, 10, 1}, {kA, 50, 4}, {kA, 20, 2}};
  EXPECT_RESULT("quantile_over_time(0.5, {app=\"a\"} | unwrap x [1m])", RangeGrid(60, 60, 60), in,
                {{kA, {{60, 2.5}}}});
  EXPECT_RESULT("quantile_over_time(0.9, {app=\"a\"} | unwrap x [1m])", RangeGrid(60, 60, 60), in,
                {{kA, {{60, 3.7}}}});
  EXPECT_RESULT("quantile_over_time(0, {app=\"a\"} | unwrap x [1m])", RangeGrid(60, 60, 60), in, {{kA, {{60, 1}}}});
  EXPECT_RESULT("quantile_over_time(1, {app=\"a\"} | unwrap x [1m])", RangeGrid(60, 60, 60), in, {{kA, {{60, 4}}}});
}

TEST(QuantileOverTime, PerWindowWithOverlap) {
  // [2m]: t=60 (-60,60] {1,3} -> median 2; t=120 (0,120] {1,3,10} -> 3; t=180 (60,180] {10} -> 10
  std::vector<In> in = {{kA, 10, 1}, {kA, 60, 3}, {kA, 61, 10}};
  EXPECT_RESULT("quantile_over_time(0.5, {app=\"a\"} | unwrap x [2m])", kGrid, in,
                {{kA, {{60, 2}, {120, 3}, {180, 10}}}});
}

TEST(FirstLastOverTime, BoundarySamplesByTimeNotArrival) {
  // Fed out of order: first by time is 10s (1), last is 50s (5).
  std::vector<In> in = {{kA, 50, 5}, {kA, 10, 1}, {kA, 30, 3}};
  EXPECT_RESULT("first_over_time({app=\"a\"} | unwrap x [1m])", RangeGrid(60, 60, 60), in, {{kA, {{60, 1}}}});
  EXPECT_RESULT("last_over_time({app=\"a\"} | unwrap x [1m])", RangeGrid(60, 60, 60), in, {{kA, {{60, 5}}}});
}

TEST(FirstLastOverTime, NaNReturnedVerbatim) {
  double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<In> in = {{kA, 10, nan}, {kA, 30, 3}};
  auto r = RunQuery("first_over_time({app=\"a\"} | unwrap x [1m])", RangeGrid(60, 60, 60), in);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->series.size(), 1u);
  EXPECT_TRUE(std::isnan(r->series[0].points[0].v));
}

TEST(FirstLastOverTime, OverlappingWindows) {
  // [2m]: t=60 (-60,60] {10:1, 50:2} first 1 last 2; t=120 (0,120] {10,50,70:3,110:4} first 1 last 4;
  // t=180 (60,180] {70,110} first 3 last 4
  std::vector<In> in = {{kA, 110, 4}, {kA, 70, 3}, {kA, 50, 2}, {kA, 10, 1}};
  EXPECT_RESULT("first_over_time({app=\"a\"} | unwrap x [2m])", kGrid, in, {{kA, {{60, 1}, {120, 1}, {180, 3}}}});
  EXPECT_RESULT("last_over_time({app=\"a\"} | unwrap x [2m])", kGrid, in, {{kA, {{60, 2}, {120, 4}, {180, 4}}}});
}

TEST(RateCounter, ExtrapolatesWithResets) {
  // window (0,60]; samples 10s:10, 20s:20, 30s:5 (reset), 40s:15
  // increase = 15 - 10 + 20 (reset) = 25; sampled 30s, avg gap 10s, threshold 11s
  // to start 10s (< 11: extrapolate fully; zero point 30*10/25 = 12s is further), to end 20s (>= 11: half a gap, 5s)
  // 25 * (30+10+5)/30 / 60 = 0.625
  std::vector<In> in = {{kA, 30, 5}, {kA, 10, 10}, {kA, 40, 15}, {kA, 20, 20}};
  EXPECT_RESULT("rate_counter({app=\"a\"} | unwrap x [1m])", RangeGrid(60, 60, 60), in, {{kA, {{60, 0.625}}}});
}

TEST(RateCounter, DoesNotExtrapolateBelowZero) {
  // samples 30s:1, 40s:11, 50s:21 in (0,60]: increase 20, sampled 20s, gap 10s
  // to start 30s but the counter reaches 0 at 20*(1/20) = 1s before the first sample -> +1s; to end 10s -> +10s
  // 20 * 31/20 / 60 = 31/60
  std::vector<In> in = {{kA, 30, 1}, {kA, 40, 11}, {kA, 50, 21}};
  EXPECT_RESULT("rate_counter({app=\"a\"} | unwrap x [1m])", RangeGrid(60, 60, 60), in, {{kA, {{60, 31.0 / 60}}}});
}

TEST(RateCounter, SingleSampleIsZero) {
  std::vector<In> in = {{kA, 30, 100}};
  EXPECT_RESULT("rate_counter({app=\"a\"} | unwrap x [1m])", RangeGrid(60, 60, 60), in, {{kA, {{60, 0}}}});
}

TEST(AbsentOverTime, OneWithEqualityLabelsWhenWindowEmpty) {
  // samples only in (60,120]: absent at 60 and 180; labels from app="a" only (env=~ is not an equality).
  std::vector<In> in = {{{{"app", "a"}, {"env", "prod"}}, 90}};
  EXPECT_RESULT("absent_over_time({app=\"a\", env=~\"p.*\"}[1m])", kGrid, in, {{kA, {{60, 1}, {180, 1}}}});
}

TEST(AbsentOverTime, AnySeriesMakesItPresent) {
  // Two series: h1 in (0,60], h2 in (60,120]; only (120,180] is empty in every series.
  std::vector<In> in = {{{{"app", "a"}, {"host", "h1"}}, 30}, {{{"app", "a"}, {"host", "h2"}}, 90}};
  EXPECT_RESULT("absent_over_time({app=\"a\"}[1m])", kGrid, in, {{kA, {{180, 1}}}});
}

TEST(AbsentOverTime, NothingWhenEveryWindowHasSamples) {
  std::vector<In> in = {{kA, 30}, {kA, 90}, {kA, 150}};
  EXPECT_RESULT("absent_over_time({app=\"a\"}[1m])", kGrid, in, {});
}

TEST(AbsentOverTime, NoDataAtAllGivesOneEverywhere) {
  EXPECT_RESULT("absent_over_time({app=\"a\", env=\"x\"}[1m])", kGrid, {},
                {{{{"app", "a"}, {"env", "x"}}, {{60, 1}, {120, 1}, {180, 1}}}});
}

const model::LabelSet kP1 = {{"app", "a"}, {"host", "h1"}, {"pod", "p1"}};
const model::LabelSet kP2 = {{"app", "a"}, {"host", "h1"}, {"pod", "p2"}};
const model::LabelSet kP3 = {{"app", "a"}, {"host", "h2"}, {"pod", "p3"}};

TEST(RangeGrouping, ByGroupsInputSeriesBeforeTheFunction) {
  // h1 gets all samples of p1 and p2: avg(2,4,9) = 5 (an average of averages would be (3+9)/2 = 6); h2: 1
  std::vector<In> in = {{kP1, 10, 2}, {kP1, 20, 4}, {kP2, 30, 9}, {kP3, 40, 1}};
  EXPECT_RESULT("avg_over_time({app=\"a\"} | unwrap x [1m]) by (host)", RangeGrid(60, 60, 60), in,
                {{{{"host", "h1"}}, {{60, 5}}}, {{{"host", "h2"}}, {{60, 1}}}});
}

TEST(RangeGrouping, WithoutDropsListedLabels) {
  std::vector<In> in = {{kP1, 10, 2}, {kP1, 20, 4}, {kP2, 30, 9}, {kP3, 40, 1}};
  EXPECT_RESULT("max_over_time({app=\"a\"} | unwrap x [1m]) without (pod)", RangeGrid(60, 60, 60), in,
                {{{{"app", "a"}, {"host", "h1"}}, {{60, 9}}}, {{{"app", "a"}, {"host", "h2"}}, {{60, 1}}}});
}

TEST(RangeGrouping, QuantileOverMergedSamples) {
  // h1: 2,4,9 -> median 4
  std::vector<In> in = {{kP1, 10, 2}, {kP1, 20, 4}, {kP2, 30, 9}, {kP3, 40, 1}};
  EXPECT_RESULT("quantile_over_time(0.5, {app=\"a\"} | unwrap x [1m]) by (host)", RangeGrid(60, 60, 60), in,
                {{{{"host", "h1"}}, {{60, 4}}}, {{{"host", "h2"}}, {{60, 1}}}});
}

TEST(RangeGrouping, FirstOverTimeAcrossSeries) {
  // h1: earliest sample overall is p2's at 5s (7)
  std::vector<In> in = {{kP1, 10, 2}, {kP2, 5, 7}, {kP3, 40, 1}};
  EXPECT_RESULT("first_over_time({app=\"a\"} | unwrap x [1m]) by (host)", RangeGrid(60, 60, 60), in,
                {{{{"host", "h1"}}, {{60, 7}}}, {{{"host", "h2"}}, {{60, 1}}}});
}

TEST(RangeGrouping, ByNothingIsOneGroup) {
  // by (): every series in one group with no labels: sum of squares... stdvar(2, 4) = 1
  std::vector<In> in = {{kP1, 10, 2}, {kP3, 40, 4}};
  EXPECT_RESULT("stdvar_over_time({app=\"a\"} | unwrap x [1m]) by ()", RangeGrid(60, 60, 60), in,
                {{{}, {{60, 1}}}});
}

// ---- The builder API directly -------------------------------------------------------------------------------------

TEST(Builder, DataRangeIsTheUnionOfWindows) {
  RangeAggregation node = ParseRange("count_over_time({app=\"a\"}[2m] offset 30s)");
  RangeVectorBuilder b(node, kGrid, {});
  // first window (60-30-120, 60-30] = (-90, 30]; last (180-30-120, 150]
  EXPECT_EQ(b.data_from_ns(), -90 * kSec + 1);
  EXPECT_EQ(b.data_to_ns(), 150 * kSec);
}

TEST(Builder, SeriesIdsStableAndLabelOrderInsensitive) {
  RangeAggregation node = ParseRange("count_over_time({app=\"a\"}[1m])");
  RangeVectorBuilder b(node, kGrid, {});
  uint32_t x = b.SeriesFor({{"app", "a"}, {"host", "h"}});
  uint32_t y = b.SeriesFor({{"host", "h"}, {"app", "a"}});
  uint32_t z = b.SeriesFor({{"app", "b"}});
  EXPECT_EQ(x, y);
  EXPECT_NE(x, z);
  ASSERT_TRUE(b.Add(y, 30 * kSec, 1).ok());
  auto r = b.Finish();
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].metric, (model::LabelSet{{"app", "a"}, {"host", "h"}}));
}

TEST(Builder, SamplesOutsideEveryWindowIgnored) {
  RangeAggregation node = ParseRange("count_over_time({app=\"a\"}[1m])");
  RangeVectorBuilder b(node, kGrid, {});
  uint32_t id = b.SeriesFor(kA);
  for (int64_t t : {-100, 0, 181, 1000}) ASSERT_TRUE(b.Add(id, t * kSec, 1).ok());
  auto r = b.Finish();
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
}

TEST(Builder, BackwardScanMatchesForwardScan) {
  // 100 steps of 10s, [30s]; one sample every second fed newest first: each window (t-30, t] holds 30 samples
  // except the first two (t=10: 1..10 -> 10, t=20: 1..20 -> 20).
  RangeAggregation node = ParseRange("count_over_time({app=\"a\"}[30s])");
  StepGrid grid = RangeGrid(10, 1000, 10);
  RangeVectorBuilder b(node, grid, {});
  uint32_t id = b.SeriesFor(kA);
  for (int64_t t = 1000; t >= 1; --t) ASSERT_TRUE(b.Add(id, t * kSec, 1).ok());
  auto r = b.Finish();
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  const auto& pts = (*r)[0].points;
  ASSERT_EQ(pts.size(), 100u);
  EXPECT_EQ(pts[0].v, 10);
  EXPECT_EQ(pts[1].v, 20);
  for (size_t i = 2; i < pts.size(); ++i) EXPECT_EQ(pts[i].v, 30) << i;
}

TEST(Builder, ZeroRangeOnRangeGridTilesTheSteps) {
  // range 0 (DSL "whole range"): windows (t-step, t]: (0,60], (60,120], (120,180]
  RangeAggregation node = ParseRange("count_over_time({app=\"a\"}[1m])");
  node.range.range_ns = 0;
  RangeVectorBuilder b(node, kGrid, {});
  EXPECT_EQ(b.data_from_ns(), 1);
  uint32_t id = b.SeriesFor(kA);
  for (int64_t t : {0, 1, 60, 61, 179}) ASSERT_TRUE(b.Add(id, t * kSec, 1).ok());
  auto r = b.Finish();
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(SameSeries(*r, {{kA, {{60, 2}, {120, 1}, {180, 1}}}}));
}

TEST(Builder, ZeroRangeOnInstantGridIsUnbounded) {
  RangeAggregation node = ParseRange("count_over_time({app=\"a\"}[1m])");
  node.range.range_ns = 0;
  RangeVectorBuilder b(node, InstantGrid(100), {});
  EXPECT_EQ(b.data_from_ns(), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(b.data_to_ns(), 100 * kSec);
  uint32_t id = b.SeriesFor(kA);
  for (int64_t t : {-1000000, 0, 100, 101}) ASSERT_TRUE(b.Add(id, t * kSec, 1).ok());
  auto r = b.Finish();
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(SameSeries(*r, {{kA, {{100, 3}}}}));
}

TEST(Builder, ZeroRangeRateOnUnboundedWindowHasNoPoint) {
  RangeAggregation node = ParseRange("rate({app=\"a\"}[1m])");
  node.range.range_ns = 0;
  RangeVectorBuilder b(node, InstantGrid(100), {});
  ASSERT_TRUE(b.Add(b.SeriesFor(kA), 50 * kSec, 1).ok());
  auto r = b.Finish();
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
}

TEST(Builder, MaxSamplesForKeptSamples) {
  // quantile keeps samples: the 4th sample in a window exceeds max_samples = 3.
  RangeAggregation node = ParseRange("quantile_over_time(0.5, {app=\"a\"} | unwrap x [1m])");
  Limits limits;
  limits.max_samples = 3;
  RangeVectorBuilder b(node, kGrid, limits);
  uint32_t id = b.SeriesFor(kA);
  for (int64_t t : {500, 600, 700, 800}) ASSERT_TRUE(b.Add(id, t * kSec, 1).ok());  // in no window: not held
  for (int64_t t : {10, 20, 30}) ASSERT_TRUE(b.Add(id, t * kSec, 1).ok());
  base::Status st = b.Add(id, 40 * kSec, 1);
  EXPECT_EQ(st.code(), base::StatusCode::kResourceExhausted);
  EXPECT_NE(st.message().find("max_samples"), std::string::npos) << st.message();
}

TEST(Builder, DecomposableOpsHoldPartialsNotSamples) {
  // 10000 samples in one window cost one partial, far below max_samples = 3.
  RangeAggregation node = ParseRange("sum_over_time({app=\"a\"} | unwrap x [1m])");
  Limits limits;
  limits.max_samples = 3;
  RangeVectorBuilder b(node, kGrid, limits);
  uint32_t id = b.SeriesFor(kA);
  for (int i = 0; i < 10000; ++i) ASSERT_TRUE(b.Add(id, 1 + int64_t(i) * 5'000'000, 0.5).ok());
  auto r = b.Finish();
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(SameSeries(*r, {{kA, {{60, 5000}}}}));
}

TEST(Builder, PartialsCountAgainstMaxSamples) {
  // One partial per elementary interval per series: 4 intervals with max_samples = 3 is too many.
  RangeAggregation node = ParseRange("count_over_time({app=\"a\"}[1m])");
  Limits limits;
  limits.max_samples = 3;
  RangeVectorBuilder b(node, RangeGrid(60, 240, 60), limits);
  uint32_t id = b.SeriesFor(kA);
  ASSERT_TRUE(b.Add(id, 30 * kSec, 1).ok());
  ASSERT_TRUE(b.Add(id, 90 * kSec, 1).ok());
  ASSERT_TRUE(b.Add(id, 150 * kSec, 1).ok());
  EXPECT_EQ(b.Add(id, 210 * kSec, 1).code(), base::StatusCode::kResourceExhausted);
}

TEST(Builder, MaxSamplesErrorPropagatesFromEvaluate) {
  Limits limits;
  limits.max_samples = 2;
  std::vector<In> in = {{kA, 10, 1}, {kA, 20, 2}, {kA, 30, 3}};
  auto r = RunQuery("quantile_over_time(0.5, {app=\"a\"} | unwrap x [1m])", kGrid, in, limits);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), base::StatusCode::kResourceExhausted);
}

TEST(Builder, TooManyRawSeries) {
  // max_series 1 -> at most 10 series held by one builder.
  RangeAggregation node = ParseRange("count_over_time({app=\"a\"}[1m])");
  Limits limits;
  limits.max_series = 1;
  RangeVectorBuilder b(node, kGrid, limits);
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(b.Add(b.SeriesFor({{"app", "a"}, {"i", std::to_string(i)}}), 30 * kSec, 1).ok());
  }
  uint32_t eleventh = b.SeriesFor({{"app", "a"}, {"i", "10"}});
  EXPECT_EQ(b.Add(eleventh, 30 * kSec, 1).code(), base::StatusCode::kResourceExhausted);
  // A known series still works.
  EXPECT_TRUE(b.Add(b.SeriesFor({{"app", "a"}, {"i", "3"}}), 30 * kSec, 1).ok());
}

TEST(Builder, GroupingCountsGroupsNotRawSeries) {
  // 50 raw series in one group stay under max_series * 10 = 10.
  RangeAggregation node = ParseRange("max_over_time({app=\"a\"} | unwrap x [1m]) by (app)");
  Limits limits;
  limits.max_series = 1;
  RangeVectorBuilder b(node, kGrid, limits);
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(b.Add(b.SeriesFor({{"app", "a"}, {"i", std::to_string(i)}}), 30 * kSec, i).ok());
  }
  auto r = b.Finish();
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(SameSeries(*r, {{kA, {{60, 49}}}}));
}

// Property check: the sliding evaluation over interval partials equals a direct computation over the samples of
// each window, for random grids, ranges, offsets and out-of-order samples.
TEST(Builder, MatchesBruteForceOnRandomInput) {
  std::mt19937_64 rng(42);
  const RangeOp ops[] = {RangeOp::kCountOverTime, RangeOp::kSumOverTime, RangeOp::kMinOverTime,
                         RangeOp::kMaxOverTime,   RangeOp::kAvgOverTime, RangeOp::kStdvarOverTime,
                         RangeOp::kFirstOverTime, RangeOp::kLastOverTime, RangeOp::kQuantileOverTime};
  for (int round = 0; round < 60; ++round) {
    RangeOp op = ops[round % std::size(ops)];
    int64_t step = int64_t(1 + rng() % 20) * kSec;
    int64_t range = int64_t(1 + rng() % 60) * kSec;
    int64_t offset = int64_t(rng() % 10) * kSec;
    StepGrid grid{100 * kSec, 100 * kSec + int64_t(rng() % 30) * step, step};
    RangeAggregation node;
    node.op = op;
    node.param = 0.3;
    node.range.range_ns = range;
    node.range.offset_ns = offset;
    RangeVectorBuilder b(node, grid, {});
    uint32_t id = b.SeriesFor(kA);
    std::vector<std::pair<int64_t, double>> samples;
    for (int i = 0; i < 300; ++i) {
      // distinct timestamps, so first/last are unambiguous
      int64_t t = 30 * kSec + int64_t(rng() % 800) * kSec + i;
      double v = double(int64_t(rng() % 200) - 100) / 4;
      samples.push_back({t, v});
      ASSERT_TRUE(b.Add(id, t, v).ok());
    }
    auto r = b.Finish();
    ASSERT_TRUE(r.ok());
    std::vector<S> expected(1);
    expected[0].metric = kA;
    for (size_t i = 0; i < grid.size(); ++i) {
      int64_t to = grid.at(i) - offset, from = to - range;
      std::vector<std::pair<int64_t, double>> in;
      for (auto& s : samples) {
        if (s.first > from && s.first <= to) in.push_back(s);
      }
      if (in.empty()) continue;
      std::sort(in.begin(), in.end());
      std::vector<double> vals;
      double sum = 0;
      for (auto& s : in) vals.push_back(s.second), sum += s.second;
      double n = double(vals.size()), v = 0;
      switch (op) {
        case RangeOp::kCountOverTime: v = n; break;
        case RangeOp::kSumOverTime: v = sum; break;
        case RangeOp::kMinOverTime: v = *std::min_element(vals.begin(), vals.end()); break;
        case RangeOp::kMaxOverTime: v = *std::max_element(vals.begin(), vals.end()); break;
        case RangeOp::kAvgOverTime: v = sum / n; break;
        case RangeOp::kStdvarOverTime: {
          double mean = sum / n, acc = 0;
          for (double x : vals) acc += (x - mean) * (x - mean);
          v = acc / n;
          break;
        }
        case RangeOp::kFirstOverTime: v = in.front().second; break;
        case RangeOp::kLastOverTime: v = in.back().second; break;
        default: {
          std::sort(vals.begin(), vals.end());
          double rank = 0.3 * (n - 1);
          size_t lo = size_t(std::floor(rank)), hi = std::min(vals.size() - 1, lo + 1);
          v = vals[lo] * (1 - (rank - std::floor(rank))) + vals[hi] * (rank - std::floor(rank));
        }
      }
      expected[0].points.push_back({double(grid.at(i)) / 1e9, v});
    }
    if (expected[0].points.empty()) expected.clear();
    ASSERT_TRUE(SameSeries(*r, expected)) << "round " << round << " op " << RangeOpName(op) << " step "
                                          << step / kSec << " range " << range / kSec << " offset "
                                          << offset / kSec;
  }
}

// AddAll (runs of ascending times, one window lookup per interval) and AddRepeated (n equal samples at once) must
// give exactly what one Add per sample gives, for every op, whatever the grid.
TEST(Builder, AddAllAndAddRepeatedEqualOneAddPerSample) {
  std::mt19937_64 rng(7);
  const RangeOp ops[] = {RangeOp::kCountOverTime, RangeOp::kRate,          RangeOp::kSumOverTime,
                         RangeOp::kMinOverTime,   RangeOp::kMaxOverTime,   RangeOp::kAvgOverTime,
                         RangeOp::kStdvarOverTime, RangeOp::kStddevOverTime, RangeOp::kFirstOverTime,
                         RangeOp::kLastOverTime,  RangeOp::kQuantileOverTime, RangeOp::kAbsentOverTime,
                         RangeOp::kBytesOverTime, RangeOp::kRateCounter};
  for (int round = 0; round < 140; ++round) {
    RangeOp op = ops[round % std::size(ops)];
    int64_t step = int64_t(1 + rng() % 20) * kSec;
    int64_t range = int64_t(rng() % 4 == 0 ? 0 : 1 + rng() % 60) * kSec;
    int64_t offset = int64_t(rng() % 10) * kSec;
    StepGrid grid{100 * kSec, 100 * kSec + int64_t(rng() % 30) * step, rng() % 5 == 0 ? 0 : step};
    if (grid.step_ns == 0) grid.end_ns = grid.start_ns;
    RangeAggregation node;
    node.op = op;
    node.param = 0.3;
    node.range.range_ns = range;
    node.range.offset_ns = offset;
    RangeVectorBuilder one(node, grid, {}), all(node, grid, {}), repeated(node, grid, {});
    const double values[] = {1.0, 3.0, 0.25, -2.0, 1e17};
    const double v = values[rng() % std::size(values)];
    std::vector<int64_t> ts;
    int64_t t = int64_t(rng() % 100) * kSec;
    for (int i = 0; i < 400; ++i) {
      t += int64_t(rng() % 3) * kSec / 2 + int64_t(rng() % 2);  // ascending, with repeats
      ts.push_back(t);
    }
    uint32_t a = one.SeriesFor(kA), b = all.SeriesFor(kA), c = repeated.SeriesFor(kA);
    for (int64_t x : ts) ASSERT_TRUE(one.Add(a, x, v).ok());
    // In batches, as a scan emits them.
    for (size_t i = 0; i < ts.size(); i += 37) {
      std::span<const int64_t> batch(ts.data() + i, std::min<size_t>(37, ts.size() - i));
      ASSERT_TRUE(all.AddAll(b, batch, v).ok());
    }
    // Equal times go in through AddRepeated (a block counted from its header is one such run).
    for (size_t i = 0; i < ts.size();) {
      size_t j = i;
      while (j < ts.size() && ts[j] == ts[i]) ++j;
      ASSERT_TRUE(repeated.AddRepeated(c, ts[i], j - i, v).ok());
      i = j;
    }
    auto r1 = one.Finish(), r2 = all.Finish(), r3 = repeated.Finish();
    ASSERT_TRUE(r1.ok() && r2.ok() && r3.ok());
    ASSERT_EQ(r1->size(), r2->size()) << RangeOpName(op);
    ASSERT_EQ(r1->size(), r3->size()) << RangeOpName(op);
    for (size_t k = 0; k < r1->size(); ++k) {
      ASSERT_EQ((*r1)[k].points.size(), (*r2)[k].points.size()) << RangeOpName(op);
      ASSERT_EQ((*r1)[k].points.size(), (*r3)[k].points.size()) << RangeOpName(op);
      for (size_t p = 0; p < (*r1)[k].points.size(); ++p) {
        const auto& x = (*r1)[k].points[p];
        EXPECT_EQ(x.t_ns, (*r2)[k].points[p].t_ns);
        EXPECT_EQ(x.t_ns, (*r3)[k].points[p].t_ns);
        // Bit-identical (NaN never occurs here).
        EXPECT_EQ(x.v, (*r2)[k].points[p].v) << RangeOpName(op) << " round " << round;
        EXPECT_EQ(x.v, (*r3)[k].points[p].v) << RangeOpName(op) << " round " << round;
      }
    }
  }
}

}  // namespace
}  // namespace strata::query::metric

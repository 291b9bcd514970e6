// Binary operators: arithmetic, comparisons (filter and bool), vector matching, set operators, scalars.

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
const model::LabelSet kB1 = {{"app", "b"}, {"host", "h1"}, {"region", "eu"}};
const model::LabelSet kB2 = {{"app", "b"}, {"host", "h2"}, {"region", "us"}};
const model::LabelSet kH1 = {{"host", "h1"}};
const model::LabelSet kH2 = {{"host", "h2"}};

model::LabelSet With(model::LabelSet labels, const std::string& name, const std::string& value) {
  labels.push_back({name, value});
  std::sort(labels.begin(), labels.end());
  return labels;
}

// Instant at 60. A: p1 = 1, p2 = 3, p3 = 8.  B: h1/eu = 2, h2/us = 4.
const std::vector<In> kIn = {{kP1, 30, 1}, {kP2, 30, 3}, {kP3, 30, 8}, {kB1, 30, 2}, {kB2, 30, 4}};
const StepGrid kAt60 = InstantGrid(60);
#define XA "sum_over_time({app=\"a\"} | unwrap v [1m])"
#define XB "sum_over_time({app=\"b\"} | unwrap v [1m])"

// ---- vector <op> scalar -------------------------------------------------------------------------------------------

TEST(BinaryScalar, Multiply) { EXPECT_RESULT(XA " * 2", kAt60, kIn, {{kP1, {{60, 2}}}, {kP2, {{60, 6}}}, {kP3, {{60, 16}}}}); }

TEST(BinaryScalar, ScalarOnTheLeftKeepsOperandOrder) {
  // 2 - 1, 2 - 3, 2 - 8
  EXPECT_RESULT("2 - " XA, kAt60, kIn, {{kP1, {{60, 1}}}, {kP2, {{60, -1}}}, {kP3, {{60, -6}}}});
}

TEST(BinaryScalar, DivisionByZeroIsInfinity) {
  double inf = std::numeric_limits<double>::infinity();
  EXPECT_RESULT(XA " / 0", kAt60, kIn, {{kP1, {{60, inf}}}, {kP2, {{60, inf}}}, {kP3, {{60, inf}}}});
}

TEST(BinaryScalar, ModuloAndPower) {
  // 1 % 3 = 1, 3 % 3 = 0, 8 % 3 = 2;  2^1, 2^3, 2^8
  EXPECT_RESULT(XA " % 3", kAt60, kIn, {{kP1, {{60, 1}}}, {kP2, {{60, 0}}}, {kP3, {{60, 2}}}});
  EXPECT_RESULT("2 ^ " XA, kAt60, kIn, {{kP1, {{60, 2}}}, {kP2, {{60, 8}}}, {kP3, {{60, 256}}}});
}

TEST(BinaryScalar, ComparisonFilters) {
  EXPECT_RESULT(XA " > 2", kAt60, kIn, {{kP2, {{60, 3}}}, {kP3, {{60, 8}}}});
  EXPECT_RESULT(XA " >= 3", kAt60, kIn, {{kP2, {{60, 3}}}, {kP3, {{60, 8}}}});
  EXPECT_RESULT(XA " < 3", kAt60, kIn, {{kP1, {{60, 1}}}});
  EXPECT_RESULT(XA " <= 3", kAt60, kIn, {{kP1, {{60, 1}}}, {kP2, {{60, 3}}}});
  EXPECT_RESULT(XA " == 3", kAt60, kIn, {{kP2, {{60, 3}}}});
  EXPECT_RESULT(XA " != 3", kAt60, kIn, {{kP1, {{60, 1}}}, {kP3, {{60, 8}}}});
}

TEST(BinaryScalar, ComparisonWithScalarOnTheLeftKeepsVectorValue) {
  // 2 < x holds for 3 and 8; the values are the vector's, not 2
  EXPECT_RESULT("2 < " XA, kAt60, kIn, {{kP2, {{60, 3}}}, {kP3, {{60, 8}}}});
}

TEST(BinaryScalar, BoolComparisonGivesZeroOrOne) {
  EXPECT_RESULT(XA " > bool 2", kAt60, kIn, {{kP1, {{60, 0}}}, {kP2, {{60, 1}}}, {kP3, {{60, 1}}}});
  EXPECT_RESULT("3 == bool " XA, kAt60, kIn, {{kP1, {{60, 0}}}, {kP2, {{60, 1}}}, {kP3, {{60, 0}}}});
}

TEST(BinaryScalar, NaNComparesFalse) {
  double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<In> in = {{kP1, 30, nan}};
  EXPECT_RESULT(XA " != bool 0", kAt60, in, {{kP1, {{60, 1}}}});
  EXPECT_RESULT(XA " == bool 0", kAt60, in, {{kP1, {{60, 0}}}});
}

// ---- scalars ------------------------------------------------------------------------------------------------------

TEST(BinaryScalar, LiteralOnlyQueryIsAScalarPerStep) {
  auto r = RunQuery("1 + 1", RangeGrid(60, 180, 60), {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->type, MetricResult::Type::kScalar);
  EXPECT_EQ(r->scalar, (std::vector<Point>{{Ns(60), 2}, {Ns(120), 2}, {Ns(180), 2}}));
  r = RunQuery("3", InstantGrid(100), {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->type, MetricResult::Type::kScalar);
  EXPECT_EQ(r->scalar, (std::vector<Point>{{Ns(100), 3}}));
}

Expr Literal(double v) { return Expr{LiteralExpr{v}}; }

Expr Binary(BinaryOp op, Expr lhs, Expr rhs, bool return_bool = false) {
  BinaryExpr b;
  b.op = op;
  b.lhs = std::move(lhs);
  b.rhs = std::move(rhs);
  b.return_bool = return_bool;
  return Expr{std::move(b)};
}

TEST(BinaryScalar, UnfoldedScalarArithmeticAndComparison) {
  // The parser folds literal pairs; the evaluator still handles an unfolded tree.
  auto r = Evaluate(Binary(BinaryOp::kDiv, Literal(7), Literal(2)), InstantGrid(1), nullptr);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->scalar, (std::vector<Point>{{Ns(1), 3.5}}));
  r = Evaluate(Binary(BinaryOp::kGt, Literal(1), Literal(2)), InstantGrid(1), nullptr);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->scalar, (std::vector<Point>{{Ns(1), 0}}));
  r = Evaluate(Binary(BinaryOp::kLe, Literal(1), Literal(2)), InstantGrid(1), nullptr);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->scalar, (std::vector<Point>{{Ns(1), 1}}));
}

TEST(BinaryScalar, SetOperatorWithScalarRejected) {
  Expr vec{VectorExpr{1}};
  auto r = Evaluate(Binary(BinaryOp::kAnd, vec, Literal(1)), InstantGrid(1), nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), base::StatusCode::kInvalidArgument);
}

TEST(BinaryScalar, VectorFunctionTimesScalar) {
  EXPECT_RESULT("vector(2) * 3", RangeGrid(60, 120, 60), {}, {{{}, {{60, 6}, {120, 6}}}});
}

TEST(BinaryVector, GrafanaHealthCheck) {
  // vector(1)+vector(1): two empty label sets match one-to-one -> {} = 2 at every step
  EXPECT_RESULT("vector(1)+vector(1)", RangeGrid(0, 120, 60), {}, {{{}, {{0, 2}, {60, 2}, {120, 2}}}});
}

// ---- vector <op> vector ------------------------------------------------------------------------------------------

TEST(BinaryVector, OneToOneOnAllLabels) {
  // h1: 4 + 2 = 6; h2: 8 + 4 = 12
  EXPECT_RESULT("sum by (host) (" XA ") + sum by (host) (" XB ")", kAt60, kIn, {{kH1, {{60, 6}}}, {kH2, {{60, 12}}}});
}

TEST(BinaryVector, SelfSubtraction) {
  EXPECT_RESULT(XA " - " XA, kAt60, kIn, {{kP1, {{60, 0}}}, {kP2, {{60, 0}}}, {kP3, {{60, 0}}}});
}

TEST(BinaryVector, NoMatchingLabelsNoResult) {
  // {app=a,...} and {app=b,...} never have equal label sets.
  EXPECT_RESULT(XA " + " XB, kAt60, kIn, {});
}

TEST(BinaryVector, OnKeepsOnlyMatchingLabels) {
  // {app=a,host} - {app=b,host} on(host): h1 4 - 2 = 2; h2 8 - 4 = 4; result labels are just host
  EXPECT_RESULT("sum by (app, host) (" XA ") - on(host) sum by (app, host) (" XB ")", kAt60, kIn,
                {{kH1, {{60, 2}}}, {kH2, {{60, 4}}}});
}

TEST(BinaryVector, IgnoringDropsIgnoredLabels) {
  // h1 4 * 2 = 8; h2 8 * 4 = 32
  EXPECT_RESULT("sum by (app, host) (" XA ") * ignoring(app) sum by (app, host) (" XB ")", kAt60, kIn,
                {{kH1, {{60, 8}}}, {kH2, {{60, 32}}}});
}

TEST(BinaryVector, ComparisonFiltersKeepLeftValue) {
  // max by host of A: h1 3, h2 8; 2 * sum by host of B: h1 4, h2 8 -> 3 >= 4 false, 8 >= 8 true
  EXPECT_RESULT("max by (host) (" XA ") >= sum by (host) (" XB ") * 2", kAt60, kIn, {{kH2, {{60, 8}}}});
}

TEST(BinaryVector, BoolComparison) {
  EXPECT_RESULT("max by (host) (" XA ") >= bool sum by (host) (" XB ") * 2", kAt60, kIn,
                {{kH1, {{60, 0}}}, {kH2, {{60, 1}}}});
}

TEST(BinaryVector, BoolComparisonWithOn) {
  // on(host): labels reduced to host; 4 > 2 -> 1; 8 > 4 -> 1
  EXPECT_RESULT("sum by (app, host) (" XA ") > bool on(host) sum by (app, host) (" XB ")", kAt60, kIn,
                {{kH1, {{60, 1}}}, {kH2, {{60, 1}}}});
}

TEST(BinaryVector, GroupLeftWithIncludeLabels) {
  // many side A, one side B by host; region copied from B. 1/2, 3/2, 8/4
  EXPECT_RESULT(XA " / on(host) group_left(region) " XB, kAt60, kIn,
                {{With(kP1, "region", "eu"), {{60, 0.5}}},
                 {With(kP2, "region", "eu"), {{60, 1.5}}},
                 {With(kP3, "region", "us"), {{60, 2}}}});
}

TEST(BinaryVector, GroupLeftWithoutIncludeKeepsManySideLabels) {
  EXPECT_RESULT(XA " / on(host) group_left " XB, kAt60, kIn,
                {{kP1, {{60, 0.5}}}, {kP2, {{60, 1.5}}}, {kP3, {{60, 2}}}});
}

TEST(BinaryVector, GroupLeftWithIgnoring) {
  // ignoring(app, pod, region) matches on host alone; 1-2, 3-2, 8-4
  EXPECT_RESULT(XA " - ignoring(app, pod, region) group_left " XB, kAt60, kIn,
                {{kP1, {{60, -1}}}, {kP2, {{60, 1}}}, {kP3, {{60, 4}}}});
}

TEST(BinaryVector, GroupRightWithIncludeLabels) {
  // one side B on the left: 2*1, 2*3, 4*8 with A's labels plus region
  EXPECT_RESULT(XB " * on(host) group_right(region) " XA, kAt60, kIn,
                {{With(kP1, "region", "eu"), {{60, 2}}},
                 {With(kP2, "region", "eu"), {{60, 6}}},
                 {With(kP3, "region", "us"), {{60, 32}}}});
}

TEST(BinaryVector, GroupRightOperandOrder) {
  // B - A, not A - B: 2-1, 2-3, 4-8
  EXPECT_RESULT(XB " - on(host) group_right " XA, kAt60, kIn,
                {{kP1, {{60, 1}}}, {kP2, {{60, -1}}}, {kP3, {{60, -4}}}});
}

TEST(BinaryVector, GroupLeftComparisonFilter) {
  // 1 > 2 no; 3 > 2 keep 3; 8 > 4 keep 8
  EXPECT_RESULT(XA " > on(host) group_left " XB, kAt60, kIn, {{kP2, {{60, 3}}}, {kP3, {{60, 8}}}});
}

TEST(BinaryVector, GroupRightComparisonFilterKeepsLeftValue) {
  // B < A: 2 < 1 no; 2 < 3 keep B's 2 with p2's labels; 4 < 8 keep 4 with p3's labels
  EXPECT_RESULT(XB " < on(host) group_right " XA, kAt60, kIn, {{kP2, {{60, 2}}}, {kP3, {{60, 4}}}});
}

TEST(BinaryVector, ManyToOneWithoutGroupLeftIsAnError) {
  auto r = RunQuery(XA " + on(host) " XB, kAt60, kIn);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), base::StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)");
}

TEST(BinaryVector, DuplicateOnTheOneSideIsManyToMany) {
  auto r = RunQuery(XB " + on(host) group_left " XA, kAt60, kIn);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), base::StatusCode::kInvalidArgument);
  const std::string& msg = r.status().message();
  EXPECT_EQ(msg.rfind("found duplicate series for the match group {host=\"h1\"} on the right hand-side of the "
                      "operation: [",
                      0),
            0u)
      << msg;
  EXPECT_NE(msg.find("];many-to-many matching not allowed: matching labels must be unique on one side"),
            std::string::npos)
      << msg;
}

TEST(BinaryVector, DuplicateOnTheOneSideOfGroupRightNamesTheLeftSide) {
  auto r = RunQuery(XA " + on(host) group_right " XB, kAt60, kIn);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("on the left hand-side"), std::string::npos) << r.status().message();
}

TEST(BinaryVector, GroupLeftResultsMustBeUnique) {
  // Both C series become {app=c, host=h1, region=eu} once region is copied from B.
  std::vector<In> in = kIn;
  in.push_back({{{"app", "c"}, {"host", "h1"}, {"region", "x"}}, 30, 1});
  in.push_back({{{"app", "c"}, {"host", "h1"}, {"region", "y"}}, 30, 2});
  auto r = RunQuery("sum_over_time({app=\"c\"} | unwrap v [1m]) * on(host) group_left(region) " XB, kAt60, in);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "multiple matches for labels: grouping labels must ensure unique matches");
}

TEST(BinaryVector, MatchesPerStep) {
  // A present at 60 and 120, B only at 120: the sum exists only at 120 (4+2=6 for h1)
  std::vector<In> in = {{kP1, 30, 1}, {kP1, 90, 4}, {kB1, 90, 2}};
  EXPECT_RESULT("sum by (host) (" XA ") + sum by (host) (" XB ")", RangeGrid(60, 120, 60), in, {{kH1, {{120, 6}}}});
}

// ---- set operators -----------------------------------------------------------------------------------------------

#define XB_H1 "sum_over_time({app=\"b\", host=\"h1\"} | unwrap v [1m])"

TEST(BinarySet, AndOn) { EXPECT_RESULT(XA " and on(host) " XB_H1, kAt60, kIn, {{kP1, {{60, 1}}}, {kP2, {{60, 3}}}}); }

TEST(BinarySet, UnlessOn) { EXPECT_RESULT(XA " unless on(host) " XB_H1, kAt60, kIn, {{kP3, {{60, 8}}}}); }

TEST(BinarySet, AndWithoutMatchingNeedsEqualLabels) { EXPECT_RESULT(XA " and " XB, kAt60, kIn, {}); }

TEST(BinarySet, AndIgnoring) {
  EXPECT_RESULT(XA " and ignoring(app, pod, region) " XB_H1, kAt60, kIn, {{kP1, {{60, 1}}}, {kP2, {{60, 3}}}});
}

TEST(BinarySet, OrUnionOfDistinctSeries) {
  EXPECT_RESULT(XA " or " XB, kAt60, kIn,
                {{kP1, {{60, 1}}}, {kP2, {{60, 3}}}, {kP3, {{60, 8}}}, {kB1, {{60, 2}}}, {kB2, {{60, 4}}}});
}

TEST(BinarySet, OrOnAddsOnlyUnmatchedRightSeries) {
  std::vector<In> in = kIn;
  model::LabelSet b3 = {{"app", "b"}, {"host", "h3"}, {"region", "ap"}};
  in.push_back({b3, 30, 7});
  EXPECT_RESULT(XA " or on(host) " XB, kAt60, in, {{kP1, {{60, 1}}}, {kP2, {{60, 3}}}, {kP3, {{60, 8}}}, {b3, {{60, 7}}}});
}

TEST(BinarySet, OrVectorZeroFillsEmptySteps) {
  // sum(A) exists only at 60 (12); `or vector(0)` fills 120 with 0 in the same {} series
  std::vector<In> in = {{kP1, 30, 4}, {kP3, 30, 8}};
  EXPECT_RESULT("sum(" XA ") or vector(0)", RangeGrid(60, 120, 60), in, {{{}, {{60, 12}, {120, 0}}}});
}

TEST(BinarySet, AndPerStep) {
  // A at 60 and 120, B (h1) only at 120: `and on(host)` keeps p1 at 120 only
  std::vector<In> in = {{kP1, 30, 1}, {kP1, 90, 4}, {kB1, 90, 2}};
  EXPECT_RESULT(XA " and on(host) " XB, RangeGrid(60, 120, 60), in, {{kP1, {{120, 4}}}});
}

TEST(BinarySet, UnlessPerStep) {
  std::vector<In> in = {{kP1, 30, 1}, {kP1, 90, 4}, {kB1, 90, 2}};
  EXPECT_RESULT(XA " unless on(host) " XB, RangeGrid(60, 120, 60), in, {{kP1, {{60, 1}}}});
}

}  // namespace
}  // namespace strata::query::metric

// label_replace: anchored RE2 regex, Go-style $ expansion, deletion on empty, errors.

#include <gtest/gtest.h>

#include "strata/query/metric/metric_test_util.h"

namespace strata::query::metric {
namespace {

using namespace mtest;  // NOLINT

const model::LabelSet kP1 = {{"app", "a"}, {"host", "h1"}, {"pod", "p1"}};
const model::LabelSet kP3 = {{"app", "a"}, {"host", "h2"}, {"pod", "p3"}};
const std::vector<In> kIn = {{kP1, 30, 1}, {kP3, 30, 8}};
const StepGrid kAt60 = InstantGrid(60);
#define XA "sum_over_time({app=\"a\"} | unwrap v [1m])"

model::LabelSet With(model::LabelSet labels, const std::string& name, const std::string& value) {
  labels.push_back({name, value});
  std::sort(labels.begin(), labels.end());
  return labels;
}

TEST(LabelReplace, NumberedGroup) {
  EXPECT_RESULT("label_replace(" XA ", \"n\", \"node-$1\", \"host\", \"h(.*)\")", kAt60, kIn,
                {{With(kP1, "n", "node-1"), {{60, 1}}}, {With(kP3, "n", "node-2"), {{60, 8}}}});
}

TEST(LabelReplace, BracedAndNamedGroups) {
  EXPECT_RESULT("label_replace(" XA ", \"n\", \"${num}x${1}\", \"host\", \"h(?P<num>[0-9])\")", kAt60, kIn,
                {{With(kP1, "n", "1x1"), {{60, 1}}}, {With(kP3, "n", "2x2"), {{60, 8}}}});
}

TEST(LabelReplace, RegexIsFullyAnchored) {
  // "1" does not match "h1" as a whole: series unchanged
  EXPECT_RESULT("label_replace(" XA ", \"n\", \"x\", \"host\", \"1\")", kAt60, kIn, {{kP1, {{60, 1}}}, {kP3, {{60, 8}}}});
}

TEST(LabelReplace, OnlyMatchingSeriesChange) {
  EXPECT_RESULT("label_replace(" XA ", \"n\", \"one\", \"host\", \"h1\")", kAt60, kIn,
                {{With(kP1, "n", "one"), {{60, 1}}}, {kP3, {{60, 8}}}});
}

TEST(LabelReplace, OverwritesExistingLabel) {
  EXPECT_RESULT("label_replace(" XA ", \"pod\", \"$1\", \"host\", \"(h1)\")", kAt60, kIn,
                {{{{"app", "a"}, {"host", "h1"}, {"pod", "h1"}}, {{60, 1}}}, {kP3, {{60, 8}}}});
}

TEST(LabelReplace, EmptyResultRemovesLabel) {
  // pod is replaced by "" for p1 only (the regex matches "p1")
  EXPECT_RESULT("label_replace(" XA ", \"pod\", \"\", \"pod\", \"p1\")", kAt60, kIn,
                {{{{"app", "a"}, {"host", "h1"}}, {{60, 1}}}, {kP3, {{60, 8}}}});
}

TEST(LabelReplace, MissingSourceIsEmptyString) {
  // src "nope" is absent, so its value "" matches ".*" and dst is set
  EXPECT_RESULT("label_replace(" XA ", \"n\", \"v\", \"nope\", \".*\")", kAt60, kIn,
                {{With(kP1, "n", "v"), {{60, 1}}}, {With(kP3, "n", "v"), {{60, 8}}}});
}

TEST(LabelReplace, GoExpansionEdgeCases) {
  // "$1x" names the missing group "1x" (empty), "$$" is a dollar, a lone "$" stays: "" + "$" + "-$"
  EXPECT_RESULT("label_replace(" XA ", \"n\", \"$1x$$-$\", \"host\", \"(h1)\")", kAt60, kIn,
                {{With(kP1, "n", "$-$"), {{60, 1}}}, {kP3, {{60, 8}}}});
}

TEST(LabelReplace, UnmatchedOptionalGroupIsEmpty) {
  // group 2 does not participate: "h1" -> "a-"
  EXPECT_RESULT("label_replace(" XA ", \"n\", \"a-$2\", \"host\", \"(h1)(z)?\")", kAt60, kIn,
                {{With(kP1, "n", "a-"), {{60, 1}}}, {kP3, {{60, 8}}}});
}

TEST(LabelReplace, InvalidDestinationName) {
  auto r = RunQuery("label_replace(" XA ", \"1bad\", \"x\", \"host\", \".*\")", kAt60, kIn);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), base::StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "invalid destination label name in label_replace(): 1bad");
}

TEST(LabelReplace, CollidingSeriesAreAnError) {
  // Dropping host makes p1 and p3... still distinct by pod; drop pod and host both via two replaces.
  auto r = RunQuery("label_replace(label_replace(" XA ", \"pod\", \"\", \"pod\", \".*\"), \"host\", \"\", \"host\", \".*\")",
               kAt60, kIn);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "vector cannot contain metrics with the same labelset");
}

TEST(LabelReplace, AppliesAtEveryStep) {
  std::vector<In> in = {{kP1, 30, 1}, {kP1, 90, 2}};
  EXPECT_RESULT("label_replace(" XA ", \"n\", \"$1\", \"pod\", \"p(.)\")", RangeGrid(60, 120, 60), in,
                {{With(kP1, "n", "1"), {{60, 1}, {120, 2}}}});
}

}  // namespace
}  // namespace strata::query::metric

#pragma once
// Test helpers: a fake engine `fill` that feeds hand-chosen samples to every range aggregation whose selector
// matches them, plus comparison helpers that print readable diffs.

#include <gtest/gtest.h>
#include <re2/re2.h>

#include <cmath>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "strata/query/lang/logql_parser.h"
#include "strata/query/metric/evaluator.h"

namespace strata::query::metric::mtest {

constexpr int64_t kSec = 1'000'000'000;

// A sample the fake engine emits: the series labels (post-pipeline), time in seconds, value.
struct In {
  model::LabelSet labels;
  double t_s = 0;
  double v = 1;
};

inline int64_t Ns(double seconds) { return int64_t(std::llround(seconds * 1e9)); }

inline StepGrid RangeGrid(double start_s, double end_s, double step_s) {
  return StepGrid{Ns(start_s), Ns(end_s), Ns(step_s)};
}
inline StepGrid InstantGrid(double t_s) { return StepGrid{Ns(t_s), Ns(t_s), 0}; }

inline bool SelectorMatches(const Selector& selector, const model::LabelSet& labels) {
  for (const auto& m : selector.matchers) {
    std::string value;
    for (const auto& f : labels) {
      if (f.name == m.name) value = f.value;
    }
    bool ok = true;
    switch (m.op) {
      case MatchOp::kEq: ok = value == m.value; break;
      case MatchOp::kNeq: ok = value != m.value; break;
      case MatchOp::kRegex: ok = RE2::FullMatch(value, m.value); break;
      case MatchOp::kNotRegex: ok = !RE2::FullMatch(value, m.value); break;
    }
    if (!ok) return false;
  }
  return true;
}

// Feeds every sample whose labels match the node's selector, in the order given.
inline FillRange FakeFill(const std::vector<In>& samples) {
  return [samples](const RangeAggregation& node, RangeVectorBuilder& builder) -> base::Status {
    for (const In& s : samples) {
      if (!SelectorMatches(node.range.log.selector, s.labels)) continue;
      RETURN_IF_ERROR(builder.Add(builder.SeriesFor(s.labels), Ns(s.t_s), s.v));
    }
    return base::Status::Ok();
  };
}

inline base::Result<MetricResult> RunQuery(std::string_view query, const StepGrid& grid, const std::vector<In>& samples,
                                      const Limits& limits = {}) {
  auto expr = ParseLogQL(query);
  if (!expr.ok()) return expr.status();
  return Evaluate(*expr, grid, FakeFill(samples), limits);
}

inline RangeAggregation ParseRange(std::string_view query) {
  auto expr = ParseLogQL(query);
  EXPECT_TRUE(expr.ok()) << query << ": " << expr.status().message();
  if (!expr.ok()) return {};
  auto* node = std::get_if<RangeAggregation>(&expr->node);
  EXPECT_NE(node, nullptr) << query;
  return node ? *node : RangeAggregation{};
}

struct P {
  double t_s;
  double v;
};
struct S {
  model::LabelSet metric;
  std::vector<P> points;
};

inline std::string Dump(const std::vector<Series>& series) {
  std::ostringstream out;
  out.precision(17);
  for (const auto& s : series) {
    out << "{";
    for (size_t i = 0; i < s.metric.size(); ++i) out << (i ? "," : "") << s.metric[i].name << "=" << s.metric[i].value;
    out << "}:";
    for (const auto& p : s.points) out << " (" << double(p.t_ns) / 1e9 << "s " << p.v << ")";
    out << "\n";
  }
  return out.str();
}

inline std::string Dump(const std::vector<S>& series) {
  std::vector<Series> conv;
  for (const auto& s : series) {
    Series c{s.metric, {}};
    for (const auto& p : s.points) c.points.push_back({Ns(p.t_s), p.v});
    conv.push_back(c);
  }
  return Dump(conv);
}

inline bool Near(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  if (std::isinf(a) || std::isinf(b)) return a == b;
  return std::fabs(a - b) <= 1e-9 * std::max(1.0, std::fabs(b));
}

inline ::testing::AssertionResult SameSeries(const std::vector<Series>& actual, const std::vector<S>& expected) {
  bool same = actual.size() == expected.size();
  for (size_t i = 0; same && i < actual.size(); ++i) {
    same = actual[i].metric == expected[i].metric && actual[i].points.size() == expected[i].points.size();
    for (size_t j = 0; same && j < actual[i].points.size(); ++j) {
      same = actual[i].points[j].t_ns == Ns(expected[i].points[j].t_s) &&
             Near(actual[i].points[j].v, expected[i].points[j].v);
    }
  }
  if (same) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "actual:\n" << Dump(actual) << "expected:\n" << Dump(expected);
}

// Runs a query that must succeed and compares its matrix.
#define EXPECT_RESULT(q_, grid_, samples_, ...)                                                  \
  do {                                                                                           \
    auto _r = ::strata::query::metric::mtest::RunQuery(q_, grid_, samples_);                          \
    ASSERT_TRUE(_r.ok()) << q_ << ": " << _r.status().message();                                 \
    EXPECT_EQ(_r->type, ::strata::query::metric::MetricResult::Type::kMatrix);                   \
    EXPECT_TRUE(::strata::query::metric::mtest::SameSeries(_r->series, __VA_ARGS__)) << q_;      \
  } while (0)

}  // namespace strata::query::metric::mtest

#include "strata/query/lang/dsl_parser.h"

#include <gtest/gtest.h>

#include "strata/query/lang/logql_parser.h"

namespace strata::query {
namespace {

struct DslCase {
  const char* in;
  const char* canonical;
};

// Every case parses, prints canonically, and the canonical text re-parses to an equal AST.
const DslCase kDslCases[] = {
    {"", ""},
    {"level=ERROR", "level=ERROR"},
    {"level = ERROR", "level=ERROR"},
    {"level==ERROR", "level=ERROR"},
    {"level=\"ERROR\"", "level=ERROR"},
    {"level='ERROR'", "level=ERROR"},
    {"level!=DEBUG", "level!=DEBUG"},
    {"level=ERROR AND message CONTAINS \"timeout\"", "level=ERROR AND message CONTAINS \"timeout\""},
    {"level=ERROR and message contains \"timeout\"", "level=ERROR AND message CONTAINS \"timeout\""},
    {"msg CONTAINS \"x\"", "message CONTAINS \"x\""},
    {"\"timeout\"", "message CONTAINS \"timeout\""},
    {"message MATCHES \"time(d)?out\"", "message MATCHES \"time(d)?out\""},
    {"service IN (api, web)", "service IN (api, web)"},
    {"service in (\"api\", \"web edge\")", "service IN (api, \"web edge\")"},
    {"traceId=abc123", "traceId=abc123"},
    {"trace_id=abc123", "traceId=abc123"},
    {"metadata.region=\"eu-west-1\"", "metadata.region=eu-west-1"},
    {"latency_ms > 500", "latency_ms>500"},
    {"latency_ms >= 500", "latency_ms>=500"},
    {"latency_ms < 1.5", "latency_ms<1.5"},
    {"latency_ms <= 10", "latency_ms<=10"},
    {"NOT level=DEBUG", "NOT level=DEBUG"},
    {"not (level=DEBUG or level=INFO)", "NOT (level=DEBUG OR level=INFO)"},
    {"a=1 OR b=2 AND c=3", "a=1 OR (b=2 AND c=3)"},
    {"(a=1 OR b=2) AND c=3", "(a=1 OR b=2) AND c=3"},
    {"a=1 AND (b=2 AND c=3)", "a=1 AND (b=2 AND c=3)"},
    {"a=1 OR (b=2 OR c=3)", "a=1 OR (b=2 OR c=3)"},
    {"((a=1))", "a=1"},
    {"NOT NOT a=1", "NOT NOT a=1"},
    {"host=\"a\\\"b\"", "host=\"a\\\"b\""},
    {"x=\"and\"", "x=\"and\""},
    {"| count", "| count"},
    {"level=ERROR | count", "level=ERROR | count"},
    {"| count by service, level", "| count by service, level"},
    {"| count by service,level", "| count by service, level"},
    {"| histogram 1m", "| count histogram 1m"},
    {"| count histogram 1m", "| count histogram 1m"},
    {"| count by level histogram 5m", "| count by level histogram 5m"},
    {"level=ERROR | count by service | histogram 90s", "level=ERROR | count by service histogram 1m30s"},
    {"message CONTAINS \"timeout\" | count by service histogram 1h", "message CONTAINS \"timeout\" | count by service histogram 1h"},
    {"service IN (api) AND NOT message MATCHES \"^GET\" | count", "service IN (api) AND NOT message MATCHES \"^GET\" | count"},
};

TEST(DslParser, CanonicalRoundTrip) {
  for (const auto& c : kDslCases) {
    auto q = ParseDsl(c.in);
    ASSERT_TRUE(q.ok()) << c.in << ": " << q.status().message();
    EXPECT_EQ(FormatDsl(*q), c.canonical) << c.in;
    auto again = ParseDsl(FormatDsl(*q));
    ASSERT_TRUE(again.ok()) << c.in;
    EXPECT_TRUE(*again == *q) << c.in;
  }
}

TEST(DslParser, Shapes) {
  auto q = ParseDsl("level=ERROR AND message CONTAINS \"timeout\"");
  ASSERT_TRUE(q.ok());
  const auto& log = std::get<LogExpr>(q->expr.node);
  EXPECT_TRUE(log.selector.matchers.empty());
  ASSERT_EQ(log.stages.size(), 1u);
  const auto& b = std::get<BoolFilterStage>(log.stages[0]).expr;
  EXPECT_EQ(b.kind, BoolExpr::Kind::kAnd);
  EXPECT_EQ(b.left->field.kind, FieldRef::Kind::kLevel);
  EXPECT_EQ(b.right->field.kind, FieldRef::Kind::kMessage);
  EXPECT_EQ(b.right->op, DslOp::kContains);

  auto agg = ParseDsl("| count by level histogram 5m");
  ASSERT_TRUE(agg.ok());
  EXPECT_EQ(agg->step_ns, 300'000'000'000);
  const auto& va = std::get<VectorAggregation>(agg->expr.node);
  EXPECT_EQ(va.op, VectorOp::kSum);
  ASSERT_TRUE(va.grouping);
  EXPECT_EQ(va.grouping->labels, std::vector<std::string>{"level"});
  const auto& ra = std::get<RangeAggregation>(va.inner->node);
  EXPECT_EQ(ra.op, RangeOp::kCountOverTime);
  EXPECT_EQ(ra.range.range_ns, 300'000'000'000);
  EXPECT_EQ(FormatLogQL(agg->expr), "sum by (level) (count_over_time({} [5m]))");

  auto total = ParseDsl("| count");
  ASSERT_TRUE(total.ok());
  EXPECT_EQ(std::get<RangeAggregation>(std::get<VectorAggregation>(total->expr.node).inner->node).range.range_ns, 0);
}

struct DslErrorCase {
  const char* in;
  const char* error;
};

const DslErrorCase kDslErrors[] = {
    {"level=", "parse error at line 1, col 7: syntax error: unexpected $end, expecting a value"},
    {"level", "parse error at line 1, col 6: syntax error: unexpected $end, expecting an operator"},
    {"AND level=x", "parse error at line 1, col 1: syntax error: unexpected AND, expecting a field name"},
    {"level=x AND", "parse error at line 1, col 12: syntax error: unexpected $end, expecting a field name"},
    {"(level=x", "parse error at line 1, col 9: syntax error: unexpected $end, expecting )"},
    {"level=x)", "parse error at line 1, col 8: syntax error: unexpected )"},
    {"message CONTAINS timeout", "parse error at line 1, col 18: syntax error: unexpected timeout, expecting STRING"},
    {"message MATCHES \"(\"", "parse error : error parsing regexp: missing ): ("},
    {"service IN api", "parse error at line 1, col 12: syntax error: unexpected api, expecting ("},
    {"service IN (a b)", "parse error at line 1, col 15: syntax error: unexpected b, expecting , or )"},
    {"service IN ()", "parse error at line 1, col 13: syntax error: unexpected ), expecting a value"},
    {"| sum", "parse error at line 1, col 3: syntax error: unexpected sum, expecting count or histogram"},
    {"| histogram", "parse error at line 1, col 12: syntax error: unexpected $end, expecting a duration"},
    {"| histogram 5x", "parse error at line 1, col 13: syntax error: unexpected 5x, expecting a duration"},
    {"| count by", "parse error at line 1, col 11: syntax error: unexpected $end, expecting a field name"},
    {"| count | count", "parse error at line 1, col 11: syntax error: unexpected count"},
    {"level=\"x", "parse error at line 1, col 7: literal not terminated"},
    {"level ~ x", "parse error at line 1, col 7: syntax error: unexpected ~"},
    {"a=1 OR", "parse error at line 1, col 7: syntax error: unexpected $end, expecting a field name"},
    {"NOT", "parse error at line 1, col 4: syntax error: unexpected $end, expecting a field name"},
    {"level=x\nAND", "parse error at line 2, col 4: syntax error: unexpected $end, expecting a field name"},
};

TEST(DslParser, Errors) {
  for (const auto& c : kDslErrors) {
    auto q = ParseDsl(c.in);
    ASSERT_FALSE(q.ok()) << c.in;
    EXPECT_EQ(q.status().message(), c.error) << c.in;
  }
}

}  // namespace
}  // namespace strata::query

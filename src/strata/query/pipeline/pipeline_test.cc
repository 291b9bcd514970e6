// Pipeline composition: storage pushdown (exactly implied predicates), labels_unchanged, sample extraction.

#include "strata/query/pipeline/pipeline.h"

#include <gtest/gtest.h>

#include <random>

#include "strata/query/lang/dsl_parser.h"
#include "strata/query/pipeline/test_util.h"

namespace strata::query {
namespace {

using K = storage::Predicate::Kind;

std::string Describe(const std::vector<storage::Predicate>& ps) {
  std::string out;
  for (const auto& p : ps) {
    static const char* kNames[] = {"token", "sub", "notsub", "re", "notre", "eq", "neq", "lt", "le", "gt", "ge"};
    if (!out.empty()) out += " ";
    out += std::string(kNames[static_cast<int>(p.kind)]) + (p.case_insensitive ? "/i" : "") + "(" + p.field + ":" +
           p.value + ")";
  }
  return out;
}

TEST(Pushdown, LineFilters) {
  struct Case {
    const char* pipeline;
    const char* pushed;
  };
  const Case cases[] = {
      {R"(|= "a" != "b" |~ "c+" !~ "d")", "sub(_msg:a) notsub(_msg:b) re(_msg:c+) notre(_msg:d)"},
      {R"(|= "a" or "b")", ""},                                // an alternative is not implied by the line
      {R"(!= "a" or "b")", "notsub(_msg:a) notsub(_msg:b)"},   // not a and not b
      {R"(!~ "a" or "b")", "notre(_msg:a) notre(_msg:b)"},
      {R"(|~ "a" or "b")", ""},
      {R"(|= ip("1.2.3.4"))", ""},
      {R"(!= ip("1.2.3.4") or "x")", "notsub(_msg:x)"},
      {R"(|> "<_> x <_>")", ""},
      {R"(| json | level="x" |= "a")", "sub(_msg:a)"},  // parsers and label filters keep the line
      {R"(|= "a" | decolorize |= "b")", "sub(_msg:a)"},
      {R"(|= "a" | unpack |= "b")", "sub(_msg:a)"},
      {R"(| logfmt)", ""},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(Describe(testing::CompileOrDie(c.pipeline).pushdown()), c.pushed) << c.pipeline;
  }
}

TEST(Pushdown, Dsl) {
  struct Case {
    const char* dsl;
    const char* pushed;
  };
  const Case cases[] = {
      {"level=ERROR AND message CONTAINS \"timeout\"", "sub/i(_msg:timeout)"},
      {"\"a\" AND \"b\" AND service=api", "sub/i(_msg:a) sub/i(_msg:b)"},
      {"NOT message CONTAINS \"x\"", "notsub/i(_msg:x)"},
      {"message MATCHES \"t.*o\" AND NOT message MATCHES \"q\"", "re(_msg:t.*o) notre(_msg:q)"},
      {"message = \"exact\"", "eq(_msg:exact)"},
      {"message != \"exact\"", "neq(_msg:exact)"},
      {"message CONTAINS \"a\" OR level=ERROR", ""},
      {"NOT (message CONTAINS \"a\" AND level=ERROR)", ""},
      {"level=ERROR", ""},
      {"message IN (a, b)", ""},
  };
  for (const auto& c : cases) {
    auto q = ParseDsl(c.dsl);
    ASSERT_TRUE(q.ok()) << c.dsl;
    auto p = Pipeline::Compile(std::get<LogExpr>(q->expr.node).stages);
    ASSERT_TRUE(p.ok()) << c.dsl;
    EXPECT_EQ(Describe(p->pushdown()), c.pushed) << c.dsl;
  }
}

// Soundness: a line the pipeline keeps satisfies every pushed predicate (so storage never drops a kept row).
TEST(Pushdown, PushedPredicatesAreImplied) {
  const char* pipelines[] = {
      R"(|= "ab" != "ba")", R"(!= "a" or "c")", R"(|~ "a.c" !~ "^b")", R"(| logfmt |= "a" | x="1")",
      R"(|= "" != "cc")",
  };
  const char* dsls[] = {"message CONTAINS \"AB\" AND NOT message CONTAINS \"c\"",
                        "message MATCHES \"a+b\" AND message != \"ab\""};
  std::vector<Pipeline> all;
  for (const char* p : pipelines) all.push_back(testing::CompileOrDie(p));
  for (const char* d : dsls) {
    auto q = ParseDsl(d);
    ASSERT_TRUE(q.ok());
    auto p = Pipeline::Compile(std::get<LogExpr>(q->expr.node).stages);
    ASSERT_TRUE(p.ok());
    all.push_back(std::move(p).value());
  }
  std::mt19937 rng(7);
  const std::string alphabet = "abcABC x=1";
  size_t kept = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string line;
    size_t len = rng() % 10;
    for (size_t j = 0; j < len; ++j) line.push_back(alphabet[rng() % alphabet.size()]);
    for (const Pipeline& p : all) {
      LabelsBuilder b;
      b.Reset({});
      std::string l = line;
      if (!p.Process(0, l, b)) continue;
      ++kept;
      for (const auto& pred : p.pushdown()) EXPECT_TRUE(pred.Matches(line)) << Describe({pred}) << " [" << line << "]";
    }
  }
  EXPECT_GT(kept, 1000u);
}

// When pushdown_is_exact(), the pushed predicates keep exactly the lines the pipeline keeps, and the pipeline
// leaves them unchanged (metric queries then skip it); checked on random lines against the pipeline itself.
TEST(Pushdown, ExactPushdownEqualsThePipeline) {
  const char* exact[] = {R"(|= "ab")", R"(|= "ab" != "ba")", R"(!= "a" or "c")", R"(|~ "a.c" !~ "^b")",
                         R"(|= "" != "cc")", R"(!~ "a" or "b+")", R"(|~ "(?i)ab")"};
  const char* inexact[] = {R"(|= "a" or "b")", R"(| logfmt |= "a")", R"(|= "a" | x="1")", R"(|= ip("1.2.3.4"))",
                           R"(|> "<_> a")", R"(| line_format "x" |= "x")", R"(|= "a" | decolorize)"};
  for (const char* p : inexact) EXPECT_FALSE(testing::CompileOrDie(p).pushdown_is_exact()) << p;
  std::vector<Pipeline> all;
  for (const char* p : exact) {
    all.push_back(testing::CompileOrDie(p));
    EXPECT_TRUE(all.back().pushdown_is_exact()) << p;
  }
  std::mt19937 rng(11);
  const std::string alphabet = "abcABC x=1";
  for (int i = 0; i < 20000; ++i) {
    std::string line;
    size_t len = rng() % 10;
    for (size_t j = 0; j < len; ++j) line.push_back(alphabet[rng() % alphabet.size()]);
    for (size_t k = 0; k < all.size(); ++k) {
      LabelsBuilder b;
      b.Reset({});
      std::string l = line;
      const bool kept = all[k].Process(0, l, b);
      bool pushed = true;
      for (const auto& pred : all[k].pushdown()) pushed = pushed && pred.Matches(line);
      ASSERT_EQ(kept, pushed) << exact[k] << " [" << line << "]";
      if (kept) EXPECT_EQ(l, line);
    }
  }
}

TEST(Pipeline, LabelsUnchanged) {
  EXPECT_TRUE(testing::CompileOrDie(R"(|= "x" | decolorize)").labels_unchanged());
  EXPECT_TRUE(testing::CompileOrDie(R"(| level="x" | addr=ip("1.2.3.4"))").labels_unchanged());
  EXPECT_FALSE(testing::CompileOrDie("| json").labels_unchanged());
  EXPECT_FALSE(testing::CompileOrDie("| status > 5").labels_unchanged());  // may set __error__
  EXPECT_FALSE(testing::CompileOrDie("| drop a").labels_unchanged());
  EXPECT_FALSE(testing::CompileOrDie("| keep a").labels_unchanged());
  EXPECT_TRUE(Pipeline().empty());
  EXPECT_FALSE(testing::CompileOrDie(R"(|= "x")").empty());
}

TEST(Pipeline, StopsAtTheFirstFilterThatDrops) {
  auto o = testing::Run(R"(|= "x" | logfmt)", "a=1");
  EXPECT_FALSE(o.kept);
  EXPECT_EQ(o.labels, R"({app="a"})");  // the parser did not run
}

// ---- SampleExtractor ---------------------------------------------------------------------------------------------

RangeAggregation Range(const std::string& query) {
  auto e = ParseLogQL(query);
  EXPECT_TRUE(e.ok()) << query << ": " << e.status().message();
  if (!e.ok()) return {};
  return std::get<RangeAggregation>(e->node);
}

struct Sample {
  bool kept = false;
  double value = 0;
  std::string labels;
};

Sample Extract(const std::string& query, std::string line) {
  auto x = SampleExtractor::Compile(Range(query));
  EXPECT_TRUE(x.ok()) << query << ": " << x.status().message();
  Sample s;
  if (!x.ok()) return s;
  LabelsBuilder b;
  b.Reset({{"app", "a"}});
  s.kept = x->Process(0, line, b, &s.value);
  s.labels = testing::Render(b.All());
  return s;
}

TEST(SampleExtractor, Kinds) {
  auto kind = [](const std::string& q) {
    auto x = SampleExtractor::Compile(Range(q));
    EXPECT_TRUE(x.ok()) << q;
    return x.ok() ? x->kind() : SampleExtractor::Kind::kCount;
  };
  using Kind = SampleExtractor::Kind;
  EXPECT_EQ(kind(R"(count_over_time({app="a"}[1m]))"), Kind::kCount);
  EXPECT_EQ(kind(R"(rate({app="a"} |= "x" [1m]))"), Kind::kCount);
  EXPECT_EQ(kind(R"(absent_over_time({app="a"}[1m]))"), Kind::kCount);
  EXPECT_EQ(kind(R"(bytes_over_time({app="a"}[1m]))"), Kind::kBytes);
  EXPECT_EQ(kind(R"(bytes_rate({app="a"}[1m]))"), Kind::kBytes);
  EXPECT_EQ(kind(R"(rate({app="a"} | logfmt | unwrap x [1m]))"), Kind::kUnwrap);
  EXPECT_EQ(kind(R"(sum_over_time({app="a"} | logfmt | unwrap x [1m]))"), Kind::kUnwrap);
  EXPECT_EQ(kind(R"(quantile_over_time(0.99, {app="a"} | logfmt | unwrap x [1m]) by (app))"), Kind::kUnwrap);
}

TEST(SampleExtractor, CountAndBytes) {
  auto s = Extract(R"(count_over_time({app="a"} |= "x" [1m]))", "has x");
  EXPECT_TRUE(s.kept);
  EXPECT_EQ(s.value, 1);
  EXPECT_FALSE(Extract(R"(count_over_time({app="a"} |= "x" [1m]))", "nope").kept);
  s = Extract(R"(bytes_over_time({app="a"} | decolorize [1m]))", "\x1b[31mred\x1b[0m!");
  EXPECT_EQ(s.value, 4);  // bytes after the pipeline
  s = Extract(R"(bytes_rate({app="a"} | logfmt [1m]))", "k=v");
  EXPECT_EQ(s.value, 3);
  EXPECT_EQ(s.labels, R"({app="a", k="v"})");
}

TEST(SampleExtractor, Unwrap) {
  auto s = Extract(R"(sum_over_time({app="a"} | logfmt | unwrap latency [1m]))", "latency=1.5 path=/x");
  EXPECT_TRUE(s.kept);
  EXPECT_EQ(s.value, 1.5);
  EXPECT_EQ(s.labels, R"({app="a", path="/x"})");  // the unwrapped label leaves the series
  s = Extract(R"(avg_over_time({app="a"} | logfmt | unwrap duration(d) [1m]))", "d=1.5s");
  EXPECT_EQ(s.value, 1.5);
  EXPECT_EQ(s.labels, R"({app="a"})");
  s = Extract(R"(avg_over_time({app="a"} | logfmt | unwrap duration_seconds(d) [1m]))", "d=250ms");
  EXPECT_EQ(s.value, 0.25);
  s = Extract(R"(max_over_time({app="a"} | logfmt | unwrap bytes(size) [1m]))", "size=1KiB");
  EXPECT_EQ(s.value, 1024);
  s = Extract(R"(max_over_time({app="a"} | logfmt | unwrap bytes(size) [1m]))", "size=\"2 MB\"");
  EXPECT_EQ(s.value, 2e6);
  s = Extract(R"(min_over_time({app="a"} | json | unwrap n [1m]))", R"({"n": -3e2})");
  EXPECT_EQ(s.value, -300);
}

TEST(SampleExtractor, ConversionErrorsAndPostFilters) {
  auto s = Extract(R"(sum_over_time({app="a"} | logfmt | unwrap latency [1m]))", "latency=abc");
  EXPECT_TRUE(s.kept);
  EXPECT_NE(s.labels.find(R"(__error__="SampleExtractionErr")"), std::string::npos) << s.labels;
  EXPECT_EQ(s.labels.find("latency="), std::string::npos) << s.labels;
  // A line without the label (or with it empty) gives no sample and no error, as in Loki.
  EXPECT_FALSE(Extract(R"(sum_over_time({app="a"} | logfmt | unwrap latency [1m]))", "other=1").kept);
  EXPECT_FALSE(Extract(R"(sum_over_time({app="a"} | logfmt | unwrap latency [1m]))", "latency= other=1").kept);
  EXPECT_FALSE(Extract(R"(sum_over_time({app="a"} | logfmt | unwrap latency | __error__="" [1m]))", "latency=abc").kept);
  s = Extract(R"(sum_over_time({app="a"} | logfmt | unwrap latency | __error__="" [1m]))", "latency=2");
  EXPECT_TRUE(s.kept);
  EXPECT_EQ(s.value, 2);
  EXPECT_FALSE(Extract(R"(sum_over_time({app="a"} | logfmt | unwrap latency | path="/y" [1m]))", "latency=2 path=/x").kept);
  // A duration without unit is not a duration.
  s = Extract(R"(sum_over_time({app="a"} | logfmt | unwrap duration(d) [1m]))", "d=15");
  EXPECT_NE(s.labels.find("SampleExtractionErr"), std::string::npos) << s.labels;
}

}  // namespace
}  // namespace strata::query

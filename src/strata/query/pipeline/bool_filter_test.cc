#include <gtest/gtest.h>

#include "strata/query/lang/dsl_parser.h"
#include "strata/query/pipeline/test_util.h"

namespace strata::query {
namespace {

Pipeline CompileDsl(const std::string& dsl) {
  auto q = ParseDsl(dsl);
  EXPECT_TRUE(q.ok()) << dsl << ": " << q.status().message();
  if (!q.ok()) return Pipeline();
  auto p = Pipeline::Compile(std::get<LogExpr>(q->expr.node).stages);
  EXPECT_TRUE(p.ok()) << dsl << ": " << p.status().message();
  return p.ok() ? std::move(p).value() : Pipeline();
}

bool Matches(const std::string& dsl, std::string line, const model::LabelSet& stream,
             const model::LabelSet& metadata = {}) {
  Pipeline p = CompileDsl(dsl);
  LabelsBuilder b;
  b.Reset(stream);
  for (const auto& f : metadata) b.AddStructuredMetadata(f.name, f.value);
  return p.Process(0, line, b);
}

struct DslCase {
  const char* dsl;
  bool match;
};

// Stream {level="ERROR", service="api"}; metadata {metadata.region, traceId, latency_ms, name}; line below.
const DslCase kDslCases[] = {
    {"level=ERROR", true},
    {"level=error", true},  // levels compare case-insensitively
    {"level=err", true},    // ... after normalisation (err -> ERROR)
    {"level=WARN", false},
    {"level!=DEBUG", true},
    {"NOT level=DEBUG", true},
    {"level IN (warn, error)", true},
    {"message CONTAINS \"timeout\"", true},  // the line says "Timeout": CONTAINS ignores case
    {"\"TIMEOUT\"", true},
    {"message CONTAINS \"refused\"", false},
    {"msg CONTAINS \"conn\"", true},
    {"message MATCHES \"Time(d)?out\"", true},
    {"message MATCHES \"time(d)?out\"", false},  // MATCHES is case-sensitive
    {"message MATCHES \"(?i)time(d)?out\"", true},
    {"message = \"Connection Timeout after 30s\"", true},
    {"message != \"Connection Timeout after 30s\"", false},
    {"service IN (api, web)", true},
    {"service=\"web\"", false},
    {"traceId=abc123", true},
    {"trace_id=abc123", true},
    {"traceId=ABC123", false},
    {"metadata.region=\"eu-west-1\"", true},
    {"metadata.region!=\"us-east-1\"", true},
    {"metadata.region CONTAINS \"WEST\"", true},
    // A missing field matches nothing but != (and NOT).
    {"zone=x", false},
    {"zone!=x", true},
    {"NOT zone=x", true},
    {"zone IN (x, y)", false},
    {"zone CONTAINS \"\"", false},
    {"zone MATCHES \".*\"", false},
    {"zone > 1", false},
    {"NOT zone > 1", true},
    // Ordering: numeric when both sides are numbers, else byte-wise.
    {"latency_ms > 500", true},
    {"latency_ms > 1000", false},
    {"latency_ms >= 750", true},
    {"latency_ms <= 750", true},
    {"latency_ms < 80", false},  // 750 < 80 numerically false (byte-wise it would be true)
    {"latency_ms < 7.5e3", true},
    {"name > bob", true},        // "carl" > "bob"
    {"name < bob", false},
    {"name >= carl", true},
    // Boolean structure: AND binds tighter than OR.
    {"level=DEBUG OR service=api AND traceId=abc123", true},
    {"(level=DEBUG OR service=api) AND traceId=zzz", false},
    {"level=DEBUG OR (service=web AND traceId=abc123)", false},
    {"NOT (level=DEBUG OR level=INFO)", true},
    {"NOT NOT level=ERROR", true},
    {"", true},
};

TEST(BoolFilter, Table) {
  const model::LabelSet stream = {{"level", "ERROR"}, {"service", "api"}};
  const model::LabelSet metadata = {
      {"metadata.region", "eu-west-1"}, {"traceId", "abc123"}, {"latency_ms", "750"}, {"name", "carl"}};
  for (const auto& c : kDslCases) {
    EXPECT_EQ(Matches(c.dsl, "Connection Timeout after 30s", stream, metadata), c.match) << c.dsl;
  }
}

TEST(BoolFilter, FieldFallbacks) {
  // OTLP/Loki name the service `service_name` and the trace `trace_id`.
  EXPECT_TRUE(Matches("service=checkout", "x", {{"service_name", "checkout"}}));
  EXPECT_TRUE(Matches("traceId=0af7651916cd43dd8448eb211c80319c", "x", {},
                      {{"trace_id", "0af7651916cd43dd8448eb211c80319c"}}));
  // A Loki-style sanitised metadata name is found under the dotted spelling.
  EXPECT_TRUE(Matches("metadata.region=eu", "x", {}, {{"metadata_region", "eu"}}));
  // A level pushed un-normalised still compares by its normalised form.
  EXPECT_TRUE(Matches("level=WARN", "x", {{"level", "warning"}}));
  EXPECT_FALSE(Matches("level=ERROR", "x", {{"level", "warning"}}));
}

TEST(BoolFilter, BadRegexFailsToCompile) {
  BoolFilterStage s;
  s.expr.field.kind = FieldRef::Kind::kMessage;
  s.expr.op = DslOp::kMatches;
  s.expr.values = {"(unclosed"};
  EXPECT_FALSE(Pipeline::Compile({Stage{s}}).ok());
}

}  // namespace
}  // namespace strata::query

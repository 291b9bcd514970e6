// drop, keep, decolorize (the docs' examples) and the template stages line_format / label_format.

#include <gtest/gtest.h>

#include "strata/query/pipeline/test_util.h"

namespace strata::query {
namespace {

constexpr const char* kGet =
    R"({"level": "info", "method": "GET", "path": "/", "host": "grafana.net", "status": "200"})";
constexpr const char* kPost =
    R"({"level": "info", "method": "POST", "path": "/", "host": "grafana.net", "status": "200"})";
constexpr const char* kSomeApi =
    R"({"app": "some-api-service", "level": "info", "method": "GET", "path": "/", "host": "grafana.net", "status": "200"})";
constexpr const char* kOther =
    R"({"app": "other-service", "level": "info", "method": "GET", "path": "/", "host": "grafana.net", "status": "200"})";

std::string Labels(const char* pipeline, const char* line) {
  auto o = testing::Run(pipeline, line, {{"job", "varlogs"}});
  EXPECT_TRUE(o.kept) << pipeline;
  EXPECT_EQ(o.line, line) << pipeline;
  return o.labels;
}

TEST(Drop, DocsExamples) {
  EXPECT_EQ(Labels(R"(| json | drop level, method="GET")", kGet),
            R"({host="grafana.net", job="varlogs", path="/", status="200"})");
  EXPECT_EQ(Labels(R"(| json | drop level, method="GET")", kPost),
            R"({host="grafana.net", job="varlogs", method="POST", path="/", status="200"})");
  EXPECT_EQ(Labels(R"(| json | drop level, path, app=~"some-api.*")", kSomeApi),
            R"({host="grafana.net", job="varlogs", method="GET", status="200"})");
  EXPECT_EQ(Labels(R"(| json | drop level, path, app=~"some-api.*")", kOther),
            R"({app="other-service", host="grafana.net", job="varlogs", method="GET", status="200"})");
  EXPECT_EQ(Labels(R"(| json | drop __error__, __error_details__)", "INFO GET / loki.net 200"), R"({job="varlogs"})");
  EXPECT_EQ(Labels(R"(| json | drop job)", "{}"), R"({})");  // stream labels too
  EXPECT_EQ(Labels(R"(| json | drop nothing_here)", "{}"), R"({job="varlogs"})");
}

TEST(Keep, DocsExamples) {
  EXPECT_EQ(Labels(R"(| json | keep level, method="GET")", kGet), R"({level="info", method="GET"})");
  EXPECT_EQ(Labels(R"(| json | keep level, method="GET")", kPost), R"({level="info"})");
  EXPECT_EQ(Labels(R"(| json | keep level, tenant, app=~"some-api.*")", kSomeApi),
            R"({app="some-api-service", level="info"})");
  EXPECT_EQ(Labels(R"(| json | keep level, tenant, app=~"some-api.*")", kOther), R"({level="info"})");
  // keep never removes the error labels.
  auto o = testing::Run("| json | keep level", "not json", {{"job", "varlogs"}});
  EXPECT_NE(o.labels.find(R"(__error__="JSONParserErr")"), std::string::npos) << o.labels;
  EXPECT_NE(o.labels.find("__error_details__"), std::string::npos) << o.labels;
  EXPECT_EQ(o.labels.find("job"), std::string::npos) << o.labels;
}

TEST(Decolorize, StripsAnsiSequences) {
  struct Case {
    const char* in;
    const char* out;
  };
  const Case cases[] = {
      {"\x1b[31mERROR\x1b[0m done", "ERROR done"},
      {"\x1b[1;32mok\x1b[m", "ok"},
      {"\x1b[38;5;196mred\x1b[39m", "red"},
      {"\x1b]0;title\x07text", "text"},
      {"\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\", "link"},
      {"\xc2\x9b" "31mred", "red"},
      {"caf\xc3\xa9 \xc2\xa9 plain", "caf\xc3\xa9 \xc2\xa9 plain"},
      {"", ""},
      {"trailing \x1b", "trailing "},
  };
  for (const auto& c : cases) {
    auto o = testing::Run("| decolorize", c.in);
    EXPECT_TRUE(o.kept);
    EXPECT_EQ(o.line, c.out) << c.in;
  }
}

}  // namespace
}  // namespace strata::query

// line_format and label_format over the GoTemplate engine (Loki's documented behaviour).

#include <gtest/gtest.h>

#include "strata/query/pipeline/test_util.h"

namespace strata::query {
namespace {

TEST(LineFormat, DocsExamples) {
  auto o = testing::Run(R"(| logfmt | line_format "{{.query}} {{.duration}}")",
                        R"x(query="sum(rate(x[1m]))" duration=1.2s status=200)x");
  EXPECT_TRUE(o.kept);
  EXPECT_EQ(o.line, "sum(rate(x[1m])) 1.2s");
  o = testing::Run(R"(| logfmt | line_format "{{.ip}} {{.status}} {{div .duration 1000}}")",
                   "ip=1.1.1.1 status=200 duration=3000");
  EXPECT_EQ(o.line, "1.1.1.1 200 3");
}

TEST(LineFormat, LabelsLineAndMissingLabels) {
  auto o = testing::Run(R"(| line_format "[{{.app}}] {{.missing}}<{{__line__}}>")", "orig");
  EXPECT_EQ(o.line, "[a] <orig>");
  o = testing::Run(R"(| line_format "{{.region}}")", "x", {{"app", "a"}}, {{"region", "eu"}});
  EXPECT_EQ(o.line, "eu");
  // A later line filter sees the new line.
  EXPECT_FALSE(testing::Run(R"(| line_format "changed" |= "orig")", "orig").kept);
  EXPECT_TRUE(testing::Run(R"(| line_format "changed" |= "changed")", "orig").kept);
}

TEST(LineFormat, ExecutionErrorKeepsTheLine) {
  auto o = testing::Run(R"(| logfmt | line_format "{{div .a 0}}")", "a=1");
  EXPECT_TRUE(o.kept);
  EXPECT_EQ(o.line, "a=1");
  EXPECT_NE(o.labels.find(R"(__error__="TemplateFormatErr")"), std::string::npos) << o.labels;
}

TEST(LabelFormat, RenameAndTemplate) {
  struct Case {
    const char* pipeline;
    const char* line;
    const char* labels;
  };
  const Case cases[] = {
      {R"(| logfmt | label_format dst=src)", "src=v", R"({app="a", dst="v"})"},                  // rename drops src
      {R"(| logfmt | label_format dst="{{.src}}")", "src=v", R"({app="a", dst="v", src="v"})"},  // template keeps it
      {R"(| logfmt | label_format dst=nope)", "src=v", R"({app="a", src="v"})"},
      {R"(| label_format application=app)", "x", R"({application="a"})"},                         // stream labels too
      {R"(| logfmt | label_format app="{{.x}}")", "x=over", R"({app="over", x="over"})"},        // forced override
      {R"(| logfmt | label_format src=dst)", "dst=1 src=2", R"({app="a", src="1"})"},
      {R"(| logfmt | label_format a=b, c="{{.b}}")", "b=1", R"({a="1", app="a", c="1"})"},     // templates see the stage's input
      {R"(| logfmt | label_format s="{{.status}} {{.method}}")", "status=200 method=GET",
       R"({app="a", method="GET", s="200 GET", status="200"})"},
  };
  for (const auto& c : cases) {
    auto o = testing::Run(c.pipeline, c.line);
    EXPECT_TRUE(o.kept) << c.pipeline;
    EXPECT_EQ(o.labels, c.labels) << c.pipeline;
    EXPECT_EQ(o.line, c.line) << c.pipeline;
  }
  auto o = testing::Run(R"(| logfmt | label_format bad="{{div .a 0}}")", "a=1");
  EXPECT_NE(o.labels.find(R"(__error__="TemplateFormatErr")"), std::string::npos) << o.labels;
}

TEST(TemplateStages, PushdownStopsAtLineFormat) {
  EXPECT_EQ(testing::CompileOrDie(R"(|= "a" | line_format "{{.x}}" |= "b")").pushdown().size(), 1u);
  EXPECT_FALSE(testing::CompileOrDie(R"(| line_format "x")").labels_unchanged());
  EXPECT_FALSE(testing::CompileOrDie(R"(| label_format a=b)").labels_unchanged());
}

TEST(TemplateStages, BadTemplatesFailToCompile) {
  LineFormatStage lf;
  lf.tmpl = "{{.a";
  EXPECT_FALSE(Pipeline::Compile({Stage{lf}}).ok());
  LabelFormatStage lb;
  lb.items = {{"dst", true, "{{ nosuchfunction .a }}"}};
  EXPECT_FALSE(Pipeline::Compile({Stage{lb}}).ok());
}

}  // namespace
}  // namespace strata::query

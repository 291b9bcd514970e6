#pragma once
// Test helpers: run a LogQL pipeline (parsed with ParseLogQL) over one line and render the resulting labels.

#include <string>
#include <variant>

#include <gtest/gtest.h>

#include "strata/query/lang/logql_parser.h"
#include "strata/query/pipeline/labels_builder.h"
#include "strata/query/pipeline/pipeline.h"

namespace strata::query::testing {

// `{a="b", c="d"}`, sorted by name.
inline std::string Render(const model::LabelSet& labels) {
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += ", ";
    out += labels[i].name + "=\"" + labels[i].value + "\"";
  }
  return out + "}";
}

inline Pipeline CompileOrDie(const std::string& pipeline) {
  auto expr = ParseLogQL("{app=\"a\"} " + pipeline);
  EXPECT_TRUE(expr.ok()) << pipeline << ": " << expr.status().message();
  if (!expr.ok()) return Pipeline();
  auto p = Pipeline::Compile(std::get<LogExpr>(expr->node).stages);
  EXPECT_TRUE(p.ok()) << pipeline << ": " << p.status().message();
  return p.ok() ? std::move(p).value() : Pipeline();
}

struct Outcome {
  bool kept = false;
  std::string line;
  std::string labels;  // Render()ed
};

inline Outcome Run(const std::string& pipeline, std::string line, const model::LabelSet& stream = {{"app", "a"}},
                   const model::LabelSet& metadata = {}) {
  Pipeline p = CompileOrDie(pipeline);
  LabelsBuilder b;
  b.Reset(stream);
  for (const auto& f : metadata) b.AddStructuredMetadata(f.name, f.value);
  Outcome o;
  o.kept = p.Process(0, line, b);
  o.line = line;
  o.labels = Render(b.All());
  return o;
}

}  // namespace strata::query::testing

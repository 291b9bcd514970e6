// The `pattern` parser: PatternMatcher::Extract; the named captures that matched become labels.

#include "strata/query/pipeline/pattern_matcher.h"
#include "strata/query/pipeline/stage.h"

namespace strata::query {

namespace {

class PatternStage final : public CompiledStage {
 public:
  explicit PatternStage(PatternMatcher m) : matcher_(std::move(m)) {}

  bool Process(int64_t, std::string& line, LabelsBuilder& labels) const override {
    labels.BeginStage();
    thread_local std::vector<std::string_view> captures;
    matcher_.Extract(line, captures);
    const auto& names = matcher_.names();
    for (size_t i = 0; i < captures.size(); ++i) {
      labels.Set(LabelSource::kParsed, names[i], captures[i], false);
    }
    return true;
  }
  bool ChangesLabels() const override { return true; }

 private:
  PatternMatcher matcher_;
};

}  // namespace

base::Result<StagePtr> MakePatternParserStage(const ParserStage& stage) {
  ASSIGN_OR_RETURN(PatternMatcher m, PatternMatcher::Compile(stage.pattern, /*require_named=*/true));
  return StagePtr(std::make_shared<PatternStage>(std::move(m)));
}

}  // namespace strata::query

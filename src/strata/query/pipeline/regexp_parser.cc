// The `regexp` parser: RE2 named groups become labels (leftmost match, unanchored); no match adds nothing, a group
// that did not take part yields "" (Go's FindSubmatch semantics).

#include <re2/re2.h>

#include <algorithm>

#include "strata/query/pipeline/stage.h"
#include "strata/query/pipeline/value_parse.h"

namespace strata::query {

namespace {

class RegexpStage final : public CompiledStage {
 public:
  RegexpStage(std::unique_ptr<RE2> re, std::vector<std::pair<int, std::string>> groups)
      : re_(std::move(re)), groups_(std::move(groups)) {}

  bool Process(int64_t, std::string& line, LabelsBuilder& labels) const override {
    labels.BeginStage();
    thread_local std::vector<re2::StringPiece> match;
    const int n = re_->NumberOfCapturingGroups() + 1;
    match.resize(static_cast<size_t>(n));
    if (!re_->Match(line, 0, line.size(), RE2::UNANCHORED, match.data(), n)) return true;
    for (const auto& [index, name] : groups_) {
      re2::StringPiece v = match[static_cast<size_t>(index)];
      labels.Set(LabelSource::kParsed, name, std::string_view(v.data() == nullptr ? "" : v.data(), v.size()), false);
    }
    return true;
  }
  bool ChangesLabels() const override { return true; }

 private:
  std::unique_ptr<RE2> re_;
  std::vector<std::pair<int, std::string>> groups_;  // capture index, sanitised label name
};

}  // namespace

base::Result<StagePtr> MakeRegexpParserStage(const ParserStage& stage) {
  RE2::Options o;
  o.set_log_errors(false);
  auto re = std::make_unique<RE2>(stage.pattern, o);
  if (!re->ok()) return base::InvalidArgument("invalid regexp \"" + stage.pattern + "\": " + re->error());
  std::vector<std::pair<int, std::string>> groups;
  for (const auto& [name, index] : re->NamedCapturingGroups()) {
    std::string label;
    values::AppendSanitizedKey(name, true, label);
    groups.emplace_back(index, std::move(label));
  }
  if (groups.empty()) return base::InvalidArgument("at least one named capture must be supplied");
  std::sort(groups.begin(), groups.end());
  return StagePtr(std::make_shared<RegexpStage>(std::move(re), std::move(groups)));
}

}  // namespace strata::query

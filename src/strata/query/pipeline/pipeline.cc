#include "strata/query/pipeline/pipeline.h"

#include "strata/query/pipeline/stage.h"

namespace strata::query {

base::Result<Pipeline> Pipeline::Compile(const std::vector<query::Stage>& stages) {
  Pipeline p;
  bool line_changed = false;
  for (const query::Stage& s : stages) {
    ASSIGN_OR_RETURN(StagePtr stage, CompileStage(s));
    // Stages that only read labels (parsers, label filters) leave the line as stored, so a line filter behind them
    // still tests the raw message and is as pushable as a leading one.
    if (!line_changed) stage->Pushdown(p.pushdown_);
    line_changed |= stage->ChangesLine();
    if (stage->ChangesLabels()) p.labels_unchanged_ = false;
    if (line_changed || !stage->PushedDownExactly()) p.pushdown_is_exact_ = false;
    p.stages_.push_back(std::move(stage));
  }
  return p;
}

bool Pipeline::Process(int64_t timestamp_ns, std::string& line, LabelsBuilder& labels) const {
  for (const auto& stage : stages_) {
    if (!stage->Process(timestamp_ns, line, labels)) return false;
  }
  return true;
}

}  // namespace strata::query

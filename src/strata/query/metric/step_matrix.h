#pragma once
// StepMatrix: the evaluator's internal form of an instant vector evaluated at every grid step (Prometheus'
// "one Vector per step"), plus the label helpers the operators share.
//
// Label sets are interned once per matrix (`labels[id]`), so operators work on small integer ids per step and
// compute per-series facts (group keys, matching signatures, result label sets) once per id, not once per sample.
// Points are only stored where a series has a value, so a sparse result costs what it holds.
//
// Internal to strata/query/metric; value types, no thread-safety concerns.

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "strata/model/log_record.h"
#include "strata/query/lang/ast.h"

namespace strata::query::metric::internal {

struct Sample {
  uint32_t id = 0;
  double v = 0;
};

struct LabelSetHash {
  size_t operator()(const model::LabelSet& labels) const;
};

class StepMatrix {
 public:
  StepMatrix() = default;
  explicit StepMatrix(size_t steps) : steps_(steps) {}

  // The id of `labels` (sorted by name, unique names), adding it when new.
  uint32_t Intern(const model::LabelSet& labels);
  const model::LabelSet& labels(uint32_t id) const { return labels_[id]; }
  size_t series_count() const { return labels_.size(); }

  size_t step_count() const { return steps_.size(); }
  std::vector<Sample>& step(size_t i) { return steps_[i]; }
  const std::vector<Sample>& step(size_t i) const { return steps_[i]; }

  // A matrix with the same label table and empty steps (for operators that keep their input's series).
  StepMatrix EmptyLike() const;

 private:
  std::vector<model::LabelSet> labels_;
  std::unordered_map<model::LabelSet, uint32_t, LabelSetHash> index_;
  std::vector<std::vector<Sample>> steps_;
};

// A scalar (one value per step) or a matrix.
struct Value {
  bool is_scalar = false;
  std::vector<double> scalar;
  StepMatrix matrix;
};

// Label-set helpers; inputs and outputs are sorted by name.
std::string_view LabelValue(const model::LabelSet& labels, std::string_view name);  // "" when absent
model::LabelSet KeepLabels(const model::LabelSet& labels, const std::vector<std::string>& names);
model::LabelSet DropLabels(const model::LabelSet& labels, const std::vector<std::string>& names);
void SetLabel(model::LabelSet& labels, std::string_view name, std::string_view value);  // "" deletes
// The group key of `by (..)` / `without (..)`; no grouping at all is the empty label set.
model::LabelSet GroupKey(const model::LabelSet& labels, const Grouping* grouping);
std::string FormatLabels(const model::LabelSet& labels);  // {a="x", b="y"} for error messages

}  // namespace strata::query::metric::internal

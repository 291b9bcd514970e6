#include "strata/query/metric/step_matrix.h"

#include <algorithm>
#include <functional>

namespace strata::query::metric::internal {

size_t LabelSetHash::operator()(const model::LabelSet& labels) const {
  size_t h = 0xcbf29ce484222325ull;
  std::hash<std::string> hs;
  for (const auto& f : labels) {
    h = (h ^ hs(f.name)) * 0x100000001b3ull;
    h = (h ^ hs(f.value)) * 0x100000001b3ull;
  }
  return h;
}

uint32_t StepMatrix::Intern(const model::LabelSet& labels) {
  auto [it, inserted] = index_.try_emplace(labels, uint32_t(labels_.size()));
  if (inserted) labels_.push_back(labels);
  return it->second;
}

StepMatrix StepMatrix::EmptyLike() const {
  StepMatrix out(steps_.size());
  out.labels_ = labels_;
  out.index_ = index_;
  return out;
}

std::string_view LabelValue(const model::LabelSet& labels, std::string_view name) {
  for (const auto& f : labels) {
    if (f.name == name) return f.value;
  }
  return {};
}

namespace {
bool Listed(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}
}  // namespace

model::LabelSet KeepLabels(const model::LabelSet& labels, const std::vector<std::string>& names) {
  model::LabelSet out;
  for (const auto& f : labels) {
    if (Listed(names, f.name)) out.push_back(f);
  }
  return out;
}

model::LabelSet DropLabels(const model::LabelSet& labels, const std::vector<std::string>& names) {
  model::LabelSet out;
  for (const auto& f : labels) {
    if (!Listed(names, f.name)) out.push_back(f);
  }
  return out;
}

void SetLabel(model::LabelSet& labels, std::string_view name, std::string_view value) {
  auto it = std::lower_bound(labels.begin(), labels.end(), name,
                             [](const model::Field& f, std::string_view n) { return f.name < n; });
  bool found = it != labels.end() && it->name == name;
  if (value.empty()) {
    if (found) labels.erase(it);
  } else if (found) {
    it->value = std::string(value);
  } else {
    labels.insert(it, model::Field{std::string(name), std::string(value)});
  }
}

model::LabelSet GroupKey(const model::LabelSet& labels, const Grouping* grouping) {
  if (grouping == nullptr) return {};
  return grouping->without ? DropLabels(labels, grouping->labels) : KeepLabels(labels, grouping->labels);
}

std::string FormatLabels(const model::LabelSet& labels) {
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += ", ";
    out += labels[i].name + "=\"" + labels[i].value + "\"";
  }
  out += "}";
  return out;
}

}  // namespace strata::query::metric::internal

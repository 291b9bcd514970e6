#include "strata/query/pipeline/labels_builder.h"

#include <algorithm>

namespace strata::query {

namespace {

// Lower is stronger for the plain name; `_extracted` slots use the reverse order.
int Rank(LabelSource s) { return static_cast<int>(s); }

constexpr std::string_view kExtractedSuffix = "_extracted";

}  // namespace

size_t LabelsBuilder::Find(std::string_view name, bool* found) const {
  size_t lo = 0, hi = labels_.size();
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (std::string_view(labels_[mid].name) < name) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  *found = lo < labels_.size() && labels_[lo].name == name;
  return lo;
}

void LabelsBuilder::InsertAt(size_t pos, LabelSource source, std::string_view name, std::string_view value) {
  Entry e;
  if (!spare_.empty()) {
    e = std::move(spare_.back());
    spare_.pop_back();
  }
  // Assigned before the vector grows: `name`/`value` may point into another entry.
  e.name.assign(name);
  e.value.assign(value);
  e.source = source;
  e.stage = stage_;
  labels_.insert(labels_.begin() + static_cast<ptrdiff_t>(pos), std::move(e));
}

void LabelsBuilder::Reset(const model::LabelSet& stream) {
  while (!labels_.empty()) Recycle();
  bool sorted = true;
  for (const auto& f : stream) {
    if (!labels_.empty() && !(labels_.back().name < f.name)) sorted = false;
    InsertAt(labels_.size(), LabelSource::kStream, f.name, f.value);
  }
  if (!sorted) {
    std::stable_sort(labels_.begin(), labels_.end(), [](const Entry& a, const Entry& b) { return a.name < b.name; });
    // A non-canonical set may repeat a name: the last one wins, as in model::CanonicalizeLabels.
    size_t out = 0;
    for (size_t i = 0; i < labels_.size(); ++i) {
      if (out > 0 && labels_[out - 1].name == labels_[i].name) {
        std::swap(labels_[out - 1], labels_[i]);
      } else {
        if (out != i) std::swap(labels_[out], labels_[i]);
        ++out;
      }
    }
    while (labels_.size() > out) Recycle();
  }
  changed_ = false;
}

void LabelsBuilder::AddStructuredMetadata(std::string_view name, std::string_view value) {
  Set(LabelSource::kStructuredMetadata, name, value, true);
}

std::optional<std::string_view> LabelsBuilder::Get(std::string_view name) const {
  bool found;
  size_t pos = Find(name, &found);
  if (!found) return std::nullopt;
  return std::string_view(labels_[pos].value);
}

std::optional<LabelSource> LabelsBuilder::SourceOf(std::string_view name) const {
  bool found;
  size_t pos = Find(name, &found);
  if (!found) return std::nullopt;
  return labels_[pos].source;
}

void LabelsBuilder::Set(LabelSource source, std::string_view name, std::string_view value, bool overwrite) {
  changed_ = true;
  bool found;
  size_t pos = Find(name, &found);
  if (!found) {
    InsertAt(pos, source, name, value);
    return;
  }
  Entry& e = labels_[pos];
  if (e.source == source) {
    if (source != LabelSource::kParsed || overwrite || e.stage != stage_) {
      e.value.assign(value);
      e.stage = stage_;
    }
    return;
  }
  if (Rank(e.source) < Rank(source)) {
    SpillExtracted(source, name, value, overwrite);
    return;
  }
  // The newcomer takes the plain name; the value it displaces competes for `<name>_extracted`.
  std::string old_value = std::move(e.value);
  LabelSource old_source = e.source;
  e.value.assign(value);
  e.source = source;
  e.stage = stage_;
  SpillExtracted(old_source, name, old_value, true);
}

void LabelsBuilder::SpillExtracted(LabelSource source, std::string_view name, std::string_view value,
                                   bool overwrite) {
  scratch_.assign(name);
  scratch_.append(kExtractedSuffix);
  bool found;
  size_t pos = Find(scratch_, &found);
  if (!found) {
    InsertAt(pos, source, scratch_, value);
    return;
  }
  Entry& e = labels_[pos];
  bool take;
  if (e.source == source) {
    take = source != LabelSource::kParsed || overwrite || e.stage != stage_;
  } else {
    take = Rank(source) > Rank(e.source);
  }
  if (take) {
    e.value.assign(value);
    e.source = source;
    e.stage = stage_;
  }
}

void LabelsBuilder::Replace(LabelSource source, std::string_view name, std::string_view value) {
  changed_ = true;
  bool found;
  size_t pos = Find(name, &found);
  if (!found) {
    InsertAt(pos, source, name, value);
    return;
  }
  Entry& e = labels_[pos];
  e.value.assign(value);
  e.source = source;
  e.stage = stage_;
}

void LabelsBuilder::Delete(std::string_view name) {
  bool found;
  size_t pos = Find(name, &found);
  if (!found) return;
  changed_ = true;
  spare_.push_back(std::move(labels_[pos]));
  labels_.erase(labels_.begin() + static_cast<ptrdiff_t>(pos));
}

void LabelsBuilder::SetError(std::string_view error, std::string_view details) {
  Replace(LabelSource::kParsed, "__error__", error);
  if (!details.empty()) Replace(LabelSource::kParsed, "__error_details__", details);
}

model::LabelSet LabelsBuilder::All() const {
  model::LabelSet out;
  out.reserve(labels_.size());
  for (const auto& e : labels_) out.push_back({e.name, e.value});
  return out;
}

model::LabelSet LabelsBuilder::Of(LabelSource source) const {
  model::LabelSet out;
  for (const auto& e : labels_) {
    if (e.source == source) out.push_back({e.name, e.value});
  }
  return out;
}

}  // namespace strata::query

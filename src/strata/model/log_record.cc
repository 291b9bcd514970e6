#include "strata/model/log_record.h"

#include <algorithm>

namespace strata::model {

size_t LogRecord::RawBytes() const {
  size_t n = message.size();
  for (const auto& l : labels) n += l.name.size() + l.value.size();
  for (const auto& f : fields) n += f.name.size() + f.value.size();
  return n;
}

void CanonicalizeLabels(LabelSet& labels) {
  std::stable_sort(labels.begin(), labels.end(), [](const Field& a, const Field& b) { return a.name < b.name; });
  // Keep the last of equal names: walk backwards and keep first-seen.
  LabelSet out;
  out.reserve(labels.size());
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i + 1 < labels.size() && labels[i + 1].name == labels[i].name) continue;
    out.push_back(std::move(labels[i]));
  }
  labels = std::move(out);
}

}  // namespace strata::model

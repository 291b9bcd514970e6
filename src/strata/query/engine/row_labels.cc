#include "strata/query/engine/row_labels.h"

namespace strata::query {

void LoadRowLabels(const storage::RowBatch& batch, size_t row, LabelsBuilder& labels) {
  static const model::LabelSet kNoLabels;
  labels.Reset(batch.labels ? *batch.labels : kNoLabels);
  for (const auto& [name, column] : batch.fields) {
    std::string_view v = column.at(row);
    if (!v.empty()) labels.AddStructuredMetadata(name, v);
  }
}

size_t RowBytes(const storage::RowBatch& batch, size_t row, size_t* structured_metadata_bytes) {
  size_t sm = 0;
  for (const auto& [name, column] : batch.fields) {
    std::string_view v = column.at(row);
    if (!v.empty()) sm += name.size() + v.size();
  }
  *structured_metadata_bytes += sm;
  return (row < batch.messages.size() ? batch.messages.at(row).size() : 0) + sm;
}

}  // namespace strata::query

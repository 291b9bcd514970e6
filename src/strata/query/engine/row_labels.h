#pragma once
// Loads one scanned row into a LabelsBuilder: the stream's labels, then its non-empty fields as structured
// metadata. Shared by the log and metric executors, detected fields and patterns.

#include <cstddef>

#include "strata/query/pipeline/labels_builder.h"
#include "strata/storage/scan.h"

namespace strata::query {

void LoadRowLabels(const storage::RowBatch& batch, size_t row, LabelsBuilder& labels);

// Bytes of the row the pipeline sees (message + field values): Loki's "bytes processed".
size_t RowBytes(const storage::RowBatch& batch, size_t row, size_t* structured_metadata_bytes);

}  // namespace strata::query

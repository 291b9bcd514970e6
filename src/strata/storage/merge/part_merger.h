#pragma once
// MergeParts: rewrites one or more parts of a partition into one new part, dropping the rows a RowDropFilter
// rejects (expired by per-stream retention, covered by a delete request). The output's meta: level =
// max(input levels) + 1, wal_seq_end = max of the inputs, replaces = the input ids. The caller publishes it with
// Partition::Replace(). Inputs are read stream by stream (in stream id order, each input's blocks of the stream
// in turn) and the output's blocks are written as the builder fills up, so memory is about 64 MiB of buffered rows
// plus the largest stream's rows, not the whole output. The output is the same file a one-shot build would give.
// Thread-safe for distinct outputs.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "strata/base/status.h"
#include "strata/model/log_record.h"
#include "strata/storage/part/part_reader.h"
#include "strata/storage/part/part_writer.h"

namespace strata::storage {

// Returns true to drop the row.
using RowDropFilter =
    std::function<bool(const model::LabelSet& labels, int64_t timestamp_ns, std::string_view message)>;

struct MergeResult {
  PartMeta meta;
  uint64_t rows_in = 0;
  uint64_t rows_dropped = 0;
  bool empty = false;  // every row dropped: no part was written; the caller just drops the inputs
};

base::Result<MergeResult> MergeParts(const std::vector<std::shared_ptr<const PartReader>>& inputs,
                                     const std::string& dir, uint64_t new_part_id, const PartWriterOptions& options,
                                     const RowDropFilter& drop);

}  // namespace strata::storage

#include "strata/storage/merge/part_merger.h"

#include <algorithm>
#include <map>

namespace strata::storage {

namespace {
// Rows a merge buffers before writing the finished streams' blocks (copies of the values plus row entries).
constexpr size_t kMergeBufferBytes = 64u << 20;
}  // namespace

base::Result<MergeResult> MergeParts(const std::vector<std::shared_ptr<const PartReader>>& inputs,
                                     const std::string& dir, uint64_t new_part_id, const PartWriterOptions& options,
                                     const RowDropFilter& drop) {
  if (inputs.empty()) return base::InvalidArgument("merge: no input parts");
  MergeResult result;
  PartMeta& meta = result.meta;
  meta.part_id = new_part_id;
  meta.tenant = inputs.front()->meta().tenant;
  meta.day = inputs.front()->meta().day;
  for (const auto& in : inputs) {
    const PartMeta& m = in->meta();
    // A part never mixes tenants or days; merging across them would put rows in the wrong partition.
    if (m.tenant != meta.tenant || m.day != meta.day) {
      return base::InvalidArgument("merge: " + in->path() + " belongs to " + m.tenant + "/" + std::to_string(m.day) +
                                   ", not " + meta.tenant + "/" + std::to_string(meta.day));
    }
    meta.level = std::max(meta.level, m.level + 1);
    meta.wal_seq_end = std::max(meta.wal_seq_end, m.wal_seq_end);
    meta.replaces.push_back(m.part_id);
  }

  // Stream by stream, in id order across the inputs (the order of the output's stream table): the builder writes
  // the finished streams' blocks whenever it holds kMergeBufferBytes, so a merge holds about that much plus one
  // stream's rows, not the whole output.
  std::map<model::StreamId, std::vector<std::pair<size_t, uint32_t>>> blocks_by_stream;  // (input, block)
  for (size_t k = 0; k < inputs.size(); ++k) {
    const auto& in = inputs[k];
    for (uint32_t b = 0; b < in->blocks().size(); ++b) {
      const BlockHeader& bh = in->blocks()[b];
      if (bh.stream >= in->streams().size()) {
        return base::DataLoss(in->path() + ": block " + std::to_string(b) + " names stream " +
                              std::to_string(bh.stream) + " beyond the stream table");
      }
      blocks_by_stream[in->streams()[bh.stream].id].emplace_back(k, b);
    }
  }

  PartBuilder builder(options);
  std::vector<int64_t> timestamps;
  std::vector<std::pair<std::string_view, StringColumn>> columns;  // the block's fields: name, values
  std::vector<std::pair<std::string_view, std::string_view>> fields;
  for (const auto& [stream_id, stream_blocks] : blocks_by_stream) {
    for (const auto& [k, b] : stream_blocks) {
      const auto& in = inputs[k];
      const BlockHeader& bh = in->blocks()[b];
      const StreamEntry& stream = in->streams()[bh.stream];
      timestamps.clear();
      RETURN_IF_ERROR(in->ReadTimestamps(b, &timestamps));
      StringColumn messages;
      RETURN_IF_ERROR(in->ReadColumn(b, kMessageColumnId, &messages));
      columns.clear();
      for (const auto& cc : bh.columns) {
        if (cc.column_id == kMessageColumnId) continue;
        if (cc.column_id >= in->column_names().size()) {
          return base::DataLoss(in->path() + ": block " + std::to_string(b) + " names column " +
                                std::to_string(cc.column_id) + " beyond the column table");
        }
        columns.emplace_back(in->column_names()[cc.column_id], StringColumn());
        RETURN_IF_ERROR(in->ReadColumn(b, cc.column_id, &columns.back().second));
      }
      if (timestamps.size() != bh.rows || messages.size() != bh.rows ||
          std::any_of(columns.begin(), columns.end(), [&](const auto& c) { return c.second.size() != bh.rows; })) {
        return base::DataLoss(in->path() + ": block " + std::to_string(b) + " has columns of unequal length");
      }
      for (uint32_t i = 0; i < bh.rows; ++i) {
        ++result.rows_in;
        if (drop && drop(stream.labels, timestamps[i], messages.at(i))) {
          ++result.rows_dropped;
          continue;
        }
        fields.clear();
        for (const auto& [name, values] : columns) {
          std::string_view v = values.at(i);
          if (!v.empty()) fields.emplace_back(name, v);
        }
        builder.Add(stream.id, stream.labels, timestamps[i], messages.at(i), fields);
      }
    }
    if (builder.buffered_bytes() >= kMergeBufferBytes) RETURN_IF_ERROR(builder.WriteBufferedStreams(dir, new_part_id));
  }

  if (builder.rows() == 0) {
    result.empty = true;
    return result;
  }
  auto written = builder.Write(dir, meta);
  if (!written.ok()) return written.status();
  result.meta = std::move(written).value();
  return result;
}

}  // namespace strata::storage

#pragma once
// PartBuilder: accumulates the rows of one partition (tenant + UTC day) and writes them as one immutable part file
// (docs/format/part.md): blocks of one stream each, sorted by timestamp, at most block_max_rows rows and about
// block_max_bytes uncompressed bytes per block; each column typed-encoded (column_codec.h), zstd-compressed and
// checksummed; per-column stats and token blooms in the block headers; the exact token index for the part.
//
// Durability: Write() writes `<dir>/.tmp-<id>.part`, fdatasyncs it, renames it to `<dir>/<id>.part` and fsyncs
// the directory; when it returns OK the part is durable and complete. A crash before the rename leaves only a
// temporary file, which the partition deletes at open. Fault points: part.write.before_rename,
// part.write.after_rename. Not thread-safe; one builder per flush or merge.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "strata/base/status.h"
#include "strata/model/log_record.h"
#include "strata/model/stream_id.h"
#include "strata/storage/part/byte_arena.h"
#include "strata/storage/part/part_format.h"
#include "strata/storage/part/string_column.h"

namespace strata::storage {

struct PartWriterOptions {
  size_t block_max_rows = 16384;
  size_t block_max_bytes = 4u << 20;
  size_t threads = 0;  // blocks encoded in parallel by this many threads (0 = one per core)
  // zstd level of message chunks of 4 KiB and more (smaller ones use 1; timestamps and fields at most 3).
  // Flushes favour speed (1: on the benchmark mix both faster and smaller than 3, 1.87 vs 2.20 CPU-us per flushed
  // line, 42.3 vs 42.8 bytes per line); merges, which rewrite data in the background once it has settled, use
  // kMergeZstdLevel.
  int zstd_level = 1;
};

// Measured on the benchmark mix: the message column shrinks 17 % from level 3 to 9 (29 % at 19, too slow).
inline constexpr int kMergeZstdLevel = 9;

class PartBuilder {
  struct StreamRows;

 public:
  explicit PartBuilder(PartWriterOptions options = {});
  PartBuilder(PartBuilder&&) noexcept;
  PartBuilder& operator=(PartBuilder&&) noexcept;
  ~PartBuilder();

  // A stream of this part (labels canonical); the same id gives the same ref. Valid as long as the builder.
  using StreamRef = StreamRows*;
  StreamRef Stream(const model::StreamId& id, const model::LabelSet& labels);

  // labels must be canonical. Empty field values are not stored (an empty value means "absent").
  void Add(const model::LabelSet& labels, int64_t timestamp_ns, std::string_view message,
           const std::vector<model::Field>& fields);
  void Add(const model::LogRecord& record) { Add(record.labels, record.timestamp_ns, record.message, record.fields); }
  // Same, with a precomputed stream id (merges already know it).
  void Add(const model::StreamId& id, const model::LabelSet& labels, int64_t timestamp_ns, std::string_view message,
           const std::vector<std::pair<std::string_view, std::string_view>>& fields);
  // Same, without copying: the message and field values are referenced where they are, so they must stay valid
  // and unchanged until Write returns (the flush holds its head snapshot until then). Field names are copied.
  void AddBorrowed(StreamRef stream, int64_t timestamp_ns, std::string_view message,
                   const std::vector<std::pair<std::string_view, std::string_view>>& fields);

  uint64_t rows() const { return rows_; }
  uint64_t raw_bytes() const { return raw_bytes_; }

  // Bytes held for rows added since the last WriteBufferedStreams (copies, plus 32 per row and 16 per field).
  size_t buffered_bytes() const;

  // Streaming (merges): writes the blocks of every stream added so far to the part file (opening it on the first
  // call) and forgets their rows, so memory holds only what was added since. Streams must arrive in increasing id
  // order across calls, each stream within one call (Internal otherwise: a caller bug). Write then finishes the part
  // with the same dir and meta.part_id. The file is the same as with one Write of every row.
  base::Status WriteBufferedStreams(const std::string& dir, uint64_t part_id);

  // meta.part_id, tenant, day, level, wal_seq_end and replaces come from the caller; rows, min/max time,
  // raw_bytes and created_ns are filled in. Returns the final meta.
  base::Result<PartMeta> Write(const std::string& dir, PartMeta meta);

 private:
  // Rows and field values are views (into arena_ for Add, into the caller's bytes for AddBorrowed): no second copy
  // of a flush's head, and 32 + 16 bytes per row and field.
  struct Row {
    int64_t ts;
    const char* message;
    uint32_t message_size;
    uint32_t fields_begin;  // [begin, end) into field_refs_
    uint32_t fields_end;
    std::string_view message_view() const { return {message, message_size}; }
  };
  struct FieldRef {
    const char* value;
    uint32_t size;
    uint32_t column;
    std::string_view value_view() const { return {value, size}; }
  };
  struct StreamRows {
    model::LabelSet labels;
    size_t label_bytes = 0;  // names + values, counted into raw_bytes per row
    std::vector<Row> rows;
  };
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  struct Output;  // the part file being written, its block headers, stream table and token index
  uint32_t ColumnIdFor(std::string_view name);
  void AddRow(StreamRows& s, int64_t ts, std::string_view message,
              const std::vector<std::pair<std::string_view, std::string_view>>& fields, bool copy);

  PartWriterOptions options_;
  std::map<model::StreamId, StreamRows> streams_;
  ByteArena arena_;
  std::vector<FieldRef> field_refs_;
  std::vector<std::string> column_names_;  // id -> name; id 0 is the message
  std::unordered_map<std::string, uint32_t, NameHash, std::equal_to<>> column_ids_;
  uint64_t rows_ = 0;
  uint64_t raw_bytes_ = 0;
  size_t buffered_rows_ = 0;
  std::unique_ptr<Output> out_;
};

}  // namespace strata::storage

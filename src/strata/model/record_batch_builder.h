#pragma once
// RecordBatchBuilder: encodes records straight into the record-batch form (record_codec.h,
// docs/format/record_batch.md) as a front end decodes them, with no LogRecord in between. A push request carries
// streams of many entries that share one label set, so the labels are encoded once per stream (SetLabels) and
// copied as bytes into each record; messages and fields are appended from views into the request body. The output
// is byte for byte what EncodeRecordBatch gives for the same records. Not thread-safe (one per request).

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "strata/model/log_record.h"

namespace strata::model {

struct FieldView {
  std::string_view name;
  std::string_view value;
};

// An encoded record batch and what metering and the head need to know about it without decoding it.
struct EncodedBatch {
  std::string tenant;
  std::string payload;      // EncodeRecordBatch form
  size_t records = 0;
  size_t raw_bytes = 0;     // sum of LogRecord::RawBytes over the records
  int64_t min_ts = std::numeric_limits<int64_t>::max();
  int64_t max_ts = std::numeric_limits<int64_t>::min();
};

class RecordBatchBuilder {
 public:
  explicit RecordBatchBuilder(std::string tenant);

  // Starts a new batch for `tenant`, dropping anything added since the last Finish. The scratch buffer keeps its
  // capacity (up to a bound), so a builder kept per thread does not allocate and fault in a fresh one per request.
  void Restart(std::string tenant);

  // The labels of the records added next (canonical: sorted, unique names).
  void SetLabels(const LabelSet& labels);
  // Bytes of the current labels as RawBytes counts them (names + values).
  size_t label_bytes() const { return label_bytes_; }

  // Appends one record with the current labels; fields in input order, unique names.
  void Add(int64_t timestamp_ns, std::string_view message, const FieldView* fields, size_t field_count);

  size_t records() const { return batch_.records; }

  // What has been added so far, to undo later additions with RewindTo (a decoder that tries a fast path first
  // and, on input it does not handle, starts over on its general path).
  struct Mark {
    size_t body_bytes = 0;
    size_t records = 0;
    size_t raw_bytes = 0;
    int64_t min_ts = 0;
    int64_t max_ts = 0;
    int64_t prev_ts = 0;
    std::string labels;
    size_t label_bytes = 0;
  };
  Mark Position() const;
  // Drops everything added after `mark` (taken from this builder since its last Finish or Restart).
  void RewindTo(const Mark& mark);

  // The finished batch (its payload sized exactly); the builder is left empty (tenant kept, no labels set).
  EncodedBatch Finish();

 private:
  EncodedBatch batch_;
  std::string body_;          // the encoded records, without the batch header
  std::string labels_;        // the current labels, encoded as `pairs`
  size_t label_bytes_ = 0;
  int64_t prev_ts_ = 0;
};

}  // namespace strata::model

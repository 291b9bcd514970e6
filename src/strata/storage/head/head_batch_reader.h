#pragma once
// HeadBatchReader: walks an encoded record batch (the head's form, docs/format/record_batch.md) as views into its
// bytes, with no allocation per record. The flush reads every head batch once to write parts; decoding them into
// LogRecords (a std::string per label, message and field) and copying those again into the part builder was a
// third of the flush's CPU. The views stay valid as long as the encoded bytes do (the flush holds its head
// snapshot until the parts are published).
//
// A record's labels come back as their encoded bytes: the encoding of a canonical label set is deterministic, so
// equal bytes mean equal labels, and a caller can key a cache on them and decode each distinct set once
// (DecodeLabels). Not thread-safe; one reader per batch.

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "strata/base/status.h"
#include "strata/model/log_record.h"

namespace strata::storage {

struct HeadRecordView {
  int64_t timestamp_ns = 0;
  std::string_view labels;  // the encoded `pairs` of the labels
  std::string_view message;
  std::vector<std::pair<std::string_view, std::string_view>> fields;  // reused between records
};

class HeadBatchReader {
 public:
  // DataLoss if the header is malformed.
  static base::Result<HeadBatchReader> Open(std::string_view encoded);

  std::string_view tenant() const { return tenant_; }
  uint64_t records() const { return count_; }

  // Reads the next record into *record; false at the end of the batch. DataLoss on a truncated or malformed
  // record or trailing bytes (checked when the last record has been read).
  base::Result<bool> Next(HeadRecordView* record);

  // The label set of a record's encoded labels.
  static base::Status DecodeLabels(std::string_view encoded, model::LabelSet* labels);

 private:
  std::string_view in_;
  std::string_view tenant_;
  uint64_t count_ = 0;
  uint64_t read_ = 0;
  int64_t prev_ts_ = 0;
};

}  // namespace strata::storage

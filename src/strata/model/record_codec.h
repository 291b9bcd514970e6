#pragma once
// Binary encoding of a LogBatch: the payload of a WAL record and the form the head keeps in memory.
// Grammar: docs/format/record_batch.md. Pure, thread-safe.

#include <string>
#include <string_view>

#include "strata/base/status.h"
#include "strata/model/log_record.h"

namespace strata::model {

constexpr uint8_t kRecordBatchVersion = 1;

void EncodeRecordBatch(const LogBatch& batch, std::string* out);
// DataLoss on malformed input (it comes from disk after a CRC check, so malformed means a bug or corruption).
base::Result<LogBatch> DecodeRecordBatch(std::string_view data);

}  // namespace strata::model

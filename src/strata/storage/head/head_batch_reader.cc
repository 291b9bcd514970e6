#include "strata/storage/head/head_batch_reader.h"

#include <string>

#include "strata/common/coding.h"
#include "strata/model/record_codec.h"

namespace strata::storage {
namespace {

base::Status Corrupt(const char* what) { return base::DataLoss(std::string("record batch: ") + what); }

// Skips one `pairs` run (n, then n name/value strings), returning the bytes it spans.
bool SkipPairs(std::string_view& in, std::string_view* span) {
  const char* begin = in.data();
  uint64_t n;
  if (!common::GetVarint64(in, &n) || n > in.size()) return false;
  std::string_view s;
  for (uint64_t i = 0; i < 2 * n; ++i) {
    if (!common::GetLengthPrefixed(in, &s)) return false;
  }
  *span = std::string_view(begin, static_cast<size_t>(in.data() - begin));
  return true;
}

}  // namespace

base::Result<HeadBatchReader> HeadBatchReader::Open(std::string_view encoded) {
  HeadBatchReader r;
  if (encoded.empty() || static_cast<uint8_t>(encoded.front()) != model::kRecordBatchVersion) {
    return Corrupt("unknown version");
  }
  encoded.remove_prefix(1);
  if (!common::GetLengthPrefixed(encoded, &r.tenant_) || !common::GetVarint64(encoded, &r.count_) ||
      r.count_ > encoded.size()) {
    return Corrupt("bad header");
  }
  r.in_ = encoded;
  return r;
}

base::Result<bool> HeadBatchReader::Next(HeadRecordView* record) {
  if (read_ == count_) {
    if (!in_.empty()) return Corrupt("trailing bytes");
    return false;
  }
  uint64_t delta;
  if (!common::GetVarint64(in_, &delta)) return Corrupt("bad timestamp");
  record->timestamp_ns = common::WrappingAdd(prev_ts_, common::UnZigZag(delta));
  prev_ts_ = record->timestamp_ns;
  uint64_t n;
  if (!SkipPairs(in_, &record->labels) || !common::GetLengthPrefixed(in_, &record->message) ||
      !common::GetVarint64(in_, &n) || n > in_.size()) {
    return Corrupt("truncated record");
  }
  record->fields.resize(n);
  for (auto& [name, value] : record->fields) {
    if (!common::GetLengthPrefixed(in_, &name) || !common::GetLengthPrefixed(in_, &value)) {
      return Corrupt("truncated record");
    }
  }
  ++read_;
  return true;
}

base::Status HeadBatchReader::DecodeLabels(std::string_view in, model::LabelSet* labels) {
  uint64_t n;
  if (!common::GetVarint64(in, &n) || n > in.size()) return Corrupt("bad labels");
  labels->resize(n);
  for (auto& l : *labels) {
    std::string_view name, value;
    if (!common::GetLengthPrefixed(in, &name) || !common::GetLengthPrefixed(in, &value)) return Corrupt("bad labels");
    l.name.assign(name);
    l.value.assign(value);
  }
  if (!in.empty()) return Corrupt("bad labels");
  return base::Status::Ok();
}

}  // namespace strata::storage

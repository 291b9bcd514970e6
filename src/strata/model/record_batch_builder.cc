#include "strata/model/record_batch_builder.h"

#include "strata/common/coding.h"
#include "strata/model/record_codec.h"

namespace strata::model {

using common::PutLengthPrefixed;
using common::PutVarint64;

namespace {
// A scratch buffer above this is released after a batch instead of kept for the next one.
constexpr size_t kKeptScratchBytes = 8 << 20;
}  // namespace

RecordBatchBuilder::RecordBatchBuilder(std::string tenant) { batch_.tenant = std::move(tenant); }

void RecordBatchBuilder::Restart(std::string tenant) {
  batch_ = EncodedBatch{};
  batch_.tenant = std::move(tenant);
  body_.clear();
  labels_.clear();
  label_bytes_ = 0;
  prev_ts_ = 0;
}

void RecordBatchBuilder::SetLabels(const LabelSet& labels) {
  labels_.clear();
  label_bytes_ = 0;
  PutVarint64(labels_, labels.size());
  for (const auto& l : labels) {
    PutLengthPrefixed(labels_, l.name);
    PutLengthPrefixed(labels_, l.value);
    label_bytes_ += l.name.size() + l.value.size();
  }
}

void RecordBatchBuilder::Add(int64_t timestamp_ns, std::string_view message, const FieldView* fields,
                             size_t field_count) {
  if (labels_.empty()) SetLabels({});
  PutVarint64(body_, common::ZigZag(common::WrappingSub(timestamp_ns, prev_ts_)));
  prev_ts_ = timestamp_ns;
  body_.append(labels_);
  PutLengthPrefixed(body_, message);
  PutVarint64(body_, field_count);
  size_t raw = label_bytes_ + message.size();
  for (size_t i = 0; i < field_count; ++i) {
    PutLengthPrefixed(body_, fields[i].name);
    PutLengthPrefixed(body_, fields[i].value);
    raw += fields[i].name.size() + fields[i].value.size();
  }
  ++batch_.records;
  batch_.raw_bytes += raw;
  if (timestamp_ns < batch_.min_ts) batch_.min_ts = timestamp_ns;
  if (timestamp_ns > batch_.max_ts) batch_.max_ts = timestamp_ns;
}

RecordBatchBuilder::Mark RecordBatchBuilder::Position() const {
  return Mark{body_.size(), batch_.records, batch_.raw_bytes, batch_.min_ts, batch_.max_ts, prev_ts_, labels_,
              label_bytes_};
}

void RecordBatchBuilder::RewindTo(const Mark& mark) {
  body_.resize(mark.body_bytes);
  batch_.records = mark.records;
  batch_.raw_bytes = mark.raw_bytes;
  batch_.min_ts = mark.min_ts;
  batch_.max_ts = mark.max_ts;
  prev_ts_ = mark.prev_ts;
  labels_ = mark.labels;
  label_bytes_ = mark.label_bytes;
}

EncodedBatch RecordBatchBuilder::Finish() {
  std::string& out = batch_.payload;
  out.clear();
  out.reserve(1 + 10 + batch_.tenant.size() + 10 + body_.size());
  out.push_back(static_cast<char>(kRecordBatchVersion));
  PutLengthPrefixed(out, batch_.tenant);
  PutVarint64(out, batch_.records);
  out.append(body_);
  EncodedBatch done = std::move(batch_);
  batch_ = EncodedBatch{};
  batch_.tenant = done.tenant;
  if (body_.capacity() > kKeptScratchBytes) {
    std::string().swap(body_);
  } else {
    body_.clear();
  }
  labels_.clear();
  label_bytes_ = 0;
  prev_ts_ = 0;
  return done;
}

}  // namespace strata::model

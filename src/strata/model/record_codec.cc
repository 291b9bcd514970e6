#include "strata/model/record_codec.h"

#include "strata/common/coding.h"

namespace strata::model {
namespace {

using common::GetLengthPrefixed;
using common::GetVarint64;
using common::PutLengthPrefixed;
using common::PutVarint64;

void PutPairs(std::string* out, const std::vector<Field>& pairs) {
  PutVarint64(*out, pairs.size());
  for (const auto& p : pairs) {
    PutLengthPrefixed(*out, p.name);
    PutLengthPrefixed(*out, p.value);
  }
}

bool GetPairs(std::string_view& in, std::vector<Field>* pairs) {
  uint64_t n;
  if (!GetVarint64(in, &n) || n > in.size()) return false;  // each pair takes >= 2 bytes
  pairs->resize(n);
  for (auto& p : *pairs) {
    std::string_view name, value;
    if (!GetLengthPrefixed(in, &name) || !GetLengthPrefixed(in, &value)) return false;
    p.name.assign(name);
    p.value.assign(value);
  }
  return true;
}

}  // namespace

void EncodeRecordBatch(const LogBatch& batch, std::string* out) {
  out->push_back(static_cast<char>(kRecordBatchVersion));
  PutLengthPrefixed(*out, batch.tenant);
  PutVarint64(*out, batch.records.size());
  int64_t prev_ts = 0;
  for (const auto& r : batch.records) {
    // Timestamps of a batch are usually close together: a zigzag delta keeps them to a few bytes.
    PutVarint64(*out, common::ZigZag(common::WrappingSub(r.timestamp_ns, prev_ts)));
    prev_ts = r.timestamp_ns;
    PutPairs(out, r.labels);
    PutLengthPrefixed(*out, r.message);
    PutPairs(out, r.fields);
  }
}

base::Result<LogBatch> DecodeRecordBatch(std::string_view in) {
  auto corrupt = [](const char* what) { return base::DataLoss(std::string("record batch: ") + what); };
  if (in.empty() || static_cast<uint8_t>(in.front()) != kRecordBatchVersion) return corrupt("unknown version");
  in.remove_prefix(1);
  LogBatch batch;
  std::string_view tenant;
  uint64_t count;
  if (!GetLengthPrefixed(in, &tenant) || !GetVarint64(in, &count) || count > in.size()) {
    return corrupt("bad header");
  }
  batch.tenant.assign(tenant);
  batch.records.resize(count);
  int64_t prev_ts = 0;
  for (auto& r : batch.records) {
    uint64_t delta;
    std::string_view message;
    if (!GetVarint64(in, &delta)) return corrupt("bad timestamp");
    r.timestamp_ns = common::WrappingAdd(prev_ts, common::UnZigZag(delta));
    prev_ts = r.timestamp_ns;
    if (!GetPairs(in, &r.labels) || !GetLengthPrefixed(in, &message) || !GetPairs(in, &r.fields)) {
      return corrupt("truncated record");
    }
    r.message.assign(message);
  }
  if (!in.empty()) return corrupt("trailing bytes");
  return batch;
}

}  // namespace strata::model

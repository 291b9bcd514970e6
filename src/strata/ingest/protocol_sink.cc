#include "strata/ingest/protocol_sink.h"

namespace strata::ingest {

ProtocolSink::ProtocolSink(IngestSink& inner, std::string protocol, const Families& families)
    : inner_(inner),
      protocol_(std::move(protocol)),
      batches_(families.batches.WithLabels({protocol_})),
      lines_(families.lines.WithLabels({protocol_})),
      bytes_(families.bytes.WithLabels({protocol_})),
      rejected_(families.rejected) {}

base::Status ProtocolSink::Ingest(std::string tenant, std::vector<model::LogRecord> records, Callback done) {
  size_t lines = records.size();
  size_t bytes = 0;
  for (const auto& r : records) bytes += r.RawBytes();
  return inner_.Ingest(std::move(tenant), std::move(records), Counting(lines, bytes, std::move(done)));
}

base::Status ProtocolSink::IngestEncoded(model::EncodedBatch batch, Callback done) {
  const size_t lines = batch.records;
  const size_t bytes = batch.raw_bytes;
  return inner_.IngestEncoded(std::move(batch), Counting(lines, bytes, std::move(done)));
}

IngestSink::Callback ProtocolSink::Counting(size_t lines, size_t bytes, Callback done) {
  return [this, lines, bytes, done = std::move(done)](const base::Status& st) {
    if (st.ok()) {
      batches_.Inc();
      lines_.Inc(static_cast<double>(lines));
      bytes_.Inc(static_cast<double>(bytes));
    }
    done(st);
  };
}

void ProtocolSink::CountRejected(std::string_view tenant, std::string_view reason, size_t lines) {
  rejected_.WithLabels({protocol_, std::string(reason)}).Inc(static_cast<double>(lines));
  inner_.CountRejected(tenant, reason, lines);
}

void ProtocolSink::CountError(std::string_view tenant, std::string_view code) { inner_.CountError(tenant, code); }

}  // namespace strata::ingest

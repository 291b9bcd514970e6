#pragma once
// ProtocolSink: an IngestSink view of the node's IngestService for one protocol front end ("native", "loki",
// "elasticsearch", "otlp_http", "otlp_grpc", "syslog", "forward"). It forwards everything and counts what the
// protocol brought: batches, lines and bytes acknowledged, and lines rejected by reason, in
// strata_ingest_batches_total / _lines_total / _bytes_total / _rejected_total{protocol[,reason]}. The per-tenant
// counters stay in IngestService, which hands out one ProtocolSink per protocol (ForProtocol). Thread-safe.

#include <string>

#include "strata/ingest/ingest_sink.h"
#include "strata/observability/metrics.h"

namespace strata::ingest {

class ProtocolSink final : public IngestSink {
 public:
  // The metric families are shared by every protocol (IngestService owns them).
  struct Families {
    observability::Family<observability::Counter>& batches;
    observability::Family<observability::Counter>& lines;
    observability::Family<observability::Counter>& bytes;
    observability::Family<observability::Counter>& rejected;
  };
  ProtocolSink(IngestSink& inner, std::string protocol, const Families& families);

  base::Status Ingest(std::string tenant, std::vector<model::LogRecord> records, Callback done) override;
  base::Status IngestEncoded(model::EncodedBatch batch, Callback done) override;
  void CountRejected(std::string_view tenant, std::string_view reason, size_t lines) override;
  void CountError(std::string_view tenant, std::string_view code) override;

 private:
  // Wraps done to count an acknowledged batch of `lines` lines and `bytes` raw bytes.
  Callback Counting(size_t lines, size_t bytes, Callback done);

  IngestSink& inner_;
  std::string protocol_;
  observability::Counter& batches_;
  observability::Counter& lines_;
  observability::Counter& bytes_;
  observability::Family<observability::Counter>& rejected_;
};

}  // namespace strata::ingest

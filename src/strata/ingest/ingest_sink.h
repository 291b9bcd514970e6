#pragma once
// IngestSink: the one interface every ingest front end calls (native JSON/NDJSON/text today; Loki push, _bulk,
// OTLP, syslog and forward later), so that limits, metering and durability apply to all protocols alike.
//
// Contract: Ingest() either returns an error at once (nothing was accepted: back-pressure, not ready) and never
// calls done, or returns OK and calls done exactly once, from another thread, when the batch is durable under
// the configured fsync policy (OK) or failed to become durable (Unavailable, or ResourceExhausted when the disk is
// full: both retryable, since nothing of the batch was acknowledged). A front end acknowledges its client only
// from done. Thread-safe.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "strata/base/status.h"
#include "strata/model/log_record.h"
#include "strata/model/record_batch_builder.h"

namespace strata::ingest {

class IngestSink {
 public:
  using Callback = std::function<void(const base::Status&)>;
  virtual ~IngestSink() = default;

  virtual base::Status Ingest(std::string tenant, std::vector<model::LogRecord> records, Callback done) = 0;

  // The same contract for a batch the front end encoded as it decoded (model/record_batch_builder.h), the fast
  // path: no LogRecord per line, no re-encoding. The default decodes it and calls Ingest (for sinks that need
  // records); the node's IngestService overrides it.
  virtual base::Status IngestEncoded(model::EncodedBatch batch, Callback done);

  // Front ends report what they rejected before it reached the sink (for metrics): reason is a short stable
  // token such as "timestamp" or "line_too_long".
  virtual void CountRejected(std::string_view tenant, std::string_view reason, size_t lines) = 0;

  // Error responses by tenant and status code name (the product spec's errors_total).
  virtual void CountError(std::string_view tenant, std::string_view code) = 0;
};

}  // namespace strata::ingest

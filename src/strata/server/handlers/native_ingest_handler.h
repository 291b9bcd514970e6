#pragma once
// POST /api/v1/logs: the product spec's ingest API (JSON array or {"logs": [...]}, NDJSON, text/plain), with
// Content-Encoding undone under a size bound. Answers only after the accepted lines are durable:
//   200 {"status":"accepted","ingestedCount":N[,"rejectedCount":M,"rejected":[{"index":i,"reason":"..."}]]}
//   400 when nothing was accepted (details lists the rejected items), 413/415 for size and type errors,
//   429 + Retry-After when the WAL or head is over budget, 503 while the WAL is being replayed.
// Documented in docs/api/ingest.md.

#include "strata/ingest/ingest_sink.h"
#include "strata/model/label_policy.h"
#include "strata/server/config.h"
#include "strata/server/http_types.h"

namespace strata::server {

Handler MakeNativeIngestHandler(ingest::IngestSink& sink, const model::LabelPolicy& labels, const Config& config);

}  // namespace strata::server

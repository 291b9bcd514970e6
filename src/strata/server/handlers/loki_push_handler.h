#pragma once
// POST /loki/api/v1/push (and the legacy /api/prom/push): Loki's push API, so promtail, Alloy, Fluent Bit, Vector
// and the docker driver ship to Strata unchanged. Bodies and mapping: ingest/loki/loki_push_decoder.h.
//
// Request: Content-Type application/json selects JSON; anything else (including none) is a snappy-block
// compressed protobuf PushRequest, as in Loki. Content-Encoding: none or snappy (a hint only), gzip, deflate or
// zstd, undone under limits.max_decompressed_bytes (413 above it); for protobuf a gzip/deflate/zstd body is then
// snappy-decoded too, or read as a plain PushRequest when it is not snappy. Tenant: X-Scope-OrgID (or X-Tenant-ID).
//
// Answers, in Loki's format (text/plain, the message then "\n"), only after the accepted entries are durable:
//   204 (empty)  everything accepted (or nothing sent);
//   400          some or all entries rejected: one line per rejection (at most 100, then "... and N more");
//                the valid entries of the same request ARE stored (partial acceptance, as Loki does);
//   400          bad body: malformed JSON/protobuf, bad snappy framing, unsupported Content-Encoding;
//   413          body or decompressed body too large;
//   429 / 503    over budget / not ready, with Retry-After: 1; nothing of the request was stored.
// Entries are accepted at any timestamp from the tenant's retention horizon up to 10 minutes in the future (Loki's
// creation grace period): no "entry too far behind" ordering constraint.

#include "strata/ingest/ingest_sink.h"
#include "strata/server/config.h"
#include "strata/server/http_types.h"

namespace strata::server {

Handler MakeLokiPushHandler(ingest::IngestSink& sink, const Config& config);

}  // namespace strata::server

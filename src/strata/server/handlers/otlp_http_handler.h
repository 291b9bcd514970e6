#pragma once
// OTLP/HTTP logs: POST /v1/logs and /otlp/v1/logs (Loki's path), per the OTLP/HTTP specification.
//
// Request: Content-Type application/x-protobuf (also application/protobuf) or application/json (OTLP/JSON), an
// ExportLogsServiceRequest; Content-Encoding gzip/deflate/zstd/snappy undone under limits.max_decompressed_bytes;
// tenant from X-Tenant-ID / X-Scope-OrgID (else the default tenant). Mapping: ingest/otlp/otlp_decoder.h.
// Responses, always in the request's encoding (protobuf for an unknown Content-Type):
//   200 ExportLogsServiceResponse once the accepted records are durable; when records were rejected (bad
//       timestamp, over a limit, malformed in JSON) partial_success carries their count and the first reason.
//       A request whose every record was rejected is also a 200 with partial_success (nothing to retry).
//   errors: a google.rpc.Status body (code = the gRPC code, message) with the HTTP status of base/status.cc:
//       400 malformed body / bad tenant, 413 too large, 415 bad type or encoding: not retryable;
//       429 (WAL or head over budget) and 503 (WAL replay, shutdown), with Retry-After: 1: retryable, nothing of
//       the request was stored. A durability failure (500) is not retried by OTLP clients.
// Thread-safe; answers from the WAL writer's callback, never before.

#include "strata/ingest/ingest_sink.h"
#include "strata/model/label_policy.h"
#include "strata/server/config.h"
#include "strata/server/http_types.h"

namespace strata::server {

Handler MakeOtlpHttpHandler(ingest::IngestSink& sink, const model::LabelPolicy& labels, const Config& config);

}  // namespace strata::server

#pragma once
// POST /_bulk and /{index}/_bulk (also under /elasticsearch/): Elasticsearch's bulk API, so Filebeat, Logstash,
// Fluent Bit, Vector and the official clients ship to Strata unchanged. Body and mapping:
// ingest/elasticsearch/bulk_decoder.h (field lists from the elasticsearch.* config keys).
//
// Answers only after the stored documents are durable:
//   200 {"took","errors","items":[...]}  one item per action in request order keyed by action; 201 per stored
//        document; 400 per bad item; 409 version_conflict_engine_exception for a `create` whose `_id` (in the same
//        index and tenant) was stored within the dedup window or earlier in the same request (shippers count 409
//        as done); "errors": true when any item failed;
//   400  {"error":{...},"status":400} for a body-level problem (no trailing newline, empty body);
//   413 / 415 for oversized bodies and unknown Content-Encoding (gzip, deflate, zstd, snappy are undone);
//   429 es_rejected_execution_exception / 503 with Retry-After when over budget / not ready: nothing stored, so
//        the shipper retries the whole batch.
// Every answer carries X-Elastic-Product: Elasticsearch (the official clients refuse servers without it).
// Ids are remembered for dedup only once their batch is durable (see ingest/elasticsearch/id_dedup.h).

#include "strata/ingest/elasticsearch/id_dedup.h"
#include "strata/ingest/ingest_sink.h"
#include "strata/server/config.h"
#include "strata/server/http_types.h"

namespace strata::server {

// `dedup` must outlive the handler; it is shared by every _bulk route.
Handler MakeEsBulkHandler(ingest::IngestSink& sink, const Config& config, ingest::elasticsearch::IdDedup& dedup);

// An Elasticsearch-shaped JSON response (X-Elastic-Product header, JSON content type), used by the probes too.
HttpResponse EsJsonResponse(int status, std::string body);
HttpResponse EsErrorResponse(int status, std::string_view type, std::string_view reason);

}  // namespace strata::server

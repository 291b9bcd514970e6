#pragma once
// POST /api/v1/query: the product's search API (../shared/spec/product-spec.md §6.4; docs/api/query.md).
//
// Request (JSON):
//   {"tenantId"?: "acme", "query": "level=ERROR AND message CONTAINS \"timeout\" | count by service",
//    "range"?: {"from": "2026-01-01T00:00:00Z", "to": "2026-01-02T00:00:00Z"}, "limit"?: 100,
//    "language"?: "dsl" | "logql", "direction"?: "backward" | "forward"}
// `from` and `to` are ISO-8601 strings or epoch numbers (unit by magnitude), both inclusive; `to` defaults to now
// and `from` to one hour before `to`. `limit` is 0..max_entries_limit (default 100). The DSL is the default
// language; LogQL log queries are accepted with "language": "logql".
//
// Response:
//   {"results": [{"timestamp": "<RFC 3339, ns>", "labels": {...}, "message": "...", "fields": {...}}, ...],
//    "count": N, "countEstimated": false, "durationMs": N, "aggregations": null | {...}}
// Results are the newest `limit` matches (oldest first with "direction": "forward"); `fields` holds structured
// metadata and any parsed labels. `count` is the exact number of matches in the range: when fewer than `limit`
// rows came back that is their number, else a count_over_time over the whole range is run. If that count fails
// on the query's time or memory budget, `count` is the number of results and `countEstimated` is true.
// `aggregations` renders the DSL's `| count [by f, ...] [histogram <interval>]` (docs/api/query.md).
//
// Errors are Strata's JSON errors ({"error", "code", "details"}); query syntax errors carry the position in
// details: [{"field": "query", "line": L, "column": C}].
//
// Engine calls run on a small pool owned by the handler, not on the HTTP io threads. Thread-safe.

#include "strata/query/engine/query_engine.h"
#include "strata/server/config.h"
#include "strata/server/http_types.h"

namespace strata::server {

Handler MakeNativeQueryHandler(query::QueryEngine& engine, const Config& config);

}  // namespace strata::server

#pragma once
// Loki's read API on the query engine, for Grafana's Loki data source, logcli and Logs Drilldown
// (../shared/reference/loki.md §1; docs/api/query.md lists what is served):
//   /loki/api/v1/query, /query_range, /labels, /label, /label/{name}/values, /series, /index/stats,
//   /index/volume, /index/volume_range, /detected_labels, /detected_fields, /detected_field/{name}/values,
//   /patterns, /format_query (GET and POST, form bodies merged), /status/buildinfo (GET), and the legacy
//   /api/prom/query, /api/prom/label, /api/prom/label/{name}/values, /api/prom/series.
//
// Tenant: X-Scope-OrgID (or X-Tenant-ID), else the configured default tenant (the same rule as ingest).
// Errors are text/plain with Loki's status codes and texts (InvalidArgument 400, DeadlineExceeded 504 with
// Loki's timeout text, Cancelled 499, a query over its memory budget 400, Unavailable 503, others 500).
//
// Threads: QueryEngine calls block (the engine bounds concurrency and waits for a slot up to its deadline), so
// every request that reaches the engine runs on a small pool owned by the registered handlers, never on an HTTP
// io thread. The pool lives as long as the router. A client going away cancels its query (HttpRequest::client_gone
// -> QueryRequest::cancel; answered 499 if anyone still listened).

#include "strata/query/engine/query_engine.h"
#include "strata/server/config.h"
#include "strata/server/router.h"

namespace strata::server {

void AddLokiQueryRoutes(Router& router, query::QueryEngine& engine, const Config& config);

}  // namespace strata::server

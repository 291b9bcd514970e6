#pragma once
// Live tail over WebSocket (docs/api/tail.md):
//   /loki/api/v1/tail  Loki's endpoint (Grafana Live, logcli --tail): query (LogQL log query), delay_for (0-5 s),
//                      limit (100), start (now - 1h): the newest `limit` entries since start, then live entries.
//                      Text frames {"streams":[...],"dropped_entries":[...]}; categorize-labels 3-tuples.
//   /ws/tail           the native endpoint: query in the DSL or LogQL (language=dsl|logql; by default LogQL when
//                      the query starts with '{', else the DSL), optional start/limit backfill, delay_for; frames
//                      {"entries":[{timestamp, labels, message, fields}], "dropped": N}.
// Both run on the TailHub: entries reach the client as their batches are acknowledged (durable).
//
// Errors before the upgrade: Loki's endpoint answers text/plain 400 with Loki's texts, the native one the usual
// JSON errors. After it: a close frame 1011 with the reason (a failed backfill, the tail_max_duration cap, Loki's
// per-tenant tail limit), 1001 when the server shuts down. A client's close ends the tail quietly. GET without
// the upgrade answers 400 once the parameters are valid.

#include <chrono>
#include <cstddef>
#include <cstdint>

#include "strata/query/tail/tail_hub.h"
#include "strata/server/config.h"
#include "strata/server/router.h"

namespace strata::server {

struct TailHandlerOptions {
  std::chrono::seconds max_duration{3600};          // Loki's tail_max_duration
  uint64_t max_entries_limit = 5000;                 // Loki's max_entries_limit_per_query (backfill limit)
  size_t max_entries_per_message = 1000;
  size_t max_queued_entries = 10000;                 // per client; beyond it entries are dropped
  std::chrono::milliseconds ping_interval{1000};
};

// Registers /loki/api/v1/tail and /ws/tail (WebSocket, plus GET without upgrade for the error) on the router.
// `hub` must outlive the server's io threads.
void AddTailRoutes(Router& router, query::TailHub& hub, const Config& config, TailHandlerOptions options = {});

}  // namespace strata::server

#pragma once
// TailHub: live tail. Acknowledged batches come in through Publish() (from the ingest path, once durable) and go out
// to every TailSubscription of their tenant whose query matches.
//
// Cost for ingest: nothing when the tenant has no subscriber (HasSubscribers is an atomic load while nobody tails
// anything, then a map lookup); otherwise Publish queues a shared pointer to the batch and returns. Filtering,
// pipelines and copying into subscriber queues run on the hub's own fan-out thread, never on the ingest (WAL)
// thread. The hub's queue is bounded (max_pending_batches): past it a batch is not queued and each subscriber of the
// tenant counts its records as dropped, so ingest never waits for tail.
//
// Subscribe() compiles the query, enforces the per-tenant cap and registers the subscription before starting its
// backfill (a query of the history, on the hub's backfill threads), so every row acknowledged after the call is
// delivered live and every row acknowledged before it is found by the backfill; the overlap is removed by the
// subscription (tail_subscription.h). Batches in flight at the call, which the ingest path did not keep for tail,
// are waited for before the history is read (TailHubOptions::before_backfill). The returned shared_ptr is the subscription's only owner: releasing it
// unsubscribes (from any thread).
//
// Lifecycle: Shutdown() (also run by the destructor) stops the fan-out thread, closes every subscription with
// Unavailable and waits for running backfills; after it Publish is a no-op and Subscribe fails.
// Thread-safety: every method may be called from any thread.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "strata/base/clock.h"
#include "strata/base/status.h"
#include "strata/model/log_record.h"
#include "strata/observability/metrics.h"
#include "strata/query/engine/query_engine.h"
#include "strata/query/lang/ast.h"
#include "strata/query/tail/tail_subscription.h"

namespace strata::query {

struct TailRequest {
  std::string tenant;
  LogExpr expr;                  // a log query (LogQL or the DSL's filter): selector + pipeline
  int64_t backfill_from_ns = 0;  // > 0: first deliver the history from here (Loki's `start`)
  uint64_t limit = 100;          // the backfill delivers at most the newest `limit` entries, oldest first
  TailOptions options;
};

// Queries the history of a tail: the newest `request.limit` entries with backfill_from_ns <= ts < to_ns, returned
// oldest first. `cancel` turns true when the subscriber went away.
using TailBackfill = std::function<base::Result<std::vector<LogEntry>>(const TailRequest& request, int64_t to_ns,
                                                                       const std::atomic<bool>* cancel)>;

// The backfill through the query engine (Loki's tail does the same: a backward query with the limit, reversed).
TailBackfill MakeQueryEngineBackfill(QueryEngine& engine);

struct TailHubOptions {
  size_t max_tails_per_tenant = 10;      // Loki's max_concurrent_tail_requests
  size_t max_pending_batches = 4096;     // the fan-out queue
  size_t backfill_threads = 2;
  TailBackfill backfill;                 // unset: requests asking for a backfill fail with Unimplemented
  // Runs on the backfill thread after the subscription is registered and before the history query: the ingest
  // path's in-flight barrier (IngestService::WaitForInFlight), so that batches already past the "anyone tailing?"
  // check when the tail subscribed are in storage before the history is read. Unset: no wait.
  std::function<void()> before_backfill;
  const base::Clock* clock = nullptr;    // wall clock for the backfill's end (null: the system clock)
};

class TailHub {
 public:
  explicit TailHub(TailHubOptions options, observability::Registry* registry = nullptr);
  ~TailHub();
  TailHub(const TailHub&) = delete;
  TailHub& operator=(const TailHub&) = delete;

  // InvalidArgument: a metric query, a bad regex or template. ResourceExhausted: the tenant already has
  // max_tails_per_tenant tails. Unavailable: after Shutdown.
  base::Result<std::shared_ptr<TailSubscription>> Subscribe(TailRequest request);

  // True when the tenant has at least one subscriber (the ingest path asks before keeping a copy of a batch).
  bool HasSubscribers(std::string_view tenant) const;
  size_t Subscribers(std::string_view tenant) const;

  // An acknowledged batch. The shared_ptr form is copy-free; the reference form copies only when the tenant has a
  // subscriber. Never blocks on subscribers.
  void Publish(std::shared_ptr<const model::LogBatch> batch);
  void Publish(const model::LogBatch& batch);

  // Returns once every batch published before the call was offered to the subscribers (tests, benchmarks).
  void WaitIdle();

  void Shutdown();

  struct Core;

 private:
  std::shared_ptr<Core> core_;
};

}  // namespace strata::query

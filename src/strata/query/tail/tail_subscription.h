#pragma once
// TailSubscription: one live-tail client's bounded queue of matching entries, between the TailHub's fan-out
// thread (producer) and the client's connection (consumer).
//
// Producer side: Offer() filters every record of an acknowledged batch by the selector (storage LabelMatchers) and
// the compiled Pipeline, and queues the survivors. The queue is bounded (TailOptions::max_queued_entries): an
// entry that does not fit is dropped and reported to the client as a dropped entry (its labels and timestamp), so
// a client that does not read never holds up the producer, let alone ingest.
//
// Backfill: a subscription created with `backfilling` holds live entries apart until CompleteBackfill() hands it
// the historical entries (queried after the subscription started). Rows acknowledged after the subscription
// started may be in both; CompleteBackfill removes from the backfill one copy per live entry with the same
// (timestamp, line, stream labels), so the client sees every row once: backfill first, then live.
//
// Delay (Loki's delay_for): an entry becomes due `delay` after it arrived; Take() returns the due entries together
// with later-arrived entries of the same stream that are older than them, sorted by timestamp, so entries that
// arrive out of order within the delay reach the client in order.
//
// Closing: Close(status) ends the subscription (hub shutdown, failed backfill); the consumer drains what is queued,
// then ends the client connection with the status.
//
// Thread-safety: Offer is called from one producer thread at a time (it owns a LabelsBuilder); every other method
// may be called from any thread. The listener is called from producer threads and must not block.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "strata/base/status.h"
#include "strata/model/log_record.h"
#include "strata/query/engine/query_engine.h"
#include "strata/query/pipeline/labels_builder.h"
#include "strata/query/pipeline/pipeline.h"
#include "strata/storage/scan.h"

namespace strata::query {

using TailClock = std::chrono::steady_clock;

struct TailOptions {
  size_t max_queued_entries = 10000;    // per subscription; beyond it entries are dropped
  size_t max_dropped_reported = 1000;   // dropped entries kept with their labels until taken (the rest counted)
  std::chrono::milliseconds delay{0};   // Loki's delay_for
};

struct DroppedEntry {
  model::LabelSet labels;  // the entry's result labels (stream, structured metadata and parsed)
  int64_t timestamp_ns = 0;
};

// What the consumer takes in one go.
struct TailBatch {
  std::vector<LogEntry> entries;
  std::vector<DroppedEntry> dropped;  // at most max_dropped_reported
  uint64_t dropped_count = 0;         // every entry dropped since the previous Take (>= dropped.size())
  bool empty() const { return entries.empty() && dropped_count == 0; }
};

class TailSubscription {
 public:
  // `pipeline` may be null (no stages). `backfilling`: see above.
  TailSubscription(std::string tenant, std::vector<storage::LabelMatcher> matchers,
                   std::shared_ptr<const Pipeline> pipeline, TailOptions options, bool backfilling);
  ~TailSubscription();
  TailSubscription(const TailSubscription&) = delete;
  TailSubscription& operator=(const TailSubscription&) = delete;

  const std::string& tenant() const { return tenant_; }
  const TailOptions& options() const { return options_; }

  // ---- producer side ----
  // Filters and queues the batch's matching records (the batch's tenant is not checked: the hub routes by it).
  void Offer(const model::LogBatch& batch, TailClock::time_point arrived);
  // Counts `records` records lost before filtering (the hub's own queue overflowed).
  void CountLost(uint64_t records);
  // Ends the backfill phase (see above). An error closes the subscription with it.
  void CompleteBackfill(base::Result<std::vector<LogEntry>> backfill);
  void Close(base::Status status);

  // ---- consumer side ----
  // Called (from producer threads, without locks held) when something new can be taken: entries, drops or the
  // close. Not called again until the consumer calls Take. With a delay, new entries do not call it: the
  // consumer polls at NextDue().
  void SetListener(std::function<void()> listener);
  // Takes what is due at `now`: up to max_entries entries (all due entries when a delay is set, so ordering holds).
  TailBatch Take(size_t max_entries, TailClock::time_point now);
  // When the oldest queued entry becomes due (nullopt when nothing is queued or the backfill is still running).
  std::optional<TailClock::time_point> NextDue() const;
  // The close status once closed (OK status when closed normally by Cancel); nullopt while open.
  std::optional<base::Status> closed() const;
  bool backfilling() const;
  // Set by a backfill to notice that the consumer went away.
  const std::atomic<bool>* cancel_flag() const { return &cancelled_; }
  // Stops delivery: the producer no longer queues, a running backfill is cancelled. Idempotent.
  void Cancel();
  bool cancelled() const { return cancelled_.load(std::memory_order_relaxed); }

  // Entries offered (matching) and dropped so far, for metrics and tests.
  uint64_t matched_total() const { return matched_total_.load(std::memory_order_relaxed); }
  uint64_t dropped_total() const { return dropped_total_.load(std::memory_order_relaxed); }

 private:
  struct Pending {
    LogEntry entry;
    TailClock::time_point arrived;
  };
  bool Match(const model::LabelSet& labels) const;
  void PushLocked(LogEntry&& entry, TailClock::time_point arrived, std::deque<Pending>& queue);
  void DropLocked(const LogEntry& entry);
  std::function<void()> TakeListenerToCallLocked();

  const std::string tenant_;
  const std::vector<storage::LabelMatcher> matchers_;
  const std::shared_ptr<const Pipeline> pipeline_;
  const TailOptions options_;
  LabelsBuilder builder_;  // producer only

  mutable std::mutex mu_;
  std::deque<Pending> queue_;
  std::deque<Pending> live_during_backfill_;
  bool backfilling_;
  std::vector<DroppedEntry> dropped_;
  uint64_t dropped_since_take_ = 0;
  std::optional<base::Status> closed_;
  std::function<void()> listener_;
  bool listener_armed_ = true;  // the consumer is waiting for a call

  std::atomic<bool> cancelled_{false};
  std::atomic<uint64_t> matched_total_{0};
  std::atomic<uint64_t> dropped_total_{0};
};

// The labels Loki reports without categorize-labels: stream, structured metadata and parsed labels in one sorted
// set (LabelsBuilder keeps their names distinct).
model::LabelSet MergedLabels(const LogEntry& entry);

}  // namespace strata::query

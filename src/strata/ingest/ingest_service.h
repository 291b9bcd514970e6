#pragma once
// IngestService: the IngestSink of a single node: meters per tenant, then appends to the storage engine.
// Thread-safe. Owns the ingest metrics (logs_ingested_total, logs_ingested_bytes_total, logs_filtered_total,
// logs_rejected_total, errors_total), all labelled by tenant.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "strata/ingest/ingest_sink.h"
#include "strata/ingest/protocol_sink.h"
#include "strata/observability/metrics.h"
#include "strata/storage/storage_engine.h"

namespace strata::ingest {

class IngestService final : public IngestSink {
 public:
  IngestService(storage::StorageEngine& storage, observability::Registry& registry);

  base::Status Ingest(std::string tenant, std::vector<model::LogRecord> records, Callback done) override;
  base::Status IngestEncoded(model::EncodedBatch batch, Callback done) override;
  void CountRejected(std::string_view tenant, std::string_view reason, size_t lines) override;
  void CountError(std::string_view tenant, std::string_view code) override;

  // The sink a protocol front end uses: same behaviour, plus per-protocol counters. Stable reference.
  IngestSink& ForProtocol(const std::string& protocol);

  // Sees every batch once it is durable (live tail), right after the front end's callback, on the WAL thread: it
  // must not block. `wants` is asked per batch before the records move into storage, and a shared copy is kept only
  // when it says yes, so a server nobody tails pays one call per batch. Set before serving (not synchronized).
  struct AckObserver {
    std::function<bool(std::string_view tenant)> wants;
    std::function<void(std::shared_ptr<const model::LogBatch> batch)> acknowledged;
  };
  void SetAckObserver(AckObserver observer) { ack_observer_ = std::move(observer); }

  // Returns once every batch that entered Ingest before the call was acknowledged or failed (true), or after
  // `timeout` (false). A tail that subscribed and then queries the history calls it in between: a batch that was
  // checked with `wants` before the subscription existed is not observed, so the history must include it.
  bool WaitForInFlight(std::chrono::milliseconds timeout);

 private:
  struct TenantCounters {
    observability::Counter* lines;
    observability::Counter* bytes;
    observability::Counter* filtered;
  };
  TenantCounters& CountersFor(const std::string& tenant);
  // The storage callback of one batch: meters it, answers the front end, hands it to the ack observer.
  storage::StorageEngine::Callback Acknowledging(TenantCounters& counters, size_t lines, size_t bytes, uint64_t epoch,
                                                 std::shared_ptr<const model::LogBatch> observed, Callback done);

  storage::StorageEngine& storage_;
  observability::Family<observability::Counter>& ingested_;
  observability::Family<observability::Counter>& ingested_bytes_;
  observability::Family<observability::Counter>& filtered_;
  observability::Family<observability::Counter>& rejected_;
  observability::Family<observability::Counter>& errors_;
  ProtocolSink::Families protocol_families_;
  std::mutex mu_;
  std::unordered_map<std::string, TenantCounters> tenants_;
  std::unordered_map<std::string, std::unique_ptr<ProtocolSink>> protocols_;
  AckObserver ack_observer_;
  // Batches in flight, counted in one of two slots by the epoch they entered in; WaitForInFlight moves new batches to
  // the other slot and waits for its slot to drain.
  void LeaveInFlight(uint64_t epoch);
  std::atomic<uint64_t> epoch_{0};
  std::atomic<int64_t> in_flight_[2] = {0, 0};
  std::atomic<int> in_flight_waiters_{0};
  std::mutex in_flight_mu_;
  std::condition_variable in_flight_cv_;
};

}  // namespace strata::ingest

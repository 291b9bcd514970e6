#include "strata/ingest/ingest_service.h"

#include "strata/model/record_codec.h"

namespace strata::ingest {

IngestService::IngestService(storage::StorageEngine& storage, observability::Registry& r)
    : storage_(storage),
      ingested_(r.AddCounter("logs_ingested_total", "Log lines durably ingested.", {"tenant"})),
      ingested_bytes_(
          r.AddCounter("logs_ingested_bytes_total", "Raw bytes (message, labels, fields) ingested.", {"tenant"})),
      filtered_(r.AddCounter("logs_filtered_total", "Log lines dropped by processing filters.", {"tenant"})),
      rejected_(r.AddCounter("logs_rejected_total", "Log lines rejected as invalid or over limits.",
                             {"tenant", "reason"})),
      errors_(r.AddCounter("errors_total", "Error responses to API requests.", {"tenant", "code"})),
      protocol_families_{
          r.AddCounter("strata_ingest_batches_total", "Batches acknowledged, by ingest protocol.", {"protocol"}),
          r.AddCounter("strata_ingest_lines_total", "Log lines acknowledged, by ingest protocol.", {"protocol"}),
          r.AddCounter("strata_ingest_bytes_total", "Raw bytes acknowledged, by ingest protocol.", {"protocol"}),
          r.AddCounter("strata_ingest_rejected_total", "Log lines rejected, by ingest protocol and reason.",
                       {"protocol", "reason"})} {}

IngestSink& IngestService::ForProtocol(const std::string& protocol) {
  std::lock_guard lock(mu_);
  auto& slot = protocols_[protocol];
  if (!slot) slot = std::make_unique<ProtocolSink>(*this, protocol, protocol_families_);
  return *slot;
}

IngestService::TenantCounters& IngestService::CountersFor(const std::string& tenant) {
  std::lock_guard lock(mu_);
  auto it = tenants_.find(tenant);
  if (it != tenants_.end()) return it->second;
  TenantCounters c{&ingested_.WithLabels({tenant}), &ingested_bytes_.WithLabels({tenant}),
                   &filtered_.WithLabels({tenant})};
  return tenants_.emplace(tenant, c).first->second;
}

base::Status IngestService::Ingest(std::string tenant, std::vector<model::LogRecord> records, Callback done) {
  TenantCounters& counters = CountersFor(tenant);
  size_t lines = records.size();
  size_t bytes = 0;
  for (const auto& r : records) bytes += r.RawBytes();
  const uint64_t epoch = epoch_.load();
  in_flight_[epoch & 1].fetch_add(1);
  std::shared_ptr<const model::LogBatch> observed;
  if (ack_observer_.wants && ack_observer_.wants(tenant)) {
    observed = std::make_shared<const model::LogBatch>(model::LogBatch{tenant, records});
  }
  model::LogBatch batch{std::move(tenant), std::move(records)};
  base::Status appended = storage_.Append(
      std::move(batch), Acknowledging(counters, lines, bytes, epoch, std::move(observed), std::move(done)));
  if (!appended.ok()) LeaveInFlight(epoch);
  return appended;
}

base::Status IngestService::IngestEncoded(model::EncodedBatch batch, Callback done) {
  TenantCounters& counters = CountersFor(batch.tenant);
  const uint64_t epoch = epoch_.load();
  in_flight_[epoch & 1].fetch_add(1);
  std::shared_ptr<const model::LogBatch> observed;
  if (ack_observer_.wants && ack_observer_.wants(batch.tenant)) {
    // Only a tailed tenant pays for records: decoded from the bytes about to be stored.
    auto decoded = model::DecodeRecordBatch(batch.payload);
    if (!decoded.ok()) {
      LeaveInFlight(epoch);
      return base::Internal("encoded batch does not decode: " + decoded.status().message());
    }
    observed = std::make_shared<const model::LogBatch>(std::move(decoded).value());
  }
  const size_t lines = batch.records;
  const size_t bytes = batch.raw_bytes;
  base::Status appended = storage_.AppendEncoded(
      std::move(batch), Acknowledging(counters, lines, bytes, epoch, std::move(observed), std::move(done)));
  if (!appended.ok()) LeaveInFlight(epoch);
  return appended;
}

storage::StorageEngine::Callback IngestService::Acknowledging(TenantCounters& counters, size_t lines, size_t bytes,
                                                              uint64_t epoch,
                                                              std::shared_ptr<const model::LogBatch> observed,
                                                              Callback done) {
  return [this, &counters, lines, bytes, epoch, observed = std::move(observed),
          done = std::move(done)](const base::Status& st) {
    if (st.ok()) {
      counters.lines->Inc(static_cast<double>(lines));
      counters.bytes->Inc(static_cast<double>(bytes));
      done(st);
      if (observed) ack_observer_.acknowledged(observed);
      return LeaveInFlight(epoch);
    }
    LeaveInFlight(epoch);
    // Nothing of the batch was acknowledged, so the client may safely send it again (to this node after a
    // restart, or to another): answer "unavailable" (HTTP 503, gRPC UNAVAILABLE), which every protocol's clients
    // retry, as Loki does, rather than a 500 that OTel SDKs and shippers give up on.
    if (st.code() == base::StatusCode::kInternal || st.code() == base::StatusCode::kDataLoss) {
      return done(base::Unavailable("the batch could not be made durable: " + st.message()));
    }
    done(st);
  };
}

void IngestService::LeaveInFlight(uint64_t epoch) {
  if (in_flight_[epoch & 1].fetch_sub(1) == 1 && in_flight_waiters_.load() > 0) {
    std::lock_guard lock(in_flight_mu_);
    in_flight_cv_.notify_all();
  }
}

bool IngestService::WaitForInFlight(std::chrono::milliseconds timeout) {
  // Batches entering from now on count in the other slot. A later call flips back, so this slot may also collect
  // batches that entered after the call: waiting for those too is harmless, and the timeout bounds it.
  const uint64_t old = epoch_.fetch_add(1);
  std::unique_lock lock(in_flight_mu_);
  in_flight_waiters_.fetch_add(1);
  bool drained = in_flight_cv_.wait_for(lock, timeout, [&] { return in_flight_[old & 1].load() <= 0; });
  in_flight_waiters_.fetch_sub(1);
  return drained;
}

void IngestService::CountRejected(std::string_view tenant, std::string_view reason, size_t lines) {
  rejected_.WithLabels({std::string(tenant), std::string(reason)}).Inc(static_cast<double>(lines));
}

void IngestService::CountError(std::string_view tenant, std::string_view code) {
  errors_.WithLabels({std::string(tenant), std::string(code)}).Inc();
}

}  // namespace strata::ingest

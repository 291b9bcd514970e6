#include "strata/storage/storage_engine.h"

#include <algorithm>
#include <chrono>
#include <limits>

#include "strata/model/record_codec.h"
#include "strata/observability/log.h"
#include "strata/storage/wal/wal_reader.h"

namespace strata::storage {

using base::Status;

namespace {

std::shared_ptr<HeadBatch> MakeHeadBatch(const model::LogBatch& batch, std::string encoded, uint64_t segment) {
  auto hb = std::make_shared<HeadBatch>();
  hb->encoded = std::move(encoded);
  hb->records = static_cast<uint32_t>(batch.records.size());
  hb->min_ts = std::numeric_limits<int64_t>::max();
  hb->max_ts = std::numeric_limits<int64_t>::min();
  for (const auto& r : batch.records) {
    hb->min_ts = std::min(hb->min_ts, r.timestamp_ns);
    hb->max_ts = std::max(hb->max_ts, r.timestamp_ns);
  }
  hb->wal_segment = segment;
  return hb;
}

}  // namespace

StorageEngine::StorageEngine(const StorageOptions& options, observability::Registry& registry)
    : options_(options), probe_(registry) {}

StorageEngine::~StorageEngine() { (void)Close(); }

base::Result<std::unique_ptr<StorageEngine>> StorageEngine::Open(const StorageOptions& options,
                                                                 observability::Registry& registry) {
  return std::unique_ptr<StorageEngine>(new StorageEngine(options, registry));
}

Status StorageEngine::Recover() {
  auto start = std::chrono::steady_clock::now();
  wal::ReplayStats stats;
  std::string wal_dir = options_.data_dir + "/wal";
  Status st = wal::ReplayWal(
      wal_dir,
      [&](std::string_view payload, uint64_t segment) -> Status {
        auto batch = model::DecodeRecordBatch(payload);
        if (!batch.ok()) {
          // The WAL record's CRC matched, so this is a bug or a format change: keep going, say so loudly.
          observability::LogError("skipping undecodable WAL record",
                                  {{"segment", std::to_string(segment)}, {"error", batch.status().ToString()}});
          return Status::Ok();
        }
        const std::string tenant = batch->tenant;
        head_.Add(tenant, MakeHeadBatch(*batch, std::string(payload), segment));
        return Status::Ok();
      },
      &stats);
  if (!st.ok()) return st;
  for (const auto& w : stats.warnings) observability::LogWarn("WAL tail truncated", {{"detail", w}});
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  probe_.OnReplay(stats.records, stats.truncated_bytes, seconds);
  probe_.SetHead(head_.bytes(), head_.records());
  observability::LogInfo("WAL replayed", {{"segments", std::to_string(stats.segments)},
                                          {"records", std::to_string(stats.records)},
                                          {"truncated_bytes", std::to_string(stats.truncated_bytes)},
                                          {"seconds", std::to_string(seconds)}});

  wal::WalOptions wo;
  wo.dir = wal_dir;
  wo.fsync = options_.fsync;
  wo.fsync_interval_ms = options_.fsync_interval_ms;
  wo.segment_bytes = options_.wal_segment_bytes;
  wo.max_pending_bytes = options_.wal_max_pending_bytes;
  auto writer = wal::WalWriter::Open(wo, &probe_);
  if (!writer.ok()) return writer.status();
  wal_ = std::move(writer).value();
  ready_.store(true, std::memory_order_release);
  return Status::Ok();
}

Status StorageEngine::Append(model::LogBatch batch, Callback done) {
  if (!ready() || closed_.load()) return base::Unavailable("storage is not ready (WAL replay in progress)");
  if (head_.bytes() >= options_.max_head_bytes) {
    return base::ResourceExhausted("head is over its memory budget (" + std::to_string(options_.max_head_bytes) +
                                   " bytes); retry later");
  }
  std::string payload;
  model::EncodeRecordBatch(batch, &payload);
  auto hb = MakeHeadBatch(batch, payload, wal_->CurrentSegment());
  return wal_->Append(std::move(payload),
                      [this, hb = std::move(hb), tenant = std::move(batch.tenant), done = std::move(done)](
                          const Status& st) mutable {
                        if (st.ok()) {
                          head_.Add(tenant, std::move(hb));
                          probe_.SetHead(head_.bytes(), head_.records());
                        }
                        done(st);
                      });
}

Status StorageEngine::Scan(const std::string& tenant, int64_t from, int64_t to, const RecordVisitor& visit) const {
  for (const auto& hb : head_.Snapshot(tenant, from, to)) {
    auto batch = model::DecodeRecordBatch(hb->encoded);
    if (!batch.ok()) return batch.status();
    for (const auto& r : batch->records) {
      if (r.timestamp_ns < from || r.timestamp_ns > to) continue;
      if (!visit(r)) return Status::Ok();
    }
  }
  return Status::Ok();
}

Status StorageEngine::Close() {
  if (closed_.exchange(true)) return Status::Ok();
  if (wal_) return wal_->Close();
  return Status::Ok();
}

}  // namespace strata::storage

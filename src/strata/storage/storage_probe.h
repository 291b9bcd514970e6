#pragma once
// StorageProbe: the storage engine's metrics (WAL group commit and fsync, segments, head size). The engine and
// the WAL call it; nothing else in storage touches the metrics registry. Thread-safe.

#include "strata/observability/metrics.h"
#include "strata/storage/wal/wal_writer.h"

namespace strata::storage {

class StorageProbe final : public wal::WalObserver {
 public:
  explicit StorageProbe(observability::Registry& registry);

  void OnGroupWritten(size_t records, size_t bytes) override;
  void OnFsync(double seconds) override;
  void OnSegmentCreated(uint64_t seq) override;
  void SetHead(uint64_t bytes, uint64_t records);
  void OnReplay(uint64_t records, uint64_t truncated_bytes, double seconds);
  void OnFlush(uint64_t rows, uint64_t bytes, double seconds);
  void OnCorruptPart();
  // A merge (merge=true) or a purge rewrite (retention, deletes) was published.
  void OnRewrite(bool merge, size_t inputs, uint64_t rows_dropped, uint64_t bytes_out);

 private:
  observability::Histogram& group_records_;
  observability::Histogram& group_bytes_;
  observability::Histogram& fsync_seconds_;
  observability::Counter& wal_bytes_;
  observability::Gauge& wal_segment_;
  observability::Gauge& head_bytes_;
  observability::Gauge& head_records_;
  observability::Counter& replayed_records_;
  observability::Counter& truncated_bytes_;
  observability::Gauge& replay_seconds_;
  observability::Counter& flushes_;
  observability::Counter& flushed_rows_;
  observability::Counter& flushed_bytes_;
  observability::Histogram& flush_seconds_;
  observability::Counter& corrupt_parts_;
  observability::Family<observability::Counter>& rewrites_;
  observability::Family<observability::Counter>& rewrite_input_parts_;
  observability::Family<observability::Counter>& rewrite_bytes_;
  observability::Counter& rows_purged_;
};

}  // namespace strata::storage

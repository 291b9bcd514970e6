#include "strata/storage/storage_probe.h"

namespace strata::storage {

using observability::Registry;

StorageProbe::StorageProbe(Registry& r)
    : group_records_(r.AddHistogram("strata_wal_group_records", "Records per WAL group commit.", {},
                                    {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024})
                         .WithLabels({})),
      group_bytes_(r.AddHistogram("strata_wal_group_bytes", "Bytes per WAL group commit.", {},
                                  {4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864})
                       .WithLabels({})),
      fsync_seconds_(r.AddHistogram("strata_wal_fsync_duration_seconds", "Latency of WAL fdatasync calls.", {},
                                    {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1})
                         .WithLabels({})),
      wal_bytes_(r.AddCounter("strata_wal_written_bytes_total", "Bytes written to the WAL.", {}).WithLabels({})),
      wal_segment_(r.AddGauge("strata_wal_current_segment", "Sequence number of the WAL segment being appended.", {})
                       .WithLabels({})),
      head_bytes_(r.AddGauge("strata_head_bytes", "Encoded bytes held by the in-memory head.", {}).WithLabels({})),
      head_records_(r.AddGauge("strata_head_records", "Records held by the in-memory head.", {}).WithLabels({})),
      replayed_records_(
          r.AddCounter("strata_wal_replayed_records_total", "Records replayed from the WAL at start-up.", {})
              .WithLabels({})),
      truncated_bytes_(r.AddCounter("strata_wal_truncated_bytes_total",
                                    "Bytes cut from torn or corrupt WAL tails at start-up.", {})
                           .WithLabels({})),
      replay_seconds_(
          r.AddGauge("strata_wal_replay_duration_seconds", "Duration of the last WAL replay.", {}).WithLabels({})),
      flushes_(r.AddCounter("strata_flushes_total", "Head flushes to parts.", {}).WithLabels({})),
      flushed_rows_(r.AddCounter("strata_flushed_rows_total", "Rows written from the head to parts.", {}).WithLabels({})),
      flushed_bytes_(
          r.AddCounter("strata_flushed_bytes_total", "Part bytes written by head flushes.", {}).WithLabels({})),
      flush_seconds_(r.AddHistogram("strata_flush_duration_seconds", "Duration of head flushes.", {},
                                    Registry::LatencyBuckets())
                         .WithLabels({})),
      corrupt_parts_(r.AddCounter("strata_corrupt_parts_total",
                                  "Parts that failed their checksums and were quarantined or skipped.", {})
                         .WithLabels({})),
      rewrites_(r.AddCounter("strata_part_rewrites_total", "Published part rewrites: merges and purges.", {"kind"})),
      rewrite_input_parts_(
          r.AddCounter("strata_part_rewrite_input_parts_total", "Input parts consumed by rewrites.", {"kind"})),
      rewrite_bytes_(r.AddCounter("strata_part_rewrite_bytes_total", "Bytes of parts written by rewrites.", {"kind"})),
      rows_purged_(r.AddCounter("strata_rows_purged_total",
                                "Rows physically removed by retention and delete requests during rewrites.", {})
                       .WithLabels({})) {}

void StorageProbe::OnGroupWritten(size_t records, size_t bytes) {
  group_records_.Observe(static_cast<double>(records));
  group_bytes_.Observe(static_cast<double>(bytes));
  wal_bytes_.Inc(static_cast<double>(bytes));
}
void StorageProbe::OnFsync(double seconds) { fsync_seconds_.Observe(seconds); }
void StorageProbe::OnSegmentCreated(uint64_t seq) { wal_segment_.Set(static_cast<double>(seq)); }
void StorageProbe::SetHead(uint64_t bytes, uint64_t records) {
  head_bytes_.Set(static_cast<double>(bytes));
  head_records_.Set(static_cast<double>(records));
}
void StorageProbe::OnReplay(uint64_t records, uint64_t truncated_bytes, double seconds) {
  replayed_records_.Inc(static_cast<double>(records));
  truncated_bytes_.Inc(static_cast<double>(truncated_bytes));
  replay_seconds_.Set(seconds);
}

}  // namespace strata::storage

namespace strata::storage {

void StorageProbe::OnFlush(uint64_t rows, uint64_t bytes, double seconds) {
  flushes_.Inc();
  flushed_rows_.Inc(static_cast<double>(rows));
  flushed_bytes_.Inc(static_cast<double>(bytes));
  flush_seconds_.Observe(seconds);
}

void StorageProbe::OnCorruptPart() { corrupt_parts_.Inc(); }

void StorageProbe::OnRewrite(bool merge, size_t inputs, uint64_t rows_dropped, uint64_t bytes_out) {
  const std::string kind = merge ? "merge" : "purge";
  rewrites_.WithLabels({kind}).Inc();
  rewrite_input_parts_.WithLabels({kind}).Inc(static_cast<double>(inputs));
  rewrite_bytes_.WithLabels({kind}).Inc(static_cast<double>(bytes_out));
  rows_purged_.Inc(static_cast<double>(rows_dropped));
}

}  // namespace strata::storage

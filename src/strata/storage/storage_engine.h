#pragma once
// StorageEngine: everything on disk under one data directory: the WAL (`<data>/.wal/`), the head (in memory), and
// the partitions of immutable parts (`<data>/<tenant>/<yyyymmdd>/`). The single entry point for writes and scans.
//
// Lifecycle: Open() (cheap) -> Recover() (opens partitions, replays the WAL segments not yet covered by parts
// into the head, opens a fresh WAL segment, starts the background flusher; /readyz answers 503 meanwhile) ->
// Append()/Scan()/Flush() -> Close() (flushes the head to parts, closes the WAL).
//
// Durability: Append's callback runs with OK only after the batch is durable under the WAL's fsync policy and
// visible in the head. It runs on the WAL writer thread: post real work elsewhere.
//
// Head -> parts (Flush): the WAL starts a new segment S; every head batch from segments below S is written into one
// part per (tenant, day) carrying wal_seq_end = S; the parts are published and the batches leave the head in one
// step (a scan sees either the batches or the parts, never both or neither); then WAL segments below S are deleted.
// After a crash between publish and delete, replay skips records whose partition has wal_seq_end above their
// segment: no duplicates, no loss.
//
// Thread-safety: all methods may be called from any thread; Recover and Close are called once each by the owner.

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <thread>

#include "strata/base/status.h"
#include "strata/common/thread_pool.h"
#include "strata/model/log_record.h"
#include "strata/model/record_batch_builder.h"
#include "strata/observability/metrics.h"
#include "strata/storage/deletes/delete_store.h"
#include "strata/storage/head/head.h"
#include "strata/storage/merge/merge_policy.h"
#include "strata/storage/part/part_writer.h"
#include "strata/storage/partition.h"
#include "strata/storage/retention/retention_policy.h"
#include "strata/storage/scan.h"
#include "strata/storage/storage_probe.h"
#include "strata/storage/wal/wal_writer.h"

namespace strata::storage {

struct StorageOptions {
  std::string data_dir = "./data";
  wal::FsyncPolicy fsync = wal::FsyncPolicy::kBatch;
  int64_t fsync_interval_ms = 100;
  uint64_t wal_segment_bytes = 64ull << 20;
  uint64_t wal_max_pending_bytes = 256ull << 20;
  uint64_t max_head_bytes = 4ull << 30;
  // The head is flushed to parts every flush_interval_ms, or sooner once it holds flush_bytes.
  int64_t flush_interval_ms = 5000;
  uint64_t flush_bytes = 64ull << 20;
  PartWriterOptions part;
  MergePolicyOptions merge;
  RetentionPolicy retention;
  // Threads decoding blocks for scans (0 = one per core); separate from the ingest/HTTP threads.
  size_t scan_threads = 0;
  // Background maintenance (merges, retention, delete purges) runs this often.
  int64_t maintenance_interval_ms = 2000;
};

class StorageEngine {
 public:
  using Callback = std::function<void(const base::Status&)>;

  static base::Result<std::unique_ptr<StorageEngine>> Open(const StorageOptions& options,
                                                           observability::Registry& registry);
  ~StorageEngine();

  base::Status Recover();
  bool ready() const { return ready_.load(std::memory_order_acquire); }

  // ResourceExhausted when the head or the WAL queue is over budget (the caller answers 429); Unavailable before
  // Recover or after Close. On an error return, done is not called.
  base::Status Append(model::LogBatch batch, Callback done);
  // The same for a batch a front end already encoded (model/record_batch_builder.h): no re-encoding, and the
  // WAL writes the head's copy of the bytes.
  base::Status AppendEncoded(model::EncodedBatch batch, Callback done);

  // See scan.h. Reads parts and the head as one consistent snapshot.
  base::Status Scan(const ScanRequest& request, const RowBatchVisitor& visit, ScanStats* stats = nullptr) const;

  // The streams of a tenant with rows in [from, to] matching every matcher of at least one selector (no selector:
  // all streams), from part stream tables and block headers (no column is decompressed) and the head.
  base::Result<std::vector<StreamSummary>> ListStreams(const std::string& tenant, int64_t from, int64_t to,
                                                       const std::vector<std::vector<LabelMatcher>>& selectors) const;

  // The label names of the streams a query with these selectors may read in [from, to] (a superset: part stream
  // tables and head batches are taken whole once they overlap the range). Cheap enough to call per query: no
  // block header is walked, and each head batch's streams are read once and remembered while it lives.
  base::Result<std::set<std::string>> StreamLabelNames(const std::string& tenant, int64_t from, int64_t to,
                                                       const std::vector<LabelMatcher>& matchers) const;

  // Writes the head's completed WAL segments to parts now (the background flusher calls this too).
  base::Status Flush();

  base::Status Close();

  // Maintenance (storage_engine_merge.cc); the background thread calls these, tests call them directly.
  // One merge step in one partition chosen by the merge policy; *merged says whether anything was merged.
  base::Status MergeOnce(bool* merged);
  // Drops partitions whose every row is expired, and rewrites parts holding streams expired by stream rules.
  base::Status ApplyRetention(int64_t now_ns);
  // Rewrites the parts holding rows of pending delete requests and marks the requests processed.
  base::Status ProcessDeletes();

  DeleteStore& deletes() { return *deletes_; }
  const DeleteStore& deletes() const { return *deletes_; }

  // For tools and tests.
  const Head& head() const { return head_; }
  std::vector<std::shared_ptr<const PartReader>> PartsOf(const std::string& tenant) const;
  std::string wal_dir() const { return options_.data_dir + "/.wal"; }

 private:
  StorageEngine(const StorageOptions& options, observability::Registry& registry);
  base::Status OpenPartitions();
  Partition* PartitionFor(const std::string& tenant, uint32_t day);  // creates; caller holds state_mu_ exclusively
  void FlusherLoop();
  void MaintenanceLoop();  // storage_engine_merge.cc
  std::string PartitionDir(const std::string& tenant, uint32_t day) const;
  // One consistent view for a read: the parts of the tenant overlapping [from, to] and its head batches, taken
  // under state_mu_ (a concurrent flush moves rows between the two atomically under that lock).
  struct ReadSnapshot {
    std::vector<std::shared_ptr<const PartReader>> parts;
    std::vector<std::shared_ptr<const HeadBatch>> head_batches;
  };
  ReadSnapshot SnapshotRange(const std::string& tenant, int64_t from, int64_t to) const;  // storage_engine_scan.cc

  StorageOptions options_;
  mutable StorageProbe probe_;  // metrics only; scans count corrupt chunks too
  Head head_;
  std::unique_ptr<wal::WalWriter> wal_;
  std::atomic<bool> ready_{false};
  std::atomic<bool> closed_{false};

  // Guards the set of partitions and the head->parts hand-over (scans take it shared).
  mutable std::shared_mutex state_mu_;
  std::map<std::pair<std::string, uint32_t>, std::unique_ptr<Partition>> partitions_;
  std::atomic<uint64_t> next_part_id_{1};

  std::mutex flush_mu_;  // one flush at a time
  std::mutex flusher_mu_;
  std::condition_variable flusher_cv_;
  bool stop_flusher_ = false;
  std::thread flusher_;

  // StreamLabelNames: the distinct stream label sets of each head batch, read on first use (batches are
  // immutable); entries of batches gone from the head are dropped on the next call.
  struct HeadBatchStreams {
    std::weak_ptr<const HeadBatch> batch;
    std::shared_ptr<const std::vector<model::LabelSet>> streams;
  };
  mutable std::mutex head_streams_mu_;
  mutable std::map<const HeadBatch*, HeadBatchStreams> head_streams_;

  std::unique_ptr<DeleteStore> deletes_;
  std::unique_ptr<common::ThreadPool> scan_pool_;
  std::mutex maintenance_mu_;  // one maintenance operation (merge, retention, purge) at a time
  std::mutex maintenance_wait_mu_;
  std::condition_variable maintenance_cv_;
  bool stop_maintenance_ = false;
  std::thread maintenance_;
};

}  // namespace strata::storage

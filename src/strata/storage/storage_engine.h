#pragma once
// StorageEngine: owns the WAL and the head of one data directory; the single entry point for writes and scans.
//
// Lifecycle: Open() (cheap) -> Recover() (replays the WAL into the head, truncating torn tails, then opens a fresh
// WAL segment; may take a while, the server answers /readyz 503 meanwhile) -> Append()/Scan() -> Close() (drains
// and fsyncs the WAL). Append before Recover finished returns Unavailable.
//
// Durability: Append's callback runs with OK only after the batch is durable under the WAL's fsync policy and
// visible in the head. The callback runs on the WAL writer thread: post real work elsewhere.
//
// Thread-safety: all methods may be called from any thread, except that Recover and Close are called once each by
// the owner.

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "strata/base/status.h"
#include "strata/model/log_record.h"
#include "strata/observability/metrics.h"
#include "strata/storage/head/head.h"
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
};

// A scan's view of one record; valid only during the callback.
using RecordVisitor = std::function<bool(const model::LogRecord& record)>;  // return false to stop

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

  // Calls visit for every record of the tenant with from <= timestamp <= to, batch by batch in WAL order (time
  // order within a batch as sent). Holds at most one decoded batch in memory.
  base::Status Scan(const std::string& tenant, int64_t from, int64_t to, const RecordVisitor& visit) const;

  // Batches overlapping the window, for callers that stream results a batch at a time (export).
  std::vector<std::shared_ptr<const HeadBatch>> SnapshotHead(const std::string& tenant, int64_t from,
                                                             int64_t to) const {
    return head_.Snapshot(tenant, from, to);
  }

  base::Status Close();
  const Head& head() const { return head_; }

 private:
  StorageEngine(const StorageOptions& options, observability::Registry& registry);

  StorageOptions options_;
  StorageProbe probe_;
  Head head_;
  std::unique_ptr<wal::WalWriter> wal_;
  std::atomic<bool> ready_{false};
  std::atomic<bool> closed_{false};
};

}  // namespace strata::storage

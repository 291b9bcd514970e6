#pragma once
// Head: the in-memory, immediately searchable mirror of everything acknowledged but not yet in a part.
//
// It holds encoded record batches (model/record_codec.h) per tenant, in WAL order, with each batch's time range
// so scans skip batches outside the query window. A batch enters the head on the WAL writer thread right after it
// became durable and before its request is acknowledged, so the head never shows unacknowledged data and never
// misses acknowledged data. A flush moves batches of completed WAL segments into parts (StorageEngine::Flush).
//
// Thread-safety: Add and Snapshot may be called concurrently from any thread (shared_mutex); batches are immutable
// and shared, so a Snapshot stays valid while ingest continues.

#include <cstdint>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

namespace strata::storage {

struct HeadBatch {
  std::string encoded;  // model::EncodeRecordBatch output
  int64_t min_ts = 0;
  int64_t max_ts = 0;
  uint32_t records = 0;
  uint64_t wal_segment = 0;  // WAL segment holding this batch: segments below the oldest batch's can be deleted
};

class Head {
 public:
  void Add(const std::string& tenant, std::shared_ptr<const HeadBatch> batch);

  // Batches of a tenant whose [min_ts, max_ts] overlaps [from, to], in WAL order.
  std::vector<std::shared_ptr<const HeadBatch>> Snapshot(const std::string& tenant, int64_t from, int64_t to) const;

  // Every batch written to WAL segments below seq, per tenant, in WAL order (what a flush writes to parts).
  std::map<std::string, std::vector<std::shared_ptr<const HeadBatch>>> SnapshotBefore(uint64_t seq) const;
  // Drops those batches (after their parts are published). Batches are in WAL order, so this trims a prefix.
  void RemoveBefore(uint64_t seq);

  uint64_t bytes() const;
  uint64_t records() const;
  std::vector<std::string> Tenants() const;

 private:
  mutable std::shared_mutex mu_;
  std::map<std::string, std::vector<std::shared_ptr<const HeadBatch>>> tenants_;
  uint64_t bytes_ = 0;
  uint64_t records_ = 0;
};

}  // namespace strata::storage

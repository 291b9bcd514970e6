#pragma once
// What every executor of one query shares: the storage, the bounds (deadline, memory, cancel flag) and the
// statistics it accumulates.

#include <atomic>
#include <chrono>
#include <cstdint>

#include "strata/query/engine/query_engine.h"

namespace strata::storage {
class StorageEngine;
}

namespace strata::query {

struct ExecutionContext {
  const storage::StorageEngine* storage = nullptr;
  std::string tenant;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  uint64_t memory_budget_bytes = 1ull << 30;
  const std::atomic<bool>* cancel = nullptr;
  QueryStats* stats = nullptr;

  // A ScanRequest carrying the bounds; the caller fills in what it scans.
  storage::ScanRequest BaseScan() const {
    storage::ScanRequest r;
    r.tenant = tenant;
    r.cancel = cancel;
    r.deadline = deadline;
    r.memory_budget_bytes = memory_budget_bytes;
    return r;
  }
};

// Adds one scan's statistics into the query's.
void AccumulateScanStats(const storage::ScanStats& scan, QueryStats* stats);

}  // namespace strata::query

#pragma once
// QueryEngine's private state, shared by its .cc files (query_engine.cc, metadata.cc, detected_fields.cc,
// patterns.cc).

#include "strata/observability/metrics.h"
#include "strata/query/engine/execution_context.h"
#include "strata/query/engine/query_engine.h"
#include "strata/query/engine/query_gate.h"

namespace strata::query {

struct QueryEngine::Impl {
  Impl(storage::StorageEngine& storage, const QueryEngineOptions& options, observability::Registry& registry);

  ExecutionContext Context(const std::string& tenant, const std::atomic<bool>* cancel,
                           std::chrono::steady_clock::time_point deadline, uint64_t memory, QueryStats* stats) const;
  void Record(const char* kind, const base::Status& st, const QueryStats& stats);

  storage::StorageEngine& storage;
  QueryGate gate;
  observability::Family<observability::Counter>& requests;
  observability::Family<observability::Histogram>& duration;
  observability::Family<observability::Counter>& lines;
  observability::Family<observability::Counter>& bytes;
  observability::Family<observability::Counter>& blocks;
  observability::Family<observability::Gauge>& in_flight;
};

}  // namespace strata::query

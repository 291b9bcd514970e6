#pragma once
// The PERFORMANCE.md query set written in LogQL and run through the query engine (planner, pipeline, metric
// evaluation: what the Loki API serves) over storage_bench's data set; answers with a known truth are checked.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bench/common/log_generator.h"
#include "strata/query/engine/query_engine.h"

namespace strata::bench {

struct EngineQueryInput {
  std::string tenant;
  int64_t start_ns = 0;  // first generated timestamp
  int64_t end_ns = 0;    // after the last one
  uint64_t lines = 0;
  const std::vector<Needle>* trace_ids = nullptr;
  const std::vector<Needle>* unique_tokens = nullptr;
  int runs = 5;
};

struct EngineQueryResult {
  std::string name;
  std::string logql;
  std::string answer;
  std::optional<uint64_t> expected;
  uint64_t value = 0;  // entries returned, or the summed metric value at the last step
  bool ok = true;
  std::string error;
  double first_ms = 0;
  double median_ms = 0;
  query::QueryStats stats;  // of the last run
};

std::vector<EngineQueryResult> RunEngineQueries(query::QueryEngine& engine, const EngineQueryInput& input);
std::string EngineQueriesMarkdown(const std::vector<EngineQueryResult>& results, int runs);

}  // namespace strata::bench

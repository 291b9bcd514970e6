#pragma once
// QueryEngine: runs LogQL and DSL queries and the metadata lookups (labels, series, stats, volume, detected
// fields, patterns) against the StorageEngine. The HTTP handlers (Loki read API, POST /api/v1/query), live tail
// and the CLI all go through it.
//
// Planning: the selector becomes storage LabelMatchers, the leading line filters storage Predicates (token index,
// blooms), the time range prunes partitions and blocks; the Pipeline then runs on the surviving rows only.
// Log queries keep the top `limit` entries in the requested direction across streams (a bounded heap over the
// scan's batches; the scan stops early once no later block can enter the top `limit`). Metric queries feed the
// metric evaluator's RangeVectorBuilders in one scan per range aggregation.
//
// Bounds: every query runs with a deadline (Options::timeout -> DeadlineExceeded, Loki's 504 text), a memory
// budget (ResourceExhausted) and the caller's cancel flag (client gone); at most Options::max_concurrent queries
// run at once (more wait up to the deadline), so queries cannot starve ingest, which has its own threads.
//
// Thread-safety: all methods may be called concurrently.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "strata/base/status.h"
#include "strata/model/log_record.h"
#include "strata/observability/metrics.h"
#include "strata/query/lang/ast.h"
#include "strata/query/metric/evaluator.h"
#include "strata/storage/scan.h"

namespace strata::storage {
class StorageEngine;
}

namespace strata::query {

struct QueryEngineOptions {
  std::chrono::milliseconds timeout{60000};   // Loki's query_timeout
  uint64_t max_memory_bytes = 1ull << 30;     // per query
  size_t max_concurrent = 8;
  uint64_t max_entries_limit = 5000;          // Loki's max_entries_limit_per_query
  metric::Limits metric_limits;
};

// Statistics of one query (Loki's stats.summary and a few of ours); also exported as metrics.
struct QueryStats {
  uint64_t bytes_processed = 0;   // decompressed message + field bytes the pipeline saw
  uint64_t lines_processed = 0;   // rows the pipeline saw
  uint64_t post_filter_lines = 0; // rows that survived the pipeline
  uint64_t entries_returned = 0;
  uint64_t structured_metadata_bytes = 0;
  double exec_time_seconds = 0;
  double queue_time_seconds = 0;
  storage::ScanStats scan;        // blocks pruned per index, parts...
};

struct LogEntry {
  int64_t timestamp_ns = 0;
  std::string line;
  model::LabelSet stream;               // indexed stream labels
  model::LabelSet structured_metadata;  // after the pipeline (drop/keep apply)
  model::LabelSet parsed;               // labels added by parsers / label_format, incl. __error__
};

struct QueryRequest {
  std::string tenant;
  Expr expr;                      // parsed LogQL or DSL
  int64_t start_ns = 0;           // log queries: start <= ts < end; metric: grid start
  int64_t end_ns = 0;
  int64_t step_ns = 0;            // metric range queries; 0 with start == end for instant queries
  int64_t interval_ns = 0;        // log queries: Loki's `interval` sampling (0 = off)
  uint64_t limit = 100;           // log queries
  storage::Direction direction = storage::Direction::kBackward;
  const std::atomic<bool>* cancel = nullptr;
};

struct QueryResult {
  bool is_log = true;
  std::vector<LogEntry> entries;    // log queries, in `direction` order across all streams
  metric::MetricResult metric;      // metric queries
  QueryStats stats;
  std::vector<std::string> warnings;
};

// A selector-only request for the metadata endpoints (labels, series, stats, volume...).
struct MetadataRequest {
  std::string tenant;
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  std::vector<std::vector<storage::LabelMatcher>> selectors;  // union of selectors; empty = all streams
  const std::atomic<bool>* cancel = nullptr;
};

struct StreamInfo {
  model::LabelSet labels;
  uint64_t entries = 0;   // rows in range (blocks overlapping the range counted whole: an index estimate)
  uint64_t bytes = 0;     // uncompressed message bytes, same estimate
  uint64_t chunks = 0;    // blocks
};

struct DetectedField {
  std::string name;
  std::string type;                 // string | int | float | boolean | duration | bytes
  uint64_t cardinality = 0;
  std::vector<std::string> parsers; // "json", "logfmt"; empty = structured metadata (Loki answers null)
  std::vector<std::string> json_path;
};

struct Pattern {
  std::string pattern;  // with <_> placeholders
  std::string level;
  std::vector<std::pair<int64_t, uint64_t>> samples;  // (unix seconds at step start, count)
};

class QueryEngine {
 public:
  QueryEngine(storage::StorageEngine& storage, QueryEngineOptions options, observability::Registry& registry);
  ~QueryEngine();

  // InvalidArgument (400), DeadlineExceeded (504), ResourceExhausted (memory), Cancelled (499).
  base::Result<QueryResult> Execute(const QueryRequest& request);

  // Streams with rows in [start, end] matching any selector, with index-level estimates.
  base::Result<std::vector<StreamInfo>> Streams(const MetadataRequest& request);
  // Label names / values over those streams (sorted, unique). Structured metadata names are not included
  // (Loki's labels endpoint lists indexed labels only).
  base::Result<std::vector<std::string>> LabelNames(const MetadataRequest& request);
  base::Result<std::vector<std::string>> LabelValues(const MetadataRequest& request, const std::string& name);

  // Samples up to line_limit recent lines of the query and reports their fields (structured metadata, and
  // what json/logfmt would extract) with types and cardinalities.
  base::Result<std::vector<DetectedField>> DetectedFields(const QueryRequest& request, size_t line_limit);
  base::Result<std::vector<std::string>> DetectedFieldValues(const QueryRequest& request, size_t line_limit,
                                                             const std::string& name);
  // Clusters the query's lines by token shape into patterns with counts per step.
  base::Result<std::vector<Pattern>> Patterns(const QueryRequest& request);

  const QueryEngineOptions& options() const { return options_; }

  struct Impl;

 private:
  QueryEngineOptions options_;
  std::unique_ptr<Impl> impl_;
};

// Converts an AST selector to storage matchers (compiling regexes); InvalidArgument on a bad regex.
base::Result<std::vector<storage::LabelMatcher>> ToStorageMatchers(const Selector& selector);

}  // namespace strata::query

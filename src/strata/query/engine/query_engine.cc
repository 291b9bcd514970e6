#include "strata/query/engine/query_engine.h"

#include "strata/query/engine/log_query.h"
#include "strata/query/engine/metric_query.h"
#include "strata/query/engine/query_engine_impl.h"
#include "strata/storage/storage_engine.h"

namespace strata::query {

namespace {

const char* StatusLabel(const base::Status& st) {
  switch (st.code()) {
    case base::StatusCode::kOk: return "ok";
    case base::StatusCode::kInvalidArgument: return "bad_request";
    case base::StatusCode::kDeadlineExceeded: return "timeout";
    case base::StatusCode::kCancelled: return "cancelled";
    case base::StatusCode::kResourceExhausted: return "limit";
    default: return "error";
  }
}

}  // namespace

QueryEngine::Impl::Impl(storage::StorageEngine& s, const QueryEngineOptions& options,
                        observability::Registry& registry)
    : storage(s),
      gate(options.max_concurrent),
      requests(registry.AddCounter("strata_query_requests_total", "Queries executed, by kind and outcome.",
                                   {"kind", "status"})),
      duration(registry.AddHistogram("strata_query_duration_seconds", "Query execution time.", {"kind"},
                                     observability::Registry::LatencyBuckets())),
      lines(registry.AddCounter("strata_query_lines_processed_total", "Rows the query pipelines processed.", {})),
      bytes(registry.AddCounter("strata_query_bytes_processed_total", "Bytes the query pipelines processed.", {})),
      blocks(registry.AddCounter("strata_query_blocks_total",
                                 "Blocks considered by queries, by outcome (read or the index that pruned them).",
                                 {"outcome"})),
      in_flight(registry.AddGauge("strata_query_in_flight", "Queries running now.", {})) {}

ExecutionContext QueryEngine::Impl::Context(const std::string& tenant, const std::atomic<bool>* cancel,
                                            std::chrono::steady_clock::time_point deadline, uint64_t memory,
                                            QueryStats* stats) const {
  ExecutionContext ctx;
  ctx.storage = &storage;
  ctx.tenant = tenant;
  ctx.deadline = deadline;
  ctx.memory_budget_bytes = memory;
  ctx.cancel = cancel;
  ctx.stats = stats;
  return ctx;
}

void QueryEngine::Impl::Record(const char* kind, const base::Status& st, const QueryStats& stats) {
  requests.WithLabels({kind, StatusLabel(st)}).Inc();
  duration.WithLabels({kind}).Observe(stats.exec_time_seconds);
  lines.WithLabels({}).Inc(double(stats.lines_processed));
  bytes.WithLabels({}).Inc(double(stats.bytes_processed));
  const auto& s = stats.scan;
  blocks.WithLabels({"read"}).Inc(double(s.blocks_read));
  blocks.WithLabels({"pruned_by_time"}).Inc(double(s.blocks_pruned_by_time));
  blocks.WithLabels({"pruned_by_stream"}).Inc(double(s.blocks_pruned_by_stream));
  blocks.WithLabels({"pruned_by_token_index"}).Inc(double(s.blocks_pruned_by_token_index));
  blocks.WithLabels({"pruned_by_bloom_or_minmax"}).Inc(double(s.blocks_pruned_by_bloom_or_minmax));
  blocks.WithLabels({"counted_from_headers"}).Inc(double(s.blocks_counted_from_headers));
}

QueryEngine::QueryEngine(storage::StorageEngine& storage, QueryEngineOptions options,
                         observability::Registry& registry)
    : options_(std::move(options)), impl_(std::make_unique<Impl>(storage, options_, registry)) {}

QueryEngine::~QueryEngine() = default;

base::Result<QueryResult> QueryEngine::Execute(const QueryRequest& request) {
  using Clock = std::chrono::steady_clock;
  const auto started = Clock::now();
  const auto deadline = started + options_.timeout;
  QueryResult result;
  result.is_log = request.expr.IsLogQuery();
  const char* kind = result.is_log ? "log" : "metric";
  if (!impl_->gate.Acquire(deadline)) {
    base::Status st(base::StatusCode::kDeadlineExceeded, "timed out waiting for a free query slot");
    impl_->Record(kind, st, result.stats);
    return st;
  }
  QueryGate::Slot slot(&impl_->gate);
  impl_->in_flight.WithLabels({}).Add(1);
  const auto admitted = Clock::now();
  result.stats.queue_time_seconds = std::chrono::duration<double>(admitted - started).count();
  ExecutionContext ctx =
      impl_->Context(request.tenant, request.cancel, deadline, options_.max_memory_bytes, &result.stats);

  base::Status st;
  if (const auto* log = std::get_if<LogExpr>(&request.expr.node)) {
    if (request.limit > options_.max_entries_limit) {
      st = base::InvalidArgument("max entries limit per query exceeded, limit > max_entries_limit_per_query (" +
                                 std::to_string(request.limit) + " > " +
                                 std::to_string(options_.max_entries_limit) + ")");
    } else {
      auto entries = RunLogQuery(ctx, *log, request.start_ns, request.end_ns, request.limit, request.direction,
                                 request.interval_ns);
      if (entries.ok()) {
        result.entries = std::move(entries).value();
      } else {
        st = entries.status();
      }
    }
  } else {
    metric::StepGrid grid{request.start_ns, request.end_ns, request.step_ns};
    auto metric = RunMetricQuery(ctx, request.expr, grid, options_.metric_limits);
    if (metric.ok()) {
      result.metric = std::move(metric).value();
      result.warnings = result.metric.warnings;
    } else {
      st = metric.status();
    }
  }
  result.stats.entries_returned = result.entries.size();
  result.stats.exec_time_seconds = std::chrono::duration<double>(Clock::now() - admitted).count();
  impl_->in_flight.WithLabels({}).Add(-1);
  impl_->Record(kind, st, result.stats);
  if (!st.ok()) return st;
  return result;
}

}  // namespace strata::query

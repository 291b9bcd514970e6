#include "strata/query/engine/log_query.h"

#include <algorithm>
#include <map>
#include <queue>

#include "strata/query/engine/field_pushdown.h"
#include "strata/query/engine/row_labels.h"
#include "strata/query/pipeline/pipeline.h"
#include "strata/storage/storage_engine.h"

namespace strata::query {

void AccumulateScanStats(const storage::ScanStats& s, QueryStats* stats) {
  auto& t = stats->scan;
  t.parts += s.parts;
  t.blocks_total += s.blocks_total;
  t.blocks_pruned_by_time += s.blocks_pruned_by_time;
  t.blocks_pruned_by_stream += s.blocks_pruned_by_stream;
  t.blocks_pruned_by_token_index += s.blocks_pruned_by_token_index;
  t.blocks_pruned_by_bloom_or_minmax += s.blocks_pruned_by_bloom_or_minmax;
  t.blocks_read += s.blocks_read;
  t.head_batches_read += s.head_batches_read;
  t.rows_scanned += s.rows_scanned;
  t.rows_matched += s.rows_matched;
  t.bytes_decompressed += s.bytes_decompressed;
  t.rows_hidden_by_deletes += s.rows_hidden_by_deletes;
  t.corrupt_blocks += s.corrupt_blocks;
  t.blocks_counted_from_headers += s.blocks_counted_from_headers;
}

namespace {

// Strict order of results: by time in the requested direction; ties by stream labels, then line, so results do
// not depend on the scan's parallelism.
struct EntryOrder {
  bool backward;
  bool operator()(const LogEntry& a, const LogEntry& b) const {  // true when a comes first
    if (a.timestamp_ns != b.timestamp_ns) return backward ? a.timestamp_ns > b.timestamp_ns : a.timestamp_ns < b.timestamp_ns;
    if (a.stream != b.stream) return a.stream < b.stream;
    if (a.structured_metadata != b.structured_metadata) return a.structured_metadata < b.structured_metadata;
    if (a.parsed != b.parsed) return a.parsed < b.parsed;
    return a.line < b.line;
  }
};

// Loki's `interval`: walking the entries in the query's direction, the first one is kept, then the next one (of
// any stream) at least `interval` after (forward) or before (backward) the previous kept one.
std::vector<LogEntry> SampleByInterval(std::vector<LogEntry> ordered, bool backward, int64_t interval_ns,
                                       uint64_t limit) {
  std::vector<LogEntry> out;
  for (auto& e : ordered) {
    if (limit > 0 && out.size() >= limit) break;
    if (!out.empty()) {
      int64_t last = out.back().timestamp_ns;
      if (backward ? e.timestamp_ns > last - interval_ns : e.timestamp_ns < last + interval_ns) continue;
    }
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace

base::Result<std::vector<LogEntry>> RunLogQuery(const ExecutionContext& ctx, const LogExpr& expr, int64_t start_ns,
                                                int64_t end_ns, uint64_t limit, storage::Direction direction,
                                                int64_t interval_ns) {
  ASSIGN_OR_RETURN(Pipeline pipeline, Pipeline::Compile(expr.stages));
  ASSIGN_OR_RETURN(auto matchers, ToStorageMatchers(expr.selector));
  if (end_ns <= start_ns) return std::vector<LogEntry>{};

  // With `interval`, sampling needs every entry in order before the limit applies.
  const bool sampling = interval_ns > 0;
  const storage::Direction scan_direction = direction;
  const uint64_t keep = sampling ? 0 : limit;
  const bool backward = scan_direction == storage::Direction::kBackward;

  storage::ScanRequest scan = ctx.BaseScan();
  scan.from = start_ns;
  scan.to = end_ns - 1;  // log queries are [start, end)
  scan.predicates = pipeline.pushdown();
  for (auto& p : FieldPushdown(ctx, expr, matchers, scan.from, scan.to)) scan.predicates.push_back(std::move(p));
  scan.matchers = std::move(matchers);
  scan.direction = scan_direction;
  // Without stages (or with only line filters the scan evaluates exactly) every matching row is a result, so the
  // scan itself can stop at the limit.
  if (pipeline.empty() || pipeline.pushdown_is_exact()) scan.limit = keep;
  std::atomic<int64_t> cutoff(backward ? INT64_MIN : INT64_MAX);
  if (keep > 0) scan.cutoff_ns = &cutoff;

  EntryOrder first{backward};
  // The pipeline runs on the scan's workers (ScanRequest::prepare), each batch into a PreparedEntries; the
  // visitor merges them in order on this thread.
  struct PreparedEntries {
    std::vector<LogEntry> entries;  // in the scan's order; `keep` and ties on time (the rest could never be returned)
    uint64_t lines = 0, bytes = 0, structured_metadata_bytes = 0;
  };
  scan.prepare = [&pipeline, &cutoff, keep, backward](storage::RowBatch& batch) {
    thread_local LabelsBuilder labels;
    thread_local std::string line;
    auto out = std::make_shared<PreparedEntries>();
    const int64_t bound = cutoff.load(std::memory_order_relaxed);
    for (size_t i = 0; i < batch.size(); ++i) {
      const int64_t ts = batch.timestamps[i];
      // Rows come in the scan's order: once one is behind the top-N boundary, so are the rest.
      if (backward ? ts < bound : ts > bound) break;
      // Past `keep` entries only rows tying with the last on time can still enter (ties order by labels, line).
      if (keep > 0 && out->entries.size() >= keep && ts != out->entries.back().timestamp_ns) break;
      size_t sm_bytes = 0;
      out->bytes += RowBytes(batch, i, &sm_bytes);
      out->structured_metadata_bytes += sm_bytes;
      ++out->lines;
      LoadRowLabels(batch, i, labels);
      line.assign(batch.messages.at(i));
      if (!pipeline.Process(ts, line, labels)) continue;
      LogEntry e;
      e.timestamp_ns = ts;
      e.line = line;
      e.stream = labels.Of(LabelSource::kStream);
      e.structured_metadata = labels.Of(LabelSource::kStructuredMetadata);
      e.parsed = labels.Of(LabelSource::kParsed);
      out->entries.push_back(std::move(e));
    }
    batch.prepared = std::move(out);
  };

  // A heap whose top is the worst kept entry.
  std::priority_queue<LogEntry, std::vector<LogEntry>, EntryOrder> heap(first);
  std::vector<LogEntry> all;
  QueryStats& stats = *ctx.stats;
  base::Status memory_status;
  uint64_t held_bytes = 0;

  auto visit = [&](const storage::RowBatch& batch) -> bool {
    auto* prepared = static_cast<PreparedEntries*>(batch.prepared.get());
    if (!prepared) return true;
    stats.lines_processed += prepared->lines;
    stats.bytes_processed += prepared->bytes;
    stats.structured_metadata_bytes += prepared->structured_metadata_bytes;
    stats.post_filter_lines += prepared->entries.size();
    for (LogEntry& e : prepared->entries) {
      if (keep == 0) {
        held_bytes += e.line.size() + 64;
        if (held_bytes > ctx.memory_budget_bytes) {
          memory_status = base::ResourceExhausted("query exceeded its memory limit of " +
                                                  std::to_string(ctx.memory_budget_bytes) + " bytes");
          return false;
        }
        all.push_back(std::move(e));
        continue;
      }
      if (heap.size() < keep) {
        heap.push(std::move(e));
      } else if (first(e, heap.top())) {
        heap.pop();
        heap.push(std::move(e));
      } else {
        continue;
      }
      if (heap.size() >= keep) cutoff.store(heap.top().timestamp_ns, std::memory_order_relaxed);
    }
    return true;
  };
  storage::ScanStats scan_stats;
  base::Status st = ctx.storage->Scan(scan, visit, &scan_stats);
  AccumulateScanStats(scan_stats, ctx.stats);
  RETURN_IF_ERROR(st);
  RETURN_IF_ERROR(memory_status);

  std::vector<LogEntry> out;
  if (keep == 0) {
    out = std::move(all);
  } else {
    out.reserve(heap.size());
    while (!heap.empty()) {
      out.push_back(std::move(const_cast<LogEntry&>(heap.top())));
      heap.pop();
    }
  }
  std::sort(out.begin(), out.end(), first);
  if (sampling) out = SampleByInterval(std::move(out), backward, interval_ns, limit);
  return out;
}

}  // namespace strata::query

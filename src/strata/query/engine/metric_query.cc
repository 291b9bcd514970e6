#include "strata/query/engine/metric_query.h"

#include <algorithm>
#include <optional>
#include <unordered_map>

#include "strata/query/engine/field_pushdown.h"
#include "strata/query/engine/row_labels.h"
#include "strata/query/pipeline/pipeline.h"
#include "strata/storage/storage_engine.h"

namespace strata::query {

namespace {

// Labels a range aggregation's series may be reduced to while scanning (see metric_query.h).
struct Projection {
  const RangeAggregation* node;  // into the evaluated Expr (the evaluator passes its own nodes to `fill`)
  bool without = false;
  std::vector<std::string> labels;
};

bool Decomposable(VectorOp outer, RangeOp inner) {
  switch (outer) {
    case VectorOp::kSum:
      return inner == RangeOp::kCountOverTime || inner == RangeOp::kRate || inner == RangeOp::kBytesOverTime ||
             inner == RangeOp::kBytesRate || inner == RangeOp::kSumOverTime;
    case VectorOp::kMax: return inner == RangeOp::kMaxOverTime;
    case VectorOp::kMin: return inner == RangeOp::kMinOverTime;
    default: return false;
  }
}

void FindProjections(const Expr& e, std::vector<Projection>& out) {
  std::visit(
      [&](const auto& n) {
        using T = std::decay_t<decltype(n)>;
        if constexpr (std::is_same_v<T, VectorAggregation>) {
          const auto* inner = std::get_if<RangeAggregation>(&n.inner->node);
          if (inner && !inner->grouping && Decomposable(n.op, inner->op)) {
            Projection p;
            p.node = inner;
            if (n.grouping) {
              p.without = n.grouping->without;
              p.labels = n.grouping->labels;
            }
            out.push_back(std::move(p));
          } else {
            FindProjections(*n.inner, out);
          }
        } else if constexpr (std::is_same_v<T, BinaryExpr>) {
          FindProjections(*n.lhs, out);
          FindProjections(*n.rhs, out);
        } else if constexpr (std::is_same_v<T, LabelReplaceExpr>) {
          FindProjections(*n.inner, out);
        }
      },
      e.node);
}

void AddFilterNames(const LabelFilter& f, std::vector<std::string>& out) {
  if (f.kind == LabelFilter::Kind::kAnd || f.kind == LabelFilter::Kind::kOr) {
    if (f.left) AddFilterNames(*f.left, out);
    if (f.right) AddFilterNames(*f.right, out);
    return;
  }
  out.push_back(f.name);
}

// The field columns a range aggregation reads when its series are projected onto `projection` (a `by`
// grouping): the grouping's labels and the labels its filters and unwrap read. nullopt when a stage may read or
// create labels we cannot name (parsers, formatters, drop/keep, DSL filters), or without such a projection.
std::optional<std::vector<std::string>> NeededFields(const RangeAggregation& node, const Projection* projection) {
  if (!projection || projection->without) return std::nullopt;
  std::vector<std::string> names = projection->labels;
  for (const Stage& stage : node.range.log.stages) {
    if (std::holds_alternative<LineFilterStage>(stage)) continue;
    const auto* lf = std::get_if<LabelFilterStage>(&stage);
    if (!lf) return std::nullopt;
    AddFilterNames(lf->filter, names);
  }
  if (node.range.unwrap) {
    names.push_back(node.range.unwrap->label);
    for (const LabelFilter& f : node.range.unwrap->post_filters) AddFilterNames(f, names);
  }
  // A structured-metadata value that collides with a stream label is renamed `<name>_extracted`.
  const size_t n = names.size();
  for (size_t i = 0; i < n; ++i) {
    constexpr std::string_view kExtracted = "_extracted";
    if (names[i].ends_with(kExtracted)) names.push_back(names[i].substr(0, names[i].size() - kExtracted.size()));
  }
  return names;
}

bool HasLineFilter(const LogExpr& log) {
  return std::any_of(log.stages.begin(), log.stages.end(),
                     [](const Stage& s) { return std::holds_alternative<LineFilterStage>(s); });
}

model::LabelSet Project(model::LabelSet labels, const Projection* p) {
  if (!p) return labels;
  std::erase_if(labels, [&](const model::Field& f) {
    bool named = std::find(p->labels.begin(), p->labels.end(), f.name) != p->labels.end();
    return p->without ? named : !named;
  });
  return labels;
}

std::string SeriesKey(const model::LabelSet& labels) {
  std::string key;
  for (const auto& l : labels) {
    key += l.name;
    key.push_back('\0');
    key += l.value;
    key.push_back('\0');
  }
  return key;
}

std::string PipelineError(const model::LabelSet& labels) {
  std::string error, series = "{";
  for (const auto& l : labels) {
    if (l.name == "__error__") error = l.value;
    if (series.size() > 1) series += ", ";
    series += l.name + "=\"" + l.value + "\"";
  }
  series += "}";
  return "pipeline error: '" + error + "' for series: '" + series +
         "'.\nUse a label filter to intentionally skip this error. (e.g | __error__!=\"" + error +
         "\").\nTo skip all potential errors you can match empty errors.(e.g __error__=\"\")\nThe label filter can "
         "also be specified after unwrap. (e.g | unwrap latency | __error__=\"\" )";
}

// One batch's samples after the pipeline, grouped by series labels (computed on a scan worker).
struct PreparedSamples {
  std::vector<std::pair<model::LabelSet, std::vector<std::pair<int64_t, double>>>> series;
  uint64_t lines = 0, bytes = 0, structured_metadata_bytes = 0;
  base::Status error;
};

}  // namespace

base::Result<metric::MetricResult> RunMetricQuery(const ExecutionContext& ctx, const Expr& expr,
                                                  const metric::StepGrid& grid, const metric::Limits& limits) {
  std::vector<Projection> projections;
  FindProjections(expr, projections);

  metric::FillRange fill = [&](const RangeAggregation& node, metric::RangeVectorBuilder& builder) -> base::Status {
    const Projection* projection = nullptr;
    for (const auto& p : projections) {
      if (p.node == &node) projection = &p;
    }
    ASSIGN_OR_RETURN(SampleExtractor extractor, SampleExtractor::Compile(node));
    ASSIGN_OR_RETURN(auto matchers, ToStorageMatchers(node.range.log.selector));
    storage::ScanRequest scan = ctx.BaseScan();
    scan.from = builder.data_from_ns();
    scan.to = builder.data_to_ns();
    if (scan.to < scan.from) return base::Status::Ok();
    scan.predicates = extractor.pipeline().pushdown();
    for (auto& p : FieldPushdown(ctx, node.range.log, matchers, scan.from, scan.to)) {
      scan.predicates.push_back(std::move(p));
    }
    scan.matchers = std::move(matchers);
    scan.direction = storage::Direction::kForward;
    // No stage left for the pipeline: none at all, or only line filters the scan evaluates exactly.
    const bool no_stages = (node.range.log.stages.empty() || extractor.pipeline().pushdown_is_exact()) &&
                           !node.range.unwrap;
    const std::optional<std::vector<std::string>> needed_fields = NeededFields(node, projection);
    // A count reads no line unless a line filter does (label filters read labels only).
    scan.need_message = !(extractor.kind() == SampleExtractor::Kind::kCount &&
                          (no_stages || (needed_fields && !HasLineFilter(node.range.log))));
    // A pure count needs no row of a block that lies inside one interval of the window grid: its header says
    // how many rows it has.
    if (no_stages && extractor.kind() == SampleExtractor::Kind::kCount) {
      scan.whole_block = [&builder](int64_t min_ts, int64_t max_ts) { return builder.SameInterval(min_ts, max_ts); };
    }
    // Fields are structured metadata, hence series labels: only a projection that does not keep them, with a
    // pipeline that reads only labels it names, lets the scan skip their columns.
    if (needed_fields) {
      scan.all_fields = false;
      scan.fields = *needed_fields;
    }

    QueryStats& stats = *ctx.stats;
    base::Status error;
    std::unordered_map<std::string, uint32_t> series_ids;
    auto series_for = [&](const model::LabelSet& raw) {
      model::LabelSet projected = Project(raw, projection);  // idempotent: prepared series are projected already
      std::string key = SeriesKey(projected);
      auto it = series_ids.find(key);
      if (it != series_ids.end()) return it->second;
      uint32_t id = builder.SeriesFor(projected);
      series_ids.emplace(std::move(key), id);
      return id;
    };

    // The pipeline and extraction run on the scan's workers (ScanRequest::prepare): each batch becomes samples
    // grouped by (projected) series labels; the visitor feeds them to the builder in order on this thread.
    const bool need_message = scan.need_message;
    scan.prepare = [&extractor, projection, need_message, no_stages](storage::RowBatch& batch) {
      if (no_stages && batch.fields.empty() && extractor.kind() != SampleExtractor::Kind::kUnwrap) return;
      thread_local LabelsBuilder labels;
      thread_local std::string line;
      auto out = std::make_shared<PreparedSamples>();
      std::unordered_map<std::string, size_t> index;
      for (size_t i = 0; i < batch.size(); ++i) {
        size_t sm_bytes = 0;
        out->bytes += RowBytes(batch, i, &sm_bytes);
        out->structured_metadata_bytes += sm_bytes;
        ++out->lines;
        LoadRowLabels(batch, i, labels);
        if (need_message) {
          line.assign(batch.messages.at(i));
        } else {
          line.clear();
        }
        double value = 0;
        if (no_stages && extractor.kind() != SampleExtractor::Kind::kUnwrap) {
          // The scan applied the whole pipeline (the message may not even be read).
          value = extractor.kind() == SampleExtractor::Kind::kBytes ? double(line.size()) : 1.0;
        } else if (!extractor.Process(batch.timestamps[i], line, labels, &value)) {
          continue;
        }
        if (labels.HasError()) {
          out->error = base::InvalidArgument(PipelineError(labels.All()));
          break;
        }
        model::LabelSet series = Project(labels.All(), projection);
        std::string key = SeriesKey(series);
        auto [it, inserted] = index.try_emplace(std::move(key), out->series.size());
        if (inserted) out->series.emplace_back(std::move(series), std::vector<std::pair<int64_t, double>>{});
        out->series[it->second].second.emplace_back(batch.timestamps[i], value);
      }
      batch.prepared = std::move(out);
    };

    auto visit = [&](const storage::RowBatch& batch) -> bool {
      if (batch.whole_block_rows > 0) {
        static const model::LabelSet kNoLabels;
        uint32_t id = series_for(batch.labels ? *batch.labels : kNoLabels);
        stats.lines_processed += batch.whole_block_rows;
        stats.post_filter_lines += batch.whole_block_rows;
        base::Status st = builder.AddRepeated(id, batch.block_min_ts, batch.whole_block_rows, 1.0);
        if (!st.ok()) {
          error = st;
          return false;
        }
        return true;
      }
      // Fast path: nothing can change labels or drop rows and there are no fields: one series per batch.
      if (no_stages && batch.fields.empty() && extractor.kind() != SampleExtractor::Kind::kUnwrap) {
        static const model::LabelSet kNoLabels;
        uint32_t id = series_for(batch.labels ? *batch.labels : kNoLabels);
        if (extractor.kind() == SampleExtractor::Kind::kCount) {
          base::Status st = builder.AddAll(id, batch.timestamps, 1.0);
          if (!st.ok()) {
            error = st;
            return false;
          }
          for (size_t i = 0; i < batch.messages.size(); ++i) stats.bytes_processed += batch.messages.at(i).size();
          stats.lines_processed += batch.size();
          stats.post_filter_lines += batch.size();
          return true;
        }
        for (size_t i = 0; i < batch.size(); ++i) {
          double v = 1;
          if (extractor.kind() == SampleExtractor::Kind::kBytes) v = double(batch.messages.at(i).size());
          stats.bytes_processed += i < batch.messages.size() ? batch.messages.at(i).size() : 0;
          base::Status st = builder.Add(id, batch.timestamps[i], v);
          if (!st.ok()) {
            error = st;
            return false;
          }
        }
        stats.lines_processed += batch.size();
        stats.post_filter_lines += batch.size();
        return true;
      }
      auto* prepared = static_cast<PreparedSamples*>(batch.prepared.get());
      if (!prepared) return true;
      stats.lines_processed += prepared->lines;
      stats.bytes_processed += prepared->bytes;
      stats.structured_metadata_bytes += prepared->structured_metadata_bytes;
      if (!prepared->error.ok()) {
        error = prepared->error;
        return false;
      }
      for (const auto& [labels, samples] : prepared->series) {
        stats.post_filter_lines += samples.size();
        uint32_t id = series_for(labels);
        for (const auto& [ts, value] : samples) {
          base::Status st = builder.Add(id, ts, value);
          if (!st.ok()) {
            error = st;
            return false;
          }
        }
      }
      return true;
    };
    storage::ScanStats scan_stats;
    base::Status st = ctx.storage->Scan(scan, visit, &scan_stats);
    AccumulateScanStats(scan_stats, ctx.stats);
    RETURN_IF_ERROR(st);
    if (!error.ok() && !scan.all_fields && error.code() == base::StatusCode::kInvalidArgument) {
      // A pipeline error names the series with all its labels: scan again with every field for the message (the
      // same rows in the same order fail first; the query fails either way).
      scan.all_fields = true;
      scan.fields.clear();
      const base::Status restricted_error = error;
      error = base::Status::Ok();
      auto first_error = [&error](const storage::RowBatch& batch) {
        const auto* prepared = static_cast<const PreparedSamples*>(batch.prepared.get());
        if (prepared && !prepared->error.ok()) error = prepared->error;
        return error.ok();
      };
      storage::ScanStats again;
      RETURN_IF_ERROR(ctx.storage->Scan(scan, first_error, &again));
      if (error.ok()) error = restricted_error;
    }
    return error;
  };
  return metric::Evaluate(expr, grid, fill, limits);
}

}  // namespace strata::query

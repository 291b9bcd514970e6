#pragma once
// Metric query evaluation: LogQL range aggregations over a step grid, vector aggregations, binary operators with
// vector matching, literals, vector(), label_replace, sort/topk... (../shared/reference/loki.md §2.4).
//
// The evaluator never touches storage. For each range aggregation in the tree it calls `fill` once with a
// RangeVectorBuilder; the engine scans the builder's data range, runs the pipeline and feeds every surviving
// entry's sample (series labels, timestamp, value) in any order. The builder folds samples into the step grid
// with bounded memory (decomposable functions keep per-step partial aggregates; quantile/first/last/rate_counter
// keep the samples, counted against Limits::max_samples) and produces one series per label set (grouping
// applied). Windows are (t - range - offset, t - offset].
//
// Choices where Loki has no answer or the DSL needs one:
//  - range_ns == 0 (the DSL's "whole query range"): the window of t is (t - step - offset, t - offset] on a range
//    grid (the steps tile the range), and (-inf, t - offset] on an instant grid (data_from_ns() is then INT64_MIN;
//    rate, bytes_rate and rate_counter give no point over such an unbounded window).
//  - Limits::max_samples counts both held samples (quantile_over_time, rate_counter) and per-interval partial
//    aggregates (one per series and elementary interval, at most 2 x steps per series); first/last_over_time are
//    decomposable (earliest/latest sample per interval), so they hold no samples.
//  - The max_series * 10 series cap of a builder counts series after the range op's by/without grouping.
//  - rate_counter: Prometheus extrapolation over the window's bounds; one sample in a window gives 0 (as Loki).
//
// Results: a matrix (points ascending, only steps that have a value), or a scalar for a literal-only expression.
// An instant query is a grid with start == end (step ignored); the API layer renders one point as a vector.
//
// Thread-safety: a builder is used by one thread at a time; Evaluate is reentrant.

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "strata/base/status.h"
#include "strata/model/log_record.h"
#include "strata/query/lang/ast.h"

namespace strata::query::metric {

struct Point {
  int64_t t_ns = 0;
  double v = 0;
  bool operator==(const Point&) const = default;
};

struct Series {
  model::LabelSet metric;
  std::vector<Point> points;  // ascending by time
  bool operator==(const Series&) const = default;
};

struct StepGrid {
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  int64_t step_ns = 0;  // > 0 for range queries; ignored when start == end
  size_t size() const { return step_ns > 0 && end_ns > start_ns ? size_t((end_ns - start_ns) / step_ns) + 1 : 1; }
  int64_t at(size_t i) const { return start_ns + int64_t(i) * step_ns; }
};

struct Limits {
  size_t max_series = 500;               // over it: the result is truncated and a warning added (not an error)
  uint64_t max_samples = 50'000'000;     // samples held at once (ResourceExhausted above it)
};

class RangeVectorBuilder {
 public:
  RangeVectorBuilder(const RangeAggregation& node, const StepGrid& grid, const Limits& limits);
  ~RangeVectorBuilder();
  RangeVectorBuilder(RangeVectorBuilder&&) noexcept;

  // The data the builder needs: timestamps in [data_from_ns, data_to_ns] (the union of all windows).
  int64_t data_from_ns() const;
  int64_t data_to_ns() const;

  // Series ids for label sets (post-pipeline labels, unwrapped label removed); stable within one builder.
  uint32_t SeriesFor(const model::LabelSet& labels);
  // A sample of series `id` (any order; samples outside every window are ignored). ResourceExhausted when the
  // builder would hold more than Limits::max_samples samples or max_series * 10 raw series.
  base::Status Add(uint32_t id, int64_t t_ns, double value);
  // `n` samples of the same value whose timestamps all lie in [min_ns, max_ns], where SameInterval(min_ns,
  // max_ns) holds: they fall into the same windows, so one timestamp stands for all (a block counted from its
  // header, without decoding its timestamps).
  base::Status AddRepeated(uint32_t id, int64_t min_ns, uint64_t n, double value);
  // Samples of one value at the times `ts` (ascending, as in a forward scan's batch: then each run of times in
  // one elementary interval costs one AddRepeated instead of a window lookup per sample).
  base::Status AddAll(uint32_t id, std::span<const int64_t> ts, double value);
  // True when every timestamp in [a_ns, b_ns] belongs to exactly the same windows (one elementary interval).
  // Thread-safe (reads the immutable window layout), so scan workers may ask.
  bool SameInterval(int64_t a_ns, int64_t b_ns) const;

  // The range aggregation's result (grouping by/without applied for the ops that allow it).
  base::Result<std::vector<Series>> Finish();

  struct State;

 private:
  std::unique_ptr<State> state_;
};

struct MetricResult {
  enum class Type { kMatrix, kScalar };
  Type type = Type::kMatrix;
  std::vector<Series> series;       // kMatrix
  std::vector<Point> scalar;        // kScalar: one point per step
  std::vector<std::string> warnings;
};

// `node` refers into the Expr given to Evaluate (callers may key per-node plans by its address).
using FillRange = std::function<base::Status(const RangeAggregation& node, RangeVectorBuilder& builder)>;

// InvalidArgument for evaluation errors Loki reports as 400s (e.g. many-to-many matching: Loki's text).
base::Result<MetricResult> Evaluate(const Expr& expr, const StepGrid& grid, const FillRange& fill,
                                    const Limits& limits = {});

}  // namespace strata::query::metric

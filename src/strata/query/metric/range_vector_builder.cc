// RangeVectorBuilder: folds the samples of one range aggregation into its windows (see window_layout.h for the
// window arithmetic and range_functions.h for the per-window functions).

#include <algorithm>
#include <limits>
#include <string>
#include <unordered_map>

#include "strata/query/metric/evaluator.h"
#include "strata/query/metric/range_functions.h"
#include "strata/query/metric/step_matrix.h"
#include "strata/query/metric/window_layout.h"

namespace strata::query::metric {

using internal::Partial;
using internal::TimedValue;
using internal::WindowLayout;

namespace {

constexpr uint32_t kRejectedSeries = std::numeric_limits<uint32_t>::max();

// The cells of one series: a dense run [base, base + cells.size()) grown on demand, so a series that only has
// samples in a few steps does not pay for the whole grid.
struct CellRow {
  uint32_t base = 0;
  std::vector<Partial> cells;
};

// Sliding-window merge over cells with amortised O(1) push/pop for any associative Merge ("two stacks" queue):
// `front_` holds suffix merges of the older items (oldest on top), `back_` the newer items plus their merge. No
// inverse operation is needed, so min/max/first/last slide as cheaply as sums, and sums never subtract.
class SlidingMerge {
 public:
  explicit SlidingMerge(RangeOp op) : op_(op) {}
  void Push(const Partial& p) {
    back_.push_back(p);
    back_merged_ = internal::Merge(op_, back_merged_, p);
  }
  void Pop() {
    if (front_.empty()) {
      Partial acc;
      for (size_t j = back_.size(); j-- > 0;) {
        acc = internal::Merge(op_, back_[j], acc);
        front_.push_back(acc);
      }
      back_.clear();
      back_merged_ = Partial{};
    }
    front_.pop_back();
  }
  Partial Merged() const {
    return front_.empty() ? back_merged_ : internal::Merge(op_, front_.back(), back_merged_);
  }
  void Clear() {
    front_.clear();
    back_.clear();
    back_merged_ = Partial{};
  }

 private:
  RangeOp op_;
  std::vector<Partial> front_;
  std::vector<Partial> back_;
  Partial back_merged_;
};

model::LabelSet AbsentLabels(const Selector& selector) {
  // Prometheus' absent(): the equality matchers' labels, except a name matched twice (its value is ambiguous).
  model::LabelSet out;
  std::vector<std::string> ambiguous;
  for (const auto& m : selector.matchers) {
    if (m.op != MatchOp::kEq) continue;
    bool seen = false;
    for (const auto& f : out) seen = seen || f.name == m.name;
    if (seen) {
      ambiguous.push_back(m.name);
    } else {
      out.push_back({m.name, m.value});
    }
  }
  out = internal::DropLabels(out, ambiguous);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

struct RangeVectorBuilder::State {
  State(const RangeAggregation& node, const StepGrid& grid, const Limits& lim)
      : op(node.op),
        phi(node.param.value_or(0)),
        grouping(node.grouping),
        layout(grid, node.range.range_ns, node.range.offset_ns),
        limits(lim) {
    if (op == RangeOp::kAbsentOverTime) {
      absent_labels = AbsentLabels(node.range.log.selector);
      absent_counts.assign(layout.cell_count(), 0);
    }
  }

  base::Status Hold(uint64_t more) {
    held += more;
    if (held > limits.max_samples) {
      return base::ResourceExhausted("the query would hold more than " + std::to_string(limits.max_samples) +
                                     " samples in memory (max_samples); reduce the query's time range, its "
                                     "cardinality or the number of steps");
    }
    return base::Status::Ok();
  }

  base::Status AddDecomposable(uint32_t id, uint32_t cell, int64_t t, double v, uint64_t n = 1) {
    CellRow& row = rows[id];
    if (row.cells.empty()) {
      row.base = cell;
      row.cells.resize(1);
      RETURN_IF_ERROR(Hold(1));
    } else if (cell < row.base) {
      // Grow towards the past geometrically, so backward scans stay amortised O(1) per sample.
      uint32_t grow = std::max<uint32_t>(row.base - cell, uint32_t(row.cells.size()));
      grow = std::min(grow, row.base);
      std::vector<Partial> cells(row.cells.size() + grow);
      std::copy(row.cells.begin(), row.cells.end(), cells.begin() + grow);
      row.cells = std::move(cells);
      row.base -= grow;
      RETURN_IF_ERROR(Hold(grow));
    } else if (cell - row.base >= row.cells.size()) {
      size_t grow = cell - row.base + 1 - row.cells.size();
      row.cells.resize(row.cells.size() + grow);
      RETURN_IF_ERROR(Hold(grow));
    }
    if (n == 1) {
      internal::AddSample(op, row.cells[cell - row.base], t, v);
    } else {
      internal::AddSamples(op, row.cells[cell - row.base], t, v, n);
    }
    return base::Status::Ok();
  }

  std::vector<Point> FinishDecomposable(const CellRow& row) const {
    std::vector<Point> points;
    if (row.cells.empty()) return points;
    SlidingMerge window(op);
    uint32_t row_end = row.base + uint32_t(row.cells.size());
    uint32_t lo = row.base, hi = row.base;  // cells [lo, hi) are in `window`
    for (size_t i = 0; i < layout.window_count(); ++i) {
      uint32_t first = std::max(layout.first_cell(i), row.base);
      uint32_t end = std::min(layout.end_cell(i), row_end);
      if (first >= end) {
        window.Clear();
        lo = hi = std::max(hi, first);
        continue;
      }
      for (; hi < end; ++hi) window.Push(row.cells[hi - row.base]);
      for (; lo < first; ++lo) window.Pop();
      if (auto v = internal::PartialResult(op, window.Merged(), layout.range_seconds())) {
        points.push_back({layout.grid_time(i), *v});
      }
    }
    return points;
  }

  std::vector<Point> FinishSamples(std::vector<TimedValue>& samples) const {
    std::vector<Point> points;
    std::stable_sort(samples.begin(), samples.end(),
                     [](const TimedValue& a, const TimedValue& b) { return a.t < b.t; });
    std::vector<double> scratch;
    size_t lo = 0, hi = 0;
    for (size_t i = 0; i < layout.window_count(); ++i) {
      int64_t from = layout.from(i), to = layout.to(i);
      while (lo < samples.size() && samples[lo].t <= from) ++lo;
      hi = std::max(hi, lo);
      while (hi < samples.size() && samples[hi].t <= to) ++hi;
      if (lo == hi) continue;
      std::span<const TimedValue> in(samples.data() + lo, hi - lo);
      if (op == RangeOp::kQuantileOverTime) {
        scratch.clear();
        for (const auto& s : in) scratch.push_back(s.v);
        points.push_back({layout.grid_time(i), internal::Quantile(phi, scratch)});
      } else if (!layout.unbounded()) {  // rate_counter: an unbounded window has no duration to divide by
        points.push_back({layout.grid_time(i), internal::CounterRate(in, from, to)});
      }
    }
    return points;
  }

  std::vector<Point> FinishAbsent() const {
    std::vector<uint64_t> before(absent_counts.size() + 1, 0);
    for (size_t c = 0; c < absent_counts.size(); ++c) before[c + 1] = before[c] + absent_counts[c];
    std::vector<Point> points;
    for (size_t i = 0; i < layout.window_count(); ++i) {
      if (before[layout.end_cell(i)] == before[layout.first_cell(i)]) points.push_back({layout.grid_time(i), 1});
    }
    return points;
  }

  RangeOp op;
  double phi;
  std::optional<Grouping> grouping;
  WindowLayout layout;
  Limits limits;
  model::LabelSet absent_labels;
  std::vector<uint64_t> absent_counts;  // absent_over_time: samples per cell over all series

  std::unordered_map<model::LabelSet, uint32_t, internal::LabelSetHash> ids;
  std::vector<model::LabelSet> labels;
  std::vector<CellRow> rows;                       // decomposable ops
  std::vector<std::vector<TimedValue>> samples;    // quantile_over_time, rate_counter
  uint64_t held = 0;
};

RangeVectorBuilder::RangeVectorBuilder(const RangeAggregation& node, const StepGrid& grid, const Limits& limits)
    : state_(std::make_unique<State>(node, grid, limits)) {}
RangeVectorBuilder::~RangeVectorBuilder() = default;
RangeVectorBuilder::RangeVectorBuilder(RangeVectorBuilder&&) noexcept = default;

int64_t RangeVectorBuilder::data_from_ns() const { return state_->layout.data_from(); }
int64_t RangeVectorBuilder::data_to_ns() const { return state_->layout.data_to(); }

uint32_t RangeVectorBuilder::SeriesFor(const model::LabelSet& labels) {
  State& s = *state_;
  if (s.op == RangeOp::kAbsentOverTime) return 0;  // only "any sample at all" matters
  model::LabelSet key = labels;
  auto by_name = [](const model::Field& a, const model::Field& b) { return a.name < b.name; };
  if (!std::is_sorted(key.begin(), key.end(), by_name)) model::CanonicalizeLabels(key);
  // Loki groups the input series of a range operation before applying the function.
  if (s.grouping) key = internal::GroupKey(key, &*s.grouping);
  auto it = s.ids.find(key);
  if (it != s.ids.end()) return it->second;
  if (s.limits.max_series > 0 && s.labels.size() >= s.limits.max_series * 10) return kRejectedSeries;
  uint32_t id = uint32_t(s.labels.size());
  s.ids.emplace(key, id);
  s.labels.push_back(std::move(key));
  if (internal::IsDecomposable(s.op)) {
    s.rows.emplace_back();
  } else {
    s.samples.emplace_back();
  }
  return id;
}

base::Status RangeVectorBuilder::Add(uint32_t id, int64_t t_ns, double value) {
  State& s = *state_;
  if (id == kRejectedSeries) {
    return base::ResourceExhausted("maximum number of series (" + std::to_string(s.limits.max_series * 10) +
                                   ") reached while evaluating a range aggregation; consider reducing query "
                                   "cardinality by adding more filters or using aggregations");
  }
  auto cell = s.layout.CellOf(t_ns);
  if (!cell) return base::Status::Ok();
  if (s.op == RangeOp::kAbsentOverTime) {
    ++s.absent_counts[*cell];
    return base::Status::Ok();
  }
  if (id >= s.labels.size()) return base::Internal("RangeVectorBuilder::Add: unknown series id");
  if (internal::IsDecomposable(s.op)) return s.AddDecomposable(id, *cell, t_ns, value);
  s.samples[id].push_back({t_ns, value});
  return s.Hold(1);
}

base::Status RangeVectorBuilder::AddRepeated(uint32_t id, int64_t min_ns, uint64_t n, double value) {
  State& s = *state_;
  if (n == 0) return base::Status::Ok();
  if (id == kRejectedSeries || !internal::IsDecomposable(s.op)) {
    for (uint64_t i = 0; i < n; ++i) RETURN_IF_ERROR(Add(id, min_ns, value));
    return base::Status::Ok();
  }
  auto cell = s.layout.CellOf(min_ns);
  if (!cell) return base::Status::Ok();
  if (s.op == RangeOp::kAbsentOverTime) {
    s.absent_counts[*cell] += n;
    return base::Status::Ok();
  }
  if (id >= s.labels.size()) return base::Internal("RangeVectorBuilder::AddRepeated: unknown series id");
  return s.AddDecomposable(id, *cell, min_ns, value, n);
}

base::Status RangeVectorBuilder::AddAll(uint32_t id, std::span<const int64_t> ts, double value) {
  State& s = *state_;
  // first/last_over_time keep the times of their samples: one time cannot stand for a run.
  if (id == kRejectedSeries || !internal::IsDecomposable(s.op) || s.op == RangeOp::kFirstOverTime ||
      s.op == RangeOp::kLastOverTime) {
    for (int64_t t : ts) RETURN_IF_ERROR(Add(id, t, value));
    return base::Status::Ok();
  }
  if (s.op != RangeOp::kAbsentOverTime && id >= s.labels.size()) {
    return base::Internal("RangeVectorBuilder::AddAll: unknown series id");
  }
  size_t i = 0;
  while (i < ts.size()) {
    int64_t last;
    auto cell = s.layout.CellOf(ts[i], &last);
    size_t j = i + 1;
    while (j < ts.size() && ts[j] >= ts[i] && ts[j] <= last) ++j;  // [ts[i], last] is one interval
    if (cell) {
      if (s.op == RangeOp::kAbsentOverTime) {
        s.absent_counts[*cell] += j - i;
      } else {
        RETURN_IF_ERROR(s.AddDecomposable(id, *cell, ts[i], value, j - i));
      }
    }
    i = j;
  }
  return base::Status::Ok();
}

bool RangeVectorBuilder::SameInterval(int64_t a_ns, int64_t b_ns) const {
  const State& s = *state_;
  auto a = s.layout.CellOf(a_ns);
  auto b = s.layout.CellOf(b_ns);
  return a && b && *a == *b;
}

base::Result<std::vector<Series>> RangeVectorBuilder::Finish() {
  State& s = *state_;
  std::vector<Series> out;
  if (s.op == RangeOp::kAbsentOverTime) {
    Series series{s.absent_labels, s.FinishAbsent()};
    if (!series.points.empty()) out.push_back(std::move(series));
    return out;
  }
  for (size_t id = 0; id < s.labels.size(); ++id) {
    std::vector<Point> points =
        internal::IsDecomposable(s.op) ? s.FinishDecomposable(s.rows[id]) : s.FinishSamples(s.samples[id]);
    if (!points.empty()) out.push_back(Series{s.labels[id], std::move(points)});
  }
  std::sort(out.begin(), out.end(), [](const Series& a, const Series& b) { return a.metric < b.metric; });
  return out;
}

}  // namespace strata::query::metric

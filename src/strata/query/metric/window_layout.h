#pragma once
// WindowLayout: the range windows of one range aggregation over the step grid, cut into elementary intervals.
//
// Window i is (from_i, to_i] with to_i = t_i - offset and from_i = to_i - range. All window edges, sorted, cut the
// time line into elementary intervals (p_k, p_k+1]; every window is a contiguous run of them, and an interval no
// window covers (the gaps when range < step) is dropped. Samples are folded per interval ("cell"), so memory is
// bounded by series x cells (at most 2 x steps) whatever the number of samples, and a window's value is the merge
// of its cells. Both edges grow with i, so windows slide monotonically over the cells.
//
// range == 0 (the DSL's "whole query range"): the window of t is (t - step, t] on a range grid (the steps tile
// the query range), and (-inf, t] on an instant grid (from_i is INT64_MIN; the window is "unbounded").
//
// Internal to strata/query/metric; immutable after construction.

#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

#include "strata/query/metric/evaluator.h"

namespace strata::query::metric::internal {

class WindowLayout {
 public:
  static constexpr int64_t kUnbounded = std::numeric_limits<int64_t>::min();

  WindowLayout(const StepGrid& grid, int64_t range_ns, int64_t offset_ns);

  size_t window_count() const { return windows_.size(); }
  int64_t grid_time(size_t i) const { return grid_times_[i]; }
  int64_t from(size_t i) const { return windows_[i].from; }  // exclusive; kUnbounded for (-inf, ...]
  int64_t to(size_t i) const { return windows_[i].to; }      // inclusive
  bool unbounded() const { return unbounded_; }
  double range_seconds() const { return range_seconds_; }     // 0 when unbounded

  size_t cell_count() const { return cell_count_; }
  // Cells [first, last) of window i.
  uint32_t first_cell(size_t i) const { return windows_[i].first_cell; }
  uint32_t end_cell(size_t i) const { return windows_[i].end_cell; }
  // The cell holding time t; nullopt when no window contains t.
  std::optional<uint32_t> CellOf(int64_t t) const;
  // The same, and *interval_last = the last time of t's elementary interval (every time in [t, *interval_last]
  // has the same answer; INT64_MAX past the last window).
  std::optional<uint32_t> CellOf(int64_t t, int64_t* interval_last) const;

  int64_t data_from() const;  // inclusive
  int64_t data_to() const;    // inclusive

 private:
  struct Window {
    int64_t from = 0, to = 0;
    uint32_t first_cell = 0, end_cell = 0;
  };
  std::vector<int64_t> grid_times_;
  std::vector<Window> windows_;
  std::vector<int64_t> edges_;          // sorted unique window edges
  std::vector<int32_t> cell_of_interval_;  // interval k = (edges_[k], edges_[k+1]] -> cell, or -1 when uncovered
  size_t cell_count_ = 0;
  bool unbounded_ = false;
  double range_seconds_ = 0;
};

}  // namespace strata::query::metric::internal

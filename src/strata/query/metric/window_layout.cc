#include "strata/query/metric/window_layout.h"

#include <algorithm>

namespace strata::query::metric::internal {

namespace {

int64_t SaturatingSub(int64_t a, int64_t b) {
  int64_t out;
  if (__builtin_sub_overflow(a, b, &out)) return b > 0 ? WindowLayout::kUnbounded + 1 : INT64_MAX;
  // kUnbounded is reserved for "no lower edge"; a computed edge never takes that value.
  return out == WindowLayout::kUnbounded ? out + 1 : out;
}

bool IsRangeGrid(const StepGrid& grid) { return grid.step_ns > 0 && grid.end_ns > grid.start_ns; }

}  // namespace

WindowLayout::WindowLayout(const StepGrid& grid, int64_t range_ns, int64_t offset_ns) {
  size_t n = grid.size();
  bool range_grid = IsRangeGrid(grid);
  int64_t range = range_ns;
  if (range <= 0) {
    if (range_grid) {
      range = grid.step_ns;
    } else {
      unbounded_ = true;
    }
  }
  range_seconds_ = unbounded_ ? 0 : double(range) / 1e9;

  grid_times_.reserve(n);
  windows_.resize(n);
  for (size_t i = 0; i < n; ++i) {
    int64_t t = range_grid ? grid.at(i) : grid.start_ns;
    grid_times_.push_back(t);
    windows_[i].to = SaturatingSub(t, offset_ns);
    windows_[i].from = unbounded_ ? kUnbounded : SaturatingSub(windows_[i].to, range);
    edges_.push_back(windows_[i].from);
    edges_.push_back(windows_[i].to);
  }
  std::sort(edges_.begin(), edges_.end());
  edges_.erase(std::unique(edges_.begin(), edges_.end()), edges_.end());

  // Mark the intervals each window covers (a difference array over interval indexes), then number the covered ones.
  size_t intervals = edges_.size() - 1;
  std::vector<int32_t> depth(intervals + 1, 0);
  auto edge_index = [&](int64_t e) { return size_t(std::lower_bound(edges_.begin(), edges_.end(), e) - edges_.begin()); };
  std::vector<std::pair<size_t, size_t>> spans(n);
  for (size_t i = 0; i < n; ++i) {
    spans[i] = {edge_index(windows_[i].from), edge_index(windows_[i].to)};
    ++depth[spans[i].first];
    --depth[spans[i].second];
  }
  cell_of_interval_.assign(intervals, -1);
  std::vector<uint32_t> cells_before(intervals + 1, 0);
  int32_t running = 0;
  for (size_t k = 0; k < intervals; ++k) {
    running += depth[k];
    cells_before[k] = uint32_t(cell_count_);
    if (running > 0) cell_of_interval_[k] = int32_t(cell_count_++);
  }
  cells_before[intervals] = uint32_t(cell_count_);
  // A window's intervals are all covered (by itself), so its cells are contiguous.
  for (size_t i = 0; i < n; ++i) {
    windows_[i].first_cell = cells_before[spans[i].first];
    windows_[i].end_cell = cells_before[spans[i].second];
  }
}

std::optional<uint32_t> WindowLayout::CellOf(int64_t t) const {
  auto it = std::lower_bound(edges_.begin(), edges_.end(), t);  // first edge >= t: t is in (edge[j-1], edge[j]]
  if (it == edges_.begin() || it == edges_.end()) return std::nullopt;
  int32_t cell = cell_of_interval_[size_t(it - edges_.begin()) - 1];
  if (cell < 0) return std::nullopt;
  return uint32_t(cell);
}

std::optional<uint32_t> WindowLayout::CellOf(int64_t t, int64_t* interval_last) const {
  auto it = std::lower_bound(edges_.begin(), edges_.end(), t);
  if (it == edges_.end()) {
    *interval_last = std::numeric_limits<int64_t>::max();
    return std::nullopt;
  }
  *interval_last = *it;
  if (it == edges_.begin()) return std::nullopt;
  int32_t cell = cell_of_interval_[size_t(it - edges_.begin()) - 1];
  if (cell < 0) return std::nullopt;
  return uint32_t(cell);
}

int64_t WindowLayout::data_from() const {
  return edges_.front() == kUnbounded ? kUnbounded : edges_.front() + 1;
}

int64_t WindowLayout::data_to() const { return edges_.back(); }

}  // namespace strata::query::metric::internal

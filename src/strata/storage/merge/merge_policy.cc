#include "strata/storage/merge/merge_policy.h"

#include <algorithm>
#include <tuple>

namespace strata::storage {

std::vector<uint64_t> PickMerge(const std::vector<std::shared_ptr<const PartReader>>& parts,
                                const MergePolicyOptions& options) {
  std::vector<MergeCandidate> sizes;
  sizes.reserve(parts.size());
  for (const auto& p : parts) sizes.push_back({p->meta().part_id, p->file_size()});
  return PickMergeBySize(std::move(sizes), options);
}

std::vector<uint64_t> PickMergeBySize(std::vector<MergeCandidate> parts, const MergePolicyOptions& options) {
  const size_t min_parts = std::max<uint32_t>(options.min_parts, 2);
  const size_t max_parts = std::max<size_t>(options.max_parts, min_parts);
  const double ratio = std::max(options.size_ratio, 1.0);
  if (parts.size() < min_parts) return {};

  std::sort(parts.begin(), parts.end(), [](const MergeCandidate& a, const MergeCandidate& b) {
    return std::tie(a.bytes, a.part_id) < std::tie(b.bytes, b.part_id);
  });

  // Best candidate so far: more parts, then fewer bytes, then the older first part.
  struct Pick {
    size_t count = 0;
    uint64_t bytes = 0;
    uint64_t first_id = 0;
    std::vector<uint64_t> ids;
  } best;
  auto better = [](size_t count, uint64_t bytes, uint64_t first_id, const Pick& b) {
    if (b.count == 0) return true;
    return std::make_tuple(-static_cast<int64_t>(count), bytes, first_id) <
           std::make_tuple(-static_cast<int64_t>(b.count), b.bytes, b.first_id);
  };

  size_t begin = 0;
  while (begin < parts.size()) {
    // The tier anchored at parts[begin]: everything below its size times the ratio. A zero-byte anchor (never a
    // real part file) still gets a tier of its own kind: treat it as one byte.
    const double bound = static_cast<double>(std::max<uint64_t>(parts[begin].bytes, 1)) * ratio;
    size_t end = begin;
    while (end < parts.size() && static_cast<double>(parts[end].bytes) < bound) ++end;
    if (end == begin) ++end;  // ratio 1: a tier of one

    if (end - begin >= min_parts) {
      std::vector<MergeCandidate> tier(parts.begin() + static_cast<std::ptrdiff_t>(begin),
                                       parts.begin() + static_cast<std::ptrdiff_t>(end));
      std::sort(tier.begin(), tier.end(),
                [](const MergeCandidate& a, const MergeCandidate& b) { return a.part_id < b.part_id; });
      for (size_t i = 0; i < tier.size(); ++i) {
        uint64_t total = 0;
        size_t j = i;
        while (j < tier.size() && j - i < max_parts && total + tier[j].bytes <= options.max_part_bytes) {
          total += tier[j].bytes;
          ++j;
        }
        if (j - i < min_parts || !better(j - i, total, tier[i].part_id, best)) continue;
        best.count = j - i;
        best.bytes = total;
        best.first_id = tier[i].part_id;
        best.ids.clear();
        for (size_t k = i; k < j; ++k) best.ids.push_back(tier[k].part_id);
      }
    }
    begin = end;
  }
  return best.ids;
}

}  // namespace strata::storage

#pragma once
// MergePolicy: which parts of a partition to merge next. Tiered by size: parts are grouped into tiers by size
// (each tier `size_ratio` times the previous); when a tier holds at least `min_parts` parts, up to `max_parts` of
// them (the smallest, adjacent in id order) are merged, unless the output would exceed `max_part_bytes`. A merge of
// k similar parts multiplies their size by k, so each row is rewritten about log_k(max_part_bytes / flush size)
// times (k between min_parts and max_parts), and never more than log_{1 + (min_parts - 1) / size_ratio}(...):
// every merge at least adds min_parts - 1 parts no smaller than 1/size_ratio of the largest input. Bounded write
// amplification; documented with numbers in docs/architecture.md. Pure.

#include <cstdint>
#include <memory>
#include <vector>

#include "strata/storage/part/part_reader.h"

namespace strata::storage {

struct MergePolicyOptions {
  uint32_t min_parts = 4;
  uint32_t max_parts = 16;
  double size_ratio = 8.0;
  uint64_t max_part_bytes = 4ull << 30;
};

// The part ids to merge next (empty when nothing is worth merging).
std::vector<uint64_t> PickMerge(const std::vector<std::shared_ptr<const PartReader>>& parts,
                                const MergePolicyOptions& options);

// The same decision on (id, bytes) pairs, which is all the policy looks at (PickMerge passes file sizes).
//
// Tiers: parts sorted by size; a tier starts at its smallest part S and holds every part below S * size_ratio;
// the next tier starts at the first part at or above that bound. (Anchoring tiers on the parts themselves, not
// on a fixed grid, keeps parts of about the same size together: 63 and 65 MiB never land in different tiers.)
// Within a tier, parts are taken in id order (about the order they were written, so merged parts stay compact in
// time); a candidate is a run of consecutive parts of that order, at most max_parts long, whose total bytes stay
// within max_part_bytes; it counts when it holds at least min_parts. The pick is, over all tiers, the candidate
// with the most parts, then the fewest bytes, then the lowest first id. Parts that can no longer grow (no
// min_parts-long run fits under max_part_bytes) are left alone for good.
struct MergeCandidate {
  uint64_t part_id = 0;
  uint64_t bytes = 0;
};
std::vector<uint64_t> PickMergeBySize(std::vector<MergeCandidate> parts, const MergePolicyOptions& options);

}  // namespace strata::storage

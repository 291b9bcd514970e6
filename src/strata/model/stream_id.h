#pragma once
// StreamId: the stable 128-bit identity of a stream (tenant-independent: tenants never share files), computed
// from the canonical (sorted, unique) label set. Part of the on-disk format. Pure, thread-safe.

#include <cstdint>
#include <string>

#include "strata/model/log_record.h"

namespace strata::model {

struct StreamId {
  uint64_t hi = 0;
  uint64_t lo = 0;
  auto operator<=>(const StreamId&) const = default;
  std::string ToHex() const;
};

// labels must be canonical (CanonicalizeLabels).
StreamId StreamIdOf(const LabelSet& labels);

// {a="x", b="y"}: the Loki/Prometheus text form, used in logs and tools.
std::string LabelsToString(const LabelSet& labels);

}  // namespace strata::model

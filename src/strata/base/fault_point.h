#pragma once
// Named fault points: crash tests stop the process at chosen moments (RocksDB's sync points, reduced to "die here").
//
// STRATA_FAULT_POINT("wal.rotate.after_create") is a no-op unless the environment variable STRATA_FAULT_POINTS
// names it. Syntax: a comma-separated list of `name` (die at the first hit) or `name@N` (die at the N-th hit).
// Dying means raise(SIGKILL): no destructors, no flushing, exactly like a power cut of the process.
// Thread-safe; the cost when disabled is one relaxed atomic load.

#include <string_view>

namespace strata::base {

void HitFaultPoint(std::string_view name);
bool FaultPointsEnabled();

}  // namespace strata::base

#define STRATA_FAULT_POINT(name)                                              \
  do {                                                                        \
    if (::strata::base::FaultPointsEnabled()) ::strata::base::HitFaultPoint(name); \
  } while (0)

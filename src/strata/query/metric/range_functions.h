#pragma once
// The per-window functions of the range aggregations.
//
// Decomposable functions (count, sum, rate, bytes, avg, min, max, stddev, stdvar, first, last) fold samples into a
// Partial, and Partials of adjacent time intervals merge (Merge(earlier, later)), so a window's value is computed
// from the partials of the elementary intervals it covers without holding samples. Merge is associative, which the
// sliding-window evaluation in the builder relies on.
//
// The others (quantile_over_time, rate_counter) need the window's samples in time order.
//
// Internal to strata/query/metric; pure functions.

#include <cstdint>
#include <optional>
#include <span>

#include "strata/query/lang/ast.h"

namespace strata::query::metric::internal {

// n == 0 is the empty partial (the identity of Merge). The meaning of a/b depends on the op:
//   count/sum/rate/bytes/avg: a = sum;  min/max: a = extreme;  stddev/stdvar: a = mean, b = M2 (Welford);
//   first/last: a = value at ta (earliest), b = value at tb (latest).
struct Partial {
  uint64_t n = 0;
  double a = 0;
  double b = 0;
  int64_t ta = 0;
  int64_t tb = 0;
};

bool IsDecomposable(RangeOp op);
void AddSample(RangeOp op, Partial& p, int64_t t, double v);
// n samples of value v at time t, in O(1) where the result is bit-identical to n AddSample calls.
void AddSamples(RangeOp op, Partial& p, int64_t t, double v, uint64_t n);
Partial Merge(RangeOp op, const Partial& earlier, const Partial& later);
// The function's value for a window; nullopt when the window yields no point. `range_seconds` is <= 0 for an
// unbounded window (rates are then undefined).
std::optional<double> PartialResult(RangeOp op, const Partial& p, double range_seconds);

struct TimedValue {
  int64_t t = 0;
  double v = 0;
};

// Prometheus quantile interpolation; `values` is reordered.
double Quantile(double phi, std::span<double> values);
// Prometheus' extrapolated counter rate over the window (from_ns, to_ns]; `samples` ascending by time, non-empty.
// Fewer than two samples give 0, as Loki does.
double CounterRate(std::span<const TimedValue> samples, int64_t from_ns, int64_t to_ns);

}  // namespace strata::query::metric::internal

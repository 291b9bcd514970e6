#include "strata/query/metric/range_functions.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace strata::query::metric::internal {

bool IsDecomposable(RangeOp op) {
  return op != RangeOp::kQuantileOverTime && op != RangeOp::kRateCounter;
}

namespace {

// Prometheus' min/max_over_time let any number replace a NaN, and never let a NaN replace a number.
bool Replaces(RangeOp op, double candidate, double current) {
  if (std::isnan(current)) return true;
  return op == RangeOp::kMinOverTime ? candidate < current : candidate > current;
}

}  // namespace

void AddSample(RangeOp op, Partial& p, int64_t t, double v) {
  switch (op) {
    case RangeOp::kMinOverTime:
    case RangeOp::kMaxOverTime:
      if (p.n == 0 || Replaces(op, v, p.a)) p.a = v;
      break;
    case RangeOp::kStddevOverTime:
    case RangeOp::kStdvarOverTime: {
      double delta = v - p.a;
      p.a += delta / double(p.n + 1);
      p.b += delta * (v - p.a);
      break;
    }
    case RangeOp::kFirstOverTime:
    case RangeOp::kLastOverTime:
      // Equal timestamps: the first arrival stays first and the last arrival becomes last.
      if (p.n == 0 || t < p.ta) p.ta = t, p.a = v;
      if (p.n == 0 || t >= p.tb) p.tb = t, p.b = v;
      break;
    default:
      p.a += v;
      break;
  }
  ++p.n;
}

void AddSamples(RangeOp op, Partial& p, int64_t t, double v, uint64_t n) {
  if (n == 0) return;
  switch (op) {
    case RangeOp::kMinOverTime:
    case RangeOp::kMaxOverTime:
    case RangeOp::kFirstOverTime:
    case RangeOp::kLastOverTime:
      // Equal value and time: the repeats change nothing but the count.
      AddSample(op, p, t, v);
      p.n += n - 1;
      return;
    case RangeOp::kStddevOverTime:
    case RangeOp::kStdvarOverTime: break;  // Welford's steps do not collapse exactly
    default: {
      // Integer-valued partial sums below 2^53 are exact, so one product equals n additions.
      constexpr double kExact = 9007199254740992.0;
      if (v == std::trunc(v) && p.a == std::trunc(p.a) && std::fabs(p.a) + std::fabs(v) * double(n) < kExact) {
        p.a += v * double(n);
        p.n += n;
        return;
      }
      break;
    }
  }
  for (uint64_t i = 0; i < n; ++i) AddSample(op, p, t, v);
}

Partial Merge(RangeOp op, const Partial& x, const Partial& y) {
  if (x.n == 0) return y;
  if (y.n == 0) return x;
  Partial out;
  out.n = x.n + y.n;
  switch (op) {
    case RangeOp::kMinOverTime:
    case RangeOp::kMaxOverTime:
      out.a = Replaces(op, y.a, x.a) ? y.a : x.a;
      break;
    case RangeOp::kStddevOverTime:
    case RangeOp::kStdvarOverTime: {
      // Chan et al.'s pairwise combination of (count, mean, M2).
      double nx = double(x.n), ny = double(y.n), n = double(out.n);
      double delta = y.a - x.a;
      out.a = x.a + delta * ny / n;
      out.b = x.b + y.b + delta * delta * nx * ny / n;
      break;
    }
    case RangeOp::kFirstOverTime:
    case RangeOp::kLastOverTime:
      // x covers an earlier interval than y, so timestamps never tie across the two.
      out.ta = x.ta, out.a = x.a;
      out.tb = y.tb, out.b = y.b;
      break;
    default:
      out.a = x.a + y.a;
      break;
  }
  return out;
}

std::optional<double> PartialResult(RangeOp op, const Partial& p, double range_seconds) {
  if (p.n == 0) return std::nullopt;
  switch (op) {
    case RangeOp::kCountOverTime:
      return double(p.n);
    case RangeOp::kRate:
    case RangeOp::kBytesRate:
      if (range_seconds <= 0) return std::nullopt;
      return p.a / range_seconds;
    case RangeOp::kBytesOverTime:
    case RangeOp::kSumOverTime:
    case RangeOp::kMinOverTime:
    case RangeOp::kMaxOverTime:
      return p.a;
    case RangeOp::kAvgOverTime:
      return p.a / double(p.n);
    case RangeOp::kStdvarOverTime:
      return p.b / double(p.n);
    case RangeOp::kStddevOverTime:
      return std::sqrt(p.b / double(p.n));
    case RangeOp::kFirstOverTime:
      return p.a;
    case RangeOp::kLastOverTime:
      return p.b;
    case RangeOp::kAbsentOverTime:
    case RangeOp::kQuantileOverTime:
    case RangeOp::kRateCounter:
      break;
  }
  return std::nullopt;
}

double Quantile(double phi, std::span<double> values) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  if (std::isnan(phi)) return std::numeric_limits<double>::quiet_NaN();
  if (phi < 0) return -std::numeric_limits<double>::infinity();
  if (phi > 1) return std::numeric_limits<double>::infinity();
  std::sort(values.begin(), values.end());
  double n = double(values.size());
  double rank = phi * (n - 1);
  size_t lower = size_t(std::max(0.0, std::floor(rank)));
  size_t upper = std::min(values.size() - 1, lower + 1);
  double weight = rank - std::floor(rank);
  return values[lower] * (1 - weight) + values[upper] * weight;
}

double CounterRate(std::span<const TimedValue> samples, int64_t from_ns, int64_t to_ns) {
  if (samples.size() < 2) return 0;
  const TimedValue& first = samples.front();
  const TimedValue& last = samples.back();
  double result = last.v - first.v;
  double prev = first.v;
  for (size_t i = 1; i < samples.size(); ++i) {
    // A drop is a counter reset: the counter restarted from zero, so everything before the drop was an increase.
    if (samples[i].v < prev) result += prev;
    prev = samples[i].v;
  }
  double range_s = double(to_ns - from_ns) / 1e9;
  double to_start = double(first.t - from_ns) / 1e9;
  double to_end = double(to_ns - last.t) / 1e9;
  double sampled = double(last.t - first.t) / 1e9;
  if (sampled <= 0) return 0;  // all samples at one instant: no interval to extrapolate from
  double avg_gap = sampled / double(samples.size() - 1);
  // A counter cannot go below zero: do not extrapolate further back than where it would have been zero.
  if (result > 0 && first.v >= 0) {
    double to_zero = sampled * (first.v / result);
    if (to_zero < to_start) to_start = to_zero;
  }
  // Extrapolate to a window edge only when the samples come close to it; otherwise by half a sample gap.
  double threshold = avg_gap * 1.1;
  double interval = sampled;
  interval += to_start < threshold ? to_start : avg_gap / 2;
  interval += to_end < threshold ? to_end : avg_gap / 2;
  return result * (interval / sampled) / range_s;
}

}  // namespace strata::query::metric::internal
